"""Exact relabelling: dense ids for equal rows and for equal multisets, all vectorised.

Rows are packed into single int64 keys (re-densified whenever the packed range would overflow)
and compared with a 1-D ``torch.unique``. Random fingerprints only propose candidate classes;
each candidate is checked element by element, so two different rows (or multisets) can never
share an id.
"""

from __future__ import annotations

import torch

_LIMIT = 1 << 62


def dense_ids(column: torch.Tensor) -> tuple[torch.Tensor, int]:
    """Ids 0..k-1 of the distinct values of a 1-D integer tensor, in sorted order of the values."""
    if column.numel() == 0:
        return column.new_zeros(0), 0
    low, high = int(column.min()), int(column.max())
    if high - low < 4 * len(column) + 16:  # a small range: count instead of sorting
        present = torch.zeros(high - low + 1, dtype=torch.long)
        present[column - low] = 1
        rank = torch.cumsum(present, 0)
        return rank[column - low] - 1, int(rank[-1])
    unique, inverse = torch.unique(column, return_inverse=True)
    return inverse, len(unique)


def _small_range(column: torch.Tensor) -> tuple[torch.Tensor, int]:
    """The column itself when it is already a small non-negative range, else its dense ids."""
    if column.numel() == 0:
        return column, 1
    low, high = int(column.min()), int(column.max())
    if low >= 0 and high < 4 * len(column) + 16:
        return column, high + 1
    ids, count = dense_ids(column)
    return ids, max(count, 1)


def row_ids(columns: list[torch.Tensor], size: int) -> tuple[torch.Tensor, int]:
    """Ids of the distinct rows of the integer ``columns`` (each ``(size,)``), ordered by the rows."""
    key = torch.zeros(size, dtype=torch.long)
    span = 1
    for column in columns:
        column, values = _small_range(column.long())
        if span * values >= _LIMIT:
            key, span = dense_ids(key)
            span = max(span, 1)
        key = key * values + column
        span *= values
    return dense_ids(key)


def first_members(ids: torch.Tensor, count: int) -> torch.Tensor:
    """The smallest index carrying each id 0..count-1 (each class's first member)."""
    first = torch.full((count,), len(ids), dtype=torch.long)
    return first.scatter_reduce_(0, ids, torch.arange(len(ids)), reduce="amin")


def unique_pairs(first: torch.Tensor, second: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Distinct (first, second) pairs of non-negative ints, sorted; and each input pair's index among them."""
    width = int(second.max()) + 1 if len(second) else 1
    keys, inverse = torch.unique(first * width + second, return_inverse=True)
    return keys // width, keys % width, inverse


def multiset_ids(dst: torch.Tensor, items: torch.Tensor, weights: torch.Tensor, size: int) -> tuple[torch.Tensor, int]:
    """Ids of each neuron's multiset of weighted ``items`` (edges ``dst``), equal ids for equal multisets.

    Parallel edges (one neuron, one item) are first merged and their weights summed, so a mean
    over {a, a} and a mean over {a} (coefficients 1/2 + 1/2 and 1) are the same multiset.
    Candidates come from (in-degree, sum of random 62-bit codes of the elements); every
    candidate class is then checked element by element against its first member. Only if a
    check fails (a fingerprint collision) are the multisets compared row by row instead.
    """
    owners, items, inverse = unique_pairs(dst, items)
    summed = torch.zeros(len(owners), dtype=weights.dtype).index_add_(0, inverse, weights)
    weight_id, n_weights = dense_ids(_float_key(canonical_coefficients(summed)))
    element, n_elements = dense_ids(items * max(n_weights, 1) + weight_id)  # sorted within each neuron
    degree = torch.bincount(owners, minlength=size)
    codes = torch.randint(0, 1 << 62, (n_elements,), generator=torch.Generator().manual_seed(12345))
    fingerprint = torch.zeros(size, dtype=torch.long).index_add_(0, owners, codes[element])
    ids, count = row_ids([degree, fingerprint], size)
    start = torch.cumsum(degree, 0) - degree
    partner = start[first_members(ids, count)[ids[owners]]] + (torch.arange(len(owners)) - start[owners])
    if bool((element[partner] == element).all()):
        return ids, count
    return _multiset_ids_by_rows(owners, element, degree, size)


def canonical_coefficients(values: torch.Tensor, bits: int = 40) -> torch.Tensor:
    """Coefficients rounded to ``bits`` significant bits (about 12 decimal digits).

    Grounded coefficients are small rationals (1/in-degree, multiplicities), and their float sums
    carry rounding noise: six summands of 1/6 give 0.9999999999999999, not 1. Distinct rationals
    of small denominators differ by far more than 2^-40, so this rounding only removes the noise.
    """
    mantissa, exponent = torch.frexp(values.to(torch.float64))
    return torch.ldexp(torch.round(mantissa * 2.0**bits) / 2.0**bits, exponent)


def _multiset_ids_by_rows(owners: torch.Tensor, element: torch.Tensor, degree: torch.Tensor, size: int):
    """Exact multiset ids without fingerprints: sorted element rows compared per in-degree."""
    ids = torch.zeros(size, dtype=torch.long)  # degree 0: id 0
    offset = 1
    edge_degree = degree[owners]
    for d in torch.unique(degree[degree > 0]).tolist():
        chosen = edge_degree == d
        rows = element[chosen].view(-1, d)
        local, count = row_ids(list(rows.T), len(rows))
        ids[owners[chosen][::d]] = local + offset
        offset += count
    return ids, offset


def _float_key(values: torch.Tensor) -> torch.Tensor:
    """Integer keys equal exactly when the float64 values are equal (-0.0 and 0.0 alike)."""
    values = values.to(torch.float64) + 0.0
    return values.view(torch.int64)


def float_row_ids(values: torch.Tensor) -> tuple[torch.Tensor, int]:
    """Ids of the distinct rows of a float matrix (exact equality), not ordered.

    Candidates come from a random linear code of each row; every candidate class is checked
    against its first member, and only a failed check falls back to packing the columns.
    """
    keys = _float_key((values.flatten(1) if values.dim() > 1 else values.unsqueeze(1)).contiguous())
    if keys.shape[1] <= 2:
        return row_ids(list(keys.T), len(keys))
    codes = torch.randint(0, 1 << 62, (keys.shape[1],), generator=torch.Generator().manual_seed(54321)) | 1
    ids, count = dense_ids((keys * codes).sum(1))
    if bool((keys[first_members(ids, count)[ids]] == keys).all()):
        return ids, count
    return row_ids(list(keys.T), len(keys))
