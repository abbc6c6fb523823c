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
from types import ModuleType
from typing import Any

import torch

from gnnlift.data.types import KnowledgeBase
from gnnlift.engine.batching import SampleSlicer
from gnnlift.engine.graph import CompGraph
from gnnlift.engine.model import EngineModel
from gnnlift.frameworks.base import Variant
from gnnlift.lifting.lift import LiftConfig, Lifted, lift, statistics, weight_draws
from gnnlift.lifting.reach import subgraph
from gnnlift.templates.dims import Dims


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

    def prepare_samples(self, data) -> list:
        self._slicer = self._reach = self._raw = None
        scope = self.lifting.scope
        if isinstance(data, KnowledgeBase):
            if scope == "batch":
                return Variant.prepare_samples(self, data)
            self.one_off = self.lift(self.ground(data), by_owner=False)
            self._reach = self.one_off.graph.to(dtype=self.dtype)
            return list(range(data.num_queries))
        raw = self.ground(data)
        if scope == "batch":
            self._raw = SampleSlicer(raw)
        else:
            self.one_off = self.lift(raw, by_owner=scope == "sample")
            lifted = self.one_off.graph.to(dtype=self.dtype)
            if scope == "sample":
                self._slicer = SampleSlicer(lifted)
            else:
                self._reach = lifted
        return list(range(data.num_graphs))

    def collate(self, samples: list) -> CompGraph:
        index = torch.as_tensor(samples, dtype=torch.long)
        if getattr(self, "_reach", None) is not None:
            if len(index) == self._reach.num_samples and _is_identity(index):
                return self._reach
            start = time.perf_counter()
            batch = subgraph(self._reach, index)
            self.batch_lifts["seconds"] += time.perf_counter() - start
            return batch
        if getattr(self, "_raw", None) is not None:
            return self._lift_batch(self._raw.select(index))
        return super().collate(samples)

    def statistics(self) -> dict:
        """What lifting did: the one-off lifting's counts and time, and the per-batch liftings."""
        out = {"config": vars(self.lifting).copy(), "per_batch": dict(self.batch_lifts)}
        if self.one_off is not None:
            out["one_off"] = statistics(self.one_off)
        return out


def _is_identity(index: torch.Tensor) -> bool:
    return bool((index == torch.arange(len(index))).all())
