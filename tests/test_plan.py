"""The workflow's plan (:func:`gnnlift.matrix.plan`) and the one spelling of a run's path."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gnnlift import matrix
from gnnlift.config_schema import ConfigError, check
from gnnlift.data.registry import registry

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "workflow/schemas/config.schema.yaml"


def experiment(variants, protocols=("paper",), datasets=("mutag",), **extra) -> dict:
    groups = [{"models": ["gcn", "graphlet"], "datasets": list(datasets)}]
    spec = {"groups": groups, "variants": list(variants), "protocols": list(protocols), "seeds": [0, 1]}
    return {**spec, "folds": [0], **extra}


def config(**experiments) -> dict:
    return {
        "datasets": ["mutag", "ptc_mr", "nations"],
        "experiments": experiments,
        "compression": {"groups": [{"models": ["gcn"], "datasets": "molecules"}]},
        "clashes": {"groups": [{"models": ["gnn_embed"], "datasets": ["mutag"]}], "digits": [1], "inits": [1]},
    }


def test_plan_lists_runs_tables_and_figures():
    plan = matrix.plan(
        config(
            table1=experiment(["lifted-native", "neuralogic"]),
            lossless=experiment(["plain"], ["batched-b32"]),
            precision=experiment(["plain"], enabled=False),
        )
    )
    assert plan.datasets == ("mutag", "ptc_mr", "nations") and plan.molecules == ("mutag", "ptc_mr")
    assert list(plan.experiments) == ["table1", "lossless"] and plan.left_out == ()
    # graphlet has no NeuraLogic template: 2 models x 1 variant + 1 x 1, times two seeds; lossless 2 x 2
    assert len(plan.runs) == 6 + 4
    path = "table1/gcn/mutag/lifted-native/paper/fold0/seed1"
    run, spec = plan.runs[path]
    assert run.path == path and run.job == "table1/gcn/mutag" and spec["variants"][0] == "lifted-native"
    assert plan.compress_pairs == [("gcn", "mutag"), ("gcn", "ptc_mr")] and plan.clash_pairs == [("gnn_embed", "mutag")]
    assert plan.tables == ["table1", "lossless", "compression", "clashes"]
    assert plan.figure_of == {
        "table1": ["table1"],
        "lossless": ["lossless"],
        "compression": ["compression"],
        "clashes": ["clashes"],
        "curves": ["lossless"],
        "speedup": ["table1", "lossless"],
    }


def test_plan_groups_runs_into_jobs_neuralogic_last():
    plan = matrix.plan(
        config(table1=experiment(["neuralogic", "lifted-native", "plain"], datasets=["mutag", "ptc_mr"]))
    )
    # one job per (experiment, model, dataset); graphlet has no NeuraLogic template
    assert sorted(plan.jobs) == [
        "table1/gcn/mutag",
        "table1/gcn/ptc_mr",
        "table1/graphlet/mutag",
        "table1/graphlet/ptc_mr",
    ]
    assert plan.timed_rules == [("table1", "gcn"), ("table1", "graphlet")]
    order = [(run.variant, run.seed) for run, _ in plan.job_runs("table1", "gcn", "mutag")]
    assert order == [
        ("lifted-native", 0),
        ("lifted-native", 1),
        ("plain", 0),
        ("plain", 1),
        ("neuralogic", 0),
        ("neuralogic", 1),
    ]
    two = experiment(["neuralogic-off", "neuralogic", "plain"], ["paper", "batched"])
    order = [
        (r.variant, r.protocol, r.seed) for r, _ in matrix.plan(config(table1=two)).job_runs("table1", "gcn", "mutag")
    ]
    assert order[:4] == [("plain", "paper", 0), ("plain", "paper", 1), ("plain", "batched", 0), ("plain", "batched", 1)]
    # NeuraLogic's by variant, then seed: the runs of one network are adjacent
    assert order[4:8] == [
        ("neuralogic", "paper", 0),
        ("neuralogic", "batched", 0),
        ("neuralogic", "paper", 1),
        ("neuralogic", "batched", 1),
    ]
    assert [v for v, _, _ in order[8:]] == ["neuralogic-off"] * 4
    assert sum(len(runs) for runs in plan.jobs.values()) == len(plan.runs)
    assert plan.job_runs("table1", "gcn", "nations") == []


def test_plan_leaves_neuralogic_out_when_it_is_missing():
    plan = matrix.plan(config(table1=experiment(["lifted", "neuralogic", "neuralogic-off"])), "not installed")
    assert plan.left_out == ("neuralogic", "neuralogic-off")
    assert {run.variant for run, _ in plan.runs.values()} == {"lifted"}


def test_plan_without_lifting_tables_or_speedup():
    plan = matrix.plan({**config(precision=experiment(["plain"])), "compression": None, "clashes": {}})
    assert plan.tables == ["precision"] and plan.figure_of == {"precision": ["precision"]}
    assert plan.compress_pairs == [] and plan.clash_pairs == []


def test_plan_refuses_unknown_names():
    with pytest.raises(ValueError, match=r"config: datasets: unknown dataset 'mutg' \(did you mean mutag\?\)"):
        matrix.plan({**config(), "datasets": ["mutg"]})
    with pytest.raises(ValueError, match="experiment table1: unknown dataset 'nci1'; valid datasets: mutag, ptc_mr"):
        matrix.plan(config(table1=experiment(["plain"], datasets=["nci1"])))
    with pytest.raises(ValueError, match="unknown variant label 'lifed'"):
        matrix.plan(config(table1=experiment(["lifed"])))
    with pytest.raises(ValueError, match="clashes: unknown model 'gni'"):
        matrix.plan({**config(), "clashes": {"groups": [{"models": ["gni"], "datasets": ["mutag"]}]}})


def test_datasets_all_is_the_registry():
    assert matrix.dataset_names({"datasets": "all"}) == list(registry()) and len(registry()) == 79
    assert matrix.dataset_names({}) == list(registry())
    assert matrix.dataset_names({"datasets": ["MUTAG", "nations"]}) == ["mutag", "nations"]
    assert yaml.safe_load((REPO / "config/config.yaml").read_text())["datasets"] == "all"
    assert matrix.plan({"datasets": "all"}).datasets == tuple(registry())


def test_schema_takes_all_or_a_list():
    check({"datasets": "all"}, SCHEMA)
    check({"datasets": ["mutag"]}, SCHEMA)
    for bad in ("every", [], 3):
        with pytest.raises(ConfigError, match="^config: datasets: "):
            check({"datasets": bad}, SCHEMA)


def test_run_path_is_spelled_once():
    run = matrix.Run("scaling", "gcn", "mutag", "lifted-native", "batched-b32", 1, 2)
    assert run.path == "scaling/gcn/mutag/lifted-native/batched-b32/fold1/seed2"
    assert run.path.startswith(run.job + "/")
    assert run.job == "scaling/gcn/mutag"
    wildcards = {"experiment": "scaling", "model": "{model}", "dataset": "{dataset}", "variant": "{variant}"}
    assert matrix.run_path(**wildcards, protocol="paper", fold=0, seed=0) == (
        "scaling/{model}/{dataset}/{variant}/paper/fold0/seed0"
    )


def test_overrides_carry_the_labels():
    run = matrix.Run("scaling", "gcn", "mutag", "lifted-native", "batched-b32", 0, 0)
    out = matrix.overrides(run, {}, {})
    assert ["labels.experiment=scaling", "labels.variant=lifted-native", "labels.protocol=batched-b32"] == [
        o for o in out if o.startswith("labels.")
    ]
