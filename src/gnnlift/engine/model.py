"""The engine as a variant: ground a batch into a computation graph and evaluate it."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import torch

from gnnlift.engine.execute import evaluate
from gnnlift.engine.graph import CompGraph, concat
from gnnlift.frameworks.base import Variant
from gnnlift.templates.dims import Dims


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

    def collate_graphs(self, samples: list[CompGraph]) -> CompGraph:
        return concat(samples)

    def forward(self, batch: CompGraph) -> torch.Tensor:
        weights = {k: self.params[_key(k)] for k in self._names}
        return evaluate(batch, weights).squeeze(1)


def _key(name: str) -> str:
    return name.replace(".", "__")
