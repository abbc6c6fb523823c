"""The training protocol, and the losses and optimizers that every training backend implements.

The torch loop (:mod:`gnnlift.run.train`), the native kernels (:mod:`gnnlift.engine.kernels`)
and NeuraLogic (:mod:`gnnlift.variants.neuralogic.engine`) each implement every loss and
optimizer named here, with torch's defaults; ``tests/test_protocol_backends.py`` holds them to
these names.
"""

from __future__ import annotations

from dataclasses import dataclass

LOSSES = ("bce", "mse")  # binary cross-entropy, mean squared error; both the mean over a batch
OPTIMIZERS = ("adam", "sgd")


@dataclass
class Protocol:
    name: str
    batch_size: int | None  # None: the whole training set
    shuffle: bool
    optimizer: str
    lr: float
    loss: str

    def __post_init__(self):
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}; expected one of {', '.join(LOSSES)}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; expected one of {', '.join(OPTIMIZERS)}")
        if self.batch_size is not None and self.batch_size < 1:
            raise ValueError("batch_size must be positive (or null for the full batch)")
