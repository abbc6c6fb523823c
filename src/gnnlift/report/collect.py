"""Tidy tables: one row per training run (metrics.json) or per lifting setting (compress JSON)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from gnnlift.data.errors import DataError


def _load(path: Path):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: not a readable JSON file ({exc})") from None


# What a file must hold to make a row (dotted: nested keys); anything else is read where present.
RUN_KEYS = (
    "model",
    "dataset",
    "config.protocol.batch_size",
    "fold",
    "seed",
    "epochs",
    "timed_epochs",
    "epoch_seconds_median",
    "epoch_seconds_mean",
    "loss_curve",
)
COMPRESS_KEYS = (
    "model",
    "dataset",
    "samples",
    "lifting",
    "neurons.raw",
    "neurons.lifted",
    "edges.raw",
    "edges.lifted",
    "ratio.neurons",
    "ratio.edges",
    "ratio.paper_neurons",
    "paper.raw.total",
    "paper.pruned.total",
    "paper.lifted.total",
    "clashes",
    "lift_seconds",
    "ground_seconds",
)
_OBJECTS = ("evaluation", "lifting", "graph", "samples", "one_off_seconds", "environment", "neuralogic")
_MISSING = object()
_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}


def _json_type(value) -> str:
    return _JSON_TYPES.get(type(value), "a number")


def _require(path: Path, data, keys: Iterable[str], what: str) -> None:
    """One line naming ``path`` and what it lacks, unless ``data`` is an object with every key."""
    if not isinstance(data, dict):
        raise DataError(f"{path}: not {what}: {_json_type(data)}, not an object")
    missing = []
    for key in keys:
        node = data
        for part in key.split("."):
            node = node.get(part, _MISSING) if isinstance(node, dict) else _MISSING
        if node is _MISSING:
            missing.append(key)
    if missing:
        raise DataError(f"{path}: not {what}: missing {', '.join(missing)}")


def _check_run(path: Path, m) -> None:
    _require(path, m, RUN_KEYS, "a run's metrics")
    if not isinstance(m["loss_curve"], list):
        raise DataError(f"{path}: not a run's metrics: loss_curve is {_json_type(m['loss_curve'])}, not an array")
    for key in _OBJECTS:
        if m.get(key) is not None and not isinstance(m[key], dict):
            raise DataError(f"{path}: not a run's metrics: {key} is {_json_type(m[key])}, not an object")


# one_off_seconds fields that are not a cost of training: loading the file (the same for every
# variant), and NeuraLogic's counts of neurons by role: of the built network and of the extra
# uncompressed build, which only counts.
NOT_TRAINING = ("load", "count_built", "count_uncompressed")
VERSIONS = ("python", "gnnlift", "torch", "torch_geometric", "dgl", "numpy", "hydra-core", "neuralogic", "numba")
VERSIONS += ("snakemake", "java")


def one_off_total(seconds: dict) -> float | None:
    """Seconds a run spent once before training: grounding, lifting, conversion, flattening, compiling."""
    values = [v for k, v in seconds.items() if k not in NOT_TRAINING and isinstance(v, (int, float))]
    return float(sum(values)) if values else None


def provenance(env: dict, clock: dict) -> dict:
    """The environment columns of a run: package versions, the git state of the code, its wall clock, its Slurm job.

    The ``slurm_*`` columns are missing values for a run outside Slurm (or from an older gnnlift).
    """
    versions = env.get("versions") or {}
    git = env.get("git") or {}
    dirty = git.get("dirty")
    slurm = env.get("slurm") or {}
    return {
        **{f"version_{name}": versions.get(name) for name in VERSIONS},
        "git_commit": git.get("commit"),
        "git_dirty": None if dirty is None else json.dumps(dirty),
        "started": clock.get("started"),
        "finished": clock.get("finished"),
        "slurm_job": slurm.get("job_id"),
        "slurm_node": slurm.get("node"),
        "slurm_exclusive": slurm.get("exclusive"),
    }


LABELS = ("experiment", "variant", "protocol")


def run_labels(path: Path, m: dict) -> dict:
    """The run's experiment, variant and protocol labels, as ``metrics.json`` records them."""
    labels = m.get("labels")
    if labels is None:
        raise DataError(f"{path}: not a run's metrics: no labels (written by an older gnnlift? run it again)")
    if not isinstance(labels, dict):
        raise DataError(f"{path}: not a run's metrics: labels is {_json_type(labels)}, not an object")
    # A run made by hand belongs to no experiment (null); variant and protocol are always named.
    missing = [k for k in LABELS if not (isinstance(labels.get(k), str) or (k == "experiment" and k in labels))]
    if missing:
        raise DataError(f"{path}: not a run's metrics: labels lack {', '.join(missing)}")
    return {k: labels[k] for k in LABELS}


def run_row(path: Path) -> dict:
    """One training run: its labels (recorded in metrics.json) and what it measured.

    Keys that older metrics lack (``backend``, ``graph.executed``, ``one_off_seconds.jit_compile``,
    ``evaluation.test.majority_accuracy``) read as torch and as missing values.
    """
    path = Path(path)
    m = _load(path)
    _check_run(path, m)
    labels = run_labels(path, m)
    evaluation = m.get("evaluation") or {}
    test = evaluation.get("test") or {}
    ranking = evaluation.get("test_ranking") or {}
    lifting = m.get("lifting") or {}
    one_off = lifting.get("one_off") or {}
    graph = m.get("graph") or {}
    executed = graph.get("executed") or {}  # the graph the run trains on (the lifted one for lifted)
    samples = m.get("samples") or {}
    seconds = m.get("one_off_seconds") or {}
    env = m.get("environment") or {}
    nl_neurons = (m.get("neuralogic") or {}).get("neurons")
    if nl_neurons:  # PyNeuraLogic's own counts: uncompressed, and as built (compressed when lifting is on)
        lifted_on = m["neuralogic"].get("lifting")
        one_off = {
            "paper": {
                "raw": nl_neurons.get("uncompressed"),
                "lifted": nl_neurons.get("built") if lifted_on else None,
            }
        }
    return {
        "experiment": labels["experiment"],
        "model": m["model"],
        "dataset": m["dataset"],
        "variant": labels["variant"],
        "protocol": labels["protocol"],
        "backend": m.get("backend") or "torch",
        "batch_size": m["config"]["protocol"]["batch_size"],
        "fold": m["fold"],
        "seed": m["seed"],
        "epochs": m["epochs"],
        "timed_epochs": m["timed_epochs"],
        "epoch_seconds_median": m["epoch_seconds_median"],
        "epoch_seconds_mean": m["epoch_seconds_mean"],
        "final_loss": m["loss_curve"][-1] if m["loss_curve"] else None,
        "loss_curve": json.dumps(m.get("loss_curve") or []),
        "epoch_seconds": json.dumps(m.get("epoch_seconds") or []),
        "test_accuracy": test.get("accuracy"),
        "test_auc": test.get("auc"),
        # the test accuracy of always predicting the training set's majority class (missing in older runs)
        "test_majority_accuracy": test.get("majority_accuracy"),
        "train_accuracy": (evaluation.get("train") or {}).get("accuracy"),
        "test_mrr": ranking.get("mrr"),
        "test_constant_mrr": ranking.get("constant_mrr"),  # a scorer giving every tail one score
        "test_hits10": ranking.get("hits@10"),
        "samples_train": samples.get("train"),
        "samples_test": samples.get("test"),
        "neurons_raw": graph.get("neurons"),
        "edges_raw": graph.get("edges"),
        "neurons_lifted": (one_off.get("neurons") or {}).get("lifted"),
        "edges_lifted": (one_off.get("edges") or {}).get("lifted"),
        "neurons_executed": executed.get("neurons"),
        "edges_executed": executed.get("edges"),
        "paper_raw": ((one_off.get("paper") or {}).get("raw") or {}).get("total"),
        "paper_pruned": ((one_off.get("paper") or {}).get("pruned") or {}).get("total"),
        "paper_lifted": ((one_off.get("paper") or {}).get("lifted") or {}).get("total"),
        "clashes": one_off.get("clashes"),
        "lift_seconds": seconds.get("lift"),
        "lift_seconds_per_batch_total": (lifting.get("per_batch") or {}).get("seconds"),
        "prepare_seconds": seconds.get("prepare_samples"),
        "jit_compile_seconds": seconds.get("jit_compile"),
        "jit_cold": (graph.get("native") or {}).get("jit_cold"),
        "device": env.get("device") or "cpu",
        "one_off_seconds": one_off_total(seconds),
        "threads": env.get("threads"),
        "dtype": env.get("dtype"),
        "cpu": env.get("cpu"),
        "torch": (env.get("versions") or {}).get("torch"),
        **provenance(env, m.get("clock") or {}),
    }


def runs_table(paths: Iterable[Path]) -> pd.DataFrame:
    return pd.DataFrame([run_row(p) for p in paths])


def compress_rows(path: Path) -> list[dict]:
    """One row per lifting setting in a ``gnnlift compress`` JSON file (an object or a list)."""
    data = _load(path)
    settings = data if isinstance(data, list) else [data]
    if not settings:
        raise DataError(f"{path}: not lifting statistics: an empty array")
    rows = []
    for s in settings:
        _require(path, s, COMPRESS_KEYS, "lifting statistics")
        if not isinstance(s["lifting"], dict):
            raise DataError(f"{path}: not lifting statistics: lifting is {_json_type(s['lifting'])}, not an object")
        paper = s["paper"]
        rows.append(
            {
                "model": s["model"],
                "dataset": s["dataset"],
                "samples": s["samples"],
                **{f"lifting_{k}": v for k, v in s["lifting"].items()},
                "neurons_raw": s["neurons"]["raw"],
                "neurons_lifted": s["neurons"]["lifted"],
                "edges_raw": s["edges"]["raw"],
                "edges_lifted": s["edges"]["lifted"],
                "ratio_neurons": s["ratio"]["neurons"],
                "ratio_edges": s["ratio"]["edges"],
                "paper_raw": paper["raw"]["total"],
                "paper_pruned": paper["pruned"]["total"],
                "paper_lifted": paper["lifted"]["total"],
                "ratio_paper": s["ratio"]["paper_neurons"],
                "clashes": s["clashes"],
                "lift_seconds": s["lift_seconds"],
                "ground_seconds": s["ground_seconds"],
            }
        )
    return rows


def compress_table(paths: Iterable[Path]) -> pd.DataFrame:
    return pd.DataFrame([row for p in paths for row in compress_rows(p)])
