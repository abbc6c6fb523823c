"""Lifting: compress a computation graph into its quotient by neuron equivalence."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch

from gnnlift.engine.census import paper_counts
from gnnlift.engine.graph import CompGraph
from gnnlift.lifting.detect import exact_classes, value_classes
from gnnlift.lifting.quotient import quotient
from gnnlift.modelspec import weights_for_shapes

DETECTORS = ("exact", "value")
DRAW_SEED = 1_000_003  # value detection draws its weights from its own seeds, never the model's
SCOPES = ("sample", "batch", "dataset")


@dataclass(frozen=True)
class LiftConfig:
    """How to lift: the detector, its settings, and the scope that neurons may merge across."""

    detect: str = "exact"
    scope: str = "sample"
    digits: int = 12  # value detection: decimal places kept
    inits: int = 2  # value detection: random weight draws
    isocheck: bool = False  # value detection: refuse merges of structurally different neurons
    seed: int = 0  # value detection: seed of the first draw

    def __post_init__(self):
        if self.detect not in DETECTORS:
            raise ValueError(f"unknown lifting.detect {self.detect!r}; expected one of {', '.join(DETECTORS)}")
        if self.scope not in SCOPES:
            raise ValueError(f"unknown lifting.scope {self.scope!r}; expected one of {', '.join(SCOPES)}")
        if self.inits < 1 or not 0 <= self.digits <= 17:
            raise ValueError("lifting.inits must be >= 1 and lifting.digits in 0..17")


@dataclass
class Lifted:
    """A lifted graph with what it came from: classes and representatives per level."""

    graph: CompGraph
    raw: CompGraph
    classes: list[torch.Tensor]
    representatives: list[torch.Tensor]
    clashes: int = 0
    seconds: float = 0.0

    def paper_counts(self, pruned: bool = False) -> dict[str, int]:
        """The lifted graph's neurons in NeuraLogic's sense; pruned as its representatives were."""

        def degree(level: int, group: int) -> torch.Tensor:
            dst = self.raw.levels[level].inputs[group].dst
            return torch.bincount(dst, minlength=self.raw.levels[level].size)[self.representatives[level]]

        return paper_counts(self.graph, pruned, degree)


def weight_draws(shapes: Mapping[str, tuple[int, ...]], config: LiftConfig) -> list[dict[str, torch.Tensor]]:
    """The random float64 weight assignments value detection evaluates the graph with (none for exact)."""
    if config.detect != "value":
        return []
    return [weights_for_shapes(dict(shapes), DRAW_SEED + config.seed + k, torch.float64) for k in range(config.inits)]


def lift(
    graph: CompGraph,
    config: LiftConfig = LiftConfig(),
    by_owner: bool | None = None,
    draws: Sequence[Mapping[str, torch.Tensor]] = (),
) -> Lifted:
    """Detect equivalent neurons of ``graph`` and build its quotient.

    ``by_owner`` (default: scope ``sample``) lets only neurons of one sample merge; a graph
    without owners is one sample. Value detection needs ``draws``, ``config.inits`` random
    weight assignments.
    """
    by_owner = config.scope == "sample" if by_owner is None else by_owner
    start = time.perf_counter()
    clashes = 0
    if config.detect == "exact":
        classes = exact_classes(graph, by_owner)
    else:
        if len(draws) < config.inits:
            raise ValueError(f"value detection needs {config.inits} weight draws, got {len(draws)}")
        classes, clashes = value_classes(graph, draws[: config.inits], config.digits, by_owner, config.isocheck)
    lifted, reps = quotient(graph, classes, keep_owner=by_owner)
    return Lifted(lifted, graph, classes, reps, clashes, time.perf_counter() - start)


def statistics(lifted: Lifted) -> dict:
    """Neurons and edges per level and in NeuraLogic's sense, raw → pruned → lifted, with ratios."""
    raw, small = lifted.raw.counts(), lifted.graph.counts()
    levels = {name: {"raw": raw[name], "lifted": small[name]} for name in raw}
    total = {
        kind: {"raw": sum(v[kind] for v in raw.values()), "lifted": sum(v[kind] for v in small.values())}
        for kind in ("neurons", "edges")
    }
    paper = {
        "raw": lifted.raw.paper_counts(),
        "pruned": lifted.raw.paper_counts(pruned=True),
        "lifted": lifted.paper_counts(pruned=True),
        "lifted_unpruned": lifted.paper_counts(),
    }
    return {
        "levels": levels,
        "neurons": total["neurons"],
        "edges": total["edges"],
        "ratio": {
            "neurons": _ratio(total["neurons"]["raw"], total["neurons"]["lifted"]),
            "edges": _ratio(total["edges"]["raw"], total["edges"]["lifted"]),
            "paper_neurons": _ratio(paper["raw"]["total"], paper["lifted"]["total"]),
        },
        "paper": paper,
        "clashes": lifted.clashes,
        "lift_seconds": lifted.seconds,
    }


def _ratio(before: int, after: int) -> float | None:
    return before / after if after else None
