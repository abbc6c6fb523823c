"""What the reproduction itself cost, from Snakemake's ``benchmark:`` files (one TSV a job).

Each job of the workflow writes ``<folder>/benchmarks/<rule>/.../<job>.tsv`` (the folder: the
results folder, or the resources folder for the data's jobs): wall seconds (``s``), peak resident
memory (``max_rss``, MB) and CPU seconds (``cpu_time``). Jobs are summed by the part of the
reproduction they belong to: the data, each training experiment, the compression and clash
statistics, and the tables and figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from gnnlift.data.errors import DataError
from gnnlift.report.fmt import DASH

COLUMNS = ("s", "max_rss", "cpu_time")
PART_OF = {  # first folder under benchmarks/ -> the part of the reproduction
    "download": "data",
    "prepare": "data",
    "dataset_summary.tsv": "data",
    "compress": "compression",
    "clashes": "clashes",
    "aggregate": "tables and figures",
    "figure": "tables and figures",
}


def relative_name(path: Path) -> Path:
    """A benchmark file's name below its ``benchmarks/`` folder: ``runs/table1/gcn/mutag.tsv``."""
    parts = Path(path).parts
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == "benchmarks" and (parts[i + 1] in PART_OF or parts[i + 1] == "runs"):
            return Path(*parts[i + 1 :])
    raise DataError(f"{path}: not under a benchmarks/<rule>/ folder")


def benchmark_files(paths: Iterable[Path]) -> list[tuple[Path, Path]]:
    """(file, its name below ``benchmarks/``) of each path: a file, or every ``*.tsv`` of a folder."""
    out = []
    for path in map(Path, paths):
        if path.is_dir():
            out += [(p, p.relative_to(path)) for p in sorted(path.rglob("*.tsv"))]
        elif path.exists():
            out.append((path, relative_name(path)))
        elif path.suffix == ".tsv":
            raise DataError(f"{path}: no such benchmark file")
    return out


def part_of(relative: Path) -> str:
    """The part a benchmark file belongs to: ``runs/<experiment>/...`` -> that experiment."""
    head = relative.parts[0]
    if head == "runs" and len(relative.parts) > 1:
        return relative.parts[1]
    return PART_OF.get(head, head)


def read_benchmark(path: Path) -> dict[str, float]:
    """Wall seconds, peak memory (MB) and CPU seconds of one job; DataError naming the file if unreadable.

    Every value must be a number at least 0, named by file and line where it is not. Snakemake
    writes ``NA`` for memory and CPU time it did not measure (a job shorter than its sampling
    interval): such a job counts its wall seconds, is left out of CPU and memory, and is counted
    under ``unmeasured``.
    """
    try:
        frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataError(f"{path}: not a Snakemake benchmark file ({' '.join(str(exc).split())})") from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing or frame.empty:
        raise DataError(f"{path}: benchmark file without {', '.join(missing) or 'rows'}")
    wall, rss, cpu, unmeasured = 0.0, [], 0.0, 0
    for line, row in enumerate(frame.loc[:, list(COLUMNS)].itertuples(index=False), start=2):  # line 1: header
        seconds, memory, cpu_time = (_value(path, line, column, raw) for column, raw in zip(COLUMNS, row, strict=True))
        wall += seconds
        if math.isnan(memory) or math.isnan(cpu_time):
            unmeasured += 1
        rss += [] if math.isnan(memory) else [memory]
        cpu += 0.0 if math.isnan(cpu_time) else cpu_time
    return {"wall": wall, "rss": max(rss) if rss else math.nan, "cpu": cpu, "unmeasured": unmeasured}


def _value(path: Path, line: int, column: str, raw: str) -> float:
    """One value of a benchmark row: a number at least 0, or NaN for Snakemake's NA (not for ``s``)."""
    text = raw.strip()
    if text == "NA" and column != "s":
        return math.nan
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        allowed = "a number at least 0" + ("" if column == "s" else " or NA")
        raise DataError(f"{path}, line {line}: {column} is {raw!r}, not {allowed}")
    return value


def cost_table(*paths: Path) -> pd.DataFrame | None:
    """Per part: jobs, CPU seconds, wall seconds, peak memory, and the jobs whose CPU and memory
    Snakemake did not measure (``unmeasured``); None when there are no benchmark files.

    ``paths``: benchmark files, or folders of them (``benchmarks/``, every ``*.tsv`` below it).
    """
    files = benchmark_files(paths)
    if not files:
        return None
    rows = [{"part": part_of(relative), **read_benchmark(p)} for p, relative in files]
    frame = pd.DataFrame(rows)
    table = frame.groupby("part", sort=False).agg(
        jobs=("wall", "size"),
        cpu_seconds=("cpu", "sum"),
        wall_seconds=("wall", "sum"),
        peak_memory_mb=("rss", "max"),
        unmeasured=("unmeasured", "sum"),
    )
    order = ["data", *sorted(set(table.index) - set(PART_OF.values())), "compression", "clashes", "tables and figures"]
    table = table.reindex([p for p in order if p in table.index]).reset_index()
    total = {
        "part": "all",
        "jobs": int(table["jobs"].sum()),
        "cpu_seconds": table["cpu_seconds"].sum(),
        "wall_seconds": table["wall_seconds"].sum(),
        "peak_memory_mb": table["peak_memory_mb"].max(),
        "unmeasured": int(table["unmeasured"].sum()),
    }
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def section(*paths: Path) -> str:
    """The report's "What this reproduction cost" section, or an empty string without benchmark files."""
    table = cost_table(*paths)
    if table is None:
        return ""
    lines = [
        "## What this reproduction cost\n",
        "Summed from Snakemake's `benchmark:` file of every job before the report (wall seconds are job "
        "by job, so jobs that ran side by side count each; the report's own job is not included).\n",
        "| part | jobs | CPU seconds | wall seconds | peak memory (MB) |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in table.itertuples(index=False):
        name = f"**{row.part}**" if row.part == "all" else row.part
        memory = DASH if math.isnan(row.peak_memory_mb) else f"{row.peak_memory_mb:,.0f}"
        lines.append(f"| {name} | {row.jobs} | {row.cpu_seconds:,.0f} | {row.wall_seconds:,.0f} | {memory} |")
    unmeasured = int(table["unmeasured"].iloc[-1])
    if unmeasured:
        lines.append(
            f"\nCPU seconds and peak memory leave out {unmeasured} job{'s' if unmeasured > 1 else ''} whose "
            "benchmark file says NA for them (Snakemake measured nothing: the job ended within its sampling "
            f"interval); their wall seconds count. {DASH}: no job of that part was measured."
        )
    return "\n".join(lines) + "\n"
