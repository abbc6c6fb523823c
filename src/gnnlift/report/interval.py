"""Spread of a timing and of a speedup: how many measurements stand behind it and a bootstrap interval.

A variant's epoch time in a cell is the mean over its runs (seeds, folds) of each run's median
timed epoch, as the tables record it. A speedup is the ratio of two such times. Its interval
resamples both levels, as the measurement was made: runs with replacement, then each drawn
run's timed epochs with replacement, for the slower and the faster variant independently. The
draws come from a fixed generator, so the same tables give the same interval.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gnnlift.report.fmt import faster, sig

DRAWS = 2000
LEVEL = 0.95
SEED = 0


def timed_epochs(run: pd.Series) -> np.ndarray:
    """The seconds of a run's timed epochs (its warm-up epochs, which come first, left out).

    Where a table has no per-epoch seconds, the run's median stands alone.
    """
    raw = run.get("epoch_seconds")
    seconds = json.loads(raw) if isinstance(raw, str) and raw else []
    timed = int(run["timed_epochs"]) if pd.notna(run.get("timed_epochs")) else len(seconds)
    values = np.asarray(seconds[len(seconds) - timed :] if timed else [], dtype=float)
    if values.size == 0 and pd.notna(run.get("epoch_seconds_median")):
        values = np.asarray([run["epoch_seconds_median"]], dtype=float)
    return values


def per_run(runs: pd.DataFrame) -> list[np.ndarray]:
    """Each run's timed epoch seconds, runs with none left out."""
    return [epochs for epochs in (timed_epochs(run) for _, run in runs.iterrows()) if epochs.size]


def count(samples: list[np.ndarray]) -> str:
    """How many measurements: ``runs×epochs`` (``3×10``), or ``runs×epochs–epochs`` where runs timed unequal counts."""
    if not samples:
        return "0"
    sizes = sorted({len(s) for s in samples})
    epochs = str(sizes[0]) if len(sizes) == 1 else f"{sizes[0]}–{sizes[-1]}"
    return f"{len(samples)}×{epochs}"


def _draws(samples: list[np.ndarray], rng: np.random.Generator, draws: int) -> np.ndarray:
    """``draws`` bootstrap replicates of the mean over runs of each run's median epoch."""
    out = np.zeros(draws)
    chosen = rng.integers(0, len(samples), size=(draws, len(samples)))
    for column in range(len(samples)):
        picks = chosen[:, column]
        for index in np.unique(picks):
            epochs = samples[index]
            rows = np.flatnonzero(picks == index)
            resampled = epochs[rng.integers(0, len(epochs), size=(len(rows), len(epochs)))]
            out[rows] += np.median(resampled, axis=1)
    return out / len(samples)


def point(samples: list[np.ndarray]) -> float:
    """The mean over runs of each run's median epoch."""
    return float(np.mean([np.median(s) for s in samples]))


def mean_median(runs: pd.DataFrame) -> float:
    """The mean over runs of the median epoch the table records (``epoch_seconds_median``)."""
    return float(pd.to_numeric(runs["epoch_seconds_median"], errors="coerce").mean())


@dataclass(frozen=True)
class Speedup:
    """Epoch time of the slower variant / of the faster, with its interval and measurement counts."""

    value: float
    low: float
    high: float
    n_slow: str
    n_fast: str

    @property
    def n(self) -> str:
        """Measurements behind it: ``slower runs×epochs / faster runs×epochs``."""
        return f"{self.n_slow} / {self.n_fast}"

    def interval(self, digits: int = 3) -> str:
        """``[low, high]`` to ``digits`` significant digits."""
        return f"[{sig(self.low, digits)}, {sig(self.high, digits)}]"

    def words(self, digits: int = 3) -> str:
        """``3.16x faster [2.90, 3.40]``, or below 1 the inverse, ``1.14x slower [1.05, 1.25]``."""
        return words(self.value, self.low, self.high, digits)


def words(value: float, low: float, high: float, digits: int = 3) -> str:
    """A speedup and its interval as words: ``3.16x faster [2.90, 3.40]``; below 1 both inverted,
    ``1.14x slower [1.05, 1.25]``; an interval that holds 1 names both ends, ``1.30x slower [from 2.40x
    faster to 3.30x slower]``."""
    if low < 1 < high:
        return f"{faster(value, digits)} [from {faster(high, digits)} to {faster(low, digits)}]"
    if value >= 1:
        return f"{faster(value, digits)} [{sig(low, digits)}, {sig(high, digits)}]"
    return f"{faster(value, digits)} [{sig(1 / high, digits)}, {sig(1 / low, digits)}]"


def speedup(slower: pd.DataFrame, faster: pd.DataFrame, draws: int = DRAWS, seed: int = SEED) -> Speedup | None:
    """The speedup of ``faster`` over ``slower`` (their runs in one cell) with a 95% bootstrap interval."""
    slow, fast = per_run(slower), per_run(faster)
    if not slow or not fast or not point(fast) > 0 or not mean_median(faster) > 0:
        return None
    rng = np.random.default_rng(seed)
    ratios = _draws(slow, rng, draws) / _draws(fast, rng, draws)
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(ratios, [tail, 100 - tail])
    value = mean_median(slower) / mean_median(faster)
    return Speedup(value, float(low), float(high), count(slow), count(fast))


def spread(runs: pd.DataFrame) -> tuple[float, float, float] | None:
    """How a variant's timed epochs vary within its runs: the median coefficient of variation, the median
    ratio of the later half's median epoch to the earlier half's (below 1: still speeding up, as a JIT warms),
    and the median ratio of the slowest epoch to the run's median (isolated slow epochs, as a collector's)."""
    samples = [s for s in per_run(runs) if len(s) >= 2]
    if not samples:
        return None
    cv = [float(np.std(s) / np.mean(s)) for s in samples if np.mean(s) > 0]
    halves = [float(np.median(s[len(s) // 2 :]) / np.median(s[: len(s) // 2])) for s in samples if np.median(s) > 0]
    peaks = [float(np.max(s) / np.median(s)) for s in samples if np.median(s) > 0]
    return float(np.median(cv)), float(np.median(halves)), float(np.median(peaks))
