"""Equivalence classes of neurons, level by level: exact (structural) and value-based detection.

Both return, for every level, a class id per neuron (dense, 0..k-1). Neurons of different levels
are never merged: a level is one operation with one activation, so the level is part of a class.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch

from gnnlift.engine.execute import evaluate
from gnnlift.engine.graph import CompGraph, Level
from gnnlift.lifting.relabel import float_row_ids, multiset_ids, row_ids


def signature_columns(level: Level, classes: Sequence[torch.Tensor], by_owner: bool) -> list[torch.Tensor]:
    """Integer columns whose rows are equal exactly when two neurons of ``level`` compute the same.

    One column per input group: the input's class for one-to-one groups, the id of the multiset
    of (input class, coefficient) for summed groups. Fact levels add the id of their value row.
    With ``by_owner`` the sample is a column too, so that only neurons of one sample can merge.
    """
    size = level.size
    columns = []
    if by_owner and level.owner is not None:
        columns.append(level.owner)
    if level.values is not None:
        columns.append(float_row_ids(level.values)[0])
    for group in level.inputs:
        source = classes[group.source]
        if group.dst is None:
            columns.append(source if group.src is None else source[group.src])
        else:
            coef = torch.ones(len(group.dst), dtype=torch.float64) if group.coef is None else group.coef
            columns.append(multiset_ids(group.dst, source[group.src], coef, size)[0])
    return columns


def exact_classes(graph: CompGraph, by_owner: bool = False) -> list[torch.Tensor]:
    """Colour refinement on the DAG: bottom-up exact relabelling of every level's signatures.

    Two neurons share a class only if they apply the same operation to the same multiset of
    (weight, coefficient, input class): they are equal for every value of the weights.
    """
    classes: list[torch.Tensor] = []
    for level in graph.levels:
        classes.append(row_ids(signature_columns(level, classes, by_owner), level.size)[0])
    return classes


def sorted_by_value(dst: torch.Tensor, rows: torch.Tensor, coef: torch.Tensor | None) -> torch.Tensor:
    """Edges ordered by destination, then by the (input row, coefficient) they carry.

    Sums then add equal multisets of inputs in the same order, so neurons that compute the same
    get bitwise equal values, and rounding can never split them.
    """
    weighted = rows if coef is None else torch.cat([rows, coef.unsqueeze(1).to(rows.dtype)], dim=1)
    ids, count = float_row_ids(weighted)
    return torch.argsort(dst * max(count, 1) + ids, stable=True)


def value_classes(
    graph: CompGraph,
    draws: Sequence[Mapping[str, torch.Tensor]],
    digits: int,
    by_owner: bool = False,
    isocheck: bool = False,
) -> tuple[list[torch.Tensor], int]:
    """The paper's detection: neurons whose values, rounded to ``digits`` decimals, agree in every draw.

    ``draws`` are random weight assignments (float64). Returns the classes and the number of
    *clashes*: merges of neurons with equal values whose inputs belong to different classes.
    With ``isocheck`` those merges are refused (the classes are split); otherwise they stand,
    which is the paper's lossy regime at few digits.
    """
    graph = graph.to(dtype=torch.float64)
    runs = [
        evaluate(graph, {k: v.to(torch.float64) for k, v in draw.items()}, all_levels=True, edge_order=sorted_by_value)
        for draw in draws
    ]
    classes: list[torch.Tensor] = []
    clashes = 0
    for li, level in enumerate(graph.levels):
        vectors = torch.cat([run[li].flatten(1) for run in runs], dim=1)
        columns = [level.owner] if by_owner and level.owner is not None else []
        columns.append(float_row_ids(torch.round(vectors, decimals=digits))[0])
        by_value, n_value = row_ids(columns, level.size)
        checked, n_checked = row_ids([by_value, *signature_columns(level, classes, False)], level.size)
        clashes += n_checked - n_value
        classes.append(checked if isocheck else by_value)
    return classes, clashes
