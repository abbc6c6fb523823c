"""Common in-memory dataset types, shared by every parser and every model."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np


@dataclass(frozen=True)
class GraphSet:
    """Labelled graphs stored back to back, as in PyG's batched layout.

    Nodes of graph ``g`` are ``node_ptr[g]:node_ptr[g+1]``; its directed edges are
    ``edge_ptr[g]:edge_ptr[g+1]`` and use global node indices. Every undirected bond is
    stored in both directions with the same label.
    """

    name: str
    node_labels: np.ndarray  # (N,) int64, index into node_vocab
    edge_index: np.ndarray  # (2, E) int64, global node indices
    edge_labels: np.ndarray  # (E,) int64, index into edge_vocab
    node_ptr: np.ndarray  # (G+1,) int64
    edge_ptr: np.ndarray  # (G+1,) int64
    y: np.ndarray  # (G,) int64, index into class_vocab
    node_vocab: tuple[str, ...]
    edge_vocab: tuple[str, ...]
    class_vocab: tuple[str, ...]
    notes: dict[str, Any] = field(default_factory=dict)  # what the parser noticed ("warnings")

    kind = "graphs"

    @property
    def num_graphs(self) -> int:
        return len(self.y)

    @property
    def num_nodes(self) -> int:
        return len(self.node_labels)

    @property
    def num_edges(self) -> int:
        return self.edge_index.shape[1]

    def graph_of_node(self) -> np.ndarray:
        """The graph index of every node."""
        return np.repeat(np.arange(self.num_graphs), np.diff(self.node_ptr))

    def subset(self, graphs: np.ndarray) -> GraphSet:
        """The graphs at the given indices, renumbered, vocabularies unchanged."""
        graphs = np.asarray(graphs, dtype=np.int64)
        n_counts = np.diff(self.node_ptr)[graphs]
        e_counts = np.diff(self.edge_ptr)[graphs]
        node_sel = _ranges(self.node_ptr[graphs], n_counts)
        edge_sel = _ranges(self.edge_ptr[graphs], e_counts)
        new_node_ptr = np.concatenate([[0], np.cumsum(n_counts)])
        shift = np.repeat(new_node_ptr[:-1] - self.node_ptr[graphs], e_counts)
        return GraphSet(
            name=self.name,
            node_labels=self.node_labels[node_sel],
            edge_index=self.edge_index[:, edge_sel] + shift,
            edge_labels=self.edge_labels[edge_sel],
            node_ptr=new_node_ptr,
            edge_ptr=np.concatenate([[0], np.cumsum(e_counts)]),
            y=self.y[graphs],
            node_vocab=self.node_vocab,
            edge_vocab=self.edge_vocab,
            class_vocab=self.class_vocab,
        )

    def stats(self) -> dict[str, Any]:
        """Counts a user checks a dataset by: graphs, nodes, edges, vocabularies, balance."""
        nodes_per_graph = np.diff(self.node_ptr)
        return {
            "name": self.name,
            "kind": self.kind,
            "graphs": self.num_graphs,
            "nodes": self.num_nodes,
            "edges": self.num_edges // 2,
            "directed_edges": self.num_edges,
            "nodes_per_graph_mean": round(float(nodes_per_graph.mean()), 3) if self.num_graphs else 0.0,
            "nodes_per_graph_max": int(nodes_per_graph.max()) if self.num_graphs else 0,
            "node_labels": _counts(self.node_labels, self.node_vocab),
            "edge_labels": _counts(self.edge_labels, self.edge_vocab, halve=True),
            "classes": _counts(self.y, self.class_vocab),
            **_notes(self.notes),
        }


@dataclass(frozen=True)
class KnowledgeBase:
    """Entities, relations and triples ``(head, relation, tail)`` as index arrays.

    ``splits`` holds the standard train/valid/test triples where the source has them.
    The paper's form adds ``facts`` (the one example all queries are asked against) and
    labelled ``queries``. A ``tail`` of -1 marks an attribute fact, ``r(nation, attribute)``.
    """

    name: str
    entities: tuple[str, ...]
    relations: tuple[str, ...]
    splits: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (n, 3) int64
    facts: np.ndarray | None = None  # (n, 3) int64
    queries: np.ndarray | None = None  # (q, 3) int64
    query_labels: np.ndarray | None = None  # (q,) float64
    # What the parser noticed: "warnings", "duplicates", "relations_not_in_train".
    notes: dict[str, Any] = field(default_factory=dict)

    kind = "kb"

    def with_queries(
        self, index: np.ndarray, queries: np.ndarray | None = None, labels: np.ndarray | None = None
    ) -> KnowledgeBase:
        """The same facts with the queries at ``index`` (or the given ``queries``/``labels``)."""
        if queries is None:
            queries, labels = self.queries[index], self.query_labels[index]
        return replace(
            self, queries=np.asarray(queries, dtype=np.int64), query_labels=np.asarray(labels, dtype=np.float64)
        )

    @property
    def num_queries(self) -> int:
        return 0 if self.queries is None else len(self.queries)

    def stats(self) -> dict[str, Any]:
        """Entity and relation counts, triples per split, facts, queries by label."""
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "entities": len(self.entities),
            "relations": len(self.relations),
        }
        for split, triples in self.splits.items():
            out[f"{split}_triples"] = len(triples)
        if self.facts is not None:
            out["facts"] = len(self.facts)
            out["attribute_facts"] = int((self.facts[:, 2] < 0).sum())
        if self.queries is not None and self.query_labels is not None:
            out["queries"] = len(self.queries)
            out["positive_queries"] = int((self.query_labels > 0.5).sum())
            out["negative_queries"] = int((self.query_labels <= 0.5).sum())
        return out | _notes(self.notes)


Dataset = GraphSet | KnowledgeBase


def group_offsets(group_of_item: np.ndarray, n_groups: int) -> np.ndarray:
    """CSR offsets (length ``n_groups + 1``) from the sorted group index of each item."""
    counts = np.bincount(group_of_item, minlength=n_groups)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, s + c)`` for each pair, without a Python loop."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    return np.arange(total, dtype=np.int64) + offsets


def _notes(notes: dict[str, Any]) -> dict[str, Any]:
    """A copy of the parser's notes for the statistics (absent when there are none)."""
    return {k: (dict(v) if isinstance(v, dict) else list(v)) for k, v in notes.items() if v}


def _counts(codes: np.ndarray, vocab: tuple[str, ...], halve: bool = False) -> dict[str, int]:
    counts = np.bincount(codes, minlength=len(vocab)) if len(codes) else np.zeros(len(vocab), int)
    if halve:
        counts = counts // 2
    return {label: int(c) for label, c in zip(vocab, counts, strict=True)}
