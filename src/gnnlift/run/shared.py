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
        self._slots: dict[Hashable, Hashable] = {}  # slot -> the one key it holds

    def get(self, key: Hashable, make: Callable[[], Any], run: str, slot: Hashable | None = None) -> Reuse:
        """The value under ``key``; made (and timed) by ``make`` the first time, for run ``run``.

        ``slot``: values too large to keep side by side (a NeuraLogic network lives in the JVM's
        heap) share a slot, which holds one value: making a new one drops the one before.
        """
        if key in self._made:
            value, seconds, made_by = self._made[key]
            return Reuse(value, seconds, made_by, True)
        if slot is not None and slot in self._slots:
            del self._made[self._slots.pop(slot)]
        start = time.perf_counter()
        value = make()
        seconds = time.perf_counter() - start
        self._made[key] = (value, seconds, run)
        if slot is not None:
            self._slots[slot] = key
        return Reuse(value, seconds, run, False)

    def __len__(self) -> int:
        return len(self._made)
