"""The run app never reports what did not happen: bad settings stop with one line and leave
nothing behind, a data file gets a folder of its own, sweeps run, batches reach their device,
and the test suite does not skip silently where CI needs the mirror."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
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
    """Data that loads and trains: without the check these runs exit 0 with untrained metrics."""
    path = molecules(tmp_path / "data" / "mols.txt")
    code, err = run_module(monkeypatch, capsys, tmp_path, "dataset=file", f"dataset.path={path}", "folds=2", *argv)
    assert code == 2 and err.startswith(f"gnnlift.run: error: {message}")
    assert err.count("\n") == 1 and [p.name for p in tmp_path.iterdir()] == ["data"]


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
        (["device=gpu"], "device 'gpu' is not a torch device; use cpu or cuda"),
        (["threads=1000"], "threads=1000 is more than the"),
        (["protocol.batch_size=1.5"], "protocol.batch_size must be a whole number of samples (at least 1) or null"),
        (["protocol.batch_size=0"], "protocol.batch_size must be a whole number of samples (at least 1) or null"),
        (["protocol.lr=1e300"], "protocol.lr must be a number in (0, 100], not 1e+300"),
        (["protocol.lr=nan"], "protocol.lr must be a number in (0, 100], not nan"),
        (["protocol.lr=-0.1"], "protocol.lr must be a number in (0, 100], not -0.1"),
        (["variant=lifted", "lifting.detect=value", "lifting.digits=99"], "lifting.digits must be an integer in 1..15"),
        (["variant=lifted-value-d99"], "value detection keeps 1 to 15 decimal digits (float64 holds no more), not 99"),
        (["protocol=batched-b0"], "protocol label 'batched-b0': a batch holds at least 1 sample"),
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


# --- item 9: devices ------------------------------------------------------------------------


def _tiny_graphs():
    from gnnlift.data.types import GraphSet

    return GraphSet(
        name="tiny",
        node_labels=np.array([0, 1, 0, 1, 1, 0, 0], dtype=np.int64),
        edge_index=np.array([[0, 1, 1, 2, 3, 4, 4, 5, 5, 6], [1, 0, 2, 1, 4, 3, 5, 4, 6, 5]], dtype=np.int64),
        edge_labels=np.array([0, 0, 1, 1, 0, 0, 1, 1, 0, 0], dtype=np.int64),
        node_ptr=np.array([0, 3, 7], dtype=np.int64),
        edge_ptr=np.array([0, 4, 10], dtype=np.int64),
        y=np.array([0, 1], dtype=np.int64),
        node_vocab=("a", "b"),
        edge_vocab=("x", "y"),
        class_vocab=("neg", "pos"),
    )


def tensors_of(obj, seen: set | None = None):
    """Every tensor inside a batch: a computation graph's levels and groups, a PyG batch's stores."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, torch.Tensor):
        yield obj
    elif dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            yield from tensors_of(getattr(obj, f.name), seen)
    elif isinstance(obj, list | tuple):
        for item in obj:
            yield from tensors_of(item, seen)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from tensors_of(item, seen)
    elif hasattr(obj, "stores"):
        for store in obj.stores:
            yield from tensors_of(store.to_dict(), seen)


SCOPES = [("plain", None), ("lifted", "sample"), ("lifted", "batch"), ("lifted", "dataset"), ("pyg", None)]


@pytest.mark.parametrize(("variant", "scope"), SCOPES)
@pytest.mark.parametrize("model", ["gcn", "gnn_embed", "graphlet"])
def test_item9_batches_move_to_the_device(variant, scope, model):
    """The meta device stands for a GPU: every tensor of a moved batch is on it, and so is the forward."""
    from gnnlift.lifting import LiftConfig
    from gnnlift.run.train import to_device
    from gnnlift.templates import model_config, random_weights
    from gnnlift.templates.dims import dims_of
    from gnnlift.variants.registry import build

    graphs, meta = _tiny_graphs(), torch.device("meta")
    cfg, dims = model_config(model), dims_of(graphs)
    net = build(variant, model, cfg, dims, torch.float32, LiftConfig(scope=scope) if scope else None)
    net.load_canonical(random_weights(model, cfg, dims, 0, torch.float32))
    samples = net.prepare_samples(graphs)
    net.to(meta)
    for chunk in ([0, 1], [1]):
        moved = to_device(net.collate([samples[i] for i in chunk]), meta)
        found = list(tensors_of(moved))
        assert found and {t.device.type for t in found} == {"meta"}, (variant, scope, chunk)
        out = net(moved)
        assert out.device == meta and out.shape == (len(chunk),)


@pytest.mark.parametrize("variant", ["dgl", "neuralogic"])
def test_item9_cpu_only_variants_refuse_cuda(monkeypatch, capsys, tmp_path, variant):
    code, err = run_module(monkeypatch, capsys, tmp_path, "dataset=mutag", f"variant={variant}", "device=cuda")
    assert code == 2 and f"variant={variant} runs on the CPU only" in err and err.count("\n") == 1


def test_item9_gpu_config_runs_the_scaling_cells_on_cuda_apart_from_cpu_runs():
    from gnnlift import matrix

    base = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    gpu = yaml.safe_load((REPO / "config" / "gpu.yaml").read_text())["experiments"]["scaling_gpu"]
    scaling = base["experiments"]["scaling"]
    assert gpu["groups"] == scaling["groups"] and gpu["protocols"] == scaling["protocols"]
    assert set(gpu["variants"]) == {v for v in scaling["variants"] if v in ("lifted", "lifted-dataset", "plain", "pyg")}
    runs = matrix.runs("scaling_gpu", gpu, [])
    assert runs and all(r.path.startswith("scaling_gpu/") for r in runs)
    for run in runs:
        assert matrix.overrides(run, gpu, base)[-1] == "device=cuda"
        assert "backend=native" not in matrix.variant_overrides(run.variant)


def test_item9_gpu_config_plans_with_snakemake():
    """``snakemake -n --configfile config/gpu.yaml``: 32 runs, each with device=cuda, under scaling_gpu/."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    target = "results/tables/scaling_gpu.csv"  # before --configfile, which takes several values
    dry = [sys.executable, "-m", "snakemake", target, "-n", "-p", "--configfile", "config/gpu.yaml"]
    result = subprocess.run(dry, cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    commands = [line for line in result.stdout.splitlines() if "-m gnnlift.run.group" in line]
    runs = [run for command in commands for run in command.split("--run ")[1:]]  # a job trains several runs
    assert len(runs) == 32
    assert all(r.startswith("results/runs/scaling_gpu/") and "'device=cuda'" in r for r in runs)


def test_item9_report_says_which_device(tmp_path):
    from gnnlift.report import markdown, provenance
    from gnnlift.report.collect import runs_table

    paths = []
    for device in ("cpu", "cuda"):
        path = tmp_path / "scaling_gpu" / device / "gcn/mutag/lifted/batched/fold0/seed0/metrics.json"
        path.parent.mkdir(parents=True)
        metrics = {
            "model": "gcn",
            "dataset": "mutag",
            "config": {"protocol": {"batch_size": 128}},
            "fold": 0,
            "seed": 0,
            "epochs": 2,
            "timed_epochs": 1,
            "epoch_seconds_median": 0.1,
            "epoch_seconds_mean": 0.1,
            "loss_curve": [0.7, 0.6],
            "labels": {"experiment": "scaling_gpu", "variant": "lifted", "protocol": "batched"},
            "environment": {"device": device, "threads": 1, "dtype": "float32", "cpu": "x", "versions": {"torch": "t"}},
        }
        path.write_text(json.dumps(metrics))
        paths.append(path)
    table = runs_table(paths)
    assert list(table["device"]) == ["cpu", "cuda"]
    assert "- device: cpu (1 runs), cuda (1 runs)\n" in provenance.section([table])
    assert "Device: cuda." in markdown.section_scaling(table[table.device == "cuda"], "On the GPU")


@pytest.mark.gpu
@pytest.mark.parametrize("variant", ["plain", "lifted", "pyg"])
def test_item9_cuda_runs_train(tmp_path, variant):
    from gnnlift.run.app import run

    path = molecules(tmp_path / "mols.txt")
    cfg = compose_run("dataset=file", f"dataset.path={path}", f"variant={variant}", "device=cuda", "epochs=2")
    metrics = run(cfg, tmp_path / "out")
    assert metrics["environment"]["device"] == "cuda" and metrics["epoch_seconds_median"] > 0


# --- item 17: no silent skips where CI needs the mirror ------------------------------------


def test_item17_missing_mirror_fails_in_ci_and_skips_elsewhere(tmp_path):
    from conftest import require_mirror

    absent = tmp_path / "no-mirror"
    for environ in ({"CI": "true"}, {"GNNLIFT_REQUIRE_MIRROR": "1"}, {"CI": "1", "GNNLIFT_REQUIRE_MIRROR": "1"}):
        with pytest.raises(pytest.fail.Exception, match="no dataset mirror"):
            require_mirror(absent, environ)
    for environ in ({}, {"CI": ""}, {"CI": "false"}, {"CI": "true", "GNNLIFT_REQUIRE_MIRROR": "0"}):
        with pytest.raises(pytest.skip.Exception, match="no dataset mirror"):
            require_mirror(absent, environ)
    (absent / "SHA256SUMS").parent.mkdir()
    (absent / "SHA256SUMS").write_text("")
    assert require_mirror(absent, {"CI": "true"}) == absent


def test_item17_gpu_marker_is_registered_and_skips_without_a_gpu(pytestconfig):
    assert any(line.startswith("gpu:") for line in pytestconfig.getini("markers"))
    if not torch.cuda.is_available():
        import conftest

        class Item:
            def get_closest_marker(self, name):
                return object() if name == "gpu" else None

        with pytest.raises(pytest.skip.Exception, match="needs a GPU"):
            conftest.pytest_runtest_setup(Item())


def test_item17_pyg_test_leaves_no_propagate_module_in_the_temp_folder(tmp_path):
    temp = tmp_path / "temp"
    temp.mkdir()
    code = "import test_environment; test_environment.test_pyg_gcnconv_forward()"
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONPATH": os.pathsep.join([str(REPO / "tests"), *sys.path])}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert list(temp.glob("torch_geometric.nn.conv.*_propagate_*.py")) == []
    assert list(temp.glob("*propagate*")) == []
