"""``plain``: the engine as a variant: ground a batch into a computation graph and evaluate it.

For graphs, the whole dataset is grounded once and every batch is cut out of that graph
(:class:`~gnnlift.engine.batching.SampleSlicer`); knowledge-base batches are grounded per batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

import torch

from gnnlift.data.types import KnowledgeBase
from gnnlift.engine.batching import SampleSlicer
from gnnlift.engine.execute import evaluate
from gnnlift.engine.graph import CompGraph
from gnnlift.templates.dims import Dims
from gnnlift.variants.base import QuerySamples, SampleStore, Variant


class SlicedSamples(SampleStore):
    """Samples by index into one whole-dataset graph; a batch is their part of it (vectorised)."""

    def __init__(self, slicer: SampleSlicer):
        super().__init__(range(slicer.graph.num_samples))
        self.slicer = slicer

    def collate(self, samples: Sequence) -> CompGraph:
        return self.slicer.select(torch.as_tensor(self.members(samples), dtype=torch.long))

    def sample_graph(self) -> CompGraph:
        return self.slicer.graph


class EngineModel(Variant):
    """``plain``: the grounded computation graph of a template, executed as it is."""

    name = "plain"

    def __init__(self, template: ModuleType, cfg: Any, dims: Dims, dtype: torch.dtype = torch.float32):
        super().__init__()
        self.template, self.cfg, self.dtype = template, cfg, dtype
        shapes = template.parameter_shapes(cfg, dims)
        self._names = list(shapes)
        self.params = torch.nn.ParameterDict(
            {_key(k): torch.nn.Parameter(torch.empty(s, dtype=dtype)) for k, s in shapes.items()}
        )

    def canonical(self):
        return {k: (self.params[_key(k)], False) for k in self._names}

    def ground(self, data) -> CompGraph:
        """The computation graph of a batch, in float64 (before casting)."""
        return self.template.ground(self.cfg, data)

    def prepare(self, data) -> CompGraph:
        return self.ground(data).to(dtype=self.dtype)

    def sample_store(self, data) -> SampleStore:
        """Graphs: the whole dataset grounded once, a sample its index into that graph."""
        if isinstance(data, KnowledgeBase):
            return QuerySamples(data, self.prepare)
        return SlicedSamples(SampleSlicer(self.prepare(data)))

    def forward(self, batch: CompGraph) -> torch.Tensor:
        weights = {k: self.params[_key(k)] for k in self._names}
        return evaluate(batch, weights).squeeze(1)


def _key(name: str) -> str:
    return name.replace(".", "__")
