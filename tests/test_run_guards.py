"""The run app never reports what did not happen: bad settings stop with one line and leave
nothing behind, a data file gets a folder of its own, sweeps run, batches reach their device,
and the test suite does not skip silently where CI needs the mirror."""

from __future__ import annotations

import hashlib
import json
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from gnnlift.paths import CONFIG_DIR

REPO = Path(__file__).resolve().parents[1]


def molecules(path: Path, extra: str = "") -> Path:
    """A tiny NCI-format file: 12 molecules, half of each class (``extra`` changes its content)."""
    lines = []
    for i in range(6):
        ring = ", o2(3), 1_bond(2, 3), 1_bond(3, 2)" if i % 2 else ""
        lines += [f"+ car(1), car(2), ar_bond(1, 2), ar_bond(2, 1){ring}", "- c3(1), o2(2), 1_bond(1, 2), 1_bond(2, 1)"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n" + extra)
    return path


def run_module(monkeypatch, capsys, cwd: Path, *argv: str) -> tuple[int, str]:
    """``python -m gnnlift.run ARGV`` in this process, from ``cwd``: its exit status and stderr."""
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "argv", ["gnnlift.run", *argv])
    capsys.readouterr()
    try:
        runpy.run_module("gnnlift.run", run_name="__main__", alter_sys=False)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().err


def compose_run(*overrides: str, hydra: bool = False):
    import gnnlift.run.app  # noqa: F401  (its resolvers and dataset entries)

    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIG_DIR)):
        return compose("run", overrides=list(overrides), return_hydra_config=hydra)


# --- item 6: a data file given by path ------------------------------------------------------


def test_item6_each_data_file_gets_a_folder_of_its_own(tmp_path):
    first = molecules(tmp_path / "a" / "mols.txt")
    second = molecules(tmp_path / "b" / "mols.txt", extra="+ car(1)\n")
    dirs = [compose_run("dataset=file", f"dataset.path={p}", hydra=True).hydra.run.dir for p in (first, second, first)]
    short = [hashlib.sha256(p.read_bytes()).hexdigest()[:8] for p in (first, second)]
    assert dirs[0] == f"results/runs/gcn/mols-{short[0]}/plain/paper/fold0/seed0"
    assert dirs[1] == f"results/runs/gcn/mols-{short[1]}/plain/paper/fold0/seed0"
    assert dirs[2] == dirs[0]
    registry = compose_run("dataset=mutag", hydra=True).hydra.run.dir
    assert registry == "results/runs/gcn/mutag/plain/paper/fold0/seed0"


def test_item6_metrics_record_the_file_path_and_sha256(tmp_path):
    from gnnlift.run.app import run

    path = molecules(tmp_path / "mols.txt")
    cfg = compose_run("dataset=file", f"dataset.path={path}", "epochs=2", "folds=2", "quiet=true")
    metrics = run(cfg, tmp_path / "out")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert metrics["dataset"] == f"mols-{sha[:8]}"
    assert metrics["dataset_file"] == {"path": str(path.resolve()), "sha256": sha}
    assert json.loads((tmp_path / "out" / "metrics.json").read_text())["dataset_file"]["sha256"] == sha


# --- item 7: settings no run can use --------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["epochs=0"], "epochs must be at least 1, not 0"),
        (["epochs=-3"], "epochs must be at least 1, not -3"),
        (["epochs=3", "warmup=3"], "warmup=3 with epochs=3 leaves no timed epoch"),
        (["epochs=2", "warmup=5"], "warmup=5 with epochs=2 leaves no timed epoch"),
    ],
)
def test_item7_epochs_zero_is_refused(monkeypatch, capsys, tmp_path, argv, message):
    code, err = run_module(monkeypatch, capsys, tmp_path, "dataset=mutag", f"resources={tmp_path / 'r'}", *argv)
    assert code == 2 and err.startswith(f"gnnlift.run: error: {message}")
    assert err.count("\n") == 1 and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["threads=0"], "threads must be at least 1, not 0"),
        (["threads=-2"], "threads must be at least 1, not -2"),
        (["epochs=abc"], "epochs must be an integer, not 'abc'"),
        (["seed=abc"], "seed must be an integer, not 'abc'"),
        (["seed=-1"], "seed must be in 0..2**32-1, not -1"),
        (["dataset=file"], "dataset=file needs dataset.path=FILE"),
        (["dataset=file", "dataset.path=/no/such/file.txt"], "dataset.path /no/such/file.txt: no such file"),
        (["fold=5"], "folds must be at least 2 and fold in 0..folds-1"),
        (["device=gpu"], "device must be one of cpu, cuda, not 'gpu'"),
    ],
)
def test_item7_bad_settings_give_one_line_and_no_folder(monkeypatch, capsys, tmp_path, argv, message):
    code, err = run_module(monkeypatch, capsys, tmp_path, "dataset=mutag", f"resources={tmp_path / 'r'}", *argv)
    assert code == 2, err
    assert err.startswith("gnnlift.run: error: ") and message in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # validated before Hydra made the run folder


def test_item7_a_run_failing_after_hydra_leaves_no_folder(monkeypatch, capsys, tmp_path):
    """Errors found only once data is loaded: the folder Hydra made (``.hydra/`` alone) is removed."""
    path = molecules(tmp_path / "data" / "mols.txt")
    code, err = run_module(monkeypatch, capsys, tmp_path, "dataset=file", f"dataset.path={path}", "model=kbe")
    assert code == 2 and "model kbe needs a dataset of kb" in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_item7_compress_batch_size_zero_is_one_line(capsys, tmp_path):
    from gnnlift.cli import main

    path = molecules(tmp_path / "mols.txt")
    code = main(["compress", "--model", "gcn", "--data", str(path), "--scope", "batch", "--batch-size", "0"])
    err = capsys.readouterr().err
    assert code == 2 and err == "gnnlift compress: error: --batch-size must be at least 1, not 0\n"


# --- item 7b: Hydra's sweeps -----------------------------------------------------------------


def test_item7b_sweep_values_are_checked_one_by_one(monkeypatch, capsys, tmp_path):
    code, err = run_module(monkeypatch, capsys, tmp_path, "-m", "model=gcn,nope", "dataset=mutag")
    assert code == 2 and "unknown model 'nope'" in err and err.count("\n") == 1
    code, err = run_module(monkeypatch, capsys, tmp_path, "-m", "model=gcn,sage", "variant=plain,pyg", "epochs=0")
    assert code == 2 and "epochs must be at least 1, not 0 (job model=gcn variant=plain epochs=0)" in err
    code, err = run_module(monkeypatch, capsys, tmp_path, "model=gcn,sage")
    assert code == 2 and "model=gcn,sage is a sweep: run it with -m (--multirun)" in err
    assert list(tmp_path.iterdir()) == []


def test_item7b_multirun_runs_every_job_in_its_own_folder(mirror, tmp_path):
    """A real sweep, as a user types it: two models x two variants on MUTAG, one folder a job."""
    from gnnlift.data.load import prepare

    prepare("mutag", resources=tmp_path / "resources", mirror=mirror)
    sweep = tmp_path / "sweep"
    result = subprocess.run(
        [sys.executable, "-m", "gnnlift.run", "-m", "model=gcn,sage", "dataset=mutag", "variant=plain,pyg"]
        + ["epochs=2", "quiet=true", f"resources={tmp_path / 'resources'}", f"hydra.sweep.dir={sweep}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    found = sorted(sweep.rglob("metrics.json"))
    assert len(found) == 4
    jobs = set()
    for path in found:
        model, dataset, variant, protocol, fold, seed, job = path.parent.relative_to(sweep).parts
        metrics = json.loads(path.read_text())
        assert (metrics["model"], metrics["dataset"], metrics["variant"]) == (model, dataset, variant)
        assert metrics["epochs"] == 2 and metrics["epoch_seconds_median"] > 0
        jobs.add((model, variant))
    assert jobs == {("gcn", "plain"), ("gcn", "pyg"), ("sage", "plain"), ("sage", "pyg")}
