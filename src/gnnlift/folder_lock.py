"""One workflow at a time in a results folder: an exclusive lock on ``<folder>/.lock``.

Snakemake locks its working directory (``.snakemake/``), not the folders its outputs go to, so two
invocations with different working directories (``-d``) and the same ``results=`` would both
train into one folder, and the report could not see that their runs overlapped. The workflow
takes this lock when it starts executing jobs and holds it until its process ends; the kernel
drops it when the process dies, so a killed workflow leaves no stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

LOCK_NAME = ".lock"


class Held(Exception):
    """The folder is locked by another process: one line naming the folder and its holder."""


def hold(folder: str | Path) -> IO[str]:
    """Lock ``folder`` for this process (creating it) and return the open lock file: keep it open.

    Raises :class:`Held` at once, without waiting, when another process holds the lock.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / LOCK_NAME, "a+")  # noqa: SIM115  (held open for the process's life)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise Held(
            f"results folder {folder} is in use by another workflow (pid {holder}); "
            "wait for it to finish, or give this one another results="
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle
