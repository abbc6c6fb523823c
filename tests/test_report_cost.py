"""The report's "What this reproduction cost": Snakemake's benchmark files summed per part."""

from __future__ import annotations

from pathlib import Path

import pytest

from gnnlift.data.errors import DataError
from gnnlift.report import cost

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def bench(root: Path, relative: str, wall: float, rss: float, cpu: float) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + f"{wall}\t0:00:01\t{rss}\t1\t1\t1\t0\t0\t50\t{cpu}\n")


def test_jobs_are_summed_per_part(tmp_path):
    bench(tmp_path, "download/mutag/MUTAG.zip.tsv", 1.0, 50, 0.5)
    bench(tmp_path, "prepare/mutag.tsv", 2.0, 80, 1.5)
    bench(tmp_path, "runs/table1/gcn/mutag/pyg.tsv", 30.0, 900, 29.0)
    bench(tmp_path, "runs/table1/gcn/mutag/dgl.tsv", 40.0, 1100, 38.0)
    bench(tmp_path, "runs/lossless/kbe/nations/plain.tsv", 10.0, 700, 9.0)
    bench(tmp_path, "compress/mutag.tsv", 5.0, 300, 4.0)
    bench(tmp_path, "figure/table1.tsv", 3.0, 200, 2.0)
    table = cost.cost_table(tmp_path).set_index("part")
    assert list(table.index) == ["data", "lossless", "table1", "compression", "tables and figures", "all"]
    assert table.loc["table1", "jobs"] == 2 and table.loc["table1", "wall_seconds"] == 70.0
    assert table.loc["table1", "cpu_seconds"] == 67.0 and table.loc["table1", "peak_memory_mb"] == 1100
    assert table.loc["data", "jobs"] == 2 and table.loc["data", "wall_seconds"] == 3.0
    assert table.loc["all", "jobs"] == 7 and table.loc["all", "wall_seconds"] == 91.0
    text = cost.section(tmp_path)
    assert text.startswith("## What this reproduction cost\n")
    assert "| table1 | 2 | 67 | 70 | 1,100 |" in text and "| **all** | 7 | 84 | 91 | 1,100 |" in text


def test_no_benchmarks_no_section(tmp_path):
    assert cost.cost_table(tmp_path / "absent") is None and cost.section(tmp_path) == ""


@pytest.mark.parametrize("content", ["", "s\tmax_rss\n", "not\ta\tbenchmark\n1\t2\t3\n"])
def test_a_broken_benchmark_file_is_named(tmp_path, content):
    path = tmp_path / "prepare" / "mutag.tsv"
    path.parent.mkdir()
    path.write_text(content)
    with pytest.raises(DataError, match=rf"^{path}: "):
        cost.cost_table(tmp_path)
