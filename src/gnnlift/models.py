"""Which model runs in which variant: one place that builds any (model, variant) pair."""

from __future__ import annotations

from collections.abc import Callable

import torch

from gnnlift.frameworks.base import Variant
from gnnlift.templates import gnn

VARIANTS = ("plain", "pyg", "dgl")
MODELS = ("gcn", "sage", "gin")


def _builders() -> dict[str, Callable[..., Variant]]:
    from gnnlift.engine.model import EngineModel
    from gnnlift.frameworks.dgl import DglModel
    from gnnlift.frameworks.pyg import PygModel

    return {"plain": EngineModel, "pyg": PygModel, "dgl": DglModel}


def model_config(model: str, **overrides) -> gnn.GNNConfig:
    """The paper's configuration of ``model`` with overrides applied."""
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; expected one of {', '.join(MODELS)}")
    return gnn.preset(model, **overrides)


def build(variant: str, cfg: gnn.GNNConfig, in_dim: int, dtype: torch.dtype) -> Variant:
    """A fresh ``variant`` of the model ``cfg`` with ``in_dim`` input features."""
    builders = _builders()
    if variant not in builders:
        raise ValueError(f"unknown variant {variant!r}; expected one of {', '.join(builders)}")
    return builders[variant](cfg, in_dim, dtype)


def random_weights(cfg: gnn.GNNConfig, in_dim: int, seed: int, dtype: torch.dtype) -> dict[str, torch.Tensor]:
    """Glorot-uniform matrices and small uniform biases, by canonical name, from ``seed``."""
    gen = torch.Generator().manual_seed(seed)
    out = {}
    for name, shape in gnn.parameter_shapes(cfg, in_dim).items():
        bound = (6.0 / sum(shape)) ** 0.5 if len(shape) == 2 else 0.1
        out[name] = ((torch.rand(shape, generator=gen, dtype=torch.float64) * 2 - 1) * bound).to(dtype)
    return out
