"""The timed training loop for PyNeuraLogic, step for step the one of :mod:`gnnlift.run.train`.

Same batch plan, same seeded order of samples, same warm-up; the clock covers one call of
NeuraLogic's ``train`` over the epoch's samples (forward, backward and optimizer steps, all in
its Java engine). Grounding and neuralizing happen once, before any timing.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from gnnlift.frameworks.neuralogic.engine import NeuralogicModel
from gnnlift.run.schedule import BatchPlan
from gnnlift.run.train import Epoch, Protocol


def epoch_orders(train: np.ndarray, protocol: Protocol, epochs: int, seed: int) -> tuple[list[np.ndarray], int]:
    """The sample order of every epoch, as :class:`gnnlift.run.train.Trainer` draws it, and the batch size."""
    plan = BatchPlan.of(train, protocol.batch_size, protocol.shuffle)
    rng = np.random.default_rng(seed)
    return [np.concatenate(plan.steps(train, rng)) for _ in range(epochs)], plan.size


def train(
    net: NeuralogicModel,
    samples: list,
    train_index: np.ndarray,
    protocol: Protocol,
    epochs: int,
    warmup: int,
    seed: int,
    progress: Callable[[Epoch], None] | None = None,
) -> list[Epoch]:
    """Train for ``epochs``; the per-epoch records."""
    orders, size = epoch_orders(train_index, protocol, epochs, seed)
    records = []
    for epoch, order in enumerate(orders, start=1):
        batch = [samples[j] for j in order]
        start = time.perf_counter()
        loss = net.train_epoch(batch, size)
        record = Epoch(epoch, time.perf_counter() - start, loss, epoch <= warmup)
        records.append(record)
        if progress:
            progress(record)
    return records
