"""Forward evaluation of a computation graph; autograd gives the backward pass."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import torch

from gnnlift.engine.graph import CompGraph, Inputs, Level
from gnnlift.modelspec import ACTIVATIONS

EdgeOrder = Callable[[torch.Tensor, torch.Tensor, torch.Tensor | None], torch.Tensor]


def evaluate(
    graph: CompGraph, params: Mapping[str, torch.Tensor], all_levels: bool = False, edge_order: EdgeOrder | None = None
):
    """Values of the output neurons, one row per sample (or every level's values).

    ``edge_order(dst, rows, coef)`` may permute each sum's edges before they are added up; value
    detection uses it so that equal multisets of inputs are always summed in the same order.
    """
    values: list[torch.Tensor] = []
    for level in graph.levels:
        if level.values is not None:
            values.append(level.values)
            continue
        if level.operation == "outer":
            values.append(ACTIVATIONS[level.activation](level.scale * _outer(level, values)))
            continue
        total = None
        for group in level.inputs:
            weight = None if group.weight is None else params[group.weight]
            shrinks = weight is not None and weight.shape[0] < weight.shape[1]
            if group.dst is not None and shrinks and group.transform_first is not False:
                # W·Σ x = Σ W·x: transform first when it shrinks the vectors moved along the edges
                x = _aggregate(group, level.size, values, transform=weight, edge_order=edge_order)
            else:
                x = _aggregate(group, level.size, values, edge_order=edge_order)
                if weight is not None:
                    x = x @ weight.T
            total = x if total is None else total + x
        if total is None:  # no inputs at all: the empty sum
            total = values[0].new_zeros(level.size, 1)
        if level.bias is not None:
            total = total + params[level.bias]
        values.append(ACTIVATIONS[level.activation](total))
    if all_levels:
        return values
    return values[graph.output_level][graph.output_index]


def _aggregate(
    group: Inputs,
    size: int,
    values: list[torch.Tensor],
    transform: torch.Tensor | None = None,
    edge_order: EdgeOrder | None = None,
) -> torch.Tensor:
    """The coefficient-weighted sum of each neuron's inputs in one group (inputs first mapped by ``transform``)."""
    x = values[group.source]
    if transform is not None:
        x = x @ transform.T
    if group.dst is None:
        return x if group.src is None else x[group.src]
    x, dst, coef = x[group.src], group.dst, group.coef
    if edge_order is not None:
        order = edge_order(dst, x, coef)
        x, dst, coef = x[order], dst[order], None if coef is None else coef[order]
    if coef is not None:
        x = x * coef.unsqueeze(1)
    return x.new_zeros(size, x.shape[1]).index_add_(0, dst, x)


def _outer(level: Level, values: list[torch.Tensor]) -> torch.Tensor:
    """Flattened outer product of the groups' inputs, row by row."""
    product = None
    for group in level.inputs:
        x = _aggregate(group, level.size, values)
        product = x if product is None else (product.unsqueeze(2) * x.unsqueeze(1)).flatten(1)
    return product
