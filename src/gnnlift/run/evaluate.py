"""Evaluation after training: classification metrics beside the majority-class baseline, and
filtered ranking for KB triples beside a constant scorer's."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from gnnlift.data.types import KnowledgeBase
from gnnlift.run.train import to_device
from gnnlift.variants.base import SampleStore, Variant


@torch.no_grad()
def predict(
    net: Variant, samples: SampleStore, index: np.ndarray, batch_size: int, device: torch.device
) -> torch.Tensor:
    """Output probabilities of the samples at ``index``, in order."""
    net.eval()
    parts = []
    for i in range(0, len(index), batch_size):
        chunk = index[i : i + batch_size]
        parts.append(net(to_device(samples.collate([samples[j] for j in chunk]), device)).cpu())
    net.train()
    return torch.cat(parts) if parts else torch.zeros(0)


def classification(prob: torch.Tensor, target: torch.Tensor) -> dict[str, float]:
    """Accuracy at 0.5, mean binary cross-entropy, ROC AUC (when both classes occur)."""
    prob64, target64 = prob.double(), target.double()
    out = {
        "samples": len(prob),
        "accuracy": float(((prob64 > 0.5).double() == target64).double().mean()) if len(prob) else float("nan"),
        "loss": float(torch.nn.functional.binary_cross_entropy(prob64.clamp(1e-12, 1 - 1e-12), target64)),
    }
    labels = target64.numpy() > 0.5
    out["auc"] = float(roc_auc_score(labels, prob64.numpy())) if 0 < labels.sum() < len(labels) else float("nan")
    return out


def majority_accuracy(train_target: torch.Tensor, target: torch.Tensor) -> float:
    """Accuracy on ``target`` of always predicting the training set's majority class.

    The constant that fits the training labels best is their positive rate; thresholded at 0.5 as
    the models' outputs are, it predicts the positive class only where positives are more than half
    (a tie predicts the negative class). Labels count as positive above 0.5.
    """
    if not len(target):
        return float("nan")
    positive = bool((train_target.double() > 0.5).double().mean() > 0.5) if len(train_target) else False
    return float(((target.double() > 0.5) == positive).double().mean())


def scores(
    train_prob: torch.Tensor, train_target: torch.Tensor, test_prob: torch.Tensor, test_target: torch.Tensor
) -> dict[str, dict]:
    """``evaluation.train`` and ``evaluation.test`` (none without test samples) of a run, whatever engine
    trained it: :func:`classification` of each, with the majority-class baseline of each split."""
    out = {"train": classification(train_prob, train_target)}
    out["train"]["majority_accuracy"] = majority_accuracy(train_target, train_target)
    if len(test_target):
        out["test"] = classification(test_prob, test_target)
        out["test"]["majority_accuracy"] = majority_accuracy(train_target, test_target)
    return out


@torch.no_grad()
def filtered_ranking(
    net: Variant,
    kb: KnowledgeBase,
    test: np.ndarray,
    known: set[tuple[int, int, int]],
    device: torch.device,
    chunk: int = 64,
) -> dict[str, float]:
    """Filtered tail-prediction MRR and Hits@1/3/10 of ``test`` triples (ties count half).

    ``constant_mrr``: the MRR of a scorer that gives every tail the same score (the trivial
    baseline: each triple ranks in the middle of its unfiltered candidates).
    """
    net.eval()
    n = len(kb.entities)
    ranks, constant = [], []
    for i in range(0, len(test), chunk):
        part = test[i : i + chunk]
        h = np.repeat(part[:, 0], n)
        r = np.repeat(part[:, 1], n)
        t = np.tile(np.arange(n), len(part))
        queries = np.stack([h, r, t], axis=1)
        batch = net.prepare(kb.with_queries(None, queries, np.zeros(len(queries))))
        scores = net(to_device(batch, device)).cpu().double().reshape(len(part), n)
        for k, (hk, rk, tk) in enumerate(part):
            row = scores[k].clone()
            target = row[tk].item()
            others = [e for e in range(n) if e != tk and (int(hk), int(rk), e) in known]
            row[others] = -np.inf
            greater = int((row > target).sum())
            equal = int((row == target).sum()) - 1
            ranks.append(1 + greater + equal / 2)
            constant.append(1 + (n - 1 - len(others)) / 2)
    net.train()
    ranks = np.asarray(ranks, dtype=np.float64)
    return {
        "triples": len(ranks),
        "mrr": float((1 / ranks).mean()),
        **{f"hits@{k}": float((ranks <= k).mean()) for k in (1, 3, 10)},
        "constant_mrr": float((1 / np.asarray(constant, dtype=np.float64)).mean()) if constant else float("nan"),
    }
