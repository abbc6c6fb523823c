"""``lifted``: the engine executing the quotient of the computation graph.

Scopes (who may share a neuron):

- ``sample``: the whole dataset is grounded and lifted once, merging only inside each sample;
  batches are then cut out of the lifted graph sample by sample, like ``plain``.
- ``batch``: every batch is cut out of the grounded dataset and lifted on its own. When
  batches are recomposed every epoch, that lifting runs inside the timed epoch.
- ``dataset``: the whole dataset is lifted once; a batch runs on the part of the lifted graph
  that its outputs need.

A knowledge base is one sample (as in the paper) whose queries all share the facts: there
``sample`` and ``dataset`` both lift the whole knowledge base with all its queries once, and
``batch`` lifts each grounded batch of queries.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import torch

from gnnlift.data.types import KnowledgeBase
from gnnlift.engine.batching import SampleSlicer
from gnnlift.engine.graph import CompGraph
from gnnlift.lifting.lift import LiftConfig, Lifted, lift, statistics, weight_draws
from gnnlift.lifting.reach import subgraph
from gnnlift.templates.dims import Dims
from gnnlift.variants.base import QuerySamples, SampleStore
from gnnlift.variants.plain import EngineModel, SlicedSamples


class ReachedSamples(SampleStore):
    """Samples by index into one lifted graph of them all; a batch runs on the part its outputs need.

    Cutting out that part is timed into ``batch_lifts``.
    """

    def __init__(self, graph: CompGraph, batch_lifts: dict):
        super().__init__(range(graph.num_samples))
        self.graph, self.batch_lifts = graph, batch_lifts

    def collate(self, samples: Sequence) -> CompGraph:
        index = torch.as_tensor(self.members(samples), dtype=torch.long)
        if len(index) == self.graph.num_samples and _is_identity(index):
            return self.graph
        start = time.perf_counter()
        batch = subgraph(self.graph, index)
        self.batch_lifts["seconds"] += time.perf_counter() - start
        return batch


class BatchLiftedSamples(SampleStore):
    """Samples by index into the grounded (unlifted) dataset; a batch is cut out, then lifted."""

    def __init__(self, raw: SampleSlicer, lift_batch: Callable[[CompGraph], CompGraph]):
        super().__init__(range(raw.graph.num_samples))
        self.raw, self.lift_batch = raw, lift_batch

    def collate(self, samples: Sequence) -> CompGraph:
        return self.lift_batch(self.raw.select(torch.as_tensor(self.members(samples), dtype=torch.long)))


class LiftedModel(EngineModel):
    """The engine on the lifted computation graph; the same parameters and outputs as ``plain``."""

    name = "lifted"

    def __init__(self, template: ModuleType, cfg: Any, dims: Dims, dtype: torch.dtype, lifting: LiftConfig):
        super().__init__(template, cfg, dims, dtype)
        self.lifting = lifting
        self._draws = weight_draws(template.parameter_shapes(cfg, dims), lifting)
        self.one_off: Lifted | None = None  # the lifting done once, before training
        self.batch_lifts = {"count": 0, "seconds": 0.0}  # liftings done per batch

    def lift(self, graph: CompGraph, by_owner: bool) -> Lifted:
        return lift(graph, self.lifting, by_owner, self._draws)

    def _lift_batch(self, graph: CompGraph) -> CompGraph:
        lifted = self.lift(graph, by_owner=self.lifting.scope == "sample")  # a graph without owners is one sample
        self.batch_lifts["count"] += 1
        self.batch_lifts["seconds"] += lifted.seconds
        return lifted.graph.to(dtype=self.dtype)

    def prepare(self, data) -> CompGraph:
        """One batch, grounded and lifted as a whole (per sample at scope ``sample``)."""
        return self._lift_batch(self.ground(data))

    def sample_store(self, data) -> SampleStore:
        """The store of the scope: lifted once (sample, dataset) or batch by batch (batch)."""
        scope = self.lifting.scope
        if isinstance(data, KnowledgeBase):
            if scope == "batch":
                return QuerySamples(data, self.prepare)
            self.one_off = self.lift(self.ground(data), by_owner=False)
            return ReachedSamples(self.one_off.graph.to(dtype=self.dtype), self.batch_lifts)
        raw = self.ground(data)
        if scope == "batch":
            return BatchLiftedSamples(SampleSlicer(raw), self._lift_batch)
        self.one_off = self.lift(raw, by_owner=scope == "sample")
        lifted = self.one_off.graph.to(dtype=self.dtype)
        if scope == "sample":
            return SlicedSamples(SampleSlicer(lifted))
        return ReachedSamples(lifted, self.batch_lifts)

    def statistics(self) -> dict:
        """What lifting did: the one-off lifting's counts and time, and the per-batch liftings."""
        out = {"config": vars(self.lifting).copy(), "per_batch": dict(self.batch_lifts)}
        if self.one_off is not None:
            out["one_off"] = statistics(self.one_off)
        return out


def _is_identity(index: torch.Tensor) -> bool:
    return bool((index == torch.arange(len(index))).all())
