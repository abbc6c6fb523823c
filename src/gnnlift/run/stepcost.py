"""What one native training step costs: per-sample step time against the sample's neurons + edges.

For a spread of samples, the native kernel trains ``repeats`` batch-1 steps on that one sample
(one compiled call, so no Python overhead per step) and the mean step time is fitted against the
sample's neurons + edges in the executed graph: the intercept is the fixed cost of a step (loss,
zeroing, optimizer), the slope the cost per neuron or edge. Lifting removes only the second part,
so ``fixed / mean step`` says how much of lifting's compression can turn into speed.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import torch

from gnnlift.data.types import GraphSet
from gnnlift.engine import kernels as K
from gnnlift.engine.flat import FlatGraph
from gnnlift.lifting import LiftConfig
from gnnlift.protocol import Protocol
from gnnlift.run.native_trainer import NativeTrainer
from gnnlift.templates import random_weights
from gnnlift.templates.dims import dims_of
from gnnlift.variants.registry import build


def sample_sizes(flat: FlatGraph) -> np.ndarray:
    """Neurons + edges of every sample of a graph flattened sample by sample (one-input groups: one edge a neuron)."""
    lo, hi = flat.sptr[:, :-1], flat.sptr[:, 1:]
    total = (hi - lo).sum(axis=0)
    for level, row in enumerate(flat.lv):
        for g in range(row[K.L_G0], row[K.L_G1]):
            if flat.gr[g, K.G_MODE] == K.EDGES:
                ptr = flat.ptr[flat.gr[g, K.G_PTR] :]
                total = total + ptr[hi[level]] - ptr[lo[level]]
            else:
                total = total + hi[level] - lo[level]
    return total


def measure(
    model: str,
    cfg: Any,
    graphs: GraphSet,
    variant: str,
    optimizer: str = "adam",
    points: int = 40,
    repeats: int = 300,
    dtype: torch.dtype = torch.float32,
) -> dict:
    """Step seconds of ``points`` samples spread over the size range, and the line fitted to them."""
    dims = dims_of(graphs)
    net = build(variant, model, cfg, dims, dtype, LiftConfig() if variant == "lifted" else None)
    net.load_canonical(random_weights(model, cfg, dims, 0, dtype))
    samples = net.prepare_samples(graphs)
    targets = torch.from_numpy(graphs.y.astype(np.float64)).to(dtype)
    trainer = NativeTrainer(net, samples, targets, Protocol("step", 1, False, optimizer, 0.0, "bce"))
    plan_graph = samples.sample_graph()
    if plan_graph is None:
        raise ValueError(f"variant {variant} does not train sample by sample here")
    prog = trainer.program_of_samples(plan_graph)
    prog.compile(trainer.targets, "bce", optimizer)
    sizes = sample_sizes(prog.flat)
    chosen = np.unique(np.argsort(sizes, kind="stable")[np.linspace(0, len(sizes) - 1, points).astype(int)])
    seconds = []
    for k in chosen:
        start = time.perf_counter()
        prog.train(np.arange(repeats + 1), np.full(repeats, k), trainer.targets, "bce", optimizer, 0.0)
        seconds.append((time.perf_counter() - start) / repeats)
    x, y = sizes[chosen].astype(float), np.array(seconds)
    slope, intercept = np.polyfit(x, y, 1)
    mean_size = float(sizes.mean())
    return {
        "model": model,
        "variant": variant,
        "optimizer": optimizer,
        "samples_measured": len(chosen),
        "repeats": repeats,
        "fixed_seconds_per_step": float(intercept),
        "seconds_per_neuron_edge": float(slope),
        "r": float(np.corrcoef(x, y)[0, 1]) if np.ptp(x) > 0 else None,
        "mean_neurons_edges_per_sample": mean_size,
        "predicted_mean_step_seconds": float(intercept + slope * mean_size),
    }
