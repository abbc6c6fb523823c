"""Minibatches cut out of one computation graph grounded for the whole dataset.

Every level's neurons, and every input group's edges, are stored sample by sample. A batch is
then the union of its samples' slices, found with a few vectorised range operations per input
group, whatever the number of samples: no Python loop over samples.
"""

from __future__ import annotations

from dataclasses import replace

import torch

from gnnlift.engine.graph import CompGraph, Inputs


def ranges(starts: torch.Tensor, counts: torch.Tensor) -> torch.Tensor:
    """Concatenation of ``arange(s, s + c)`` for each pair."""
    total = int(counts.sum())
    ends = torch.cumsum(counts, 0)
    return torch.arange(total) + torch.repeat_interleave(starts - (ends - counts), counts)


def _pointer(owner: torch.Tensor, samples: int) -> torch.Tensor:
    return torch.cat([torch.zeros(1, dtype=torch.long), torch.cumsum(torch.bincount(owner, minlength=samples), 0)])


def _layout_index(layouts: list[torch.Tensor], ptr: torch.Tensor) -> int:
    """Index of ``ptr`` among the distinct layouts seen so far (appended when new)."""
    for k, seen in enumerate(layouts):
        if seen.shape == ptr.shape and torch.equal(seen, ptr):
            return k
    layouts.append(ptr)
    return len(layouts) - 1


class SampleSlicer:
    """Index of a whole-dataset graph by sample; :meth:`select` cuts out any batch.

    Levels (and edge groups) that split into samples alike share one layout, so a batch's
    ranges are computed once per layout, not once per level.
    """

    def __init__(self, graph: CompGraph):
        self.graph = graph
        samples = graph.num_samples
        self.layouts: list[torch.Tensor] = []  # distinct per-sample pointers of levels
        self.edge_layouts: list[torch.Tensor] = []  # distinct per-sample pointers of edge groups
        self.level_layout: list[int] = []
        self.groups: list[list[tuple[Inputs, int | None]]] = []
        for level in graph.levels:
            if level.owner is None:
                raise ValueError(f"level {level.name} is shared by all samples: it cannot be sliced by sample")
            if len(level.owner) and bool((level.owner[1:] < level.owner[:-1]).any()):
                raise ValueError(f"level {level.name}: neurons are not stored sample by sample")
            self.level_layout.append(_layout_index(self.layouts, _pointer(level.owner, samples)))
            groups = []
            for group in level.inputs:
                if group.dst is None:
                    groups.append((group, None))
                    continue
                edge_owner = level.owner[group.dst]
                order = torch.argsort(edge_owner, stable=True)  # a sum does not depend on edge order
                group = replace(
                    group,
                    dst=group.dst[order],
                    src=group.src[order],
                    coef=None if group.coef is None else group.coef[order],
                )
                groups.append((group, _layout_index(self.edge_layouts, _pointer(edge_owner[order], samples))))
            self.groups.append(groups)
        if not torch.equal(graph.output_index, torch.arange(samples)):
            raise ValueError("the output level must hold one neuron per sample, in sample order")

    @staticmethod
    def _cut(ptr: torch.Tensor, samples: torch.Tensor, batch: torch.Tensor):
        starts, counts = ptr[samples], ptr[samples + 1] - ptr[samples]
        return (
            starts,
            counts,
            torch.cumsum(counts, 0) - counts,
            ranges(starts, counts),
            torch.repeat_interleave(batch, counts),
        )

    def select(self, samples: torch.Tensor) -> CompGraph:
        """The sub-graph of ``samples`` (in that order): their neurons, edges and outputs."""
        samples = torch.as_tensor(samples, dtype=torch.long)
        batch = torch.arange(len(samples))
        cuts = [self._cut(ptr, samples, batch) for ptr in self.layouts]
        edge_cuts = [self._cut(ptr, samples, batch) for ptr in self.edge_layouts]
        levels = []
        for li, level in enumerate(self.graph.levels):
            starts, counts, new_starts, kept, kept_owner = cuts[self.level_layout[li]]
            groups = []
            for group, edge_layout in self.groups[li]:
                if group.dst is None and group.src is None:
                    groups.append(group)
                    continue
                if edge_layout is None:  # one input a neuron
                    edges, owner, dst = kept, kept_owner, None
                else:
                    _, _, _, edges, owner = edge_cuts[edge_layout]
                    dst = group.dst[edges] - (starts - new_starts)[owner]
                src_starts, _, src_new, _, _ = cuts[self.level_layout[group.source]]
                src = group.src[edges] - (src_starts - src_new)[owner]
                coef = None if group.coef is None else group.coef[edges]
                groups.append(replace(group, dst=dst, src=src, coef=coef))
            values = None if level.values is None else level.values[kept]
            levels.append(replace(level, size=int(counts.sum()), inputs=groups, values=values, owner=kept_owner))
        return CompGraph(levels, self.graph.output_level, batch, 0)
