"""The native backend: a flat graph, its parameters and optimizer state, run by compiled kernels.

``torch`` (:mod:`gnnlift.engine.execute`) runs a few tensor operations per level, whatever the
number of neurons; ``native`` visits every neuron and edge once per pass in compiled code
(numba), so its cost is proportional to neurons + edges, as in the authors' Java engine.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import torch
from numba.core.caching import NullCache
from numba.core.config import DISABLE_JIT
from numba.core.dispatcher import Dispatcher

from gnnlift.engine import kernels as K
from gnnlift.engine.flat import FlatGraph, ParamLayout, UnsupportedGraph, flatten_samples, flatten_units

__all__ = ["NativeProgram", "ParamLayout", "UnsupportedGraph", "flatten_samples", "flatten_units", "numpy_dtype"]


def numpy_dtype(dtype: torch.dtype) -> np.dtype:
    if dtype == torch.float64:
        return np.dtype(np.float64)
    if dtype == torch.float32:
        return np.dtype(np.float32)
    raise UnsupportedGraph(f"the native backend runs float32 or float64, not {dtype}")


@dataclass
class OptimizerState:
    """Adam's moments and per-tensor step counts (unused by SGD)."""

    m: np.ndarray
    v: np.ndarray
    steps: np.ndarray

    @classmethod
    def zeros(cls, layout: ParamLayout, dtype: np.dtype) -> OptimizerState:
        return cls(np.zeros(layout.size, dtype), np.zeros(layout.size, dtype), np.zeros(len(layout.names), np.int64))


@dataclass
class NativeProgram:
    """One flat graph and the parameters it trains (a flat vector in ``layout``)."""

    flat: FlatGraph
    layout: ParamLayout
    theta: np.ndarray
    state: OptimizerState = field(init=False)
    jit_cold: bool | None = field(default=None, init=False)  # set by compile()

    def __post_init__(self):
        self.theta = np.ascontiguousarray(self.theta, dtype=self.flat.val.dtype)
        self.state = OptimizerState.zeros(self.layout, self.flat.val.dtype)
        self.gval = np.zeros_like(self.flat.val)
        self.gtheta = np.zeros_like(self.theta)
        self.tensors = self.layout.tensors()

    @property
    def dtype(self) -> np.dtype:
        return self.flat.val.dtype

    def weights(self) -> dict[str, torch.Tensor]:
        return self.layout.unpack(self.theta)

    def forward_backward(self, out_grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Outputs of every unit, and d loss / d parameters for ``out_grad`` = d loss / d outputs."""
        f = self.flat
        out_grad = np.ascontiguousarray(out_grad, dtype=self.dtype)
        K.forward_backward(
            *f.arrays(), f.units, f.out_pos, self.theta, f.val, self.gval, self.gtheta, out_grad
        )  # fmt: skip
        return f.val[f.out_pos].copy(), self.gtheta.copy()

    def outputs(self) -> np.ndarray:
        return self.forward_backward(np.zeros(len(self.flat.out_pos)))[0]

    def train(
        self, step_ptr: np.ndarray, step_units: np.ndarray, targets: np.ndarray, loss: str, optimizer: str, lr: float
    ) -> np.ndarray:
        """Run the steps (``step_units[step_ptr[s]:step_ptr[s+1]]`` are step ``s``'s units); their mean losses."""
        f, s = self.flat, self.state
        losses = np.zeros(max(len(step_ptr) - 1, 0), np.float64)
        K.train_steps(
            *f.arrays(), f.units, f.out_pos, f.out_target, f.unit_touch,
            np.ascontiguousarray(step_ptr, np.int64), np.ascontiguousarray(step_units, np.int64),
            np.ascontiguousarray(targets, self.dtype), K.LOSS_CODES[loss], K.OPTIMIZER_CODES[optimizer], float(lr),
            self.theta, s.m, s.v, s.steps, self.tensors, f.val, self.gval, self.gtheta, losses,
        )  # fmt: skip
        return losses

    def compile(self, targets: np.ndarray, loss: str, optimizer: str) -> float:
        """Compile (or load from numba's cache) the kernels for this dtype; the seconds it took.

        ``self.jit_cold`` then says whether any kernel was compiled rather than loaded from the cache.
        """
        if DISABLE_JIT:
            print("gnnlift: NUMBA_DISABLE_JIT is set: the native kernels run as Python, far slower", file=sys.stderr)
        misses = compiled_signatures()
        start = time.perf_counter()
        try:
            self._first_calls(targets, loss, optimizer)
        except Exception as exc:  # a truncated, stale or unwritable cache: compile without it, once
            if K.CACHE_OFF is not None:
                raise
            without_cache(f"numba's cache could not be used ({type(exc).__name__}: {' '.join(str(exc).split())})")
            self._first_calls(targets, loss, optimizer)
        seconds = time.perf_counter() - start
        self.jit_cold = compiled_signatures() > misses
        return seconds

    def _first_calls(self, targets: np.ndarray, loss: str, optimizer: str) -> None:
        self.train(np.zeros(1, np.int64), np.zeros(0, np.int64), targets, loss, optimizer, 0.0)
        K.forward_backward(
            *self.flat.arrays(), self.flat.units[:0], self.flat.out_pos[:0], self.theta, self.flat.val,
            self.gval, self.gtheta, np.zeros(0, self.dtype),
        )  # fmt: skip


def without_cache(reason: str) -> None:
    """Compile every kernel in this process from now on, never reading or writing numba's cache; one line says why."""
    K.CACHE_OFF = reason[:300]
    folders = sorted({kernel.stats.cache_path for kernel in _kernels() if kernel.stats.cache_path})
    for kernel in _kernels():
        kernel._cache = NullCache()
    repair = f" (delete {', '.join(folders)} to rebuild it)" if folders else ""
    print(f"gnnlift: {K.CACHE_OFF}; compiling the native kernels without it{repair}", file=sys.stderr, flush=True)


def jit_state() -> dict:
    """How this process runs the kernels, for metrics.json: numba's cache used or why not, and whether
    ``NUMBA_DISABLE_JIT`` turned compiling off (the kernels then run as Python, far slower)."""
    return {"jit_cache": "used" if K.CACHE_OFF is None else f"off: {K.CACHE_OFF}", "jit_disabled": bool(DISABLE_JIT)}


def _kernels() -> list[Dispatcher]:
    return [f for f in vars(K).values() if isinstance(f, Dispatcher)]


def compiled_signatures() -> int:
    """How many kernel signatures this process compiled instead of loading them from numba's cache."""
    return sum(sum(f.stats.cache_misses.values()) for f in _kernels())


def program(flat: FlatGraph, layout: ParamLayout, weights: Mapping[str, torch.Tensor]) -> NativeProgram:
    """A program over ``flat`` starting from canonical ``weights``."""
    return NativeProgram(flat, layout, layout.pack(weights, flat.val.dtype))
