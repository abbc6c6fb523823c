"""The trivial baselines a run records beside its scores, and the lossless table that shows them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
import yaml

from gnnlift.report import collect, markdown, summaries
from gnnlift.run.evaluate import filtered_ranking, majority_accuracy, scores

REPO = Path(__file__).resolve().parents[1]
PAPER = yaml.safe_load((REPO / "config" / "paper.yaml").read_text())


def labels(*values: float) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def test_majority_is_the_training_sets_class_scored_on_the_test_labels():
    train = labels(1, 1, 1, 0, 0)  # majority: 1
    assert majority_accuracy(train, labels(1, 0, 0, 0)) == 0.25
    assert majority_accuracy(labels(0, 0, 1), labels(1, 0, 0, 0)) == 0.75  # majority: 0
    assert majority_accuracy(labels(1, 0), labels(1, 1, 0)) == pytest.approx(1 / 3)  # a tie predicts 0
    assert majority_accuracy(labels(0.9, 0.8, 0.2), labels(1.0, 0.0)) == 0.5  # labels above 0.5 are positive
    assert np.isnan(majority_accuracy(train, labels()))


def test_scores_carry_the_baseline_of_each_split():
    train_target, test_target = labels(1, 1, 1, 0), labels(0, 0, 1)
    out = scores(labels(0.9, 0.8, 0.7, 0.1), train_target, labels(0.2, 0.6, 0.9), test_target)
    assert out["train"]["majority_accuracy"] == 0.75 and out["train"]["accuracy"] == 1.0
    assert out["test"]["majority_accuracy"] == pytest.approx(1 / 3)
    assert out["test"]["accuracy"] == pytest.approx(2 / 3)
    assert "test" not in scores(labels(0.9), labels(1), torch.zeros(0), labels())


class _Constant(torch.nn.Module):
    """A scorer giving every (head, relation, tail) the same score."""

    def prepare(self, queries):
        return torch.as_tensor(queries)

    def forward(self, batch):
        return torch.zeros(len(batch), dtype=torch.float64)


class _KB:
    entities = list(range(5))

    def with_queries(self, facts, queries, labels):
        return queries


def test_a_constant_scorer_ranks_each_triple_mid_way_through_its_unfiltered_tails():
    test = np.array([[0, 0, 1], [2, 0, 3]])
    known = {(0, 0, 1), (0, 0, 2), (0, 0, 4), (2, 0, 3)}  # triple 1: tails 2 and 4 filtered out
    out = filtered_ranking(_Constant(), _KB(), test, known, torch.device("cpu"))
    # triple 1: 3 candidates left (1, 0, 3): rank 1 + 2/2 = 2; triple 2: 5 candidates: rank 1 + 4/2 = 3
    assert out["constant_mrr"] == pytest.approx((1 / 2 + 1 / 3) / 2)
    assert out["mrr"] == pytest.approx(out["constant_mrr"])


def _metrics(root: Path, variant: str, fold: int, accuracy: float, majority: float | None) -> Path:
    test = {"accuracy": accuracy, "auc": 0.75, **({"majority_accuracy": majority} if majority is not None else {})}
    m = {
        "model": "gnn_embed",
        "dataset": "mutag",
        "seed": 0,
        "fold": fold,
        "epochs": 3,
        "timed_epochs": 2,
        "epoch_seconds_median": 0.1 if variant.startswith("lifted") else 0.3,
        "epoch_seconds_mean": 0.1,
        "loss_curve": [0.69, 0.6, 0.55],
        "evaluation": {"test": test, "train": {"accuracy": 0.8}},
        "graph": {},
        "config": {"protocol": {"batch_size": 128}},
        "labels": {"experiment": "lossless", "variant": variant, "protocol": "batched"},
    }
    path = root / variant / f"fold{fold}" / "metrics.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(m))
    return path


def test_the_runs_table_and_the_lossless_summary_carry_majority_auc_and_final_loss(tmp_path):
    paths = [
        _metrics(tmp_path, variant, fold, accuracy, 0.5)
        for variant in ("lifted-native", "plain-native")
        for fold, accuracy in ((0, 0.7), (1, 0.8))
    ]
    paths += [_metrics(tmp_path, variant, 0, 0.45, 0.5) for variant in ("neuralogic", "neuralogic-off")]
    runs = collect.runs_table(paths)
    assert runs["test_majority_accuracy"].tolist() == [0.5] * 6
    table = summaries.lossless(runs).set_index("engine")
    assert {"majority", "AUC", "final loss"} <= set(table.columns)
    assert table.loc["ours-native", "majority"] == 0.5 and table.loc["ours-native", "AUC"] == 0.75
    assert table.loc["ours-native", "final loss"] == pytest.approx(0.55)
    assert table.loc["ours-native", "folds"] == 2 and table.loc["neuralogic", "folds"] == 1
    text = markdown.section_lossless(runs, PAPER)
    header = next(line for line in text.splitlines() if line.startswith("| engine"))
    columns = [c.strip() for c in header.strip("|").split("|")]
    assert columns[columns.index("accuracy (on)") + 1 :][:3] == ["majority", "AUC", "final loss"]
    assert "Above the majority class (mean test accuracy with lifting on): 1 of 2 rows" in text
    assert "not: neuralogic gnn_embed/mutag 0.450 vs 0.500" in text
    assert "Fewer folds than the other variants' 2: neuralogic on fold 0; neuralogic-off on fold 0," in text


def test_older_runs_without_a_baseline_read_as_missing(tmp_path):
    paths = [_metrics(tmp_path, variant, 0, 0.7, None) for variant in ("lifted", "plain")]
    runs = collect.runs_table(paths)
    assert runs["test_majority_accuracy"].isna().all()
    table = summaries.lossless(runs)
    assert pd.isna(table.loc[0, "majority"])
    assert "Above the majority class" not in markdown.section_lossless(runs, PAPER)
