"""What each figure draws, as tables: computed from the runs, no plotting here."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml

from gnnlift import paths
from gnnlift.report import breakeven, interval, speed, summaries

PAPER_FILE = paths.CONFIG_DIR / "paper.yaml"
# The paper's Table 1 columns (seconds an epoch at batch 1), the variant of ours each one times
# (same engine), and how a legend names it.
PAPER_BARS = (
    ("lifted", "neuralogic", "paper: NeuraLogic, compression on"),
    ("plain", "neuralogic-off", "paper: NeuraLogic, compression off"),
    ("pyg", "pyg", "paper: PyG"),
    ("dgl", "dgl", "paper: DGL"),
)
# Model families of the paper's Fig. 5, in its order; a model of none of them is a family of its own.
FAMILIES = {"graphlet": "graphlet", "gnn_embed": "GCN-like", "gcn": "GCN-like", "sage": "GCN-like"}
FAMILIES |= {"gin": "GCN-like", "kbe": "KBE"}
PEERS = {"pyg": "PyG", "dgl": "DGL"}
FULL_BATCH = 10**9  # sorts the full batch after every batch size


def short(dataset: str) -> str:
    """A dataset's name as a tick label: an NCI screen by its cell line (nci_gi50_786_0 -> 786_0)."""
    return dataset.removeprefix("nci_gi50_")


def paper_numbers(path: Path | None = None) -> dict:
    """config/paper.yaml (the package's copy unless ``path``); empty where absent."""
    path = PAPER_FILE if path is None else Path(path)
    return (yaml.safe_load(path.read_text()) or {}) if path.is_file() else {}


def paper_table1(path: Path | None = None) -> dict:
    """The paper's Table 1 (model -> column -> seconds an epoch at batch 1), from config/paper.yaml."""
    return paper_numbers(path).get("table1") or {}


def paper_table1_dataset(path: Path | None = None) -> str | None:
    """The dataset the paper's Table 1 was timed on."""
    return paper_numbers(path).get("table1_dataset")


def table1_data(runs: pd.DataFrame) -> pd.DataFrame:
    """What Table 1's figure draws: mean and std over seeds of the median epoch, every variant of the table."""
    grouped = runs.groupby(["protocol", "model", "variant"])["epoch_seconds_median"]
    data = pd.DataFrame({"seconds": grouped.mean(), "std": grouped.std()}).reset_index()
    order = {v: i for i, v in enumerate(summaries.ordered(data.variant.unique()))}
    return data.sort_values(["protocol", "model", "variant"], key=lambda c: c.map(order) if c.name == "variant" else c)


def paper_bars(paper: dict, models: list[str]) -> pd.DataFrame:
    """The paper's bars for ``models``: model, column, the variant of ours it matches, label, seconds."""
    rows = [
        {"model": model, "column": column, "variant": variant, "label": label, "seconds": paper[model][column]}
        for model in models
        for column, variant, label in PAPER_BARS
        if column in paper.get(model, {})
    ]
    return pd.DataFrame(rows, columns=["model", "column", "variant", "label", "seconds"])


def family_of(model: str) -> str:
    """The model family a loss curve is drawn in: graphlet, GCN-like or KBE."""
    return FAMILIES.get(model, model)


def curve_data(runs: pd.DataFrame) -> pd.DataFrame:
    """Training loss against cumulative epoch seconds, lifting on and off, per engine, model and dataset.

    Means over folds and seeds at each epoch (warm-up epochs included: they are training time too).
    """
    rows = []
    for on_label, off_label in summaries.ON_OFF:
        for label, lifting in ((on_label, "on"), (off_label, "off")):
            for _, run in runs[runs.variant == label].iterrows():
                losses, seconds = json.loads(run.loss_curve), json.loads(run.epoch_seconds)
                elapsed = 0.0
                for epoch, (loss, spent) in enumerate(zip(losses, seconds, strict=False), start=1):
                    elapsed += spent
                    rows.append(
                        {
                            "engine": summaries.ENGINE[on_label],
                            "model": run.model,
                            "dataset": run.dataset,
                            "lifting": lifting,
                            "epoch": epoch,
                            "seconds": elapsed,
                            "loss": loss,
                        }
                    )
    columns = ["engine", "model", "dataset", "lifting", "epoch", "seconds", "loss"]
    if not rows:
        return pd.DataFrame(columns=[*columns, "family"])
    keys = columns[:5]
    data = pd.DataFrame(rows).groupby(keys, as_index=False)[["seconds", "loss"]].mean()
    return data.assign(family=data.model.map(family_of))


def scope_of(label: str) -> str:
    """The lifting scope of a lifted variant label (``lifted`` and NeuraLogic: sample)."""
    name = speed.base(label)
    return name.split("-", 1)[1] if name.startswith("lifted-") else "sample"


SPEEDUP_COLUMNS = ["model", "dataset", "protocol", "scope", "backend", "compression", "counted", "speedup"]
SPEEDUP_COLUMNS += ["low", "high", "n"]


def speedup_data(runs: pd.DataFrame) -> pd.DataFrame:
    """One point per (model, dataset, protocol, scope, backend): lifting's speedup over plain on the same
    backend, with its 95% bootstrap interval, against its compression (``counted``: neurons + edges of
    our engine; NeuraLogic: its neurons)."""
    rows = []
    for (_, model, dataset, protocol), cell in runs.groupby(["experiment", "model", "dataset", "protocol"]):
        times = cell.groupby("variant")["epoch_seconds_median"].mean()
        for lifted, plain, engine in breakeven.pairs(times.index):
            if engine == "neuralogic":
                mine = cell[cell.variant == lifted]
                theirs = cell[cell.variant == plain]
                raw = pd.concat([mine.paper_raw, theirs.paper_raw]).dropna()
                small = mine.paper_lifted.dropna()
                ratio = raw.iloc[0] / small.iloc[0] if len(raw) and len(small) and small.iloc[0] else None
            else:
                ratio = speed.compression(cell, lifted)
            if ratio is None or not times[lifted] > 0:
                continue
            spread = interval.speedup(cell[cell.variant == plain], cell[cell.variant == lifted])
            rows.append(
                {
                    "model": model,
                    "dataset": dataset,
                    "protocol": protocol,
                    "scope": scope_of(lifted),
                    "backend": "neuralogic" if engine == "neuralogic" else speed.backend(lifted),
                    "compression": ratio,
                    "counted": "neurons (NeuraLogic's count)" if engine == "neuralogic" else "neurons + edges",
                    "speedup": times[plain] / times[lifted],
                    "low": spread.low if spread else None,
                    "high": spread.high if spread else None,
                    "n": spread.n if spread else None,
                }
            )
    return pd.DataFrame(rows, columns=SPEEDUP_COLUMNS)


def _batch_sizes(runs: pd.DataFrame) -> pd.Series:
    return runs["batch_size"].fillna(FULL_BATCH).astype(int)


def batch_label(size: int) -> str:
    """A batch size as a tick label; the full batch as ``full``."""
    return "full" if size == FULL_BATCH else str(size)


def _exact_ours(variant: str) -> bool:
    """Our engine's plain or exact lifted variant (value detection left out)."""
    return speed.base(variant) == "plain" or (variant.startswith("lifted") and "-value-" not in variant)


SCALING_COLUMNS = ["model", "dataset", "size", "batch", "comparison", "faster", "slower"]
SCALING_COLUMNS += ["speedup", "low", "high", "n"]


def scaling_data(runs: pd.DataFrame) -> pd.DataFrame:
    """Per model, dataset and batch size, the speedups that matter, each with its 95% bootstrap interval:
    each exact lifted variant over plain on its backend, and the best of ours (the variant of our engine
    with the shortest mean epoch at that batch size, either backend) over each peer (PyG, DGL)."""
    runs = runs.assign(size=_batch_sizes(runs))
    rows = []
    for (model, dataset, size), cell in runs.groupby(["model", "dataset", "size"]):
        by_variant = dict(tuple(cell.groupby("variant")))
        means = cell.groupby("variant")["epoch_seconds_median"].mean()
        pairs = [
            (f"{speed.base(v)} vs plain ({speed.backend(v)})", v, speed.plain_of(v))
            for v in summaries.ordered(by_variant)
            if v.startswith("lifted") and _exact_ours(v)
        ]
        ours = means[[v for v in means.index if _exact_ours(v)]].dropna()
        if not ours.empty:
            best = ours.idxmin()
            pairs += [(f"best of ours vs {name}", best, peer) for peer, name in PEERS.items()]
        for comparison, fast, slow in pairs:
            if fast not in by_variant or slow not in by_variant:
                continue
            ratio = interval.speedup(by_variant[slow], by_variant[fast])
            if ratio is None:
                continue
            rows.append(
                {
                    "model": model,
                    "dataset": dataset,
                    "size": size,
                    "batch": batch_label(size),
                    "comparison": comparison,
                    "faster": fast,
                    "slower": slow,
                    "speedup": ratio.value,
                    "low": ratio.low,
                    "high": ratio.high,
                    "n": ratio.n,
                }
            )
    return pd.DataFrame(rows, columns=SCALING_COLUMNS)
