"""Forward evaluation of a computation graph; autograd gives the backward pass."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import torch

from gnnlift.engine.graph import CompGraph

ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "identity": lambda x: x,
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
}


def evaluate(graph: CompGraph, params: Mapping[str, torch.Tensor], all_levels: bool = False):
    """Values of the output neurons, one row per sample (or every level's values)."""
    values: list[torch.Tensor] = []
    for level in graph.levels:
        if level.values is not None:
            values.append(level.values)
            continue
        total = None
        for group in level.inputs:
            x = values[group.source]
            if group.dst is not None:
                x = x[group.src]
                if group.coef is not None:
                    x = x * group.coef.unsqueeze(1)
                x = x.new_zeros(level.size, x.shape[1]).index_add_(0, group.dst, x)
            if group.weight is not None:
                x = x @ params[group.weight].T
            total = x if total is None else total + x
        if level.bias is not None:
            total = total + params[level.bias]
        values.append(ACTIVATIONS[level.activation](total))
    if all_levels:
        return values
    return values[graph.output_level][graph.output_index]
