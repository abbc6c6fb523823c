"""The pipeline never lies, part 2: a failing run removes only what it made, results folders keep
their own costs and logs, hand runs never overwrite each other, a results folder has one workflow
at a time, malformed benchmark rows are refused, and a device is checked before training."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_run_guards import molecules, run_module

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (None for a folder)."""
    return {str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes() for p in sorted(folder.rglob("*"))}


def short_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:8]


# --- item 11: a failing run deletes only what it made ---------------------------------------


def test_item11_a_failing_run_into_the_working_directory_keeps_the_users_files(monkeypatch, capsys, tmp_path):
    """``hydra.run.dir=.``: the user's ``.hydra/`` files and empty logs stay, Hydra's own go."""
    data = molecules(tmp_path / "data" / "mols.txt")
    (tmp_path / ".hydra").mkdir()
    (tmp_path / ".hydra" / "notes.txt").write_text("mine\n")
    (tmp_path / "empty.log").write_text("")
    (tmp_path / "other" / ".hydra").mkdir(parents=True)
    before = tree(tmp_path)
    code, err = run_module(
        monkeypatch, capsys, tmp_path, "dataset=file", f"dataset.path={data}", "model=kbe", "hydra.run.dir=."
    )
    assert code == 2
    assert err == f"gnnlift.run: error: model kbe needs a dataset of kb; mols-{short_sha(data)} is graphs\n"
    assert tree(tmp_path) == before


def test_item11_a_failing_run_into_a_users_folder_keeps_it(monkeypatch, capsys, tmp_path):
    """A folder that existed (empty, or holding a ``.hydra/`` of the user's) is not removed."""
    data = molecules(tmp_path / "data" / "mols.txt")
    (tmp_path / "empty").mkdir()
    (tmp_path / "mine" / ".hydra").mkdir(parents=True)
    (tmp_path / "mine" / ".hydra" / "config.yaml").write_text("a: 1\n")
    (tmp_path / "mine" / "app.log").write_text("")
    for folder in ("empty", "mine", "new/deep"):
        before = tree(tmp_path)
        argv = ["dataset=file", f"dataset.path={data}", "model=kbe", f"hydra.run.dir={folder}"]
        code, err = run_module(monkeypatch, capsys, tmp_path, *argv)
        assert code == 2 and err.count("\n") == 1 and "model kbe needs a dataset of kb" in err
        changed = {k for k in set(before) | set(tree(tmp_path)) if before.get(k, 0) != tree(tmp_path).get(k, 0)}
        # Hydra rewrites its own config.yaml in a .hydra/ that was there; nothing else changes
        assert changed <= ({"mine/.hydra/config.yaml"} if folder == "mine" else set()), (folder, changed)
        assert (tmp_path / folder).is_dir() != (folder == "new/deep")


def test_item11_sigterm_removes_the_folder_hydra_made(tmp_path):
    """``kill`` (SIGTERM) while training: the run ends as after Ctrl-C, and its new folder is gone."""
    data = molecules(tmp_path / "data" / "mols.txt")
    command = [sys.executable, "-m", "gnnlift.run", "dataset=file", f"dataset.path={data}", "folds=2"]
    command += ["epochs=1000000", "quiet=true", "hydra.run.dir=run"]
    process = subprocess.Popen(command, cwd=tmp_path, env=ENV, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (tmp_path / "run" / ".hydra" / "overrides.yaml").exists() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # into training
    process.send_signal(signal.SIGTERM)
    assert process.wait(60) == 128 + signal.SIGTERM, process.stderr.read()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


# --- item 9: each results folder keeps its own benchmarks and logs ---------------------------


def cost_row(report: Path, part: str) -> str:
    """The cost table's line of one part in a report."""
    return next(line for line in report.read_text().splitlines() if line.startswith(f"| {part} |"))


def test_item9_each_results_folder_reports_its_own_costs(tmp_path, mirror):
    """Results A, then B, then A again: A's report is not redone, and each report sums its own jobs."""
    from gnnlift.report import cost
    from test_workflow import copy_repo, small_config

    repo = copy_repo(tmp_path)
    config = small_config(tmp_path / "small.yaml", epochs=2)
    command = [*SNAKEMAKE, "--cores", "1", "--configfile", str(config), "--config", f"mirror={mirror}"]
    folders = {name: tmp_path / name for name in ("A", "B")}
    for name, folder in folders.items():
        result = subprocess.run([*command, f"results={folder}"], cwd=repo, env=ENV, capture_output=True, text=True)
        assert result.returncode == 0, (name, result.stderr[-3000:])
    again = subprocess.run(
        [*command, f"results={folders['A']}", "-n"], cwd=repo, env=ENV, capture_output=True, text=True
    )
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr, again.stdout[-3000:]
    assert not (repo / "benchmarks").exists() and not (repo / "logs").exists()
    for folder in folders.values():
        job = folder / "benchmarks/runs/table1/gcn/mutag.tsv"
        spent = cost.read_benchmark(job)
        expected = f"| table1 | 1 | {spent['cpu']:,.0f} | {spent['wall']:,.0f} | {spent['rss']:,.0f} |"
        assert cost_row(folder / "report/report.md", "table1") == expected
        assert (folder / "logs/runs/table1/gcn/mutag.log").is_file() and (folder / "logs/report.log").is_file()


# --- item 1: hand runs never overwrite each other -------------------------------------------


def test_item1_settings_that_change_a_run_name_its_default_folder():
    from gnnlift import matrix
    from test_run_guards import compose_run

    folders = {
        tuple(overrides): compose_run("dataset=mutag", *overrides, hydra=True).hydra.run.dir
        for overrides in (
            ["variant=lifted"],
            ["variant=lifted", "backend=native"],
            ["variant=lifted", "lifting.scope=dataset"],
            ["variant=lifted", "lifting.detect=value", "lifting.digits=3"],
            ["variant=lifted", "lifting.scope=batch", "lifting.detect=value", "lifting.digits=2", "backend=native"],
            ["variant=plain", "backend=native", "protocol=batched", "protocol.batch_size=32"],
            ["variant=plain", "protocol=batched"],
            ["variant=neuralogic", "lifting=off", "protocol=fullbatch"],
        )
    }
    assert [f.split("/")[4:6] for f in folders.values()] == [
        ["lifted", "paper"],
        ["lifted-native", "paper"],
        ["lifted-dataset", "paper"],
        ["lifted-value-d3", "paper"],
        ["lifted-batch-value-d2-native", "paper"],
        ["plain-native", "batched-b32"],
        ["plain", "batched"],
        ["neuralogic-off", "fullbatch"],
    ]
    for label in ("lifted-dataset-native", "lifted-batch-value-d2-native", "plain-native"):  # the workflow reads them
        overrides = matrix.variant_overrides(label)
        assert compose_run("dataset=mutag", *overrides, hydra=True).hydra.run.dir.split("/")[4] == label


def test_item1_a_run_into_a_folder_of_another_runs_metrics_is_refused(monkeypatch, capsys, tmp_path):
    """Same folder, another config (epochs, here): one line before training, the first metrics kept."""
    data = molecules(tmp_path / "data" / "mols.txt")
    common = ["dataset=file", f"dataset.path={data}", "folds=2", "quiet=true", "hydra.run.dir=out"]
    code, err = run_module(monkeypatch, capsys, tmp_path, *common, "epochs=2")
    assert code == 0, err
    before = tree(tmp_path)
    code, err = run_module(monkeypatch, capsys, tmp_path, *common, "epochs=3")
    assert code == 2
    assert err == (
        "gnnlift.run: error: out/metrics.json holds a run with epochs=2, not 3; "
        "give this run its own hydra.run.dir=, or move that folder away\n"
    )
    assert tree(tmp_path) == before
    code, err = run_module(monkeypatch, capsys, tmp_path, *common, "epochs=2", "quiet=false")  # the same run again
    assert code == 0, err


# --- item 10: one workflow at a time in a results folder ------------------------------------


def test_item10_a_second_workflow_into_the_same_results_folder_is_refused(tmp_path, mirror):
    """Two checkouts (two working directories), one ``results=``: the second stops before any job."""
    from test_workflow import copy_repo, small_config

    first, second = copy_repo(tmp_path / "one"), copy_repo(tmp_path / "two")
    shared = tmp_path / "shared-results"
    config = small_config(tmp_path / "long.yaml", epochs=1_000_000)
    command = [*SNAKEMAKE, "--cores", "1", "--configfile", str(config), "--config", f"mirror={mirror}"]
    command.append(f"results={shared}")
    output = tmp_path / "first.out"
    with output.open("w") as sink:
        holder = subprocess.Popen(
            command, cwd=first, env=ENV, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        lock, prepared = shared / ".lock", first / "resources/prepared/mutag.npz"
        deadline = time.time() + 180
        while not prepared.exists() and time.time() < deadline and holder.poll() is None:
            time.sleep(0.1)  # the first workflow is running jobs: it took the lock before its first one
        assert prepared.exists() and holder.poll() is None, output.read_text()[-3000:]
        assert lock.is_file() and lock.read_text().strip(), "the running workflow holds no lock on its results folder"
        pid = lock.read_text().strip()
        assert pid == str(holder.pid)
        refused = subprocess.run(command, cwd=second, env=ENV, capture_output=True, text=True, timeout=300)
    finally:
        os.killpg(holder.pid, signal.SIGINT)
        try:
            holder.wait(120)
        except subprocess.TimeoutExpired:  # a job inside a long compiled call answers Ctrl-C late
            os.killpg(holder.pid, signal.SIGKILL)
            holder.wait(30)
        # Whatever of the first workflow still runs (a job in a process group of its own) goes too: a
        # million-epoch job left behind would take a core from every test after this one.
        subprocess.run(["pkill", "-KILL", "-f", str(tmp_path)], check=False)
    text = refused.stdout + refused.stderr
    assert refused.returncode != 0, text[-3000:]
    message = (
        f"results folder {shared} is in use by another workflow (pid {pid}); "
        "wait for it to finish, or give this one another results="
    )
    assert [line for line in text.splitlines() if "results folder" in line] == [message], text[-3000:]
    assert "rule " not in text  # no job started
    assert not (second / "resources").exists()


def test_item10_the_report_claims_no_overlap_only_among_the_runs_it_read():
    import pandas as pd

    from gnnlift.report import provenance

    runs = pd.DataFrame(
        {
            "started": ["2026-01-01T00:00:00+00:00", "2026-01-01T00:01:00+00:00"],
            "finished": ["2026-01-01T00:00:30+00:00", "2026-01-01T00:01:30+00:00"],
        }
    )
    assert provenance.timing(runs) == (
        "- one job at a time: no two of the 2 timed runs overlapped in wall-clock time (checked among the runs "
        "in these tables, by the clocks their metrics.json record: runs whose results were replaced since, and "
        "other processes on the machine, are not recorded)"
    )


# --- item 12: malformed benchmark rows are refused, not summed ------------------------------

BENCH_HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def benchmark(path: Path, *rows: tuple[str, str, str]) -> Path:
    """A Snakemake benchmark file with rows of (s, max_rss, cpu_time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(BENCH_HEADER + "".join(f"{s}\t0:00:01\t{rss}\t1\t1\t1\t0\t0\t50\t{cpu}\n" for s, rss, cpu in rows))
    return path


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("abc", "NA", "-5"), "line 3: s is 'abc', not a number at least 0"),
        (("3.0", "NA", "-5"), "line 3: cpu_time is '-5', not a number at least 0 or NA"),
        (("3.0", "lots", "1.0"), "line 3: max_rss is 'lots', not a number at least 0 or NA"),
        (("NA", "10", "1.0"), "line 3: s is 'NA', not a number at least 0"),
        (("nan", "10", "1.0"), "line 3: s is 'nan', not a number at least 0"),
        (("3.0", "10", "inf"), "line 3: cpu_time is 'inf', not a number at least 0 or NA"),
        (("-1", "10", "1.0"), "line 3: s is '-1', not a number at least 0"),
    ],
)
def test_item12_a_malformed_benchmark_row_is_one_line_and_no_report(tmp_path, capsys, row, message):
    from gnnlift.cli import main

    bad = benchmark(tmp_path / "results/benchmarks/runs/table1/gcn/mutag.tsv", ("2.0", "80", "1.5"), row)
    for folder in ("tables", "figures"):
        (tmp_path / folder).mkdir()
    out = tmp_path / "report" / "report.md"
    argv = ["report", "--tables", str(tmp_path / "tables"), "--figures", str(tmp_path / "figures")]
    argv += ["--paper", str(REPO / "config" / "paper.yaml"), "--benchmarks", str(bad), "--out", str(out)]
    capsys.readouterr()
    assert main(argv) == 2
    assert capsys.readouterr().err == f"gnnlift report: error: {bad}, {message}\n"
    assert not out.parent.exists()


def test_item12_unmeasured_cpu_and_memory_are_left_out_and_said_so(tmp_path):
    from gnnlift.report import cost

    root = tmp_path / "benchmarks"
    benchmark(root / "runs/table1/gcn/mutag.tsv", ("30.0", "900", "29.0"))
    benchmark(root / "figure/table1.tsv", ("0.4", "NA", "NA"))
    text = cost.section(root)
    assert "| table1 | 1 | 29 | 30 | 900 |" in text
    assert "| tables and figures | 1 | 0 | 0 | – |" in text
    assert "| **all** | 2 | 29 | 30 | 900 |" in text
    assert "CPU seconds and peak memory leave out 1 job whose benchmark file says NA for them" in text


# --- item 16: the device is checked before training ------------------------------------------


@pytest.mark.parametrize(
    ("device", "message"),
    [
        ("cpu:0", "device 'cpu:0': the CPU takes no index; use device=cpu"),
        ("cpu:7", "device 'cpu:7': the CPU takes no index; use device=cpu"),
        ("meta", "device 'meta': runs train on cpu or cuda (cuda:N), not on meta"),
        ("mps", "device 'mps': runs train on cpu or cuda (cuda:N), not on mps"),
    ],
)
def test_item16_a_device_runs_cannot_use_is_one_line_before_training(monkeypatch, capsys, tmp_path, device, message):
    data = molecules(tmp_path / "data" / "mols.txt")
    before = tree(tmp_path)
    argv = ["dataset=file", f"dataset.path={data}", "folds=2", "epochs=2", f"device={device}"]
    code, err = run_module(monkeypatch, capsys, tmp_path, *argv)
    assert (code, err) == (2, f"gnnlift.run: error: {message}\n")
    assert tree(tmp_path) == before
