"""Checks of a run's config, made before Hydra writes anything: one line for what is wrong.

:func:`precheck` reads the command line as Hydra will (sweeps included), composes the config
of every job and runs :func:`validate` on it; :func:`remove_hydra_leftovers` undoes what Hydra
made for a run that then failed, and only that: :class:`RecordBefore` (a Hydra callback, see
config/run.yaml) notes what existed in the run's folder before Hydra wrote there.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import torch
from hydra import compose, initialize_config_dir
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import OmegaConfBaseException

from gnnlift.labels import MAX_DIGITS, MIN_DIGITS
from gnnlift.paths import CONFIG_DIR
from gnnlift.run.configs import check_group, register_datasets
from gnnlift.run.folder import clash, register_resolvers
from gnnlift.run.switches import check as check_switches

MAX_LR = 100.0  # past it every model here diverges at once: a typo, not a setting
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
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if cfg.threads > cores:
        raise ValueError(
            f"threads={cfg.threads} is more than the {cores} cores this process may use; "
            "timings would measure the threads' contention"
        )
    _check_protocol(cfg.protocol)
    if cfg.variant.name == "lifted" and cfg.lifting.get("detect") == "value":
        digits = cfg.lifting.get("digits")
        if not isinstance(digits, int) or isinstance(digits, bool) or not MIN_DIGITS <= digits <= MAX_DIGITS:
            raise ValueError(f"lifting.digits must be an integer in {MIN_DIGITS}..{MAX_DIGITS}, not {digits!r}")
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
    if device.type not in ("cpu", "cuda"):
        raise ValueError(f"device {cfg.device!r}: runs train on cpu or cuda (cuda:N), not on {device.type}")
    if device.type == "cpu" and device.index is not None:
        raise ValueError(f"device {cfg.device!r}: the CPU takes no index; use device=cpu")
    if device.type != "cpu" and cfg.variant.name in CPU_ONLY:
        raise ValueError(f"variant={cfg.variant.name} runs on the CPU only ({CPU_ONLY[cfg.variant.name]})")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device=cuda asked for, but torch sees no GPU")
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        raise ValueError(f"device={cfg.device} asked for, but torch sees {torch.cuda.device_count()} GPU(s)")
    check_switches(cfg)


def _check_protocol(protocol: DictConfig) -> None:
    size, lr = protocol.get("batch_size"), protocol.get("lr")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 1):
        raise ValueError(f"protocol.batch_size must be a whole number of samples (at least 1) or null, not {size!r}")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) or not 0 < lr <= MAX_LR:
        raise ValueError(f"protocol.lr must be a number in (0, {MAX_LR:g}], not {lr!r}")


def precheck(argv: list[str], folder: bool = False) -> str | None:
    """A one-line error for a command line of ``python -m gnnlift.run`` that cannot run, else None.

    ``folder``: also refuse a run (not a sweep) whose ``hydra.run.dir`` holds another run's
    results (:func:`gnnlift.run.folder.clash`).
    """
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
    register_resolvers()
    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIG_DIR), job_name="app"):
        for job in jobs:
            try:
                validate(compose("run", overrides=list(job)))
            except (ValueError, HydraException, OmegaConfBaseException) as exc:
                where = f" (job {' '.join(job)})" if len(jobs) > 1 else ""
                return " ".join(str(exc).split()) + where
        if folder and not multirun:
            return _folder_clash([o.input_line for o in parsed])
    return None


def _folder_clash(overrides: list[str]) -> str | None:
    """:func:`gnnlift.run.folder.clash` for the folder Hydra will give this run."""
    try:
        cfg = compose("run", overrides=overrides, return_hydra_config=True)
        run_dir = str(cfg.hydra.run.dir)
    except (HydraException, OmegaConfBaseException):
        return None  # Hydra says what is wrong with its own settings when it starts
    with open_dict(cfg):
        del cfg["hydra"]
    return clash(run_dir, cfg)


def _values(override) -> list[str]:
    """The values an override sets, a sweep's one by one (none for a deletion or a glob)."""
    if not override.is_sweep_override():
        return [] if override.value() is None else [override.get_value_element_as_str()]
    try:
        return list(override.sweep_string_iterator())
    except Exception:  # a glob: only the config loader of Hydra can expand it
        return []


HYDRA_FILES = ("config.yaml", "hydra.yaml", "overrides.yaml")  # what Hydra writes into a run's .hydra/


@dataclass(frozen=True)
class Before:
    """What existed where a run (or a sweep) writes, seen before Hydra made anything there.

    ``root``: the run's folder (a sweep's folder for ``-m``); ``existed``: those of root, its
    parents, ``root/.hydra`` with what it held, and ``root/*.log`` that existed.
    """

    root: Path
    existed: frozenset[Path]

    @classmethod
    def of(cls, folder: str | Path) -> Before:
        root = Path(folder).resolve()
        looked = [root, *root.parents, root / ".hydra"]
        existed = {p for p in looked if p.exists()}
        if root.is_dir():
            existed |= set(root.glob("*.log"))
        if (root / ".hydra").is_dir():
            existed |= set((root / ".hydra").iterdir())
        return cls(root, frozenset(existed))

    def made(self, path: Path) -> bool:
        """Whether ``path`` is new since: looked at and absent, or inside a folder that was absent."""
        if path in self.existed:
            return False
        if path == self.root or path in self.root.parents:
            return True
        if self.root not in path.parents:
            return False  # never looked at: not ours to remove
        if self.root not in self.existed:
            return True
        inside = path.relative_to(self.root).parts
        return inside[0] == ".hydra" or (len(inside) == 1 and path.suffix == ".log")


_BEFORE: list[Before] = []  # what this process saw before each run or sweep Hydra started


def before_of(out_dir: Path) -> Before | None:
    """The latest record of the folder ``out_dir`` lies in (a run's folder, or its sweep's)."""
    out_dir = Path(out_dir).resolve()
    for before in reversed(_BEFORE):
        if out_dir == before.root or before.root in out_dir.parents:
            return before
    return None


class RecordBefore(Callback):
    """Hydra callback: what existed in a run's (or a sweep's) folder, before Hydra writes there."""

    def on_run_start(self, config: DictConfig, **kwargs) -> None:
        _BEFORE.append(Before.of(config.hydra.run.dir))

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        _BEFORE.append(Before.of(config.hydra.sweep.dir))


def remove_hydra_leftovers(out_dir: Path, before: Before | None) -> None:
    """After a failed run: remove what Hydra made for it, and nothing that was there before.

    That is Hydra's files in ``.hydra/`` and an empty log, then the folders up from ``out_dir``
    that Hydra made, while they are empty. Without a record (``before`` None) nothing is removed.
    """
    if before is None:
        return
    out_dir = Path(out_dir).resolve()
    hydra = out_dir / ".hydra"
    for path in [hydra / name for name in HYDRA_FILES]:
        if before.made(path):
            path.unlink(missing_ok=True)
    for log in out_dir.glob("*.log"):
        if before.made(log) and log.stat().st_size == 0:
            log.unlink()
    for folder in (hydra, out_dir, *out_dir.parents):
        if not before.made(folder):
            if folder != hydra:
                return
            continue
        try:
            folder.rmdir()
        except OSError:  # not empty: something else lives there
            return
