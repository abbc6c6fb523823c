"""The timed training loop on the native backend, step for step the one of :mod:`gnnlift.run.train`.

Same batch plan and seeded order, same loss and optimizer, same warm-up. What the clock covers:

- a graph stored sample by sample (``plain`` on graphs, ``lifted`` at scope sample): the whole
  graph is flattened once, and an epoch is one compiled call that runs each step over its
  samples' neuron ranges, so nothing is collated at all;
- otherwise, fixed batches (batch size 1, full batch) are collated and flattened once before
  timing, like the torch loop collates them once, and an epoch is again one compiled call;
  recomposed batches are collated (lifted, at scope batch) and flattened inside the timed epoch.

Compilation (or loading numba's cache) happens once before the first epoch and is timed on its
own. After training, the weights are copied back into the variant, which evaluates them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch

from gnnlift.engine.native import (
    NativeProgram,
    ParamLayout,
    flatten_samples,
    flatten_units,
    jit_state,
    numpy_dtype,
)
from gnnlift.protocol import Protocol
from gnnlift.run.schedule import BatchPlan
from gnnlift.run.train import Epoch
from gnnlift.variants.base import SampleStore
from gnnlift.variants.plain import EngineModel


class NativeTrainer:
    """Trains ``plain`` or ``lifted`` with the native backend; records per-epoch times."""

    def __init__(self, net: EngineModel, samples: SampleStore, targets: torch.Tensor, protocol: Protocol):
        self.net, self.samples, self.protocol = net, samples, protocol
        self.dtype = numpy_dtype(net.dtype)
        self.targets = np.ascontiguousarray(targets.detach().cpu().numpy(), self.dtype)
        weights = {k: p.detach() for k, (p, _) in net.canonical().items()}
        self.layout = ParamLayout.of({k: tuple(w.shape) for k, w in weights.items()})
        self.theta = self.layout.pack(weights, self.dtype)
        self._rule = (protocol.loss, protocol.optimizer, protocol.lr)
        self.one_off: dict[str, float] = {}
        self.executed: dict[str, int] = {}

    def _program(self, flat) -> NativeProgram:
        prog = NativeProgram(flat, self.layout, self.theta)
        prog.theta = self.theta  # every program of this run trains the same vector
        return prog

    def program_of_samples(self, graph) -> NativeProgram:
        """A program over a whole-dataset graph stored sample by sample (one unit a sample)."""
        return self._program(flatten_samples(graph, self.layout, self.dtype))

    def _prepare(self, plan: BatchPlan) -> tuple[NativeProgram | None, float]:
        """The program executed every epoch (None when batches are recomposed) and collation seconds."""
        start = time.perf_counter()
        whole = self.samples.sample_graph()
        if whole is not None:
            prog = self.program_of_samples(whole)
            self.one_off["flatten"] = time.perf_counter() - start
            return prog, 0.0
        if plan.recomposed:
            return None, 0.0
        graphs = [self.samples.collate([self.samples[j] for j in chunk]) for chunk in plan.chunks]
        collate_seconds = time.perf_counter() - start
        start = time.perf_counter()
        prog = self._program(flatten_units(graphs, plan.chunks, self.layout, self.dtype))
        self.one_off["flatten"] = time.perf_counter() - start
        return prog, collate_seconds

    def _compile(self, prog: NativeProgram | None, plan: BatchPlan, train: np.ndarray) -> None:
        if prog is None:  # compile on a batch like the ones to come
            first = train[: plan.size]
            graph = self.samples.collate([self.samples[j] for j in first])
            prog = self._program(flatten_units([graph], [first], self.layout, self.dtype))
        self.one_off["jit_compile"] = prog.compile(self.targets, self.protocol.loss, self.protocol.optimizer)
        self.executed = {"neurons": prog.flat.neurons, "edges": prog.flat.edges, "jit_cold": prog.jit_cold}
        self.executed |= jit_state()

    def run(
        self, train: np.ndarray, epochs: int, warmup: int, seed: int, progress: Callable[[Epoch], None] | None = None
    ) -> tuple[list[Epoch], float]:
        """Train for ``epochs``; the per-epoch records and the one-off collation seconds."""
        plan = BatchPlan.of(train, self.protocol.batch_size, self.protocol.shuffle)
        prog, collate_seconds = self._prepare(plan)
        self._compile(prog, plan, train)
        state = prog.state if prog is not None else None
        sliced = self.samples.sample_graph() is not None
        orders = plan.epochs(train, seed)
        records = []
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            order = next(orders)
            if prog is None:
                mean, state = self._recomposed_epoch(plan, order, state)
            else:
                if sliced:
                    units, sizes = _sample_steps(plan, order)
                else:
                    units, sizes = order, np.array([len(plan.chunks[b]) for b in order], np.int64)
                step_ptr = np.concatenate([[0], np.cumsum(sizes if sliced else np.ones(len(order), np.int64))])
                losses = prog.train(step_ptr, units, self.targets, *self._rule)
                mean = float(np.dot(losses, sizes) / sizes.sum())
            record = Epoch(epoch, time.perf_counter() - start, mean, epoch <= warmup)
            records.append(record)
            if progress:
                progress(record)
        self.net.load_canonical(self.layout.unpack(self.theta))
        return records, collate_seconds

    def _recomposed_epoch(self, plan: BatchPlan, order: np.ndarray, state):
        """One epoch of batches collated and flattened step by step: (mean loss, optimizer state)."""
        total = 0.0
        for i in range(0, len(order), plan.size):
            idx = order[i : i + plan.size]
            graph = self.samples.collate([self.samples[j] for j in idx])
            step = self._program(flatten_units([graph], [idx], self.layout, self.dtype))
            step.state = state = step.state if state is None else state
            total += float(step.train(np.array([0, 1]), np.zeros(1, np.int64), self.targets, *self._rule)[0]) * len(idx)
        return total / len(order), state


def _sample_steps(plan: BatchPlan, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Units (sample ids) of every step of an epoch in order, and each step's number of samples."""
    if plan.recomposed:
        sizes = np.full(-(-len(order) // plan.size), plan.size, np.int64)
        sizes[-1] = len(order) - plan.size * (len(sizes) - 1)
        return order, sizes
    if plan.size == 1:
        return np.concatenate(plan.chunks)[order], np.ones(len(order), np.int64)
    return np.concatenate([plan.chunks[b] for b in order]), np.array([len(plan.chunks[b]) for b in order], np.int64)
