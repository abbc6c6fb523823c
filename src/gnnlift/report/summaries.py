"""Summary tables of each experiment, from the tidy per-run and per-setting tables."""

from __future__ import annotations

import re

import pandas as pd

VARIANT_ORDER = [
    "lifted",
    "lifted-sample",
    "lifted-batch",
    "lifted-dataset",
    "plain",
    "pyg",
    "dgl",
    "neuralogic",
    "neuralogic-off",
]
# Lifting on and off: our engine, and PyNeuraLogic's.
ON_OFF = (("lifted", "plain"), ("neuralogic", "neuralogic-off"))


def mean_std(values: pd.Series) -> str:
    values = values.dropna()
    if values.empty:
        return ""
    if len(values) == 1:
        return f"{values.iloc[0]:.4f}"
    return f"{values.mean():.4f} ± {values.std():.4f}"


def _ordered(columns) -> list[str]:
    return sorted(columns, key=lambda v: (VARIANT_ORDER.index(v) if v in VARIANT_ORDER else len(VARIANT_ORDER), v))


def epoch_times(runs: pd.DataFrame, index: list[str]) -> pd.DataFrame:
    """Mean ± std over seeds (and folds) of the median epoch time, variants as columns."""
    table = runs.groupby([*index, "variant"])["epoch_seconds_median"].apply(mean_std).unstack("variant")
    return table[_ordered(table.columns)].reset_index()


def table1(runs: pd.DataFrame, paper: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Epoch times per model and protocol, and speedups of lifted over the others beside the paper's."""
    times = epoch_times(runs, ["protocol", "model"])
    means = runs.groupby(["protocol", "model", "variant"])["epoch_seconds_median"].mean().unstack("variant")
    rows = []
    for (protocol, model), row in means.iterrows():
        for other in ("plain", "pyg", "dgl", "neuralogic", "neuralogic-off"):
            if "lifted" in row and other in row and row["lifted"] > 0:
                theirs = paper.get(model, {})
                rows.append(
                    {
                        "protocol": protocol,
                        "model": model,
                        "speedup of lifted over": other,
                        "ours": round(row[other] / row["lifted"], 2),
                        "paper (batch 1)": round(theirs[other] / theirs["lifted"], 2) if other in theirs else None,
                    }
                )
    return times, pd.DataFrame(rows)


def lossless(runs: pd.DataFrame) -> pd.DataFrame:
    """Lifting on vs off per engine, model and dataset: counts, epoch times, accuracies over folds."""
    out = []
    for (model, dataset), group in runs.groupby(["model", "dataset"]):
        for on_label, off_label in ON_OFF:
            on, off = group[group.variant == on_label], group[group.variant == off_label]
            if on.empty or off.empty:
                continue
            merged = on.merge(off, on=["fold", "seed"], suffixes=("_on", "_off"))
            metric = "test_accuracy" if on["test_accuracy"].notna().any() else "test_mrr"
            out.append(
                {
                    "engine": "ours" if on_label == "lifted" else "neuralogic",
                    "model": model,
                    "dataset": dataset,
                    "folds": len(merged),
                    "neurons raw": _first(pd.concat([on["paper_raw"], off["paper_raw"]])),
                    "pruned": _first(on["paper_pruned"]),
                    "lifted": _first(on["paper_lifted"]),
                    "ratio": _ratio(_first(pd.concat([on["paper_raw"], off["paper_raw"]])), _first(on["paper_lifted"])),
                    "epoch s (off)": merged["epoch_seconds_median_off"].mean(),
                    "epoch s (on)": merged["epoch_seconds_median_on"].mean(),
                    "speedup": merged["epoch_seconds_median_off"].mean() / merged["epoch_seconds_median_on"].mean(),
                    "accuracy (off)": merged[f"{metric}_off"].mean(),
                    "accuracy (on)": merged[f"{metric}_on"].mean(),
                    "identical per fold": bool((merged[f"{metric}_off"] == merged[f"{metric}_on"]).all()),
                }
            )
    return pd.DataFrame(out)


def engines(runs: pd.DataFrame) -> pd.DataFrame:
    """Ours beside PyNeuraLogic on the same runs: neuron counts and mean test accuracy over folds."""
    rows = []
    for (model, dataset), group in runs.groupby(["model", "dataset"]):
        ours, theirs = group[group.variant == "lifted"], group[group.variant == "neuralogic"]
        theirs_off = group[group.variant == "neuralogic-off"]
        if ours.empty or theirs.empty:
            continue
        metric = "test_accuracy" if ours["test_accuracy"].notna().any() else "test_mrr"
        rows.append(
            {
                "model": model,
                "dataset": dataset,
                "ours raw": _first(ours["paper_raw"]),
                "neuralogic raw": _first(pd.concat([theirs["paper_raw"], theirs_off["paper_raw"]])),
                "ours lifted": _first(ours["paper_lifted"]),
                "neuralogic lifted": _first(theirs["paper_lifted"]),
                "ours accuracy": ours[metric].mean(),
                "neuralogic accuracy": theirs[metric].mean(),
                "accuracy gap": abs(ours[metric].mean() - theirs[metric].mean()),
            }
        )
    return pd.DataFrame(rows)


def digits_of(variant: str) -> int | None:
    match = re.search(r"-d(\d+)$", variant)
    return int(match.group(1)) if match else None


def precision(runs: pd.DataFrame) -> pd.DataFrame:
    """Value detection by digits: lifted neurons, test accuracy and epoch time, beside plain."""
    runs = runs.assign(digits=runs["variant"].map(digits_of))
    plain = runs[runs.variant == "plain"].set_index(["model", "dataset"])
    value = runs[runs.digits.notna()].copy()
    keys = list(zip(value.model, value.dataset, strict=True))
    value["plain accuracy"] = [plain.loc[k, "test_accuracy"] for k in keys]
    value["plain epoch s"] = [plain.loc[k, "epoch_seconds_median"] for k in keys]
    value["plain neurons"] = [plain.loc[k, "neurons_raw"] for k in keys]
    columns = ["model", "dataset", "digits", "neurons_lifted", "plain neurons", "clashes", "test_accuracy"]
    columns += ["plain accuracy", "epoch_seconds_median", "plain epoch s"]
    return value[columns].sort_values(["model", "dataset", "digits"]).reset_index(drop=True)


def scaling(runs: pd.DataFrame) -> pd.DataFrame:
    """Epoch times by batch size, and the speedup of each lifted variant over the others."""
    size = runs["batch_size"].fillna(10**9).astype(int)
    means = runs.assign(size=size).groupby(["model", "size", "variant"])["epoch_seconds_median"].mean()
    means = means.unstack("variant")
    rows = []
    for (model, size), row in means.iterrows():
        for lifted in [v for v in row.index if v.startswith("lifted")]:
            entry = {"model": model, "batch": "full" if size == 10**9 else str(size), "lifted": lifted}
            entry["epoch s"] = row[lifted]
            entry.update({f"vs {o}": row[o] / row[lifted] for o in ("plain", "pyg", "dgl") if o in row})
            rows.append(entry)
    return pd.DataFrame(rows)


def compression(table: pd.DataFrame) -> pd.DataFrame:
    """Neuron compression ratio per dataset, model and scope (exact detection)."""
    out = table.pivot_table(index=["dataset", "model"], columns="lifting_scope", values="ratio_neurons")
    out.columns = [f"scope {c}" for c in out.columns]
    return out.reset_index()


def _first(values: pd.Series):
    values = values.dropna()
    return None if values.empty else int(values.iloc[0])


def _ratio(a, b):
    return round(a / b, 2) if a and b else None
