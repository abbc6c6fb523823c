"""The report on small fabricated metrics: backends in labels, Table 1's speedups, compression and step cost."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

from gnnlift.report import collect, markdown, plots, speed, summaries

REPO = Path(__file__).resolve().parents[1]
PAPER = yaml.safe_load((REPO / "config" / "paper.yaml").read_text())
TRAIN, TEST = 90, 10
BATCH = {"paper": 1, "batched-b32": 32, "batched": 128, "fullbatch": None}


def write_metrics(
    root: Path,
    variant: str,
    seconds: float,
    *,
    experiment: str = "table1",
    model: str = "gcn",
    protocol: str = "paper",
    seed: int = 0,
    executed: tuple[int, int] | None = None,
    lifted: tuple[int, int] | None = None,
    jit: float | None = None,
    old: bool = False,
) -> Path:
    """One metrics.json as the run app writes it; ``old`` leaves out the keys older runs lack."""
    graph = {"neurons": 1000, "edges": 3000}
    if executed and not old:
        graph["executed"] = {"neurons": executed[0], "edges": executed[1]}
    lifting = None
    if lifted:
        lifting = {"one_off": {"neurons": {"lifted": lifted[0]}, "edges": {"lifted": lifted[1]}}, "per_batch": {}}
    m = {
        "model": model,
        "dataset": "mutag",
        "seed": seed,
        "fold": 0,
        "samples": {"train": TRAIN, "test": TEST},
        "epochs": 3,
        "timed_epochs": 2,
        "epoch_seconds_median": seconds,
        "epoch_seconds_mean": seconds,
        "loss_curve": [0.7, 0.6, 0.5],
        "one_off_seconds": {"load": 0.1, **({"jit_compile": jit} if jit is not None else {})},
        "evaluation": {"test": {"accuracy": 0.8, "auc": 0.9}, "train": {"accuracy": 0.85}},
        "graph": graph if variant.split("-")[0] in ("plain", "lifted") else {},
        "lifting": lifting,
        "environment": {"threads": 1, "dtype": "float32", "cpu": "test cpu", "versions": {"torch": "2.13.0+cpu"}},
        "config": {"protocol": {"batch_size": BATCH[protocol]}},
        "labels": {"experiment": experiment, "variant": variant, "protocol": protocol},
    }
    if not old:
        m["backend"] = speed.backend(variant)
    path = root / experiment / model / "mutag" / variant / protocol / "fold0" / f"seed{seed}" / "metrics.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(m))
    return path


def table1_runs(root: Path, plain_native: float = 0.6, executed: bool = True) -> pd.DataFrame:
    """gcn at batch 1 and 128: lifted and plain on native, PyG, DGL and NeuraLogic on and off."""
    times = {"lifted-native": 0.2, "plain-native": plain_native, "pyg": 2.0, "dgl": 8.0}
    times |= {"neuralogic": 0.3, "neuralogic-off": 0.9}
    sizes = {"lifted-native": (100, 200), "plain-native": (1000, 3000)}
    paths = []
    for protocol in ("paper", "batched"):
        for variant, seconds in times.items():
            scale = 1.0 if protocol == "paper" else 0.5
            size = sizes.get(variant) if executed else None
            lifted = (100, 200) if variant.startswith("lifted") and executed else None
            paths.append(write_metrics(root, variant, seconds * scale, protocol=protocol, executed=size, lifted=lifted))
    return collect.runs_table(paths)


def test_native_labels_parse():
    assert speed.base("lifted-dataset-native") == "lifted-dataset" and speed.base("pyg") == "pyg"
    assert speed.backend("plain-native") == "native" and speed.backend("lifted") == "torch"
    assert speed.plain_of("lifted-value-d3-native") == "plain-native" and speed.plain_of("lifted") == "plain"
    assert summaries.digits_of("lifted-value-d3-native") == 3
    order = summaries.ordered(["pyg", "plain-native", "lifted-native", "plain", "lifted", "lifted-dataset"])
    assert order == ["lifted", "lifted-native", "lifted-dataset", "plain", "plain-native", "pyg"]


def test_run_row_reads_backend_and_executed_graph_and_tolerates_old_metrics(tmp_path):
    new = collect.run_row(write_metrics(tmp_path, "lifted-native", 0.1, executed=(10, 20), jit=2.5))
    assert new["backend"] == "native" and new["variant"] == "lifted-native"
    assert (new["neurons_executed"], new["edges_executed"], new["jit_compile_seconds"]) == (10, 20, 2.5)
    assert (new["samples_train"], new["samples_test"], new["edges_raw"]) == (TRAIN, TEST, 3000)
    old = collect.run_row(write_metrics(tmp_path, "lifted", 0.1, executed=(10, 20), old=True))
    assert old["backend"] == "torch" and old["neurons_executed"] is None and old["jit_compile_seconds"] is None


def test_table1_speedups_pair_the_papers_engines_with_the_papers_ratios(tmp_path):
    _, table = summaries.table1(table1_runs(tmp_path), PAPER["table1"])
    row = table.set_index(["protocol", "faster", "slower"])
    native = row.loc[("paper", "lifted-native", "plain-native")]
    assert native["speedup"] == 3.0 and native["comparison"] == speed.BEYOND
    assert pd.isna(native["paper (batch 1)"])  # the paper's lifting/LRNN ratio is NeuraLogic on/off
    assert native[speed.COMPRESSION] == pytest.approx(4000 / 300, abs=0.01)
    assert pd.isna(row.loc[("paper", "lifted-native", "pyg"), "paper (batch 1)"])
    assert row.loc[("paper", "lifted-native", "dgl"), "speedup"] == 40.0
    assert pd.isna(row.loc[("paper", "lifted-native", "neuralogic"), "paper (batch 1)"])
    own = row.loc[("paper", "neuralogic", "neuralogic-off")]
    assert own["speedup"] == 3.0 and own["paper (batch 1)"] == 3.0 and own["comparison"] == speed.LIKE_FOR_LIKE
    assert row.loc[("paper", "neuralogic", "pyg"), "paper (batch 1)"] == pytest.approx(12.96)
    assert row.loc[("paper", "neuralogic", "pyg"), "speedup"] == pytest.approx(2.0 / 0.3, abs=0.01)
    assert row.loc[("paper", "neuralogic", "dgl"), "paper (batch 1)"] == pytest.approx(93.0)
    assert pd.isna(row.loc[("batched", "neuralogic", "pyg"), "paper (batch 1)"])
    assert pd.isna(row.loc[("batched", "lifted-native", "plain-native"), "paper (batch 1)"])
    assert pd.isna(row.loc[("paper", "lifted-native", "pyg"), speed.COMPRESSION])
    assert ("paper", "lifted", "plain") not in row.index  # no torch runs here
    assert set(table["n (runs×epochs)"]) == {"1×1 / 1×1"}


def test_the_speedup_line_follows_the_numbers(tmp_path):
    fast = markdown.section_table1(table1_runs(tmp_path / "a"), PAPER)
    slow = markdown.section_table1(table1_runs(tmp_path / "b", plain_native=1.0), PAPER)
    line = "- paper (batch 1), lifted-native over plain-native: gcn "
    assert f"{line}3.00x faster [3.00, 3.00] (n 1×1 / 1×1; compression 13.3x)." in fast
    assert f"{line}5.00x faster [5.00, 5.00] (n 1×1 / 1×1; compression 13.3x)." in slow
    assert "NeuraLogic (the paper's engine) meets or beats the paper's ratio of the same engines in 1 of 3" in fast
    assert "0.225–0.225 times its compression ratio" in fast and "0.375–0.375 times" in slow
    assert "neuralogic 0.300 s (compression off 0.900 s, so its own lifting gains 3.00x)" in fast
    assert "per-operation overhead" not in fast  # no fixed prose about what the numbers should show


def test_compression_falls_back_and_is_blank_with_a_footnote_when_missing(tmp_path):
    paths = [
        write_metrics(tmp_path, "plain-native", 0.6, old=True),
        write_metrics(tmp_path, "lifted-native", 0.2, lifted=(50, 150), old=True),
    ]
    runs = collect.runs_table(paths)
    _, table = summaries.table1(runs, PAPER["table1"])
    assert table.loc[0, speed.COMPRESSION] == pytest.approx(4000 / 200, abs=0.01)  # grounded / one-off lifted graph
    bare = table1_runs(tmp_path / "bare", executed=False)
    bare = bare.assign(neurons_raw=float("nan"))
    text = markdown.section_table1(bare, PAPER)
    assert "Compression is blank where the runs record no neuron and edge counts" in text
    assert "compression " not in text.split("Reading:")[1].split("\n")[1]


def test_step_cost_fit_recovers_fixed_and_per_neuron_cost(tmp_path):
    fixed, per = 20e-6, 5e-9  # seconds a step, seconds per neuron + edge
    paths = []
    for model, sizes in (("gcn", (400, 4000)), ("gin", (1500, 9000))):
        for variant, total in zip(("lifted-native", "plain-native"), sizes, strict=True):
            for protocol in ("paper", "batched-b32", "fullbatch"):
                batch = BATCH[protocol] or TRAIN
                steps = math.ceil(TRAIN / batch)
                seconds = steps * (fixed + per * total / (TRAIN + TEST) * batch)
                paths.append(
                    write_metrics(tmp_path, variant, seconds, model=model, protocol=protocol, executed=(total, 0))
                )
    runs = collect.runs_table(paths)
    fit = speed.step_cost(runs).set_index("backend")
    assert list(fit.index) == ["native"] and fit.loc["native", "cells"] == 12
    assert fit.loc["native", "fixed s per step"] == pytest.approx(fixed, rel=1e-6)
    assert fit.loc["native", "s per neuron+edge"] == pytest.approx(per, rel=1e-6)
    text = markdown.step_cost_text(runs, "these cells")
    assert "- native: 20.0 µs fixed a step plus 5.00 ns per neuron + edge (12 cells, R² 1.00)" in text
    assert "torch:" not in text
    assert markdown.step_cost_text(runs[runs.protocol == "paper"].head(1), "one cell") == ""


def test_scaling_shows_torch_and_native_at_each_batch_size(tmp_path):
    times = {"lifted": 1.0, "plain": 1.2, "lifted-native": 0.25, "plain-native": 0.5, "pyg": 2.0}
    paths = [
        write_metrics(tmp_path, v, s * (1 if p == "batched-b32" else 0.5), experiment="scaling", protocol=p)
        for v, s in times.items()
        for p in ("batched-b32", "fullbatch")
    ]
    runs = collect.runs_table(paths)
    table = summaries.scaling(runs).set_index(["batch", "lifted"])
    assert table.loc[("32", "lifted-native"), "backend"] == "native"
    assert table.loc[("32", "lifted-native"), "vs plain"] == pytest.approx(2.0)
    assert table.loc[("32", "lifted-native"), "vs torch"] == pytest.approx(4.0)
    assert table.loc[("32", "lifted"), "vs plain"] == pytest.approx(1.2)
    assert pd.isna(table.loc[("32", "lifted"), "vs torch"])
    times_table = summaries.scaling_times(runs)
    assert list(times_table.batch) == ["32", "full"]
    assert list(times_table.columns[2:]) == ["lifted", "lifted-native", "plain", "plain-native", "pyg"]
    text = markdown.section_scaling(runs)
    assert "- gcn, batch 32: lifted 1.00 s on torch, 0.250 s on native (native 4.00x faster); lifting gains" in text
    assert "1.20x on torch and 2.00x on native over plain." in text
    drawn = plots.scaling(runs, tmp_path / "scaling.png").set_index(["batch", "comparison"])
    assert (tmp_path / "scaling.png").is_file()
    assert drawn.loc[("32", "lifted vs plain (native)"), "speedup"] == pytest.approx(2.0)
    assert drawn.loc[("32", "best of ours vs PyG"), "faster"] == "lifted-native"
    assert set(drawn.loc["32"].index) == {"lifted vs plain (native)", "lifted vs plain (torch)", "best of ours vs PyG"}


def test_report_from_tables_old_and_new(tmp_path):
    tables, figures = tmp_path / "tables", tmp_path / "figures"
    tables.mkdir()
    runs = table1_runs(tmp_path / "runs")
    runs.to_csv(tables / "table1.csv", index=False)
    plots.table1(runs, figures / "table1.png")
    text = markdown.write_report(tables, figures, None, REPO / "config" / "paper.yaml", tmp_path / "r.md")
    assert "lifted-native over plain-native" in text and "### Cost of a training step" in text
    assert "- native: " in text and text.count("µs fixed a step") == 1  # no torch runs, no torch fit
    older = runs.drop(columns=["backend", "neurons_executed", "edges_executed", "jit_compile_seconds", "edges_raw"])
    older = older.replace({"variant": {"lifted-native": "lifted", "plain-native": "plain"}})
    older.to_csv(tables / "table1.csv", index=False)
    text = markdown.write_report(tables, figures, None, REPO / "config" / "paper.yaml", tmp_path / "r.md")
    assert "- paper (batch 1), lifted over plain: gcn 3.00x faster [3.00, 3.00] (n 1×1 / 1×1)." in text
    assert "Compression is blank" in text


def test_lossless_compares_lifting_on_and_off_per_backend(tmp_path):
    paths = [
        write_metrics(tmp_path, variant, seconds, experiment="lossless", model="gnn_embed", protocol="batched", seed=0)
        for variant, seconds in (("lifted", 0.5), ("plain", 0.6), ("lifted-native", 0.1), ("plain-native", 0.3))
    ]
    runs = collect.runs_table(paths)
    table = summaries.lossless(runs).set_index("engine")
    assert set(table.index) == {"ours", "ours-native"}
    assert table.loc["ours-native", "speedup"] == pytest.approx(3.0)
    assert table.loc["ours", "speedup"] == pytest.approx(1.2)
    text = markdown.section_lossless(runs, PAPER)
    assert "test accuracies with lifting on and off are identical in every fold for 2 of 2 engine" in text
    only_native = runs[runs.variant.str.endswith("-native")]
    assert summaries.engines(only_native).empty  # no NeuraLogic runs to set beside


def test_scaling_without_a_lifted_variant_draws_a_note_not_a_traceback(tmp_path):
    paths = [write_metrics(tmp_path, "plain", 1.0, experiment="scaling", protocol=p) for p in ("batched", "fullbatch")]
    runs = collect.runs_table(paths)
    assert summaries.scaling(runs).empty
    plots.scaling(runs, tmp_path / "scaling.png")
    assert (tmp_path / "scaling.png").is_file() and (tmp_path / "scaling.svg").is_file()


def test_every_report_experiment_has_a_drawing_and_a_section():
    from gnnlift import experiments

    assert set(plots.DRAWINGS) == set(experiments.names())
    assert set(markdown.SECTIONS) == {e.name for e in experiments.sections()}
    assert experiments.tables(experiments.LIFTING) == ("clashes", "compression")
    assert experiments.figures_in("lossless") == ("curves", "lossless")
