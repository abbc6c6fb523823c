"""What the reproduction itself cost, from Snakemake's ``benchmark:`` files (one TSV a job).

Each job of the workflow writes ``<folder>/benchmarks/<rule>/.../<job>.tsv`` (the folder: the
results folder, or the resources folder for the data's jobs): wall seconds (``s``), peak resident
memory (``max_rss``, MB) and CPU seconds (``cpu_time``). Jobs are summed by the part of the
reproduction they belong to: the data, each training experiment, the compression and clash
statistics, and the tables and figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from gnnlift.data.errors import DataError

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
    """Wall seconds, peak memory (MB) and CPU seconds of one job; DataError naming the file if unreadable."""
    try:
        frame = pd.read_csv(path, sep="\t")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataError(f"{path}: not a Snakemake benchmark file ({' '.join(str(exc).split())})") from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing or frame.empty:
        raise DataError(f"{path}: benchmark file without {', '.join(missing) or 'rows'}")
    values = frame.loc[:, list(COLUMNS)].apply(pd.to_numeric, errors="coerce").fillna(0.0)
    return {
        "wall": float(values["s"].sum()),
        "rss": float(values["max_rss"].max()),
        "cpu": float(values["cpu_time"].sum()),
    }


def cost_table(*paths: Path) -> pd.DataFrame | None:
    """Per part: jobs, CPU seconds, wall seconds, peak memory; None when there are no benchmark files.

    ``paths``: benchmark files, or folders of them (``benchmarks/``, every ``*.tsv`` below it).
    """
    files = benchmark_files(paths)
    if not files:
        return None
    rows = [{"part": part_of(relative), **read_benchmark(p)} for p, relative in files]
    frame = pd.DataFrame(rows)
    table = frame.groupby("part", sort=False).agg(
        jobs=("wall", "size"), cpu_seconds=("cpu", "sum"), wall_seconds=("wall", "sum"), peak_memory_mb=("rss", "max")
    )
    order = ["data", *sorted(set(table.index) - set(PART_OF.values())), "compression", "clashes", "tables and figures"]
    table = table.reindex([p for p in order if p in table.index]).reset_index()
    total = {
        "part": "all",
        "jobs": int(table["jobs"].sum()),
        "cpu_seconds": table["cpu_seconds"].sum(),
        "wall_seconds": table["wall_seconds"].sum(),
        "peak_memory_mb": table["peak_memory_mb"].max(),
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
        lines.append(
            f"| {name} | {row.jobs} | {row.cpu_seconds:,.0f} | {row.wall_seconds:,.0f} | {row.peak_memory_mb:,.0f} |"
        )
    return "\n".join(lines) + "\n"
