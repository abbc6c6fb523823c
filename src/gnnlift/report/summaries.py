"""Summary tables of each experiment, from the tidy per-run and per-setting tables."""

from __future__ import annotations

import re

import pandas as pd

from gnnlift.report import interval, speed
from gnnlift.report.fmt import DASH, sig

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
# Lifting on and off: our engine on each backend, and PyNeuraLogic's.
ON_OFF = (("lifted", "plain"), ("lifted-native", "plain-native"), ("neuralogic", "neuralogic-off"))
ENGINE = {"lifted": "ours", "lifted-native": "ours-native", "neuralogic": "neuralogic"}


def mean_std(values: pd.Series) -> str:
    """``mean ± std`` to 3 significant digits; one value alone; a dash when there is none."""
    values = values.dropna()
    if values.empty:
        return DASH
    if len(values) == 1:
        return sig(values.iloc[0])
    return f"{sig(values.mean())} ± {sig(values.std(), 2)}"


def ordered(columns) -> list[str]:
    """Variant labels in reading order; a native label right after its torch one."""

    def key(label: str):
        name = speed.base(label)
        return (VARIANT_ORDER.index(name) if name in VARIANT_ORDER else len(VARIANT_ORDER), name, label != name)

    return sorted(columns, key=key)


def epoch_times(runs: pd.DataFrame, index: list[str]) -> pd.DataFrame:
    """Mean ± std over seeds (and folds) of the median epoch time, variants as columns."""
    table = runs.groupby([*index, "variant"])["epoch_seconds_median"].apply(mean_std).unstack("variant")
    return table[ordered(table.columns)].reset_index()


def measurements(runs: pd.DataFrame, index: list[str]) -> str:
    """How many runs × timed epochs stand behind each cell of an epoch-time table, as a sentence."""
    counts = [interval.count(interval.per_run(cell)) for _, cell in runs.groupby([*index, "variant"])]
    if not counts:
        return ""
    shown = sorted(set(counts), key=lambda c: tuple(int(x) for x in c.replace("–", "×").split("×")))
    cells = f"{len(counts)} cells"
    return f"Behind each cell, runs × timed epochs: {', '.join(shown)} ({cells})."


def table1(runs: pd.DataFrame, paper: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Epoch times per model and protocol, and the speedups of lifting beside the paper's (`speed.speedups`)."""
    return epoch_times(runs, ["protocol", "model"]), speed.speedups(runs, paper)


def lossless(runs: pd.DataFrame) -> pd.DataFrame:
    """Lifting on vs off per engine, model and dataset: counts, epoch times, accuracies over folds.

    Beside the accuracies: ``majority``, the test accuracy of always predicting the training set's
    majority class (for ranked triples, the MRR of a constant scorer), and ``AUC`` and
    ``final loss`` (the last epoch's training loss) with lifting on; all means over folds.
    """
    out = []
    for (model, dataset), group in runs.groupby(["model", "dataset"]):
        for on_label, off_label in ON_OFF:
            on, off = group[group.variant == on_label], group[group.variant == off_label]
            if on.empty or off.empty:
                continue
            merged = on.merge(off, on=["fold", "seed"], suffixes=("_on", "_off"))
            metric = "test_accuracy" if on["test_accuracy"].notna().any() else "test_mrr"
            ratio = interval.speedup(off, on)
            out.append(
                {
                    "engine": ENGINE[on_label],
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
                    "speedup 95% interval": ratio.interval() if ratio else None,
                    "n (runs×epochs)": ratio.n if ratio else None,
                    "accuracy (off)": merged[f"{metric}_off"].mean(),
                    "accuracy (on)": merged[f"{metric}_on"].mean(),
                    "majority": _mean(merged, _BASELINE[metric] + "_on"),
                    "AUC": _mean(merged, "test_auc_on"),
                    "final loss": _mean(merged, "final_loss_on"),
                    "identical per fold": bool((merged[f"{metric}_off"] == merged[f"{metric}_on"]).all()),
                }
            )
    return pd.DataFrame(out)


# The trivial baseline of each lossless metric: the majority class, or a scorer constant over tails.
_BASELINE = {"test_accuracy": "test_majority_accuracy", "test_mrr": "test_constant_mrr"}


def _mean(frame: pd.DataFrame, column: str) -> float:
    """The mean of a column over folds; NaN where the runs did not record it (older metrics)."""
    return pd.to_numeric(frame[column], errors="coerce").mean() if column in frame else float("nan")


def engines(runs: pd.DataFrame) -> pd.DataFrame:
    """Ours beside PyNeuraLogic on the same runs: neuron counts and mean test accuracy over folds."""
    rows = []
    for (model, dataset), group in runs.groupby(["model", "dataset"]):
        ours, theirs = group[group.variant == "lifted"], group[group.variant == "neuralogic"]
        if ours.empty:  # the same lifted graph on the other backend
            ours = group[group.variant == "lifted-native"]
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
    match = re.search(r"-d(\d+)(?:-native)?$", variant)
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


def _batch(runs: pd.DataFrame) -> pd.Series:
    return runs["batch_size"].fillna(10**9).astype(int)


def _batch_label(size: int) -> str:
    return "full" if size == 10**9 else str(size)


def scaling_times(runs: pd.DataFrame) -> pd.DataFrame:
    """Epoch times by model and batch size, variants (torch and native side by side) as columns."""
    runs = runs.assign(size=_batch(runs))
    table = epoch_times(runs, ["model", "size"])
    table.insert(1, "batch", table.pop("size").map(_batch_label))
    return table


def scaling(runs: pd.DataFrame) -> pd.DataFrame:
    """Epoch times by batch size, and the speedup of each lifted variant over the others.

    ``vs plain`` is plain on the lifted variant's backend; ``vs torch`` (native rows) is the same
    lifted variant on the torch backend.
    """
    means = runs.assign(size=_batch(runs)).groupby(["model", "size", "variant"])["epoch_seconds_median"].mean()
    means = means.unstack("variant")
    rows = []
    for (model, size), row in means.iterrows():
        for lifted in [v for v in ordered(row.index) if v.startswith("lifted") and pd.notna(row[v])]:
            entry = {"model": model, "batch": _batch_label(size), "lifted": lifted, "backend": speed.backend(lifted)}
            entry["epoch s"] = row[lifted]
            others = {"plain": speed.plain_of(lifted), "pyg": "pyg", "dgl": "dgl"}
            if speed.backend(lifted) == "native":
                others["torch"] = speed.base(lifted)
            entry.update({f"vs {k}": row[v] / row[lifted] for k, v in others.items() if v in row})
            rows.append(entry)
    return pd.DataFrame(rows)


def scaling_speedups(runs: pd.DataFrame) -> pd.DataFrame:
    """Per model and batch size, each lifted variant over plain on its backend, PyG, DGL and (native) itself
    on torch: the speedup as words with its 95% interval, and the runs × timed epochs behind it."""
    runs = runs.assign(size=_batch(runs))
    rows = []
    for (model, size), cell in runs.groupby(["model", "size"]):
        by_variant = dict(tuple(cell.groupby("variant")))
        for lifted in [v for v in ordered(by_variant) if v.startswith("lifted")]:
            others = [speed.plain_of(lifted), "pyg", "dgl"]
            others += [speed.base(lifted)] if speed.backend(lifted) == "native" else []
            for other in [o for o in others if o in by_variant]:
                ratio = interval.speedup(by_variant[other], by_variant[lifted])
                if ratio is not None:
                    rows.append(
                        {"model": model, "batch": _batch_label(size), "lifted": lifted, "over": other}
                        | {"speedup (95% interval)": ratio.words(), "n (runs×epochs)": ratio.n}
                    )
    return pd.DataFrame(rows, columns=["model", "batch", "lifted", "over", "speedup (95% interval)", "n (runs×epochs)"])


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
