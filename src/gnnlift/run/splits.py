"""Deterministic train/test splits: stratified k-fold per seed, or the given splits."""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import StratifiedKFold


def stratified_fold(labels: np.ndarray, folds: int, fold: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and test indices of fold ``fold`` of a seeded stratified ``folds``-fold split."""
    if not 0 <= fold < folds:
        raise ValueError(f"fold {fold} is outside 0..{folds - 1}")
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    train, test = list(splitter.split(np.zeros(len(labels)), labels))[fold]
    return np.sort(train), np.sort(test)


def corrupt_tails(triples: np.ndarray, entities: int, known: set[tuple[int, int, int]], seed: int) -> np.ndarray:
    """One negative per triple: the tail replaced by a random entity not forming a known fact."""
    rng = np.random.default_rng(seed)
    out = triples.copy()
    for i, (h, r, _) in enumerate(triples):
        while True:
            t = int(rng.integers(entities))
            if (int(h), int(r), t) not in known:
                out[i, 2] = t
                break
    return out
