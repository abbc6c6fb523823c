"""Starting NeuraLogic's Java backend: quiet unless asked, its threads pinned, its seed set."""

from __future__ import annotations

import sys

LEVELS = ("SEVERE", "WARNING", "INFO", "CONFIG", "FINE", "FINER", "FINEST", "ALL")


def start(log_level: str | None = None, threads: int = 1, seed: int = 0) -> None:
    """Start the JVM once per process.

    NeuraLogic logs at INFO to stdout by default; here nothing is logged unless ``log_level``
    names a level, and then it goes to stderr. ``threads`` caps the processors the JVM sees
    (``-XX:ActiveProcessorCount``), which sizes its parallel pools.
    """
    import neuralogic
    from neuralogic import logging as nl_logging

    if neuralogic.is_initialized():
        return
    if log_level is not None and str(log_level).upper() not in LEVELS:
        raise ValueError(f"neuralogic.log_level must be one of {', '.join(LEVELS)} or null, not {log_level!r}")
    nl_logging.clear_handlers()
    if log_level is not None:
        level = nl_logging.Level[str(log_level).upper()]
        nl_logging.add_log_handler(nl_logging.LogHandler(sys.stderr, level, nl_logging.Formatter.NORMAL))
    neuralogic.set_jvm_options(["-Xms1g", f"-XX:ActiveProcessorCount={max(1, int(threads))}"])
    neuralogic.initialize(seed=seed)
