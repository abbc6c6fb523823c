"""What is learned on a dataset: samples, binary targets, the train/test split."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from gnnlift.data.types import Dataset, GraphSet, KnowledgeBase
from gnnlift.run.splits import corrupt_tails, stratified_fold


@dataclass
class Task:
    data: Dataset  # what variants prepare: graphs, or a knowledge base with its queries
    targets: np.ndarray  # (samples,) float labels
    train: np.ndarray
    test: np.ndarray
    ranking_test: np.ndarray | None = None  # kb triples: test triples ranked against all tails
    known: set[tuple[int, int, int]] | None = None  # every true triple, for filtering


def build_task(data: Dataset, folds: int, fold: int, seed: int) -> Task:
    """Graphs and the paper's KB queries: stratified k-fold. KB triples: the given splits."""
    if isinstance(data, GraphSet):
        train, test = stratified_fold(data.y, folds, fold, seed)
        return Task(data, data.y.astype(np.float64), train, test)
    if data.queries is not None:
        labels = (data.query_labels > 0.5).astype(np.int64)
        train, test = stratified_fold(labels, folds, fold, seed)
        return Task(data, data.query_labels, train, test)
    return _triples_task(data, seed)


def _triples_task(kb: KnowledgeBase, seed: int) -> Task:
    """Facts: the training triples. Training queries: them, plus one corrupted tail each."""
    train = kb.splits["train"]
    known = {tuple(map(int, t)) for split in kb.splits.values() for t in split}
    negatives = corrupt_tails(train, len(kb.entities), known, seed)
    queries = np.concatenate([train, negatives])
    labels = np.concatenate([np.ones(len(train)), np.zeros(len(negatives))])
    data = replace(kb, facts=train).with_queries(None, queries, labels)
    return Task(data, labels, np.arange(len(queries)), np.zeros(0, dtype=np.int64), kb.splits["test"], known)
