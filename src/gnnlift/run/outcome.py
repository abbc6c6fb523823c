"""What training and evaluating one run gave, whichever engine ran it."""

from __future__ import annotations

from dataclasses import dataclass, field

from gnnlift.run.train import Epoch


@dataclass
class Outcome:
    epochs: list[Epoch]
    evaluation: dict
    eval_seconds: float
    one_off: dict[str, float | None]  # one-off seconds, by step (loading the data aside)
    graph: dict  # neuron and edge counts of the graph the run built
    lifting: dict | None = None  # variant=lifted: the lifting statistics
    neuralogic: dict | None = None  # variant=neuralogic: its counts and settings
    reused: dict[str, str] = field(default_factory=dict)  # one-off step -> the run that made it
