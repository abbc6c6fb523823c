"""The batch schedule every training loop follows: which samples each step of each epoch takes.

Batches of size 1 and the full batch are *fixed*: cut once, in training order, and only their
order is shuffled each epoch. Other sizes with shuffling are *recomposed*: the training samples
are permuted each epoch and cut into batches anew. One seeded generator draws every epoch.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BatchPlan:
    size: int  # samples per batch (the last one may be smaller)
    recomposed: bool  # batches drawn anew every epoch
    shuffle: bool
    chunks: list[np.ndarray]  # the fixed batches, in training order (empty when recomposed)

    @classmethod
    def of(cls, train: np.ndarray, batch_size: int | None, shuffle: bool) -> BatchPlan:
        size = len(train) if batch_size is None else min(batch_size, len(train))
        size = max(size, 1)
        recomposed = shuffle and 1 < size < len(train)
        chunks = [] if recomposed else [train[i : i + size] for i in range(0, len(train), size)]
        return cls(size, recomposed, shuffle, chunks)

    def draw(self, train: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One epoch's order: fixed batch ids, or (recomposed) the permuted training samples."""
        if self.recomposed:
            return rng.permutation(train)
        return rng.permutation(len(self.chunks)) if self.shuffle else np.arange(len(self.chunks))

    def epochs(self, train: np.ndarray, seed: int) -> Iterator[np.ndarray]:
        """Every epoch's order (see :meth:`draw`), drawn one after another by one generator seeded with ``seed``.

        The one schedule of every training loop: the torch Trainer, the native backend and NeuraLogic.
        """
        rng = np.random.default_rng(seed)
        while True:
            yield self.draw(train, rng)

    def samples(self, order: np.ndarray) -> np.ndarray:
        """The sample indices of an epoch drawn as ``order``, step after step."""
        if self.recomposed:
            return order
        return np.concatenate([self.chunks[b] for b in order])
