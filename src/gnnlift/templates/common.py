"""Small grounding helpers shared by the templates."""

from __future__ import annotations

import numpy as np
import torch

from gnnlift.data.types import GraphSet


def one_hot(labels: np.ndarray, classes: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """One-hot rows of integer labels (fact neurons of typed atoms, bonds, constants)."""
    return torch.nn.functional.one_hot(torch.from_numpy(np.asarray(labels)), classes).to(dtype)


def mean_coefficients(dst: torch.Tensor, size: int) -> torch.Tensor:
    """1 / in-degree of each edge's destination, in float64 (a mean as a weighted sum)."""
    degree = torch.bincount(dst, minlength=size).clamp(min=1)
    return 1.0 / degree[dst].to(torch.float64)


def node_features(graphs: GraphSet, dtype: torch.dtype) -> torch.Tensor:
    """One-hot node labels, the input of every graph variant."""
    return one_hot(graphs.node_labels, len(graphs.node_vocab), dtype)


def edge_features(graphs: GraphSet, dtype: torch.dtype) -> torch.Tensor:
    """One-hot edge labels of every directed edge."""
    return one_hot(graphs.edge_labels, len(graphs.edge_vocab), dtype)


def undirected_edge_ids(graphs: GraphSet) -> tuple[np.ndarray, int]:
    """For each directed edge, the id of its undirected bond (both directions share it)."""
    src, dst = graphs.edge_index
    lo, hi = np.minimum(src, dst), np.maximum(src, dst)
    keys = (lo * max(graphs.num_nodes, 1) + hi) * max(len(graphs.edge_vocab), 1) + graphs.edge_labels
    unique, inverse = np.unique(keys, return_inverse=True)
    return inverse.astype(np.int64), len(unique)


def edge_graph(graphs: GraphSet) -> np.ndarray:
    """The graph index of every directed edge."""
    return np.repeat(np.arange(graphs.num_graphs), np.diff(graphs.edge_ptr))
