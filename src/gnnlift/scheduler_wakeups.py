"""Snakemake's scheduler, kept from spinning while a timed run has the machine.

With a job rate limit (``--max-jobs-per-timespan``, default 100/1s), every pass of Snakemake's
scheduling loop (``JobScheduler.schedule``) starts a timer that wakes the loop again one timespan
later, even when such a timer is already pending. A pass that a finished job starts adds one
more of these chains, and while jobs wait for resources none of them ends. In the default
matrix, after the compress phase, the main process held ~130 pending timers (300,000 timer
threads started in 37 minutes) and spent about half a core re-scheduling jobs that could not
start, beside the timed run.

:func:`install` makes the loop keep at most one wake-up pending. A wake-up still comes within
one timespan of any pass, so the rate limit holds as before.
"""

from __future__ import annotations

import threading
from typing import Any


def wake_once(scheduler: Any, delay: float) -> None:
    """Wake ``scheduler``'s loop in ``delay`` seconds, unless a wake-up is already pending."""
    with _LOCK:
        if getattr(scheduler, "_wakeup_pending", False):
            return
        scheduler._wakeup_pending = True

    def wake() -> None:
        with _LOCK:
            scheduler._wakeup_pending = False
        scheduler._open_jobs.release()

    timer = threading.Timer(delay, wake)
    timer.daemon = True  # never holds up Snakemake's exit
    timer.start()


_LOCK = threading.Lock()


NOT_INSTALLED = (
    "gnnlift: this Snakemake has no JobScheduler._schedule_reevalutation to replace; its scheduling loop may "
    "wake more often beside timed runs (tests/test_scheduler_wakeups.py fails on such a version)"
)


def install() -> bool:
    """Put :func:`wake_once` in place of Snakemake's re-evaluation timer; False where it has none."""
    try:
        from snakemake.scheduling import job_scheduler  # noqa: PLC0415 (only the workflow needs it)
    except ImportError:
        return False
    if not hasattr(job_scheduler.JobScheduler, "_schedule_reevalutation"):
        return False
    job_scheduler.JobScheduler._schedule_reevalutation = wake_once
    return True
