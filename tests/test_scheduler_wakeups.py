"""Snakemake's scheduling loop keeps at most one wake-up pending (gnnlift.scheduler_wakeups)."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from snakemake.scheduling import job_scheduler

from gnnlift import scheduler_wakeups


def pending_wakeups(semaphore: threading.Semaphore) -> int:
    count = 0
    while semaphore.acquire(blocking=False):
        count += 1
    return count


def test_many_passes_leave_one_wakeup():
    scheduler = SimpleNamespace(_open_jobs=threading.Semaphore(0))
    before = threading.active_count()
    for _ in range(200):  # as many passes as finished jobs start, while others wait
        scheduler_wakeups.wake_once(scheduler, 0.2)
    assert threading.active_count() - before <= 1
    time.sleep(0.5)
    assert pending_wakeups(scheduler._open_jobs) == 1  # the loop is woken, once
    scheduler_wakeups.wake_once(scheduler, 0.1)  # and a later pass arms the next wake-up
    time.sleep(0.3)
    assert pending_wakeups(scheduler._open_jobs) == 1


def test_install_replaces_snakemakes_timer():
    original = job_scheduler.JobScheduler._schedule_reevalutation
    try:
        assert scheduler_wakeups.install()
        assert job_scheduler.JobScheduler._schedule_reevalutation is scheduler_wakeups.wake_once
    finally:
        job_scheduler.JobScheduler._schedule_reevalutation = original


def test_the_private_apis_patched_or_read_are_still_there():
    """An upgrade of Snakemake or Hydra that renames what gnnlift patches or reads fails here, by name."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    assert callable(getattr(job_scheduler.JobScheduler, "_schedule_reevalutation", None))
    parsed = OverridesParser.create().parse_overrides(["model=gcn,sage", "seed=0"])
    jobs = BasicSweeper.split_arguments(parsed, None)[0]
    assert sorted(jobs) == [["model=gcn", "seed=0"], ["model=sage", "seed=0"]]
