"""A run's labels (experiment, variant, protocol): written into metrics.json, read by the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from gnnlift import matrix
from gnnlift.data.errors import DataError
from gnnlift.data.load import prepare
from gnnlift.paths import CONFIG_DIR
from gnnlift.report.collect import run_row
from gnnlift.run.app import run


@pytest.fixture(scope="module")
def prepared(mirror, tmp_path_factory):
    root = tmp_path_factory.mktemp("resources")
    prepare("mutag", resources=root, mirror=mirror)
    return root


def metrics_of(prepared: Path, out: Path, *overrides: str) -> dict:
    with initialize_config_dir(version_base="1.3", config_dir=str(CONFIG_DIR)):
        cfg = compose("run", overrides=["dataset=mutag", f"resources={prepared}", "quiet=true", "epochs=2", *overrides])
    run(cfg, out)
    return json.loads((out / "metrics.json").read_text())


def test_labels_by_hand_are_derived_from_the_config(prepared, tmp_path):
    metrics = metrics_of(prepared, tmp_path / "a", "variant=lifted", "backend=native", "protocol=batched")
    assert metrics["labels"] == {"experiment": None, "variant": "lifted-native", "protocol": "batched"}
    metrics = metrics_of(prepared, tmp_path / "b", "variant=plain", "protocol=fullbatch")
    assert metrics["labels"] == {"experiment": None, "variant": "plain", "protocol": "fullbatch"}
    row = run_row(tmp_path / "b" / "metrics.json")
    assert (row["experiment"], row["variant"], row["protocol"]) == (None, "plain", "fullbatch")


def test_labels_of_the_matrix_reach_metrics_and_the_report(prepared, tmp_path):
    spec = {"overrides": ["epochs=2"]}
    run_ = matrix.Run("scaling", "gcn", "mutag", "lifted-native", "batched-b32", 0, 0)
    overrides = [o for o in matrix.overrides(run_, spec, {}) if not o.startswith("dataset=")]
    out = tmp_path / "elsewhere"  # a folder that is not the run's path: the report reads the labels
    metrics = metrics_of(prepared, out, *overrides)
    assert metrics["labels"] == {"experiment": "scaling", "variant": "lifted-native", "protocol": "batched-b32"}
    row = run_row(out / "metrics.json")
    assert (row["experiment"], row["variant"], row["protocol"]) == ("scaling", "lifted-native", "batched-b32")
    assert row["batch_size"] == 32

    # Metrics without labels are refused: the report never reads labels off a folder's name.
    folder = tmp_path / "runs" / run_.path
    folder.mkdir(parents=True)
    older = {k: v for k, v in metrics.items() if k != "labels"}
    (folder / "metrics.json").write_text(json.dumps(older))
    with pytest.raises(
        DataError, match=r"not a run's metrics: no labels \(written by an older gnnlift\? run it again\)$"
    ):
        run_row(folder / "metrics.json")

    for labels, message in (
        ("scaling", "labels is a string, not an object"),
        ({"experiment": "scaling", "variant": "plain"}, "labels lack protocol"),
        ({"experiment": "scaling", "variant": None, "protocol": "paper"}, "labels lack variant"),
    ):
        bad = tmp_path / "bad" / "metrics.json"
        bad.parent.mkdir(exist_ok=True)
        bad.write_text(json.dumps({**metrics, "labels": labels}))
        with pytest.raises(DataError, match=f"^{bad}: not a run's metrics: {message}$"):
            run_row(bad)


def test_a_run_by_hand_takes_the_labels_the_workflow_prints(prepared, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "by-label"
    args = [sys.executable, "-m", "gnnlift.run", "model=gcn", "dataset=mutag", "variant=lifted-dataset-native"]
    args += ["protocol=batched-b32", f"resources={prepared}", "quiet=true", "epochs=2", f"hydra.run.dir={out}"]
    subprocess.run(args, check=True, capture_output=True)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["labels"]["variant"] == "lifted-dataset-native" and metrics["backend"] == "native"
    assert metrics["labels"]["protocol"] == "batched-b32" and metrics["config"]["protocol"]["batch_size"] == 32
    assert metrics["config"]["lifting"]["scope"] == "dataset"
    wrong = subprocess.run([*args[:5], "variant=lifted-nativ", f"hydra.run.dir={tmp_path / 'no'}"], capture_output=True)
    assert wrong.returncode == 2 and not (tmp_path / "no").exists()
    assert wrong.stderr.decode().strip().endswith("or a workflow label such as lifted-native or lifted-dataset")


def test_prepared_data_is_found_from_any_folder_and_else_the_error_says_what_to_set(tmp_path, monkeypatch):
    from omegaconf import OmegaConf

    from gnnlift.run.app import load_data, resources_of

    checkout = tmp_path / "checkout"
    (checkout / "resources").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)  # elsewhere: no resources/ here
    assert resources_of("resources", checkout) == checkout / "resources"
    (tmp_path / "resources").mkdir()  # one in the working directory comes first
    assert resources_of("resources", checkout) == Path("resources")
    assert resources_of(tmp_path / "abs", checkout) == tmp_path / "abs"
    cfg = OmegaConf.create({"dataset": {"name": "mutag"}, "resources": str(tmp_path / "empty")})
    with pytest.raises(DataError, match=r"resources=DIR \(or GNNLIFT_RESOURCES\)$"):
        load_data(cfg)


def test_a_quiet_run_still_says_where_its_results_are(prepared, tmp_path, capsys):
    metrics_of(prepared, tmp_path / "quiet", "model=gcn")
    assert capsys.readouterr().out.strip() == str(tmp_path / "quiet" / "metrics.json")
