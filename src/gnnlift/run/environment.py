"""What a timing depends on: package versions, CPU, threads, the code's git commit, its Slurm job."""

from __future__ import annotations

import functools
import os
import platform
import re
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

import torch

PACKAGES = ("gnnlift", "torch", "torch_geometric", "dgl", "numpy", "hydra-core", "neuralogic", "numba", "snakemake")


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def java_version() -> str | None:
    """The version of the Java runtime on PATH (NeuraLogic's engine), or None without one."""
    java = shutil.which("java")
    if java is None:
        return None
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r'version "([^"]+)"', out.stderr + out.stdout)
    return match.group(1) if match else None


@functools.cache  # once a process: every run of a job shares its packages and its Java
def versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "absent"
    out["java"] = java_version()
    return out


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


@functools.cache  # once a process, not once a run of a job
def git_state(package: Path | None = None) -> dict[str, object]:
    """The commit of the checkout the package is imported from, and its uncommitted paths.

    ``commit`` and ``dirty`` are None when the package is not a tracked file of a git checkout
    (an installed wheel); ``dirty`` lists ``git status --porcelain`` lines, empty when clean.
    """
    folder = Path(package or Path(__file__).resolve().parents[1])
    if _git(folder, "ls-files", "--error-unmatch", "__init__.py") is None:
        return {"commit": None, "dirty": None}
    commit, status = _git(folder, "rev-parse", "HEAD"), _git(folder, "status", "--porcelain")
    return {
        "commit": commit.strip() if commit else None,
        "dirty": None if status is None else [line for line in status.splitlines() if line.strip()],
    }


def slurm_allocation(environ: dict[str, str] | None = None) -> dict | None:
    """The Slurm job this process runs in, or None outside Slurm (no ``SLURM_JOB_ID``).

    ``exclusive`` is whether the job has its node to itself (``sbatch --exclusive``: scontrol
    shows ``OverSubscribe=NO``); None when ``scontrol`` does not answer.
    """
    environ = os.environ if environ is None else environ
    job = environ.get("SLURM_JOB_ID")
    if not job:
        return None
    exclusive = None
    scontrol = shutil.which("scontrol")
    if scontrol is not None:
        try:
            done = subprocess.run([scontrol, "show", "job", "-o", job], capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.SubprocessError):
            done = None
        match = re.search(r"\bOverSubscribe=(\S+)", done.stdout) if done and done.returncode == 0 else None
        if match:
            exclusive = match.group(1) == "NO"
    return {
        "job_id": job,
        "node": environ.get("SLURMD_NODENAME"),
        "exclusive": exclusive,
    }


def device_name(device: str) -> str:
    """``cpu`` for the CPU; for a GPU (``cuda``, ``cuda:1``) the name of that GPU."""
    where = torch.device(device)
    return "cpu" if where.type == "cpu" else torch.cuda.get_device_name(where)


def describe(threads: int, device: str, dtype: str) -> dict:
    return {
        "cpu": cpu_name(),
        "cores": os.cpu_count(),
        "threads": torch.get_num_threads(),
        "threads_requested": threads,
        "device": device_name(device),
        "dtype": dtype,
        "platform": platform.platform(),
        "versions": dict(versions()),
        "git": dict(git_state()),
        "slurm": slurm_allocation(),
    }
