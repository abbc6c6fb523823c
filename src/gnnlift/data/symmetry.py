"""Checks on edge lists that every graph parser shares."""

from __future__ import annotations

import numpy as np


def first_asymmetric_edge(edge_index: np.ndarray, edge_labels: np.ndarray, num_nodes: int) -> int | None:
    """Index of an edge ``(u, v, label)`` without its reverse ``(v, u, label)``, else None.

    Edges are compared as multisets, so a duplicated edge needs a duplicated reverse.
    """
    if edge_index.shape[1] == 0:
        return None
    n_labels = int(edge_labels.max()) + 1
    src, dst = edge_index.astype(np.int64)
    forward = (src * num_nodes + dst) * n_labels + edge_labels
    backward = (dst * num_nodes + src) * n_labels + edge_labels
    if np.array_equal(np.sort(forward), np.sort(backward)):
        return None
    missing = ~np.isin(backward, forward)
    if missing.any():
        return int(np.flatnonzero(missing)[0])
    # Same keys, different multiplicities: report the first edge of an unbalanced key.
    keys, counts_f = np.unique(forward, return_counts=True)
    counts_b = np.bincount(np.searchsorted(keys, backward), minlength=len(keys))
    bad_key = keys[np.flatnonzero(counts_f != counts_b)[0]]
    return int(np.flatnonzero(forward == bad_key)[0])
