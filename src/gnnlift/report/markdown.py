"""``results/report/report.md``: every experiment's table and figure beside the paper's numbers."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

import pandas as pd
import yaml

from gnnlift.report import summaries

FIGURES = {  # experiment -> (figure file, caption)
    "table1": ("table1.png", "Median epoch time per model and variant (mean over seeds, error bars: std)."),
    "lossless": ("lossless.png", "Lifting on vs off: neurons, epoch time and test accuracy."),
    "precision": ("precision.png", "Value detection: compression, accuracy and epoch time against digits kept."),
    "clashes": ("clashes.png", "Clashes of value detection against digits kept, per number of random draws."),
    "compression": ("compression.png", "Neuron compression ratio (exact lifting) on every molecule dataset."),
    "scaling": ("scaling.png", "Speedup of lifting over the other variants as the batch grows."),
}


def _md(table: pd.DataFrame) -> str:
    return table.to_markdown(index=False, floatfmt=".4g")


def _figure(name: str, figures: Path, out: Path) -> str:
    file, caption = FIGURES[name]
    return f"![{caption}]({os.path.relpath(Path(figures) / file, Path(out).parent)})\n\n*{caption}*\n"


def _read(tables: Path, name: str) -> pd.DataFrame | None:
    path = tables / f"{name}.csv"
    return pd.read_csv(path) if path.is_file() else None


def section_table1(runs: pd.DataFrame, paper: dict) -> str:
    times, speedups = summaries.table1(runs, paper["table1"])
    theirs = pd.DataFrame(paper["table1"]).T.reset_index().rename(columns={"index": "model"})
    text = [
        "## Table 1: per-epoch training time\n",
        "Ours (seconds, mean ± std over seeds of each run's median epoch):\n",
        _md(times),
        "\nThe paper's (batch size 1, its own machine):\n",
        _md(theirs),
        "\nSpeedup of lifted over each variant, ours beside the paper's:\n",
        _md(speedups) if not speedups.empty else "(needs lifted and another variant)",
    ]
    paper_rows = speedups[speedups.protocol == "paper"] if not speedups.empty else speedups
    if not paper_rows.empty:
        best = paper_rows.loc[paper_rows["ours"].idxmax()]
        text.append(
            f"\nReading: at batch size 1 the largest speedup of lifting is {best['ours']:.2f}x over "
            f"{best['speedup of lifted over']} for {best['model']}. At batch size 1 each step runs a few dozen small "
            "tensor operations whatever the number of neurons, so per-operation overhead, not neuron count, sets "
            "the time; lifting pays off where batches are large (see the scaling experiment). The paper's engine "
            "works neuron by neuron, where removed neurons are removed work."
        )
    means = runs[runs.protocol == "paper"].groupby(["model", "variant"])["epoch_seconds_median"].mean().unstack()
    if {"lifted", "neuralogic", "neuralogic-off"} <= set(means.columns):
        rows = [
            f"{model}: lifted {row['lifted']:.4f} s, neuralogic {row['neuralogic']:.4f} s "
            f"(compression off {row['neuralogic-off']:.4f} s, so its own lifting gains "
            f"{row['neuralogic-off'] / row['neuralogic']:.2f}x)"
            for model, row in means.iterrows()
        ]
        text.append(
            "\nNeuraLogic, timed in the same run, at batch size 1: " + "; ".join(rows) + ". That engine is the "
            "neuron-by-neuron kind: there, fewer neurons is less work."
        )
    return "\n".join(text) + "\n"


def section_lossless(runs: pd.DataFrame, paper: dict) -> str:
    table = summaries.lossless(runs)
    ref, kb = paper["gnn_embed_786_0"], paper["knowledge_bases"]
    ours = table[table["engine"] == "ours"] if "engine" in table else table
    theirs = table[table["engine"] == "neuralogic"] if "engine" in table else table.iloc[0:0]
    identical = bool(ours["identical per fold"].all())
    text = [
        "## Lossless lifting on vs off (paper Fig. 5)\n",
        _md(table),
        f"\nThe paper, gnn_embed on 786_0 per fold: {ref['raw']:,} → {ref['pruned']:,} → {ref['lifted']:,} neurons "
        f"({ref['ratio']}x), training {ref['speedup']}x faster; knowledge bases "
        f"{kb['neuron_ratio']} fewer neurons, {kb['speedup']} faster. "
        "Our counts cover the whole dataset (5 folds), so divide by 5 to compare per fold.",
        "\nReading: test accuracies with lifting on and off are "
        f"{'identical in every fold' if identical else 'NOT identical in every fold'}, "
        "as they must be: the lifted graph computes the same function.",
    ]
    if not theirs.empty:
        same = bool(theirs["identical per fold"].all())
        text.append(
            f"NeuraLogic's own compression {'kept' if same else 'did NOT keep'} every fold's accuracy. It merges "
            "neurons whose values agree under random weights, which is exact for sigmoid models but can merge "
            "relu neurons that agree only by chance."
        )
    side = summaries.engines(runs)
    if not side.empty:
        text += [
            "\n### Our engine beside PyNeuraLogic (same template, data, folds and starting weights)\n",
            _md(side),
            "\nNeuraLogic's counts are its own (neurons of its built networks, by class). Raw counts agree with "
            "ours where the two grounders build the same network: NeuraLogic leaves out what no query reaches "
            "(knowledge bases) and keeps GIN's MLP hidden layer as an atom, not a rule (+1 atom, rule and "
            "aggregation per node and layer). Compressed counts differ more: NeuraLogic merges neurons by "
            "their values under random weights and merges equal-valued facts into one, where our exact lifting "
            "merges by structure.",
        ]
    return "\n".join(text) + "\n"


def section_precision(runs: pd.DataFrame) -> str:
    table = summaries.precision(runs)
    lines = []
    for (model, dataset), group in table.groupby(["model", "dataset"]):
        clean = group[group.clashes == 0].digits
        drift = group[group.test_accuracy != group["plain accuracy"]].digits
        first_clean = int(clean.min()) if len(clean) else None
        differs = ", ".join(str(int(d)) for d in drift) or "none"
        lines.append(
            f"- {model} / {dataset}: no clashes from {first_clean} digits on; "
            f"test accuracy differs from plain at digits: {differs}."
        )
    reading = (
        "\n\nReading: with few digits value detection merges neurons that only look equal (clashes), so the "
        "lifted graph is smaller than the exact one and computes something else.\n\n"
    )
    return "## Precision sweep (paper Fig. 3a/4)\n\n" + _md(table) + reading + "\n".join(lines) + "\n"


def section_clashes(table: pd.DataFrame) -> str:
    pivot = table.pivot_table(index=["model", "dataset", "lifting_digits"], columns="lifting_inits", values="clashes")
    pivot.columns = [f"inits {c}" for c in pivot.columns]
    return (
        "## Clashes (paper Fig. 3b)\n\n"
        + _md(pivot.reset_index())
        + (
            "\n\nA clash is a merge of equal-valued neurons whose inputs differ. More random draws (inits) and more "
            "digits separate them.\n"
        )
    )


def section_compression(table: pd.DataFrame) -> str:
    ratios = summaries.compression(table)
    by_model = table.groupby(["model", "lifting_scope"])["ratio_neurons"].median().unstack("lifting_scope")
    by_model.columns = [f"scope {c}" for c in by_model.columns]
    return (
        "## Compression across molecule datasets\n\nMedian compression ratio (neurons raw / lifted) over datasets:\n\n"
        + _md(by_model.reset_index())
        + "\n\n<details><summary>Every dataset</summary>\n\n"
        + _md(ratios)
        + "\n\n</details>\n"
    )


def section_scaling(runs: pd.DataFrame) -> str:
    return (
        "## Scope and batch size\n\n"
        + _md(summaries.scaling(runs))
        + (
            "\n\nSpeedups above 1 mean lifting is faster. Scope `dataset` runs a batch on the part of the "
            "dataset-wide lifted graph its outputs need.\n"
        )
    )


def environment(frames: list[pd.DataFrame]) -> str:
    present = [f for f in frames if f is not None and "cpu" in f]
    runs = pd.concat(present, ignore_index=True) if present else None
    if runs is None or runs.empty:
        return "## Environment\n\nNo training runs in this configuration.\n"
    return (
        "## Environment\n\n"
        f"- CPU: {', '.join(sorted(runs.cpu.dropna().unique()))}\n"
        f"- threads per run: {', '.join(str(int(t)) for t in sorted(runs.threads.dropna().unique()))}\n"
        f"- dtype: {', '.join(sorted(runs.dtype.dropna().unique()))}\n"
        f"- torch: {', '.join(sorted(runs.torch.dropna().unique()))}\n"
        "- timing jobs ran one at a time (Snakemake resource `timing=1`)\n"
    )


def write_report(
    tables: Path, figures: Path, datasets: Path | None, paper_file: Path, out: Path, left_out: list[str] | None = None
) -> str:
    """Compose the report from whatever tables exist; returns the markdown."""
    paper = yaml.safe_load(Path(paper_file).read_text())
    parts = ["# gnnlift: lifting reproduced\n", f"Generated {_dt.date.today().isoformat()}.\n"]
    for note in left_out or []:
        parts.append(f"**Left out of this run:** {note}\n")
    frames = {name: _read(tables, name) for name in FIGURES}
    sections = {
        "table1": lambda t: section_table1(t, paper),
        "lossless": lambda t: section_lossless(t, paper),
        "precision": section_precision,
        "clashes": section_clashes,
        "compression": section_compression,
        "scaling": section_scaling,
    }
    for name, make in sections.items():
        if frames[name] is not None and not frames[name].empty:
            parts.append(make(frames[name]))
            if (figures / FIGURES[name][0]).is_file():
                parts.append(_figure(name, figures, out))
    if datasets is not None and Path(datasets).is_file():
        parts.append("## Datasets\n\n" + _md(pd.read_csv(datasets)) + "\n")
    parts.append(environment([frames[n] for n in ("table1", "lossless", "precision", "scaling")]))
    return "\n".join(parts)
