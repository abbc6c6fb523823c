"""Where the report's numbers come from: the code's commit, package versions, CPU, overlapping runs, Slurm.

The section depends only on the runs' tables, so the same tables give the same text; the date and
host of a render go to a separate file (``provenance.json``).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import socket
from pathlib import Path

import pandas as pd

from gnnlift.report.fmt import count

# Version columns of the runs table and how the report names them; numba only where some run had it.
PACKAGES = {
    "python": "Python",
    "gnnlift": "gnnlift",
    "torch": "torch",
    "torch_geometric": "PyG",
    "dgl": "DGL",
    "numpy": "numpy",
    "hydra-core": "Hydra",
    "snakemake": "Snakemake",
    "numba": "numba",
    "neuralogic": "NeuraLogic",
    "java": "Java",
}
DISAGREE = "**runs disagree**"


def _values(runs: pd.DataFrame, column: str) -> pd.Series:
    """How many runs recorded each value of a column (missing values left out), most runs first."""
    if column not in runs:
        return pd.Series(dtype=int)
    counts = runs[column].dropna().astype(str).value_counts()
    return counts.sort_index().sort_values(ascending=False, kind="stable")


def _one_or_all(name: str, counts: pd.Series, shown=str, by_design: bool = False) -> str:
    """One value, or each value with its number of runs; ``by_design`` values (dtype) may differ by experiment."""
    if len(counts) == 1:
        return f"{name} {shown(counts.index[0])}"
    listed = ", ".join(f"{shown(v)} ({count(n)} runs)" for v, n in counts.items())
    return f"{name}: {listed}" if by_design else f"{name}: {DISAGREE}: {listed}"


def _devices(runs: pd.DataFrame) -> pd.Series:
    """Runs per device (metrics.json environment.device); runs that recorded none ran on the CPU."""
    return _values(runs, "device") if "device" in runs else pd.Series({"cpu": len(runs)})


def code(runs: pd.DataFrame) -> str:
    """The commit the runs' code was at and whether its checkout had uncommitted changes."""
    if "git_commit" not in runs:
        return "- code: these runs recorded no git commit (metrics.json from an older gnnlift)"
    commits = _values(runs, "git_commit")
    unknown = int(runs["git_commit"].isna().sum())
    if commits.empty:
        return "- code: not run from a git checkout (no commit recorded)"
    line = "- code: " + _one_or_all("commit", commits, lambda c: c[:12])
    dirty = [json.loads(d) for d in runs.get("git_dirty", pd.Series(dtype=object)).dropna()]
    changed = sorted({path for paths in dirty for path in paths})
    if changed:
        shown = ", ".join(p.strip() for p in changed[:6]) + (
            f" and {len(changed) - 6} more" if len(changed) > 6 else ""
        )
        runs_dirty = sum(1 for paths in dirty if paths)
        line += f"; uncommitted changes in the checkout during {count(runs_dirty)} of {count(len(dirty))} runs: {shown}"
    elif dirty:
        line += ", clean tree in every run"
    if unknown:
        line += f"; {count(unknown)} runs recorded no commit"
    return line


def packages(runs: pd.DataFrame) -> str:
    """Package versions, once; where runs disagree, each version with its number of runs."""
    parts = []
    for key, name in PACKAGES.items():
        counts = _values(runs, f"version_{key}")
        if key == "numba" and (counts.empty or set(counts.index) == {"absent"}):
            continue
        if key == "torch" and counts.empty:
            counts = _values(runs, "torch")
        if counts.empty:
            parts.append(f"{name} not recorded")
        else:
            parts.append(_one_or_all(name, counts))
    return "- packages: " + ", ".join(parts)


def _pairs(spans: pd.DataFrame) -> int:
    start = pd.to_datetime(spans["started"], utc=True).sort_values()
    end = pd.to_datetime(spans["finished"], utc=True)[start.index]
    pairs, latest = 0, []
    for begin, finish in zip(start, end, strict=True):
        latest = [e for e in latest if e > begin]
        pairs += len(latest)
        latest.append(finish)
    return pairs


def _nodes(runs: pd.DataFrame) -> pd.Series:
    """The Slurm node of each run; runs outside Slurm share one name (the machine that ran them)."""
    if "slurm_node" not in runs:
        return pd.Series("", index=runs.index)
    return runs["slurm_node"].map(lambda node: "" if pd.isna(node) else str(node))


def overlaps(runs: pd.DataFrame) -> int | None:
    """Pairs of runs on the same node whose wall-clock spans overlap; None when the runs recorded no clock.

    Runs on different Slurm nodes never count: each node is a machine of its own.
    """
    if "started" not in runs or runs["started"].isna().all():
        return None
    spans = runs.dropna(subset=["started", "finished"])
    return sum(_pairs(group) for _, group in spans.groupby(_nodes(spans), sort=True))


def timing(runs: pd.DataFrame) -> str:
    """Whether the timed runs ran one at a time (on each node), as far as their clocks tell."""
    pairs = overlaps(runs)
    if pairs is None:
        return "- one job at a time: not known (these runs recorded no wall clock)"
    clocked = int(runs["started"].notna().sum())
    nodes = _nodes(runs[runs["started"].notna()]).nunique()
    where = f" on the same node ({count(nodes)} Slurm nodes)" if nodes > 1 else ""
    if pairs == 0:
        return (
            f"- one job at a time: no two of the {count(clocked)} timed runs overlapped in wall-clock time{where} "
            "(checked among the runs in these tables, by the clocks their metrics.json record: runs whose "
            "results were replaced since, and other processes on the machine, are not recorded)"
        )
    return f"- one job at a time: **no**, {count(pairs)} pairs of the {count(clocked)} timed runs overlapped{where}"


def _flag(value) -> bool | None:
    """A recorded yes/no as read back from a CSV (True, "True", 1.0), or None when missing."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return str(value).strip().lower() in ("true", "1", "1.0")


def _exclusive(runs: pd.DataFrame) -> list[bool | None]:
    """Per run: True (an exclusive Slurm allocation), False (a shared one) or None (not known or not Slurm)."""
    if "slurm_exclusive" not in runs:
        return [None] * len(runs)
    return [_flag(value) for value in runs["slurm_exclusive"]]


def in_slurm(runs: pd.DataFrame) -> pd.Series:
    """Per run: whether it recorded a Slurm job (metrics.json environment.slurm)."""
    if "slurm_job" not in runs:
        return pd.Series(False, index=runs.index)
    return runs["slurm_job"].notna()


def all_exclusive(runs: pd.DataFrame) -> bool:
    """Whether every run recorded that it ran in a Slurm allocation with its node to itself."""
    return len(runs) > 0 and all(flag is True for flag in _exclusive(runs))


def _many(n: int, noun: str) -> str:
    return f"{count(n)} {noun}{'' if n == 1 else 's'}"


def slurm(runs: pd.DataFrame) -> str | None:
    """How Slurm placed the timed runs, as each run recorded its own job; None when none ran in Slurm."""
    inside = in_slurm(runs)
    if not inside.any():
        return None
    total, within = len(runs), runs[inside]
    jobs = within["slurm_job"].astype(str).str.removesuffix(".0").nunique()
    nodes = sorted(within["slurm_node"].dropna().astype(str).unique()) if "slurm_node" in within else []
    flags = _exclusive(within)
    exclusive = sum(flag is True for flag in flags)
    shared = sum(flag is False for flag in flags)
    unknown = len(within) - exclusive - shared
    shown = ", ".join(nodes[:4]) + (f" and {len(nodes) - 4} more" if len(nodes) > 4 else "")
    line = (
        f"- Slurm: {count(len(within))} of the {count(total)} timed runs in {_many(jobs, 'Slurm job')} "
        f"on {_many(len(nodes), 'node')} ({shown or 'not recorded'})"
    )
    if exclusive == total:
        return line + "; every one an exclusive allocation (its node to itself, `sbatch --exclusive`)"
    parts = [f"{count(exclusive)} exclusive"]
    if shared:
        parts.append(f"{count(shared)} sharing their node with other jobs")
    if unknown:
        parts.append(f"{count(unknown)} not known (scontrol did not answer)")
    if total - len(within):
        parts.append(f"{count(total - len(within))} outside Slurm")
    return line + "; **not every one had its node to itself**: " + ", ".join(parts)


def runs_of(frames: list[pd.DataFrame | None]) -> pd.DataFrame | None:
    """The training runs of the tables that have them, as one frame; None when there are none."""
    present = [f for f in frames if f is not None and not f.empty and "cpu" in f]
    return pd.concat(present, ignore_index=True) if present else None


def section(frames: list[pd.DataFrame | None]) -> str:
    """The report's provenance: code, packages, CPU, threads, dtype, overlap of the timed runs, their Slurm jobs."""
    runs = runs_of(frames)
    if runs is None:
        return "## Provenance\n\nNo training runs in this configuration.\n"
    lines = [
        code(runs),
        packages(runs),
        "- " + _one_or_all("CPU", _values(runs, "cpu")),
        "- " + _one_or_all("device", _devices(runs), by_design=True),
        "- " + _one_or_all("threads per run", _values(runs, "threads"), lambda t: str(int(float(t)))),
        "- " + _one_or_all("dtype", _values(runs, "dtype"), by_design=True),
        timing(runs),
    ]
    placed = slurm(runs)
    if placed is not None:
        lines.append(placed)
    return f"## Provenance\n\nFrom the metrics.json of {count(len(runs))} training runs:\n\n" + "\n".join(lines) + "\n"


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def render_record(report: Path, inputs: list[Path]) -> dict:
    """When and where a report was rendered, and the checksums of what it was rendered from."""
    return {
        "generated": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "report": {"path": str(report), "sha256": _sha256(report)},
        "inputs": {str(p): _sha256(p) for p in sorted(map(Path, inputs)) if Path(p).is_file()},
    }
