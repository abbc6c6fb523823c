"""Which model runs in which variant: one place that builds any (model, variant) pair."""

from __future__ import annotations

import importlib
from typing import Any

import torch

from gnnlift.lifting import LiftConfig
from gnnlift.templates import family
from gnnlift.templates.dims import Dims
from gnnlift.variants.base import Variant
from gnnlift.variants.lifted import LiftedModel
from gnnlift.variants.plain import EngineModel

VARIANTS = ("plain", "lifted", "pyg", "dgl")

# The framework ports of each template, "module:Class" (imported on use: PyG and DGL are heavy).
PORTS: dict[str, dict[str, str]] = {
    "gnnlift.templates.gnn": {
        "pyg": "gnnlift.variants.pyg.gnn:PygGNN",
        "dgl": "gnnlift.variants.dgl.gnn:DglGNN",
    },
    "gnnlift.templates.molecule": {
        "pyg": "gnnlift.variants.pyg.molecule:PygMolecule",
        "dgl": "gnnlift.variants.dgl.molecule:DglMolecule",
    },
    "gnnlift.templates.kb": {
        "pyg": "gnnlift.variants.pyg.kb:PygKB",
        "dgl": "gnnlift.variants.dgl.kb:DglKB",
    },
}


def build(variant: str, model: str, cfg: Any, dims: Dims, dtype: torch.dtype, lifting: Any = None) -> Variant:
    """A fresh ``variant`` of ``model`` configured by ``cfg`` (``lifting``: a LiftConfig for ``lifted``)."""
    fam = family(model)
    if variant == "plain":
        return EngineModel(fam.template_module(), cfg, dims, dtype)
    if variant == "lifted":
        return LiftedModel(fam.template_module(), cfg, dims, dtype, lifting or LiftConfig())
    if variant not in ("pyg", "dgl"):
        raise ValueError(f"unknown variant {variant!r}; expected one of {', '.join(VARIANTS)}")
    module, cls = PORTS[fam.template][variant].split(":")
    return getattr(importlib.import_module(module), cls)(cfg, dims, dtype)
