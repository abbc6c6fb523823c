"""Per-cell folds and epochs of an experiment (``folds_of``, ``epochs_of``) in the workflow's plan."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gnnlift import matrix
from gnnlift.config_schema import ConfigError, check

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "workflow/schemas/config.schema.yaml"


def lossless(**extra) -> dict:
    return {
        "groups": [{"models": ["gnn_embed", "graphlet"], "datasets": ["mutag"]}],
        "variants": ["lifted-native", "plain-native", "neuralogic", "neuralogic-off"],
        "protocols": ["batched"],
        "seeds": [0],
        "folds": [0, 1, 2, 3, 4],
        "overrides": ["epochs=6", "warmup=1", "dtype=float64"],
        **extra,
    }


def plan(experiment: dict):
    return matrix.plan({"datasets": ["mutag"], "experiments": {"lossless": experiment}})


def folds(plan, model: str, variant: str) -> list[int]:
    return sorted(run.fold for run, _ in plan.runs.values() if (run.model, run.variant) == (model, variant))


def epochs(plan, model: str, variant: str) -> set[str]:
    return {
        next(o for o in matrix.overrides(run, spec, {}) if o.startswith("epochs="))
        for run, spec in plan.runs.values()
        if (run.model, run.variant) == (model, variant)
    }


def test_folds_of_narrows_the_folds_of_the_cells_it_names():
    both = plan(lossless(folds_of={"neuralogic": [0], "neuralogic-off": [0], "graphlet": [0, 1]}))
    assert folds(both, "gnn_embed", "lifted-native") == [0, 1, 2, 3, 4]
    assert folds(both, "gnn_embed", "neuralogic") == [0] and folds(both, "gnn_embed", "neuralogic-off") == [0]
    assert folds(both, "graphlet", "plain-native") == [0, 1]
    assert len(both.runs) == 5 * 2 + 1 + 1 + 2 * 2  # graphlet has no NeuraLogic template
    assert len(plan(lossless()).runs) == 5 * 4 + 5 * 2


def test_epochs_of_replaces_the_experiments_epochs_the_most_specific_key_winning():
    cells = plan(lossless(epochs_of={"graphlet": 21, "plain-native": 51, "graphlet/plain-native": 11}))
    assert epochs(cells, "gnn_embed", "lifted-native") == {"epochs=6"}
    assert epochs(cells, "gnn_embed", "plain-native") == {"epochs=51"}
    assert epochs(cells, "graphlet", "lifted-native") == {"epochs=21"}
    assert epochs(cells, "graphlet", "plain-native") == {"epochs=11"}
    run, spec = next(pair for pair in cells.runs.values() if pair[0].model == "graphlet")
    assert sum(o.startswith("epochs=") for o in matrix.overrides(run, spec, {})) == 1


def test_overrides_of_adds_a_cells_own_settings_after_the_experiments():
    cells = plan(lossless(overrides_of={"gnn_embed": ["protocol.lr=0.1"]}, epochs_of={"gnn_embed": 51}))
    run, spec = next(pair for pair in cells.runs.values() if pair[0].model == "gnn_embed")
    out = matrix.overrides(run, spec, {})
    assert out.index("protocol.lr=0.1") > out.index("dtype=float64") and "epochs=51" in out
    other, spec = next(pair for pair in cells.runs.values() if pair[0].model == "graphlet")
    assert not any(o.startswith("protocol.lr") for o in matrix.overrides(other, spec, {}))
    with pytest.raises(ValueError, match=r"overrides_of 'gnn_embd'"):
        plan(lossless(overrides_of={"gnn_embd": ["protocol.lr=0.1"]}))


def test_cells_naming_nothing_or_folds_out_of_range_or_ambiguous_are_refused():
    with pytest.raises(ValueError, match=r"experiment lossless: folds_of 'neuralogc': unknown .* 'neuralogc'"):
        plan(lossless(folds_of={"neuralogc": [0]}))
    with pytest.raises(ValueError, match=r"epochs_of 'gnc/plain-native': unknown .* 'gnc' \(did you mean"):
        plan(lossless(epochs_of={"gnc/plain-native": 3}))
    plan(lossless(epochs_of={"gcn/plain-native": 3, "pyg/paper": 4}))  # cells this experiment lacks: inherited keys
    with pytest.raises(ValueError, match=r"folds_of 'neuralogic': fold 5 outside 0..4"):
        plan(lossless(folds_of={"neuralogic": [5]}))
    with pytest.raises(ValueError, match=r"'gnn_embed' and 'neuralogic' both name the cell gnn_embed/neuralogic"):
        plan(lossless(epochs_of={"gnn_embed": 3, "neuralogic": 4}))
    plan(lossless(epochs_of={"gnn_embed": 3, "neuralogic": 4, "gnn_embed/neuralogic": 5}))  # said which


def test_schema_takes_per_cell_folds_and_epochs():
    spec = lossless(folds_of={"neuralogic": [0]}, epochs_of={"graphlet/plain-native": 11})
    check({"datasets": ["mutag"], "experiments": {"lossless": spec}}, SCHEMA)
    for bad in ({"folds_of": {"neuralogic": []}}, {"folds_of": {"neuralogic": 0}}, {"epochs_of": {"plain": 0}}):
        with pytest.raises(ConfigError, match="^config: experiments.lossless"):
            check({"datasets": ["mutag"], "experiments": {"lossless": lossless(**bad)}}, SCHEMA)


# Cells whose epochs cost a second or more: the torch-backend engines and PyG/DGL at batch size 1,
# and NeuraLogic on gin.
SLOW = {"pyg", "dgl", "lifted", "lifted-dataset", "plain"}


def test_the_main_matrix_times_ten_epochs_where_they_are_cheap_and_trains_lossless_until_it_learns():
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    main = matrix.plan(config)
    for run, spec in main.runs.values():
        given = dict(o.split("=", 1) for o in matrix.overrides(run, spec, config) if "=" in o)
        epochs, warmup = int(given["epochs"]), int(given["warmup"])
        assert epochs > warmup >= 1, run.path  # the first epoch is always dropped
        slow = run.protocol == "paper" and run.variant in SLOW
        slow |= run.model == "gin" and run.variant in matrix.NEURALOGIC
        if run.experiment in ("table1", "scaling") and not slow:
            assert epochs - warmup >= 10, run.path
        if run.experiment == "lossless" and run.model in ("gnn_embed", "graphlet"):
            assert epochs >= 21 and given["dtype"] == "float64", run.path
        if run.variant in matrix.NEURALOGIC and run.experiment == "lossless":
            assert run.fold == 0, run.path
    lossless = {(run.model, run.variant) for run, _ in main.runs.values() if run.experiment == "lossless"}
    assert len(lossless) == 2 * 4 + 2 + 6  # every model and variant still runs (graphlet: no NeuraLogic)
