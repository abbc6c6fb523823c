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

from dataclasses import KW_ONLY, dataclass, field, replace

import torch

from gnnlift.engine.census import paper_counts


@dataclass
class Inputs:
    """One group of weighted inputs of a level: edges from ``source`` level through ``weight``."""

    source: int  # index of the source level (an earlier one)
    weight: str | None  # parameter name of the matrix applied; None = identity
    dst: torch.Tensor | None  # (E,) neuron in this level; None = one input a neuron
    src: torch.Tensor | None  # (E,) neuron in the source level; with dst None, (size,) or None
    coef: torch.Tensor | None = None  # (E,) scalar coefficients; None = all ones
    _: KW_ONLY  # the flags below are named at every call
    # In NeuraLogic's terms (for counting only): each edge is a ground rule neuron folded into
    # this sum, and/or the group is one aggregation neuron per destination neuron it reaches.
    rules: bool = False
    aggregation: bool = False
    # Order of W and the sum (equal in exact arithmetic): None = transform first when W shrinks the
    # vectors moved along edges (DGL's rule for GraphConv/SAGEConv); False = sum first (pooling).
    transform_first: bool | None = None

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

    def paper_counts(self, pruned: bool = False) -> dict[str, int]:
        """Neurons as NeuraLogic counts them: fact, atom, rule and aggregation neurons."""
        return paper_counts(self, pruned)

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
                owner=move(lv.owner),
            )
            for lv in self.levels
        ]
        return CompGraph(levels, self.output_level, move(self.output_index), self.implicit_facts)
