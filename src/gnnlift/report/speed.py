"""Table 1 computed from one run's tables: speedups beside the paper's, compression, cost per step.

Variant labels name the backend: a ``-native`` suffix is the native backend, no suffix torch.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from gnnlift.report import interval

NATIVE = "-native"
OURS = ("lifted-native", "lifted")  # our lifted variants that Table 1 compares, native first
OTHERS = ("pyg", "dgl", "neuralogic")  # compared with each of ours
# NeuraLogic with and without its compression: the paper's "Lifting" and "LRNN" columns.
NEURALOGIC_PAIR = ("neuralogic", "neuralogic-off")
# The paper's Table 1 times its own engine (NeuraLogic) with compression ("lifted") and without
# ("plain"), PyG and DGL. A ratio of ours pairs the same engines: NeuraLogic on over each slower
# variant below, the paper's column of that variant beside it.
PAPER_ENGINE = "neuralogic"
PAPER_COLUMN = {"neuralogic-off": "plain", "pyg": "pyg", "dgl": "dgl"}
LIKE_FOR_LIKE = "paper's engines"
BEYOND = "ours, beyond the paper"
COMPRESSION = "compression (neurons + edges)"
SPEEDUP_COLUMNS = [
    "protocol",
    "model",
    "faster",
    "slower",
    "speedup",
    "95% interval",
    "n (runs×epochs)",
    "paper (batch 1)",
    "comparison",
    COMPRESSION,
]


def base(label: str) -> str:
    """A variant label without its backend suffix."""
    return label[: -len(NATIVE)] if label.endswith(NATIVE) else label


def backend(label: str) -> str:
    """The backend of a variant label: ``native`` or ``torch``."""
    return "native" if label.endswith(NATIVE) else "torch"


def plain_of(label: str) -> str:
    """The plain variant on the same backend as a lifted label."""
    return "plain" + (NATIVE if label.endswith(NATIVE) else "")


def batch_of(runs: pd.DataFrame, protocol: str) -> str:
    """A protocol's batch as words: ``batch 1``, ``batch 128`` or ``full batch``."""
    sizes = runs.loc[runs.protocol == protocol, "batch_size"].dropna()
    return f"batch {int(sizes.iloc[0])}" if not sizes.empty else "full batch"


def protocols(runs: pd.DataFrame) -> list[str]:
    """Protocols in order of batch size, the full batch last."""
    sizes = runs.groupby("protocol")["batch_size"].first().fillna(float("inf"))
    return sorted(sizes.index, key=lambda p: (sizes[p], p))


def _col(runs: pd.DataFrame, name: str) -> pd.Series:
    """A numeric column, or missing values where an older table lacks it."""
    return pd.to_numeric(runs[name], errors="coerce") if name in runs else pd.Series(np.nan, index=runs.index)


def executed_size(runs: pd.DataFrame) -> pd.Series:
    """Neurons + edges of the graph each run trains on.

    Read from ``graph.executed``; where that is missing, a plain run's grounded graph, and a lifted
    run's one-off lifted graph, stand in (both are the graph it executes).
    """
    size = _col(runs, "neurons_executed") + _col(runs, "edges_executed")
    bases = runs["variant"].map(base)
    grounded = _col(runs, "neurons_raw") + _col(runs, "edges_raw")
    lifted = _col(runs, "neurons_lifted") + _col(runs, "edges_lifted")
    size = size.where(size.notna(), grounded.where(bases == "plain"))
    return size.where(size.notna(), lifted.where(bases.str.startswith("lifted")))


def _first(values: pd.Series) -> float | None:
    values = values.dropna()
    return None if values.empty else float(values.iloc[0])


def compression(cell: pd.DataFrame, lifted: str) -> float | None:
    """(neurons + edges of plain) / (neurons + edges of lifted) on ``lifted``'s backend, from one cell's runs."""
    size = executed_size(cell)
    plain = _first(size[cell.variant == plain_of(lifted)])
    if plain is None:  # a lifted run records the grounded (plain) graph too
        mine = cell[cell.variant == lifted]
        plain = _first(_col(mine, "neurons_raw") + _col(mine, "edges_raw"))
    small = _first(size[cell.variant == lifted])
    return plain / small if plain and small else None


def _paper_ratio(paper: dict, model: str, slow: str) -> float | None:
    theirs = paper.get(model, {})
    column = PAPER_COLUMN.get(slow)
    lifted = theirs.get("lifted")
    return round(theirs[column] / lifted, 2) if column in theirs and lifted else None


def pairs() -> list[tuple[str, str]]:
    """(faster, slower) variant pairs a speedup is reported for: the paper's engine over each of the
    paper's other columns, then each of our lifted variants over plain (same backend) and every peer."""
    paper = [(PAPER_ENGINE, slow) for slow in PAPER_COLUMN]
    return paper + [(ours, other) for ours in OURS for other in (plain_of(ours), *OTHERS)]


def speedups(runs: pd.DataFrame, paper: dict) -> pd.DataFrame:
    """Per protocol and model, each pair of :func:`pairs` that ran: the speedup (mean epoch of slower /
    of faster) with its 95% bootstrap interval and measurement counts, the paper's ratio of the same
    engines (NeuraLogic's rows, batch 1 only), and for lifted over plain the compression ratio of
    neurons + edges. ``comparison`` says whether a row pairs the paper's engines or goes beyond it."""
    rows = []
    for (protocol, model), cell in runs.groupby(["protocol", "model"]):
        by_variant = dict(tuple(cell.groupby("variant")))
        for fast, slow in pairs():
            if fast not in by_variant or slow not in by_variant:
                continue
            ratio = interval.speedup(by_variant[slow], by_variant[fast])
            if ratio is None:
                continue
            like = fast == PAPER_ENGINE
            lifted_over_plain = slow == plain_of(fast) and fast in OURS
            rows.append(
                {
                    "protocol": protocol,
                    "model": model,
                    "faster": fast,
                    "slower": slow,
                    "speedup": round(ratio.value, 2),
                    "95% interval": ratio.interval(),
                    "n (runs×epochs)": ratio.n,
                    "paper (batch 1)": _paper_ratio(paper, model, slow) if like and protocol == "paper" else None,
                    "comparison": LIKE_FOR_LIKE if like else BEYOND,
                    COMPRESSION: _round(compression(cell, fast)) if lifted_over_plain else None,
                    "low": ratio.low,
                    "high": ratio.high,
                }
            )
    return pd.DataFrame(rows, columns=[*SPEEDUP_COLUMNS, "low", "high"])


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def steps(runs: pd.DataFrame) -> pd.DataFrame:
    """Per run of plain or lifted (scope sample): training steps an epoch, seconds and neurons + edges a step.

    A step is one batch: ceil(training samples / batch size) steps an epoch, a full batch is one.
    Neurons + edges a step = the executed graph's total / the samples it covers (train + test)
    x the samples in a batch.
    """
    ours = runs[runs.variant.map(base).isin(["plain", "lifted"])]
    train, test = _col(ours, "samples_train"), _col(ours, "samples_test")
    batch = _col(ours, "batch_size").where(_col(ours, "batch_size").notna(), train)
    batch = np.minimum(batch, train)
    count = [math.ceil(t / b) if t > 0 and b > 0 else np.nan for t, b in zip(train, batch, strict=True)]
    out = pd.DataFrame(
        {
            "model": ours.model,
            "protocol": ours.protocol,
            "variant": ours.variant,
            "backend": ours.variant.map(backend),
            "steps": count,
            "step seconds": ours.epoch_seconds_median / pd.Series(count, index=ours.index),
            "size per step": executed_size(ours) / (train + test) * batch,
        }
    )
    return out.dropna(subset=["step seconds", "size per step"])


def step_cost(runs: pd.DataFrame) -> pd.DataFrame:
    """Per backend, the line fitted to seconds a step against neurons + edges a step, one point a cell
    (model, protocol, variant; seeds averaged): intercept (fixed seconds a step) and slope."""
    columns = ["backend", "cells", "fixed s per step", "s per neuron+edge", "r2", "median size per step"]
    points = steps(runs)
    if points.empty:
        return pd.DataFrame(columns=columns)
    cells = points.groupby(["backend", "model", "protocol", "variant"], as_index=False).mean(numeric_only=True)
    rows = []
    for name, group in cells.groupby("backend"):
        x, y = group["size per step"].to_numpy(float), group["step seconds"].to_numpy(float)
        if len(group) < 2 or np.ptp(x) == 0:
            continue
        slope, intercept = np.polyfit(x, y, 1)
        fitted = intercept + slope * x
        spread = ((y - y.mean()) ** 2).sum()
        rows.append(
            {
                "backend": name,
                "cells": len(group),
                "fixed s per step": intercept,
                "s per neuron+edge": slope,
                "r2": 1 - ((y - fitted) ** 2).sum() / spread if spread > 0 else None,
                "median size per step": float(np.median(x)),
            }
        )
    return pd.DataFrame(rows, columns=columns)
