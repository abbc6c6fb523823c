"""``gnnlift verify``: the same weights in every variant must give the same outputs and gradients."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import torch

from gnnlift.data.types import Dataset, GraphSet
from gnnlift.lifting import SCOPES, LiftConfig
from gnnlift.templates import random_weights
from gnnlift.templates.dims import dims_of
from gnnlift.variants.registry import build

TOLERANCE = {torch.float64: 1e-9, torch.float32: 1e-5}  # float64 absolute, float32 relative


@dataclass
class Difference:
    pair: str
    quantity: str  # "output" or a canonical parameter name
    max_abs: float
    scale: float  # max |value| of the first variant, for the relative tolerance

    def passes(self, dtype: torch.dtype) -> bool:
        if dtype == torch.float64:
            return self.max_abs <= TOLERANCE[dtype]
        return self.max_abs <= TOLERANCE[dtype] * max(self.scale, 1e-12)


def expand_variants(names: list[str]) -> list[str]:
    """Variant names with ``lifted`` (``lifted-native``) expanded into one exact lifting per scope
    (``lifted:sample`` …). A ``-native`` suffix runs ``plain`` or ``lifted`` on the native backend."""
    out = []
    for name in names:
        base, native, _ = name.partition("-native")
        if native and base not in ("plain", "lifted") and not base.startswith("lifted:"):
            raise ValueError(f"unknown variant {name!r}: only plain and lifted run on the native backend")
        out += [f"{base}{native}:{scope}" for scope in SCOPES] if base == "lifted" else [name]
    return out


def run_variant(variant: str, model: str, cfg, data: Dataset, weights, dtype) -> tuple[torch.Tensor, dict]:
    """Outputs and canonical gradients of the mean BCE loss of one forward+backward pass.

    ``lifted:<scope>`` lifts with exact detection at that scope, through the same sample
    preparation and collation that training uses.
    """
    name, _, scope = variant.partition(":")
    if name.endswith("-native"):
        return _run_native(name.removesuffix("-native"), scope, model, cfg, data, weights, dtype)
    lifting = None
    if name == "lifted":
        lifting = LiftConfig(detect="exact", scope=scope or "sample")
    net = build(name, model, cfg, dims_of(data), dtype, lifting)
    net.load_canonical(weights)
    if lifting is None:
        batch = net.prepare(data)
    else:
        samples = net.prepare_samples(data)
        batch = samples.collate(samples)
    out = net(batch)
    torch.nn.functional.binary_cross_entropy(out, targets(data, dtype)).backward()
    return out.detach(), net.canonical_grads()


def _run_native(name: str, scope: str, model: str, cfg, data: Dataset, weights, dtype) -> tuple[torch.Tensor, dict]:
    """:func:`run_variant` on the native backend, through the preparation its training uses."""
    # numba (compiling, or loading its cache) only for the -native variants
    from gnnlift.engine.native import (  # noqa: PLC0415
        ParamLayout,
        flatten_samples,
        flatten_units,
        numpy_dtype,
        program,
    )

    lifting = LiftConfig(detect="exact", scope=scope or "sample") if name == "lifted" else None
    net = build(name, model, cfg, dims_of(data), dtype, lifting)
    net.load_canonical(weights)
    samples = net.prepare_samples(data)
    layout = ParamLayout.of({k: tuple(w.shape) for k, w in weights.items()})
    whole, np_dtype = samples.sample_graph(), numpy_dtype(dtype)
    order = np.arange(len(samples))
    if whole is not None:
        flat = flatten_samples(whole, layout, np_dtype)
    else:
        flat = flatten_units([samples.collate(samples)], [order], layout, np_dtype)
    prog = program(flat, layout, weights)
    p, y = prog.outputs().astype(np.float64), targets(data, torch.float64).numpy()
    out_grad = (p - y) / np.maximum((1 - p) * p, 1e-12) / len(p)  # d mean BCE / d p, as torch computes it
    _, grads = prog.forward_backward(out_grad)
    return torch.from_numpy(p).to(dtype), layout.unpack(grads)


def targets(data: Dataset, dtype: torch.dtype) -> torch.Tensor:
    """Binary targets: graph classes, or query labels of a knowledge base."""
    values = data.y if isinstance(data, GraphSet) else data.query_labels
    return torch.from_numpy(values).to(dtype)


def compare(
    model: str, cfg, data: Dataset, variants: list[str], dtype: torch.dtype, seed: int = 0, draws: int = 1
) -> list[Difference]:
    """Pairwise differences of outputs and of every gradient between variants, for ``draws`` weight draws."""
    variants = expand_variants(variants)
    rows = []
    for draw in range(draws):
        weights = random_weights(model, cfg, dims_of(data), seed + draw, dtype)
        results = {v: run_variant(v, model, cfg, data, weights, dtype) for v in variants}
        tag = f" [seed {seed + draw}]" if draws > 1 else ""
        for a, b in itertools.combinations(variants, 2):
            (out_a, grad_a), (out_b, grad_b) = results[a], results[b]
            rows.append(_diff(f"{a} vs {b}{tag}", "output", out_a, out_b))
            rows += [_diff(f"{a} vs {b}{tag}", f"grad {k}", grad_a[k], grad_b[k]) for k in weights]
    return rows


def _diff(pair: str, quantity: str, a: torch.Tensor, b: torch.Tensor) -> Difference:
    a64, b64 = a.double(), b.double()
    return Difference(pair, quantity, float((a64 - b64).abs().max()), float(a64.abs().max()))


def first_samples(data: Dataset, limit: int | None) -> Dataset:
    """The first ``limit`` samples: graphs, or queries of a knowledge base (all when None)."""
    if isinstance(data, GraphSet):
        return data if limit is None or limit >= data.num_graphs else data.subset(np.arange(limit))
    if data.queries is None:
        raise ValueError(f"knowledge base {data.name} has no labelled queries")
    return data if limit is None else data.with_queries(np.arange(min(limit, data.num_queries)))
