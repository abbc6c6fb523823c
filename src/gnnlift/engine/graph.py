"""The computation graph: vector neurons in topological levels, all as index tensors.

A level holds ``size`` neurons of one operation. Its value is

    activation( sum over input groups g of  W_g · aggregate_g  +  bias )

where ``aggregate_g`` of neuron ``n`` is the coefficient-weighted sum of the source-level
neurons wired to ``n`` by group ``g`` (edges ``src -> dst`` with weight id ``W_g``). Means are
sums with coefficient 1/in-degree. A group without ``dst`` gives each neuron exactly one input,
``src[n]`` (or neuron ``n`` itself when ``src`` is None too).

An ``outer`` level instead multiplies its groups' inputs (each one input a neuron) into their
flattened outer product, times ``scale``: the cross-product combination of NeuraLogic.
A fact level has fixed values instead of inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import torch


@dataclass
class Inputs:
    """One group of weighted inputs of a level: edges from ``source`` level through ``weight``."""

    source: int  # index of the source level (an earlier one)
    weight: str | None  # parameter name of the matrix applied; None = identity
    dst: torch.Tensor | None  # (E,) neuron in this level; None = one input a neuron
    src: torch.Tensor | None  # (E,) neuron in the source level; with dst None, (size,) or None
    coef: torch.Tensor | None = None  # (E,) scalar coefficients; None = all ones
    # In NeuraLogic's terms (for counting only): each edge is a ground rule neuron folded into
    # this sum, and/or the group is one aggregation neuron per destination neuron it reaches.
    rules: bool = False
    aggregation: bool = False

    @property
    def num_edges(self) -> int:
        return -1 if self.dst is None else len(self.dst)


@dataclass
class Level:
    """``size`` neurons sharing one operation."""

    name: str
    size: int
    inputs: list[Inputs] = field(default_factory=list)
    bias: str | None = None
    activation: str = "identity"
    values: torch.Tensor | None = None  # (size, dim) for fact levels
    operation: str = "sum"  # "sum" of weighted inputs, or "outer" product of the groups
    scale: float = 1.0  # constant factor of an "outer" level
    roles: tuple[str, ...] = ("atom",)  # NeuraLogic neurons each neuron stands for: fact/atom/rule; () = none
    owner: torch.Tensor | None = None  # (size,) sample of each neuron, non-decreasing; None = shared


@dataclass
class CompGraph:
    """A grounded batch: levels in topological order and one output neuron per sample."""

    levels: list[Level]
    output_level: int
    output_index: torch.Tensor  # (samples,) neuron of the output level for each sample
    implicit_facts: int = 0  # constant fact neurons folded into biases (counted, not executed)

    @property
    def num_samples(self) -> int:
        return len(self.output_index)

    def counts(self) -> dict[str, dict[str, int]]:
        """Neurons and edges per level (a one-to-one input group counts one edge a neuron)."""
        out = {}
        for level in self.levels:
            edges = sum(level.size if g.dst is None else len(g.dst) for g in level.inputs)
            out[level.name] = {"neurons": level.size, "edges": edges}
        return out

    def paper_counts(self) -> dict[str, int]:
        """Neurons as NeuraLogic counts them: fact, atom, rule and aggregation neurons."""
        counts = {"fact": self.implicit_facts, "atom": 0, "rule": 0, "aggregation": 0}
        for level in self.levels:
            for role in level.roles:
                counts[role] += level.size
            for g in level.inputs:
                if g.rules:
                    counts["rule"] += level.size if g.dst is None else len(g.dst)
                if g.aggregation:
                    counts["aggregation"] += level.size if g.dst is None else len(torch.unique(g.dst))
        counts["total"] = sum(counts.values())
        return counts

    def to(self, dtype: torch.dtype | None = None, device: torch.device | str | None = None) -> CompGraph:
        """The same graph with float tensors in ``dtype`` and everything on ``device``."""

        def move(t: torch.Tensor | None) -> torch.Tensor | None:
            if t is None:
                return None
            t = t.to(device) if device is not None else t
            return t.to(dtype) if (dtype is not None and t.is_floating_point()) else t

        levels = [
            replace(
                lv,
                inputs=[replace(g, dst=move(g.dst), src=move(g.src), coef=move(g.coef)) for g in lv.inputs],
                values=move(lv.values),
                owner=None if lv.owner is None else lv.owner.to(device) if device is not None else lv.owner,
            )
            for lv in self.levels
        ]
        return CompGraph(levels, self.output_level, move(self.output_index), self.implicit_facts)


def concat(graphs: list[CompGraph]) -> CompGraph:
    """The disjoint union of graphs of one template (same levels, same input groups)."""
    if len(graphs) == 1:
        return graphs[0]
    first = graphs[0]
    sizes = torch.tensor([[lv.size for lv in g.levels] for g in graphs])  # (graphs, levels)
    offsets = torch.cumsum(sizes, 0) - sizes
    sample_offsets = [0]
    for g in graphs[:-1]:
        sample_offsets.append(sample_offsets[-1] + g.num_samples)
    levels = []
    for li, level in enumerate(first.levels):
        groups = []
        for gi, group in enumerate(level.inputs):
            parts = [g.levels[li].inputs[gi] for g in graphs]
            if all(p.dst is None and p.src is None for p in parts):
                groups.append(group)
                continue
            src = torch.cat(
                [
                    _indices(p.src, g.levels[li].size) + offsets[k, group.source]
                    for k, (p, g) in enumerate(zip(parts, graphs, strict=True))
                ]
            )
            dst = None
            if group.dst is not None:
                dst = torch.cat([p.dst + offsets[k, li] for k, p in enumerate(parts)])
            coef = None if group.coef is None else torch.cat([p.coef for p in parts])
            groups.append(replace(group, dst=dst, src=src, coef=coef))
        values = None if level.values is None else torch.cat([g.levels[li].values for g in graphs])
        owner = None
        if level.owner is not None:
            owner = torch.cat([g.levels[li].owner + sample_offsets[k] for k, g in enumerate(graphs)])
        levels.append(replace(level, size=int(sizes[:, li].sum()), inputs=groups, values=values, owner=owner))
    out = torch.cat([g.output_index + offsets[k, g.output_level] for k, g in enumerate(graphs)])
    return CompGraph(levels, first.output_level, out, sum(g.implicit_facts for g in graphs))


def _indices(src: torch.Tensor | None, size: int) -> torch.Tensor:
    return torch.arange(size) if src is None else src
