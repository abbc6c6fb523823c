"""Model-level facts every variant shares: activations by name and random weights of named shapes.

The templates (:mod:`gnnlift.templates`) state each model's parameter shapes under canonical
names; every variant (the engine, PyG, DGL, NeuraLogic) applies the activations named here and
is loaded with the same draw of weights. This module sits below all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import torch

ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "identity": lambda x: x,
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
}


def weights_for_shapes(shapes: Mapping[str, tuple[int, ...]], seed: int, dtype: torch.dtype) -> dict[str, torch.Tensor]:
    """Glorot-uniform matrices and uniform vectors in ±0.5, by canonical name, from ``seed``."""
    gen = torch.Generator().manual_seed(seed)
    out = {}
    for name, shape in shapes.items():
        bound = (6.0 / sum(shape)) ** 0.5 if len(shape) == 2 else 0.5
        out[name] = ((torch.rand(shape, generator=gen, dtype=torch.float64) * 2 - 1) * bound).to(dtype)
    return out
