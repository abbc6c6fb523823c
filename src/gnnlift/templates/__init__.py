"""Model templates: parameter shapes and grounding of samples into computation graphs.

Which template each model is, and the paper's configuration of it, are read here without
importing torch (the workflow reads :data:`MODELS` when it plans); a template module is
imported when it is first used.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

    from gnnlift.templates.dims import Dims


@dataclass(frozen=True)
class ModelFamily:
    """The template a model grounds with (imported on use) and the data it reads."""

    template: str  # module with preset(), parameter_shapes(), ground()
    data: str  # "graphs" or "kb"

    def template_module(self) -> ModuleType:
        return importlib.import_module(self.template)


GNN = ModelFamily("gnnlift.templates.gnn", "graphs")
MOLECULE = ModelFamily("gnnlift.templates.molecule", "graphs")
KB = ModelFamily("gnnlift.templates.kb", "kb")
FAMILIES: dict[str, ModelFamily] = {
    "gcn": GNN,
    "sage": GNN,
    "gin": GNN,
    "gnn_embed": MOLECULE,
    "graphlet": MOLECULE,
    "kbe": KB,
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


def parameter_shapes(model: str, cfg: Any, dims: Dims) -> dict[str, tuple[int, ...]]:
    """Canonical parameter names of ``model`` configured by ``cfg`` and their shapes."""
    return family(model).template_module().parameter_shapes(cfg, dims)


def random_weights(model: str, cfg: Any, dims: Dims, seed: int, dtype: torch.dtype) -> dict[str, torch.Tensor]:
    """Glorot-uniform matrices and uniform vectors in ±0.5, by canonical name, from ``seed``."""
    from gnnlift.modelspec import weights_for_shapes  # noqa: PLC0415  (torch on use: MODELS is read without it)

    return weights_for_shapes(parameter_shapes(model, cfg, dims), seed, dtype)
