"""The timed training loop, the same for every variant.

Timed: forward, loss, backward and optimizer step over the training samples of an epoch, and,
when batches are recomposed every epoch (1 < batch size < training set, shuffled), the
framework's own collation of each batch. Samples are converted once before any timing; fixed
batches (batch size 1, or the full batch) are collated once too. On CUDA the device is
synchronised before the clock is read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from gnnlift.engine.graph import CompGraph
from gnnlift.protocol import Protocol
from gnnlift.run.schedule import BatchPlan
from gnnlift.variants.base import SampleStore, Variant

# The losses and optimizers of gnnlift.protocol, in torch.
LOSS_FUNCTIONS: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "bce": torch.nn.functional.binary_cross_entropy,
    "mse": torch.nn.functional.mse_loss,
}
OPTIMIZER_CLASSES = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}


@dataclass
class Epoch:
    epoch: int
    seconds: float
    loss: float
    warmup: bool


def to_device(batch, device: torch.device):
    """Move a batch (a computation graph, a PyG/DGL batch, a tensor, or a tuple of them) to ``device``."""
    if device.type == "cpu":
        return batch
    if isinstance(batch, tuple):
        return tuple(to_device(b, device) for b in batch)
    if isinstance(batch, CompGraph):  # its first parameter is a dtype
        return batch.to(device=device)
    return batch if batch is None else batch.to(device)


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class Trainer:
    """Trains one variant on prepared samples with a protocol; records per-epoch times."""

    def __init__(
        self, net: Variant, samples: SampleStore, targets: torch.Tensor, protocol: Protocol, device: torch.device
    ):
        self.net, self.samples, self.targets = net, samples, targets.to(device)
        self.protocol, self.device = protocol, device
        self.loss = LOSS_FUNCTIONS[protocol.loss]
        self.optimizer = OPTIMIZER_CLASSES[protocol.optimizer](net.parameters(), lr=protocol.lr)

    def collate_fixed(self, plan: BatchPlan) -> tuple[list, float]:
        """Batches collated once (when they never change): the objects and the seconds it took."""
        start = time.perf_counter()
        fixed = [
            to_device(self.samples.collate([self.samples[j] for j in chunk]), self.device) for chunk in plan.chunks
        ]
        return fixed, time.perf_counter() - start

    def run(
        self, train: np.ndarray, epochs: int, warmup: int, seed: int, progress: Callable[[Epoch], None] | None = None
    ) -> tuple[list[Epoch], float]:
        """Train for ``epochs``; the per-epoch records and the one-off collation seconds."""
        plan = BatchPlan.of(train, self.protocol.batch_size, self.protocol.shuffle)
        fixed, collate_seconds = self.collate_fixed(plan)
        orders = plan.epochs(train, seed)
        records = []
        self.net.train()
        for epoch in range(1, epochs + 1):
            order = next(orders)
            total, count = 0.0, 0
            sync(self.device)
            start = time.perf_counter()
            if plan.recomposed:
                for i in range(0, len(order), plan.size):
                    idx = order[i : i + plan.size]
                    batch = to_device(self.samples.collate([self.samples[j] for j in idx]), self.device)
                    total += self._step(batch, idx) * len(idx)
                    count += len(idx)
            else:
                for b in order:
                    total += self._step(fixed[b], plan.chunks[b]) * len(plan.chunks[b])
                    count += len(plan.chunks[b])
            sync(self.device)
            record = Epoch(epoch, time.perf_counter() - start, total / count, epoch <= warmup)
            records.append(record)
            if progress:
                progress(record)
        return records, collate_seconds

    def _step(self, batch, idx: np.ndarray) -> float:
        self.optimizer.zero_grad(set_to_none=True)
        loss = self.loss(self.net(batch), self.targets[idx])
        loss.backward()
        self.optimizer.step()
        return loss.item()
