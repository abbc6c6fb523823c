"""One-off work that several runs of one process share: a loaded dataset, a NeuraLogic build.

A job of the workflow trains several runs in one process (:mod:`gnnlift.run.group`). What is
identical between them is made once, by the first run that needs it, and reused. Each run still
reports what that work really cost, and whether it made it or reused it (``Reuse``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reuse:
    """What one run got from the store: the value, the seconds it took to make, and who made it."""

    value: Any
    seconds: float
    made_by: str  # the output folder of the run that made it
    reused: bool  # False for the run that made it


class SharedWork:
    """A store of one-off results, keyed by everything they depend on."""

    def __init__(self) -> None:
        self._made: dict[Hashable, tuple[Any, float, str]] = {}

    def get(self, key: Hashable, make: Callable[[], Any], run: str) -> Reuse:
        """The value under ``key``; made (and timed) by ``make`` the first time, for run ``run``."""
        if key in self._made:
            value, seconds, made_by = self._made[key]
            return Reuse(value, seconds, made_by, True)
        start = time.perf_counter()
        value = make()
        seconds = time.perf_counter() - start
        self._made[key] = (value, seconds, run)
        return Reuse(value, seconds, run, False)

    def __len__(self) -> int:
        return len(self._made)
