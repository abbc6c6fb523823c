"""Neurons counted as NeuraLogic counts them, before and after its pruning of linear chains.

A level of the computation graph folds several NeuraLogic neurons into one: fact neurons,
atom neurons, ground-rule neurons (one per edge of a ``rules`` group) and aggregation neurons
(one per destination of an ``aggregation`` group). The counts here unfold them again.

Chain pruning removes every neuron with exactly one input that carries no weight, except
the outputs: an aggregation over one rule, an atom fed by one aggregation, a rule whose single
body literal is unweighted. Counted this way, ``gnn_embed`` on 786_0 loses 3N + 2M + d1
neurons (N atoms, M bonds, d1 atoms of degree one): NeuraLogic's own pruned count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import torch

ROLES = ("fact", "atom", "rule", "aggregation")


class CountedGraph(Protocol):
    """What the census reads of a computation graph (:class:`~gnnlift.engine.graph.CompGraph`,
    which counts itself through this module)."""

    levels: Sequence
    output_level: int
    implicit_facts: int


def output_levels(graph: CountedGraph) -> set[int]:
    """Levels whose neurons are the model's outputs (a routing level of no role passes them on)."""
    out = graph.levels[graph.output_level]
    if out.roles:
        return {graph.output_level}
    return {g.source for g in out.inputs}


def paper_counts(
    graph: CountedGraph,
    pruned: bool = False,
    in_degree: Callable[[int, int], torch.Tensor] | None = None,
) -> dict[str, int]:
    """Fact, atom, rule and aggregation neurons (and their total), optionally after chain pruning.

    ``in_degree(level, group)`` gives, per neuron of the level, the number of inputs its
    aggregation neuron has in the *unlifted* graph; by default it is read off ``graph`` itself.
    A lifted graph passes its representatives' degrees, so a class counts as pruned exactly
    when its members were.
    """
    counts = dict.fromkeys(ROLES, 0)
    counts["fact"] = graph.implicit_facts
    outputs = output_levels(graph)
    for li, level in enumerate(graph.levels):
        for role in level.roles:
            removable = pruned and li not in outputs and _single_unweighted(level, role)
            counts[role] += 0 if removable else level.size
        for gi, group in enumerate(level.inputs):
            if group.rules:
                rules = level.size if group.dst is None else len(group.dst)
                counts["rule"] += 0 if (pruned and group.weight is None) else rules
            if group.aggregation:
                if group.dst is None:
                    counts["aggregation"] += 0 if pruned else level.size
                    continue
                reached = torch.zeros(level.size, dtype=torch.bool)
                reached[group.dst] = True
                if pruned:
                    degree = in_degree(li, gi) if in_degree else torch.bincount(group.dst, minlength=level.size)
                    reached &= degree != 1
                counts["aggregation"] += int(reached.sum())
    counts["total"] = sum(counts[r] for r in ROLES)
    return counts


def _single_unweighted(level, role: str) -> bool:
    """Whether every neuron of this role in ``level`` has one input without a weight."""
    if role == "fact" or len(level.inputs) != 1:
        return False
    group = level.inputs[0]
    if role == "atom":  # fed by an aggregation neuron (the weight sits in the rule), or directly
        return group.aggregation or group.weight is None
    return group.weight is None and not group.aggregation  # a rule neuron with one plain body literal
