"""The sub-graph a batch's outputs need, cut out of a graph shared by all samples."""

from __future__ import annotations

from dataclasses import replace

import torch

from gnnlift.engine.graph import CompGraph


def needed(graph: CompGraph, outputs: torch.Tensor) -> list[torch.Tensor]:
    """For each level, a mask of the neurons that ``outputs`` (of the output level) depend on."""
    masks = [torch.zeros(level.size, dtype=torch.bool) for level in graph.levels]
    masks[graph.output_level][outputs] = True
    for li in range(len(graph.levels) - 1, -1, -1):
        mask = masks[li]
        for group in graph.levels[li].inputs:
            if group.dst is None:
                index = torch.nonzero(mask).squeeze(1)
                masks[group.source][index if group.src is None else group.src[index]] = True
            else:
                masks[group.source][group.src[mask[group.dst]]] = True
    return masks


def subgraph(graph: CompGraph, samples: torch.Tensor) -> CompGraph:
    """The neurons and edges that the outputs of ``samples`` need; outputs in that order."""
    outputs = graph.output_index[torch.as_tensor(samples, dtype=torch.long)]
    masks = needed(graph, outputs)
    position = [torch.cumsum(m, 0) - 1 for m in masks]
    levels = []
    for li, level in enumerate(graph.levels):
        mask, groups = masks[li], []
        for group in level.inputs:
            src_pos = position[group.source]
            if group.dst is None:
                index = torch.nonzero(mask).squeeze(1)
                groups.append(replace(group, src=src_pos[index if group.src is None else group.src[index]]))
                continue
            keep = mask[group.dst]
            groups.append(
                replace(
                    group,
                    dst=position[li][group.dst[keep]],
                    src=src_pos[group.src[keep]],
                    coef=None if group.coef is None else group.coef[keep],
                )
            )
        levels.append(
            replace(
                level,
                size=int(mask.sum()),
                inputs=groups,
                values=None if level.values is None else level.values[mask],
                owner=None if level.owner is None else level.owner[mask],
            )
        )
    return CompGraph(levels, graph.output_level, position[graph.output_level][outputs], 0)
