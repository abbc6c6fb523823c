"""The quotient computation graph: one neuron per class, the inputs of a representative."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import torch

from gnnlift.engine.graph import CompGraph, Inputs
from gnnlift.lifting.relabel import first_members, unique_pairs


def representatives(classes: torch.Tensor) -> torch.Tensor:
    """The first neuron of every class."""
    return first_members(classes, _class_count(classes))


def _class_count(classes: torch.Tensor) -> int:
    return int(classes.max()) + 1 if len(classes) else 0


def quotient(graph: CompGraph, classes: Sequence[torch.Tensor], keep_owner: bool) -> tuple[CompGraph, list]:
    """The lifted graph, and the representative of each of its neurons per level.

    Each class computes what its representative computes, with inputs redirected to their
    classes. Parallel inputs from one class merge into one edge whose coefficient is the sum
    of theirs: a sum takes the multiplicity as its coefficient, and a mean (whose coefficients
    are 1/in-degree of the original neuron) keeps dividing by the original count. Outputs are
    gathered back per sample, so every sample keeps its own output row.
    """
    reps = [representatives(c) for c in classes]
    levels = []
    for li, level in enumerate(graph.levels):
        rep, size = reps[li], len(reps[li])
        groups = [_lift_group(group, rep, classes[li], classes[group.source], size) for group in level.inputs]
        levels.append(
            replace(
                level,
                size=size,
                inputs=groups,
                values=None if level.values is None else level.values[rep],
                owner=level.owner[rep] if keep_owner and level.owner is not None else None,
            )
        )
    implicit = 0
    if graph.implicit_facts:  # constant facts of one value: one neuron per sample (or one in all)
        output_owner = graph.levels[graph.output_level].owner
        implicit = len(torch.unique(output_owner)) if keep_owner and output_owner is not None else 1
    lifted = CompGraph(levels, graph.output_level, classes[graph.output_level][graph.output_index], implicit)
    return lifted, reps


def _lift_group(group: Inputs, rep: torch.Tensor, own: torch.Tensor, source: torch.Tensor, size: int) -> Inputs:
    if group.dst is None:
        index = source[rep if group.src is None else group.src[rep]]
        identity = len(index) == _class_count(source) and bool((index == torch.arange(len(index))).all())
        return replace(group, src=None if identity else index)
    is_rep = torch.zeros(len(own), dtype=torch.bool)
    is_rep[rep] = True
    keep = is_rep[group.dst]
    dst, src = own[group.dst[keep]], source[group.src[keep]]
    coef = torch.ones(len(dst), dtype=torch.float64) if group.coef is None else group.coef[keep]
    dst, src, inverse = unique_pairs(dst, src)
    summed = torch.zeros(len(dst), dtype=coef.dtype).index_add_(0, inverse, coef)
    plain = group.coef is None and bool((summed == 1).all())
    return replace(group, dst=dst, src=src, coef=None if plain else summed)
