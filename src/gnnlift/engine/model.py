"""The engine as a variant: ground a batch into a computation graph and evaluate it."""

from __future__ import annotations

import torch

from gnnlift.data.types import GraphSet
from gnnlift.engine.execute import evaluate
from gnnlift.engine.graph import CompGraph
from gnnlift.frameworks.base import Variant
from gnnlift.templates.gnn import GNNConfig, ground, parameter_shapes


class EngineModel(Variant):
    """``plain``: the grounded computation graph executed as it is."""

    name = "plain"

    def __init__(self, cfg: GNNConfig, in_dim: int, dtype: torch.dtype = torch.float32):
        super().__init__()
        self.cfg, self.dtype = cfg, dtype
        self.params = torch.nn.ParameterDict(
            {_key(k): torch.nn.Parameter(torch.empty(s, dtype=dtype)) for k, s in parameter_shapes(cfg, in_dim).items()}
        )
        self._names = list(parameter_shapes(cfg, in_dim))

    def canonical(self):
        return {k: (self.params[_key(k)], False) for k in self._names}

    def prepare(self, graphs: GraphSet) -> CompGraph:
        return ground(self.cfg, graphs).to(dtype=self.dtype)

    def forward(self, batch: CompGraph) -> torch.Tensor:
        weights = {k: self.params[_key(k)] for k in self._names}
        return evaluate(batch, weights).squeeze(1)


def _key(name: str) -> str:
    return name.replace(".", "__")
