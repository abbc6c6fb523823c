"""Which model runs in which variant: one place that builds any (model, variant) pair."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # torch is imported on use: the workflow reads MODELS when it plans, without torch
    import torch

    from gnnlift.frameworks.base import Variant
    from gnnlift.templates.dims import Dims

VARIANTS = ("plain", "lifted", "pyg", "dgl")


@dataclass(frozen=True)
class ModelFamily:
    """Where a model's template and its framework ports live (imported on use)."""

    template: str  # module with preset(), parameter_shapes(), ground()
    pyg: str  # "module:Class"
    dgl: str
    data: str  # "graphs" or "kb"

    def template_module(self) -> ModuleType:
        return importlib.import_module(self.template)


_GNN = ModelFamily(
    "gnnlift.templates.gnn", "gnnlift.frameworks.pyg.gnn:PygGNN", "gnnlift.frameworks.dgl.gnn:DglGNN", "graphs"
)
_MOL = ModelFamily(
    "gnnlift.templates.molecule",
    "gnnlift.frameworks.pyg.molecule:PygMolecule",
    "gnnlift.frameworks.dgl.molecule:DglMolecule",
    "graphs",
)
_KB = ModelFamily("gnnlift.templates.kb", "gnnlift.frameworks.pyg.kb:PygKB", "gnnlift.frameworks.dgl.kb:DglKB", "kb")
FAMILIES: dict[str, ModelFamily] = {
    "gcn": _GNN,
    "sage": _GNN,
    "gin": _GNN,
    "gnn_embed": _MOL,
    "graphlet": _MOL,
    "kbe": _KB,
}
MODELS = tuple(FAMILIES)


def family(model: str) -> ModelFamily:
    if model not in FAMILIES:
        raise ValueError(f"unknown model {model!r}; expected one of {', '.join(MODELS)}")
    return FAMILIES[model]


def model_config(model: str, **overrides) -> Any:
    """The paper's configuration of ``model`` with overrides applied."""
    try:
        return family(model).template_module().preset(model, **overrides)
    except TypeError as exc:
        raise ValueError(f"bad setting for model {model}: {exc}") from None


def build(variant: str, model: str, cfg: Any, dims: Dims, dtype: torch.dtype, lifting: Any = None) -> Variant:
    """A fresh ``variant`` of ``model`` configured by ``cfg`` (``lifting``: a LiftConfig for ``lifted``)."""
    fam = family(model)
    if variant == "plain":
        from gnnlift.engine.model import EngineModel

        return EngineModel(fam.template_module(), cfg, dims, dtype)
    if variant == "lifted":
        from gnnlift.lifting import LiftConfig
        from gnnlift.lifting.model import LiftedModel

        return LiftedModel(fam.template_module(), cfg, dims, dtype, lifting or LiftConfig())
    if variant not in ("pyg", "dgl"):
        raise ValueError(f"unknown variant {variant!r}; expected one of {', '.join(VARIANTS)}")
    module, cls = getattr(fam, variant).split(":")
    return getattr(importlib.import_module(module), cls)(cfg, dims, dtype)


def random_weights(model: str, cfg: Any, dims: Dims, seed: int, dtype: torch.dtype) -> dict[str, torch.Tensor]:
    """Glorot-uniform matrices and uniform vectors in ±0.5, by canonical name, from ``seed``."""
    return weights_for_shapes(family(model).template_module().parameter_shapes(cfg, dims), seed, dtype)


def weights_for_shapes(shapes: dict[str, tuple[int, ...]], seed: int, dtype: torch.dtype) -> dict[str, torch.Tensor]:
    """Random weights (see :func:`random_weights`) for named shapes."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    out = {}
    for name, shape in shapes.items():
        bound = (6.0 / sum(shape)) ** 0.5 if len(shape) == 2 else 0.5
        out[name] = ((torch.rand(shape, generator=gen, dtype=torch.float64) * 2 - 1) * bound).to(dtype)
    return out
