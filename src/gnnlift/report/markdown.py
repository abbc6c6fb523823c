"""``results/report/report.md``: every experiment's table and figure beside the paper's numbers."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

import pandas as pd
import yaml

from gnnlift.report import speed, summaries

FIGURES = {  # experiment -> (figure file, caption)
    "table1": (
        "table1.png",
        "Median epoch time per model and variant (mean over seeds, error bars: std); -native: native backend.",
    ),
    "lossless": ("lossless.png", "Lifting on vs off: neurons, epoch time and test accuracy."),
    "precision": ("precision.png", "Value detection: compression, accuracy and epoch time against digits kept."),
    "clashes": ("clashes.png", "Clashes of value detection against digits kept, per number of random draws."),
    "compression": ("compression.png", "Neuron compression ratio (exact lifting) on every molecule dataset."),
    "scaling": (
        "scaling.png",
        "Speedup of lifting over the other variants as the batch grows (native backend solid, torch dashed).",
    ),
    "scaling_gpu": ("scaling_gpu.png", "As the batch grows, on the GPU (device=cuda): speedup of lifting."),
}


def _md(table: pd.DataFrame) -> str:
    """A markdown table, missing values left blank."""
    return table.astype(object).where(table.notna(), None).to_markdown(index=False, floatfmt=".4g", missingval="")


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
        "Ours (seconds, mean ± std over seeds of each run's median epoch; a `-native` label is our engine on "
        "the native backend, no suffix the torch backend):\n",
        _md(times),
        "\nThe paper's (batch size 1, its own machine; Lifting and LRNN are NeuraLogic with and without "
        "compression):\n",
        _md(theirs),
        "\nSpeedups (epoch time of `slower` / epoch time of `faster`), ours beside the paper's at batch size 1. "
        "Compression: neurons + edges of the plain graph / of the lifted graph each variant trains on:\n",
        _md(speedups) if not speedups.empty else "(needs lifted and another variant)",
    ]
    ours = speedups[speedups.faster.isin(speed.OURS) & (speedups.slower == speedups.faster.map(speed.plain_of))]
    if ours["compression"].isna().any():
        text.append(
            "\nCompression is blank where the runs record no neuron and edge counts of the graph they train on "
            "(`graph.executed` in metrics.json, or a lifted run's lifting statistics)."
        )
    reading = table1_reading(runs, speedups)
    if reading:
        text += ["\nReading:\n", *reading]
    text.append(step_cost_text(runs, "Table 1's plain and lifted runs, one point per model, protocol and variant"))
    jit = runs.get("jit_compile_seconds", pd.Series(dtype=float)).dropna()
    if not jit.empty:
        text.append(
            f"\nThe native backend compiled its kernels, or loaded them from numba's cache, once per run and "
            f"outside the timed epochs: median {jit.median():.2f} s, longest {jit.max():.2f} s "
            f"(one_off_seconds.jit_compile, {len(jit)} runs)."
        )
    text.append(_neuralogic_line(runs))
    return "\n".join(t for t in text if t) + "\n"


def _batch_of(runs: pd.DataFrame, protocol: str) -> str:
    sizes = runs.loc[runs.protocol == protocol, "batch_size"].dropna()
    return f"batch {int(sizes.iloc[0])}" if not sizes.empty else "full batch"


def _protocols(runs: pd.DataFrame) -> list[str]:
    """Protocols in order of batch size, the full batch last."""
    sizes = runs.groupby("protocol")["batch_size"].first().fillna(float("inf"))
    return sorted(sizes.index, key=lambda p: (sizes[p], p))


def table1_reading(runs: pd.DataFrame, speedups: pd.DataFrame) -> list[str]:
    """One line per protocol and comparison, and what the native rows say against compression and the paper."""
    if speedups.empty:
        return []
    lines = []
    for protocol in _protocols(runs):
        rows = speedups[speedups.protocol == protocol]
        for (fast, slow), group in rows.groupby(["faster", "slower"], sort=False):
            cells = []
            for _, row in group.iterrows():
                notes = [f"paper {row['paper (batch 1)']:.2f}x"] if pd.notna(row["paper (batch 1)"]) else []
                notes += [f"compression {row['compression']:.2f}x"] if pd.notna(row["compression"]) else []
                cells.append(f"{row['model']} {row['speedup']:.2f}x" + (f" ({'; '.join(notes)})" if notes else ""))
            lines.append(f"- `{protocol}` ({_batch_of(runs, protocol)}), {fast} over {slow}: {', '.join(cells)}.")
    native = speedups[(speedups.faster == "lifted-native") & (speedups.slower == "plain-native")]
    paired = native.dropna(subset=["compression"])
    if not paired.empty:
        per = paired["speedup"] / paired["compression"]
        lines.append(
            f"- On the native backend lifting's speedup is {per.min():.2f}–{per.max():.2f} times its compression "
            f"ratio over {len(paired)} model and protocol cells (1 would be time proportional to neurons + edges)."
        )
    at_one = native[(native.protocol == "paper") & native["paper (batch 1)"].notna()]
    if not at_one.empty:
        above = int((at_one["speedup"] >= at_one["paper (batch 1)"]).sum())
        lines.append(
            f"- At batch size 1, lifted-native over plain-native reaches the paper's lifting/LRNN ratio for "
            f"{above} of {len(at_one)} models."
        )
    return lines


def step_cost_text(runs: pd.DataFrame, cells: str) -> str:
    """The per-backend fit of seconds a step against neurons + edges a step, with one reading line each."""
    fit = speed.step_cost(runs)
    if fit.empty:
        return ""
    shown = fit.assign(
        **{
            "fixed µs per step": fit["fixed s per step"] * 1e6,
            "ns per neuron+edge": fit["s per neuron+edge"] * 1e9,
        }
    )[["backend", "cells", "fixed µs per step", "ns per neuron+edge", "r2", "median size per step"]]
    lines = [
        "\n### Cost of a training step\n",
        f"A line fitted per backend over {cells}: seconds a step (median epoch / ceil(training samples / batch "
        "size)) against neurons + edges a step (the trained graph's neurons + edges / its samples × batch size).\n",
        _md(shown),
        "",
    ]
    for _, row in fit.iterrows():
        fixed, slope, size = row["fixed s per step"], row["s per neuron+edge"], row["median size per step"]
        line = f"- {row['backend']}: {fixed * 1e6:.1f} µs fixed a step plus {slope * 1e9:.3g} ns per neuron + edge"
        line += f" ({row['cells']} cells" + (f", R² {row['r2']:.2f})" if pd.notna(row["r2"]) else ")")
        if fixed > 0 and slope > 0:
            share = fixed / (fixed + slope * size)
            line += f"; at the median step of {size:,.0f} neurons + edges the fixed part is {share:.0%} of the step."
        elif slope <= 0:
            line += "; time does not grow with neurons + edges across these cells."
        else:
            line += "; no fixed cost per step shows across these cells."
        lines.append(line)
    return "\n".join(lines)


def _neuralogic_line(runs: pd.DataFrame) -> str:
    means = runs[runs.protocol == "paper"].groupby(["model", "variant"])["epoch_seconds_median"].mean().unstack()
    ours = next((v for v in speed.OURS if v in means.columns), None)
    if ours is None or not {"neuralogic", "neuralogic-off"} <= set(means.columns):
        return ""
    rows = [
        f"{model}: {ours} {row[ours]:.4f} s, neuralogic {row['neuralogic']:.4f} s "
        f"(compression off {row['neuralogic-off']:.4f} s, so its own lifting gains "
        f"{row['neuralogic-off'] / row['neuralogic']:.2f}x)"
        for model, row in means.iterrows()
        if pd.notna(row[ours]) and pd.notna(row["neuralogic"]) and pd.notna(row["neuralogic-off"])
    ]
    return "\nNeuraLogic, timed in the same run, at batch size 1: " + "; ".join(rows) + "." if rows else ""


def section_lossless(runs: pd.DataFrame, paper: dict) -> str:
    table = summaries.lossless(runs)
    ref, kb = paper["gnn_embed_786_0"], paper["knowledge_bases"]
    ours = table[table["engine"].str.startswith("ours")] if "engine" in table else table
    theirs = table[table["engine"] == "neuralogic"] if "engine" in table else table.iloc[0:0]
    identical = bool(ours["identical per fold"].all()) if not ours.empty else None
    text = [
        "## Lossless lifting on vs off (paper Fig. 5)\n",
        _md(table),
        f"\nThe paper, gnn_embed on 786_0 per fold: {ref['raw']:,} → {ref['pruned']:,} → {ref['lifted']:,} neurons "
        f"({ref['ratio']}x), training {ref['speedup']}x faster; knowledge bases "
        f"{kb['neuron_ratio']} fewer neurons, {kb['speedup']} faster. "
        "Our counts cover the whole dataset (5 folds), so divide by 5 to compare per fold.",
    ]
    if identical is not None:
        text.append(
            "\nReading: in our engine (torch and native backends) test accuracies with lifting on and off are "
            f"{'identical in every fold' if identical else 'NOT identical in every fold'}, "
            "as they must be: the lifted graph computes the same function."
        )
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


def section_scaling(runs: pd.DataFrame, title: str = "Scope and batch size") -> str:
    text = [
        f"## {title}\n",
        f"Device: {_devices(runs)}.\n",
        "Epoch time (s) by batch size; a `-native` label is the native backend, no suffix the torch backend:\n",
        _md(summaries.scaling_times(runs)),
        "\nSpeedup of each lifted variant (above 1: lifting is faster). `vs plain` is plain on the same backend, "
        "`vs torch` the same lifted variant on the torch backend. Scope `dataset` runs a batch on the part of "
        "the dataset-wide lifted graph its outputs need:\n",
        _md(summaries.scaling(runs)),
    ]
    reading = scaling_reading(runs)
    if reading:
        text += ["\nReading, torch against native at each batch size:\n", *reading]
    text.append(step_cost_text(runs, "this experiment's plain and lifted runs, one point per model, batch and variant"))
    return "\n".join(t for t in text if t) + "\n"


def scaling_reading(runs: pd.DataFrame) -> list[str]:
    """Per model and batch size: lifted on each backend, and what lifting gains over plain on each."""
    table = summaries.scaling(runs)
    if table.empty:
        return []
    lines = []
    for (model, batch), group in table.groupby(["model", "batch"], sort=False):
        rows = group.set_index("lifted")
        if not {"lifted", "lifted-native"} <= set(rows.index):
            continue
        torch_s, native_s = rows.loc["lifted", "epoch s"], rows.loc["lifted-native", "epoch s"]
        line = f"- {model}, batch {batch}: lifted {torch_s:.4g} s on torch, {native_s:.4g} s on native"
        ratio, word = (torch_s / native_s, "faster") if native_s <= torch_s else (native_s / torch_s, "slower")
        line += f" (native {ratio:.2f}x {word})"
        gains = [
            f"{rows.loc[v, 'vs plain']:.2f}x on {speed.backend(v)}"
            for v in ("lifted", "lifted-native")
            if "vs plain" in rows and pd.notna(rows.loc[v, "vs plain"])
        ]
        lines.append(line + (f"; lifting gains {' and '.join(gains)} over plain." if gains else "."))
    return lines


def timing_line(limit: str | None) -> str:
    """What the report can say about timing jobs sharing the machine, from the limit it was given.

    ``limit`` is the ``timing`` resource limit of the Snakemake invocation that wrote the report
    (an integer as text), ``"none"`` when that invocation set none, or None when it is not known.
    """
    if limit is None:
        return (
            "- timing jobs: whether they ran one at a time is not known (no `timing` limit was given to the report)\n"
        )
    if limit == "none":
        return (
            "- timing jobs: no Snakemake `timing` resource limit was applied by the invocation that wrote this report\n"
        )
    if not limit.isdigit():
        raise ValueError(f"timing limit {limit!r}: expected a whole number or none")
    at_once = "one at a time" if int(limit) == 1 else f"at most {int(limit)} at a time"
    return (
        f"- timing jobs: {at_once} (Snakemake resource `timing={int(limit)}`, "
        "as applied by the invocation that wrote this report)\n"
    )


def _devices(runs: pd.DataFrame) -> str:
    """The devices the runs of a table ran on (metrics.json environment.device)."""
    return ", ".join(sorted(runs["device"].dropna().unique()) if "device" in runs else ["cpu"])


def environment(frames: list[pd.DataFrame], timing_limit: str | None = None) -> str:
    present = [f for f in frames if f is not None and "cpu" in f]
    runs = pd.concat(present, ignore_index=True) if present else None
    if runs is None or runs.empty:
        return "## Environment\n\nNo training runs in this configuration.\n"
    return (
        "## Environment\n\n"
        f"- CPU: {', '.join(sorted(runs.cpu.dropna().unique()))}\n"
        f"- device: {_devices(runs)}\n"
        f"- threads per run: {', '.join(str(int(t)) for t in sorted(runs.threads.dropna().unique()))}\n"
        f"- dtype: {', '.join(sorted(runs.dtype.dropna().unique()))}\n"
        f"- torch: {', '.join(sorted(runs.torch.dropna().unique()))}\n" + timing_line(timing_limit)
    )


def write_report(
    tables: Path,
    figures: Path,
    datasets: Path | None,
    paper_file: Path,
    out: Path,
    left_out: list[str] | None = None,
    timing_limit: str | None = None,
) -> str:
    """Compose the report from whatever tables exist; returns the markdown.

    ``timing_limit``: the ``timing`` resource limit applied to the runs (see :func:`timing_line`).
    """
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
        "scaling_gpu": lambda t: section_scaling(t, "Scope and batch size on the GPU"),
    }
    for name, make in sections.items():
        if frames[name] is not None and not frames[name].empty:
            parts.append(make(frames[name]))
            if (figures / FIGURES[name][0]).is_file():
                parts.append(_figure(name, figures, out))
    if datasets is not None and Path(datasets).is_file():
        parts.append("## Datasets\n\n" + _md(pd.read_csv(datasets)) + "\n")
    experiments = ("table1", "lossless", "precision", "scaling", "scaling_gpu")
    parts.append(environment([frames[n] for n in experiments], timing_limit))
    return "\n".join(parts)
