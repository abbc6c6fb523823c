"""``python -m gnnlift.run.group --run DIR OVERRIDE... [--run DIR OVERRIDE...]``: runs in one process.

Each ``--run`` is one run of ``python -m gnnlift.run``: its output folder, then its Hydra
overrides. The runs are trained one after another in one process, so the start-up (imports, the
JVM), the loaded dataset and NeuraLogic's build of a (model, dataset, settings, seed) are paid
once and shared (:mod:`gnnlift.run.shared`). Every run still writes its own folder
(``metrics.json``, ``epochs.csv``); ``metrics.json`` says which one-off work it reused, and from
which run. Every command line is checked before the first run starts.
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

from hydra import compose, initialize_config_dir

from gnnlift.data.errors import DataError
from gnnlift.paths import CONFIG_DIR
from gnnlift.run.app import run
from gnnlift.run.guard import precheck
from gnnlift.run.shared import SharedWork

USAGE = "usage: python -m gnnlift.run.group --run DIR OVERRIDE... [--run DIR OVERRIDE...]"


def parse(argv: list[str]) -> list[tuple[Path, list[str]]]:
    """``--run DIR OVERRIDE...`` segments as (folder, overrides); ValueError for anything else."""
    if not argv or argv[0] != "--run":
        raise ValueError(USAGE)
    runs: list[tuple[Path, list[str]]] = []
    for arg in argv:
        if arg == "--run":
            runs.append((Path(), []))
        elif runs[-1][0] == Path():
            runs[-1] = (Path(arg), [])
        else:
            runs[-1][1].append(arg)
    for folder, _ in runs:
        if folder == Path():
            raise ValueError(f"--run needs a folder; {USAGE}")
    folders = [folder.resolve() for folder, _ in runs]
    if len(set(folders)) < len(folders):
        raise ValueError("two runs share one folder")
    return runs


def compose_runs(runs: list[tuple[Path, list[str]]]) -> list:
    """The config of every run, each checked as ``python -m gnnlift.run`` checks its command line."""
    for folder, overrides in runs:
        if any(o.startswith("-") for o in overrides):
            raise ValueError(
                f"run {folder}: options are not overrides: {' '.join(o for o in overrides if o[0] == '-')}"
            )
        problem = precheck(overrides)
        if problem:
            raise ValueError(f"run {folder}: {problem}")
    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIG_DIR), job_name="app"):
        return [compose("run", overrides=overrides) for _, overrides in runs]


def main(argv: list[str]) -> int:
    """Check every run, then train them in turn; 2 and one line on the first that cannot run."""
    try:
        runs = parse(argv)
        configs = compose_runs(runs)
    except ValueError as exc:
        print(f"gnnlift.run.group: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    shared = SharedWork()
    began = time.perf_counter()
    for index, ((folder, _), cfg) in enumerate(zip(runs, configs, strict=True)):
        start = time.perf_counter()
        try:
            run(cfg, folder, shared, {"runs": len(runs), "index": index})
        except (DataError, ValueError, KeyError) as exc:
            print(f"gnnlift.run.group: error: run {folder}: {' '.join(str(exc).split())}", file=sys.stderr)
            return 2
        print(f"[{index + 1}/{len(runs)}] {folder}  {time.perf_counter() - start:.1f} s", flush=True)
        gc.collect()
    print(f"{len(runs)} runs in {time.perf_counter() - began:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
