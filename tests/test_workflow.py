"""The workflow: the experiment matrix, profiles, interrupted runs and broken inputs."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from gnnlift import matrix

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def test_labels_become_overrides():
    assert matrix.variant_overrides("lifted-value-d3") == [
        "variant=lifted",
        "lifting.detect=value",
        "lifting.digits=3",
    ]
    assert matrix.variant_overrides("lifted-dataset") == ["variant=lifted", "lifting.scope=dataset"]
    assert matrix.protocol_overrides("batched-b32") == ["protocol=batched", "protocol.batch_size=32"]
    for bad in ("pyg-dataset", "lifted-everything"):
        with pytest.raises(ValueError, match="variant label"):
            matrix.variant_overrides(bad)
    with pytest.raises(ValueError, match="protocol label"):
        matrix.protocol_overrides("paper-b3")


def test_native_suffix_adds_the_backend_override():
    assert matrix.variant_overrides("plain-native") == ["variant=plain", "backend=native"]
    assert matrix.variant_overrides("lifted-native") == ["variant=lifted", "backend=native"]
    assert matrix.variant_overrides("lifted-dataset-native") == [
        "variant=lifted",
        "lifting.scope=dataset",
        "backend=native",
    ]
    assert matrix.variant_overrides("lifted-value-d3-native") == [
        "variant=lifted",
        "lifting.detect=value",
        "lifting.digits=3",
        "backend=native",
    ]
    assert "backend=native" not in matrix.variant_overrides("lifted")
    assert matrix.split_backend("lifted-dataset-native") == ("lifted-dataset", True)
    assert matrix.split_backend("pyg") == ("pyg", False)
    for bad in ("pyg-native", "dgl-native", "neuralogic-native", "neuralogic-off-native"):
        with pytest.raises(ValueError, match=f"variant label '{bad}'.*only to plain and lifted"):
            matrix.variant_overrides(bad)
    for bad in ("native", "lifted-native-dataset", "plain-dataset-native", "lifted-native-native"):
        with pytest.raises(ValueError, match="variant label"):
            matrix.variant_overrides(bad)


def test_torch_and_native_runs_have_their_own_paths():
    experiment = {
        "groups": [{"models": ["gcn"], "datasets": ["mutag"]}],
        "variants": ["lifted", "lifted-native", "plain", "plain-native"],
        "protocols": ["paper"],
        "seeds": [0],
        "folds": [0],
    }
    runs = matrix.runs("table1", experiment, ["mutag"])
    assert len({r.path for r in runs}) == 4
    assert "table1/gcn/mutag/lifted-native/paper/fold0/seed0" in {r.path for r in runs}
    with pytest.raises(ValueError, match="'pyg-native'"):
        matrix.runs("table1", {**experiment, "variants": ["pyg-native"]}, ["mutag"])


def test_native_label_composes_with_the_run_config():
    from hydra import compose, initialize_config_dir

    from gnnlift.run.configs import register_datasets

    register_datasets()
    with initialize_config_dir(version_base="1.3", config_dir=str(REPO / "config")):
        native = compose("run", overrides=matrix.variant_overrides("lifted-value-d3-native"))
        default = compose("run", overrides=matrix.variant_overrides("lifted"))
    assert native.backend.name == "native" and native.lifting.digits == 3
    assert default.backend.name == "torch"


def test_neuralogic_labels_and_the_models_it_cannot_express():
    assert matrix.variant_overrides("neuralogic-off") == ["variant=neuralogic", "lifting=off"]
    assert matrix.variant_overrides("neuralogic")[:2] == ["variant=neuralogic", "lifting=on"]
    experiment = {
        "groups": [{"models": ["gnn_embed", "graphlet"], "datasets": ["mutag"]}],
        "variants": ["lifted", "neuralogic"],
        "protocols": ["batched"],
        "seeds": [0],
        "folds": [0],
    }
    runs = {(r.model, r.variant) for r in matrix.runs("lossless", experiment, ["mutag"])}
    assert runs == {("gnn_embed", "lifted"), ("gnn_embed", "neuralogic"), ("graphlet", "lifted")}


def test_workflow_leaves_neuralogic_out_when_missing(tmp_path):
    env = {**ENV, "GNNLIFT_WITHOUT_NEURALOGIC": "1"}
    dry = [*SNAKEMAKE, "-n", "--configfile", "config/quick.yaml", "--directory", str(REPO), "--quiet", "rules"]
    result = subprocess.run(dry, cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "leaving out neuralogic, neuralogic-off: switched off by GNNLIFT_WITHOUT_NEURALOGIC=1" in result.stderr
    listing = subprocess.run(
        [*SNAKEMAKE, "-n", "--forceall", "--configfile", "config/quick.yaml", "--printshellcmds"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "variant=neuralogic" not in listing.stdout and "--left-out" in listing.stdout
    assert "'variant=lifted' 'backend=native'" in listing.stdout
    assert "--run results/runs/table1/gcn/mutag/lifted-native/paper/fold0/seed0 " in listing.stdout


def test_report_names_what_was_left_out(tmp_path):
    from gnnlift.report.markdown import write_report

    text = write_report(
        tmp_path, tmp_path, None, REPO / "config" / "paper.yaml", tmp_path / "r.md", ["neuralogic (not installed)"]
    )
    assert "**Left out of this run:** neuralogic (not installed)" in text


def test_default_matrix_expands():
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    molecules = [
        d for d in matrix.dataset_names(config) if d.startswith("nci_gi50") or d in ("mutag", "ptc_mr", "nci1")
    ]
    table1 = matrix.runs("table1", config["experiments"]["table1"], molecules)
    assert len(table1) == 3 * 6 * 2 * 3  # models x variants x protocols x seeds
    without = matrix.runs("table1", config["experiments"]["table1"], molecules, skip=list(matrix.NEURALOGIC))
    assert len(without) == 3 * 4 * 2 * 3 and not {r.variant for r in without} & set(matrix.NEURALOGIC)
    run = table1[0]
    overrides = matrix.overrides(run, config["experiments"]["table1"], {"run_overrides": {"model": {"gcn": ["x=1"]}}})
    assert "model=gcn" in overrides and overrides[-1] == "x=1" and "epochs=11" in overrides
    assert len(matrix.pairs(config["compression"]["groups"], molecules)) == 5 * 73


@pytest.mark.parametrize("name", ["config.yaml", "quick.yaml"])
def test_table1_times_the_native_backend_and_scaling_shows_both(name):
    experiments = yaml.safe_load((REPO / "config" / name).read_text())["experiments"]
    table1 = {matrix.split_backend(v) for v in experiments["table1"]["variants"]}
    assert {("lifted", True), ("plain", True)} <= table1 and not {("lifted", False), ("plain", False)} & table1
    for experiment in ("scaling", "lossless"):
        variants = set(experiments[experiment]["variants"])
        assert {"lifted", "lifted-native", "plain", "plain-native"} <= variants, experiment
    molecules = ["nci_gi50_786_0", "mutag"]
    scaling = matrix.runs("scaling", experiments["scaling"], molecules)
    for protocol in experiments["scaling"]["protocols"]:
        assert {r.variant for r in scaling if r.protocol == protocol} >= {"lifted", "lifted-native"}


def copy_repo(tmp_path: Path) -> Path:
    """The tracked files of the repository, in a scratch folder (results and resources stay apart)."""
    listing = ["git", "ls-files", "--cached", "--others", "--exclude-standard"]
    files = subprocess.run(listing, cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    dest = tmp_path / "repo"
    for name in files:
        if (REPO / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, dest / name)
    return dest


def small_config(
    path: Path,
    epochs: int,
    seeds: tuple[int, ...] = (0,),
    extra: tuple[str, ...] = (),
    variants: tuple[str, ...] = ("lifted",),
    models: tuple[str, ...] = ("gcn",),
) -> Path:
    config = {
        "datasets": ["mutag"],
        "experiments": {
            name: {
                "enabled": False,
                "groups": [],
                "variants": ["plain"],
                "protocols": ["paper"],
                "seeds": [0],
                "folds": [0],
            }
            for name in ("table1", "lossless", "precision", "scaling")
        },
        "compression": None,
        "clashes": None,
    }
    config["experiments"]["table1"] = {
        "groups": [{"models": list(models), "datasets": ["mutag"]}],
        "variants": list(variants),
        "protocols": ["paper"],
        "seeds": list(seeds),
        "folds": [0],
        "overrides": [f"epochs={epochs}", "warmup=1", *extra],
    }
    path.write_text(yaml.safe_dump(config))
    return path


def test_slurm_profile_dry_run(tmp_path):
    repo = copy_repo(tmp_path)
    result = subprocess.run(
        [*SNAKEMAKE, "--workflow-profile", "profiles/slurm", "--dry-run", "--configfile", "config/quick.yaml"],
        cwd=repo,
        env=ENV,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "rule run_table1_gcn:" in result.stdout + result.stderr


def test_killed_job_resumes_and_leaves_nothing_half_written(tmp_path, mirror):
    """Interrupt the second of two jobs while it trains: the rerun keeps the first and redoes the second.

    A job is one model's runs on one dataset (here one each: gcn and sage), trained in one process.
    """
    repo = copy_repo(tmp_path)
    epochs = 300  # a wide window to interrupt the second job in, on a fast machine too
    config = small_config(tmp_path / "small.yaml", epochs=epochs, models=("gcn", "sage"), extra=("quiet=false",))
    command = [*SNAKEMAKE, "--cores", "1", "--configfile", str(config), "--config", f"mirror={mirror}"]
    runs = repo / "results/runs/table1"
    logs = repo / "results/logs/runs/table1"
    metrics = "{}/mutag/lifted/paper/fold0/seed0/metrics.json"

    def one_done_other_training() -> tuple[Path, Path] | None:
        """(the finished job's metrics, the training job's metrics) once the second job is past epoch 2."""
        for done, other in (("gcn", "sage"), ("sage", "gcn")):
            log = logs / other / "mutag.log"
            if (runs / metrics.format(done)).exists() and log.exists() and f" epoch 2/{epochs} " in log.read_text():
                return runs / metrics.format(done), runs / metrics.format(other)
        return None

    output = tmp_path / "snakemake.out"
    with output.open("w") as sink:
        process = subprocess.Popen(
            command, cwd=repo, env=ENV, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.time() + 180
    while (state := one_done_other_training()) is None and time.time() < deadline:
        time.sleep(0.05)
    assert state, f"no second job in training within 180 s:\n{output.read_text()[-3000:]}"
    first, second = state
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the whole process group, the running job included
    assert process.wait(60) != 0, f"snakemake ended as if not interrupted:\n{output.read_text()[-3000:]}"
    assert first.exists(), f"the finished job's metrics are gone:\n{output.read_text()[-3000:]}"
    assert not second.exists(), f"the interrupted job still finished:\n{output.read_text()[-3000:]}"
    kept = first.stat().st_mtime_ns
    assert json.loads(first.read_text())["epochs"] == epochs
    assert not [p for p in runs.rglob("*") if ".tmp" in p.name]
    rerun = subprocess.run([*command, "--rerun-incomplete"], cwd=repo, env=ENV, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert first.stat().st_mtime_ns == kept
    assert json.loads(second.read_text())["epochs"] == epochs
    assert (repo / "results/report/report.md").is_file()


def test_corrupt_cache_stops_the_workflow_naming_rule_and_file(tmp_path, mirror):
    repo = copy_repo(tmp_path)
    config = small_config(tmp_path / "small.yaml", epochs=2)
    command = [*SNAKEMAKE, "--cores", "1", "--configfile", str(config), "--config", f"mirror={mirror}"]
    target = [*SNAKEMAKE, "resources/prepared/mutag.npz", *command[len(SNAKEMAKE) :]]
    prepared = subprocess.run(target, cwd=repo, env=ENV, capture_output=True, text=True)
    assert prepared.returncode == 0, prepared.stderr[-2000:]
    cache = repo / "resources/prepared/mutag.npz"
    cache.write_bytes(b"not a numpy archive")
    result = subprocess.run(command, cwd=repo, env=ENV, capture_output=True, text=True)
    assert result.returncode != 0
    assert "Error in rule run_table1_gcn" in result.stdout + result.stderr
    log = repo / "results/logs/runs/table1/gcn/mutag.log"
    assert "mutag.npz" in log.read_text()
    assert not (repo / "results/runs/table1/gcn/mutag/lifted/paper/fold0/seed0/metrics.json").exists()


def test_report_builds_with_the_results_folder_elsewhere(tmp_path, mirror):
    """`--config results=DIR`: every run, table, figure and the report lands in DIR, none in results/."""
    repo = copy_repo(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    config = small_config(tmp_path / "small.yaml", epochs=2)
    command = [*SNAKEMAKE, "--cores", "1", "--configfile", str(config), "--config", f"mirror={mirror}"]
    result = subprocess.run([*command, f"results={elsewhere}"], cwd=repo, env=ENV, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = json.loads((elsewhere / "runs/table1/gcn/mutag/lifted/paper/fold0/seed0/metrics.json").read_text())
    assert metrics["labels"] == {"experiment": "table1", "variant": "lifted", "protocol": "paper"}
    report = (elsewhere / "report/report.md").read_text()
    assert "gcn" in report and (elsewhere / "tables/table1.csv").is_file()
    assert (elsewhere / "report/figures/table1.png").is_file()
    assert sorted(p.name for p in (repo / "results").iterdir()) == ["README.md"]  # the tracked README only
