"""Checks of a run's config, made before Hydra writes anything: one line for what is wrong.

:func:`precheck` reads the command line as Hydra will (sweeps included), composes the config
of every job and runs :func:`validate` on it; :func:`remove_hydra_leftovers` undoes the folder
Hydra made for a run that then failed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import torch
from hydra import compose, initialize_config_dir
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from gnnlift.paths import CONFIG_DIR
from gnnlift.run.configs import check_group, register_datasets
from gnnlift.run.datafile import register_resolver
from gnnlift.run.switches import check as check_switches

INTEGERS = ("epochs", "warmup", "threads", "seed", "fold", "folds", "eval_batch_size")
CPU_ONLY = {"dgl": "its pinned build is CPU-only", "neuralogic": "it runs in the JVM"}
# Hydra options that print or set something up instead of running: left to Hydra unchecked.
HYDRA_ONLY = ("-h", "--help", "--hydra-help", "--info", "-i", "--cfg", "-c", "--shell-completion", "-sc")


def validate(cfg: DictConfig) -> None:
    """Raise ValueError (one line) for a setting no run can use."""
    for key in INTEGERS:
        value = cfg.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{key} must be an integer, not {value!r}")
    if cfg.epochs < 1:
        raise ValueError(f"epochs must be at least 1, not {cfg.epochs}")
    if not 0 <= cfg.warmup < cfg.epochs:
        raise ValueError(
            f"warmup={cfg.warmup} with epochs={cfg.epochs} leaves no timed epoch; warmup must be in 0..{cfg.epochs - 1}"
        )
    if cfg.threads < 1:
        raise ValueError(f"threads must be at least 1, not {cfg.threads}")
    if not 0 <= cfg.seed < 2**32:
        raise ValueError(f"seed must be in 0..2**32-1, not {cfg.seed}")
    if cfg.folds < 2 or not 0 <= cfg.fold < cfg.folds:
        raise ValueError(f"fold={cfg.fold} folds={cfg.folds}: folds must be at least 2 and fold in 0..folds-1")
    if cfg.eval_batch_size < 1:
        raise ValueError(f"eval_batch_size must be at least 1, not {cfg.eval_batch_size}")
    if cfg.dataset.name == "file":
        if OmegaConf.is_missing(cfg.dataset, "path") or not cfg.dataset.get("path"):
            raise ValueError("dataset=file needs dataset.path=FILE (a data file or folder)")
        if not Path(cfg.dataset.path).exists():
            raise ValueError(f"dataset.path {cfg.dataset.path}: no such file or folder")
    if cfg.dtype not in ("float32", "float64"):
        raise ValueError(f"dtype must be float32 or float64, not {cfg.dtype!r}")
    try:
        device = torch.device(cfg.device)
    except (RuntimeError, TypeError):
        raise ValueError(f"device {cfg.device!r} is not a torch device; use cpu or cuda") from None
    if device.type != "cpu" and cfg.variant.name in CPU_ONLY:
        raise ValueError(f"variant={cfg.variant.name} runs on the CPU only ({CPU_ONLY[cfg.variant.name]})")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device=cuda asked for, but torch sees no GPU")
    check_switches(cfg)


def precheck(argv: list[str]) -> str | None:
    """A one-line error for a command line of ``python -m gnnlift.run`` that cannot run, else None."""
    flags = [a for a in argv if a.startswith("-")]
    if any(f.split("=")[0] in HYDRA_ONLY for f in flags) or set(flags) - {"-m", "--multirun"}:
        return None
    multirun = bool(flags)
    try:
        parsed = OverridesParser.create().parse_overrides([a for a in argv if not a.startswith("-")])
    except HydraException as exc:
        return " ".join(str(exc).split())
    for override in parsed:
        for value in _values(override):
            problem = check_group(override.key_or_group, value)
            if problem:
                return problem
        if override.is_sweep_override() and not multirun:
            return f"{override.input_line} is a sweep: run it with -m (--multirun)"
    ours = [o for o in parsed if not o.key_or_group.split(".")[0].split("/")[0] == "hydra"]
    try:
        jobs = BasicSweeper.split_arguments(ours, None)[0]
    except (HydraException, OmegaConfBaseException, TypeError):
        return None  # a sweep Hydra expands with its config loader (glob): each job checks itself
    register_datasets()
    register_resolver()
    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIG_DIR), job_name="app"):
        for job in jobs:
            try:
                validate(compose("run", overrides=list(job)))
            except (ValueError, HydraException, OmegaConfBaseException) as exc:
                where = f" (job {' '.join(job)})" if len(jobs) > 1 else ""
                return " ".join(str(exc).split()) + where
    return None


def _values(override) -> list[str]:
    """The values an override sets, a sweep's one by one (none for a deletion or a glob)."""
    if not override.is_sweep_override():
        return [] if override.value() is None else [override.get_value_element_as_str()]
    try:
        return list(override.sweep_string_iterator())
    except Exception:  # a glob: only the config loader of Hydra can expand it
        return []


def remove_hydra_leftovers(out_dir: Path, stop: Path) -> None:
    """After a failed run: remove what Hydra wrote (``.hydra/``, an empty log), then empty folders up to ``stop``."""
    out_dir, stop = Path(out_dir).resolve(), Path(stop).resolve()
    shutil.rmtree(out_dir / ".hydra", ignore_errors=True)
    for log in out_dir.glob("*.log"):
        if log.stat().st_size == 0:
            log.unlink()
    folder = out_dir
    while True:
        try:
            folder.rmdir()
        except OSError:  # not empty: something else lives there
            return
        folder = folder.parent
        if folder == stop or stop not in folder.parents:
            return
