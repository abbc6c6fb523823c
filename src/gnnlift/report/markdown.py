"""``results/report/report.md``: what this run found, then every experiment beside the paper's numbers.

Every sentence that states a result is computed from the run's tables, and the same tables give a
byte-identical file: the date and host of a render go to ``provenance.json``, not here.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import yaml

from gnnlift import atomic, experiments
from gnnlift.report import breakeven, cost, findings, interval, notpaying, plots, provenance, speed, summaries
from gnnlift.report.fmt import DASH, count, faster, sig, table, times


def _figure(name: str, figures: Path, out: Path) -> str:
    path = Path(figures) / f"{name}.png"
    if not path.is_file():
        return ""
    caption = experiments.get(name).caption
    return f"\n![{caption}]({os.path.relpath(path, Path(out).parent)})\n\n*{caption}*\n"


def _read(tables: Path, name: str) -> pd.DataFrame | None:
    path = Path(tables) / f"{name}.csv"
    if not path.is_file():
        return None
    frame = pd.read_csv(path)
    return None if frame.empty else frame


def section_summary(lines: list[str], left_out: list[str]) -> str:
    """The report's opening: the findings' lines (:func:`findings.report`), then what the run left out."""
    text = [
        "## What this run found\n",
        "Comparisons with a paper number pair the engines the paper paired (NeuraLogic, its engine, with "
        "compression on and off, and against PyG and DGL) and are counted; our engine's ratios stand beside them, "
        "beyond the paper, and are not. Each speedup carries its 95% bootstrap interval and the runs × timed "
        "epochs behind it.\n",
    ]
    text += lines or ["No experiment of this run has results to summarise."]
    text += [f"\n**Left out of this run:** {note}" for note in left_out]
    return "\n".join(text) + "\n"


def section_table1(runs: pd.DataFrame, paper: dict) -> str:
    times_, speedups = summaries.table1(runs, paper["table1"])
    theirs = pd.DataFrame(paper["table1"]).T.reset_index().rename(columns={"index": "model"})
    text = [
        "## Table 1: per-epoch training time\n",
        "Ours (seconds, mean ± std over seeds of each run's median epoch; a -native label is our engine on "
        "the native backend, no suffix the torch backend):\n",
        table(times_),
        "\n" + summaries.measurements(runs, ["protocol", "model"]),
        "\nThe paper's (batch size 1, its own machine; Lifting and LRNN are NeuraLogic with and without "
        "compression):\n",
        table(theirs),
    ]
    if speedups.empty:
        text.append("\nSpeedups need lifted and another variant.")
    for protocol in speed.protocols(runs):
        rows = speedups[speedups.protocol == protocol].drop(columns=["protocol", "low", "high"])
        if rows.empty:
            continue
        at_one = protocol == "paper"
        text.append(f"\n### Speedups, {speed.batch_of(runs, protocol)} (protocol {protocol})\n")
        text.append(
            "Epoch time of slower / epoch time of faster (each the mean over runs of a run's median timed epoch), "
            "its 95% bootstrap interval (runs and their epochs resampled) and the runs × timed epochs behind "
            "each side (slower / faster)."
        )
        for kind, intro in (
            (
                speed.LIKE_FOR_LIKE,
                "The paper's engines, as its Table 1 pairs them (NeuraLogic with compression over "
                "NeuraLogic without, PyG and DGL)"
                + (", beside the paper's ratio:" if at_one else "; the paper times batch 1 only:"),
            ),
            (
                speed.BEYOND,
                "Our engine, beyond the paper (no paper number pairs these engines; not counted against "
                "it). Compression: neurons + edges of the plain graph / of the lifted graph the variant trains on:",
            ),
        ):
            part = rows[rows.comparison == kind].drop(columns="comparison")
            if part.empty:
                continue
            part = part.drop(columns=speed.COMPRESSION if kind == speed.LIKE_FOR_LIKE else "paper (batch 1)")
            if kind == speed.LIKE_FOR_LIKE and not at_one:
                part = part.drop(columns="paper (batch 1)")
            note = (
                f"{DASH}: compression applies to lifted over plain only."
                if kind == speed.BEYOND
                else f"{DASH}: the paper has no ratio for that pair."
            )
            text += [f"\n{intro}\n", table(part, note=note)]
    ours = speedups[speedups.faster.isin(speed.OURS) & (speedups.slower == speedups.faster.map(speed.plain_of))]
    if ours[speed.COMPRESSION].isna().any():
        text.append(
            "\nCompression is blank where the runs record no neuron and edge counts of the graph they train on "
            "(graph.executed in metrics.json, or a lifted run's lifting statistics)."
        )
    reading = table1_reading(runs, speedups)
    if reading:
        text += ["\nReading:\n", *reading]
    spread = spread_lines(runs)
    if spread:
        text += ["\nSpread of the timed epochs within a run, where above 10%:\n", *spread]
    text.append(step_cost_text(runs, "Table 1's plain and lifted runs, one point per model, protocol and variant"))
    text.append(jit_line(runs))
    text.append(_neuralogic_line(runs))
    return "\n".join(t for t in text if t) + "\n"


def spread_lines(runs: pd.DataFrame, above: float = 0.1) -> list[str]:
    """One line per variant whose timed epochs vary by more than ``above`` (coefficient of variation), with
    what the epochs' order says of why: a trend down (a warming JIT) or isolated slow epochs."""
    lines = []
    for variant, group in runs.groupby("variant"):
        measured = interval.spread(group)
        if measured is None or measured[0] <= above:
            continue
        cv, later, peak = measured
        if later < 0.9:
            why = f"a run's later epochs take {sig(later)}x the time of its earlier ones: still warming up (JIT)"
        elif peak > 1.5:
            why = f"its slowest epoch takes {sig(peak)}x its median: isolated slow epochs (such as garbage collection)"
        else:
            why = "no trend and no isolated slow epoch: spread throughout"
        lines.append(f"- {variant}: timed epochs vary by {cv:.0%} (median coefficient of variation over runs); {why}.")
    return lines


def jit_line(runs: pd.DataFrame) -> str:
    """The native kernels' one-off compile: loaded from numba's cache and compiled cold, apart."""
    jit = pd.to_numeric(runs.get("jit_compile_seconds", pd.Series(dtype=float)), errors="coerce")
    if jit.dropna().empty:
        return ""
    cold = runs.get("jit_cold", pd.Series(None, index=runs.index, dtype=object))
    parts = []
    for flag, words in ((False, "loaded them from numba's cache"), (True, "compiled them cold")):
        seconds = jit[cold.isin([flag, str(flag)])].dropna()
        if len(seconds):
            parts.append(f"{words} in {len(seconds)} runs (median {sig(seconds.median())} s)")
    unknown = jit[~cold.isin([True, False, "True", "False"])].dropna()
    if len(unknown):
        parts.append(
            f"compiled or loaded them, not recorded which, in {len(unknown)} runs (median {sig(unknown.median())} s)"
        )
    return (
        "\nThe native backend's kernels, once per run and outside the timed epochs (one_off_seconds.jit_compile): "
        + "; ".join(parts)
        + ". Break-even counts a cold compile at the cached cost and shows the rest apart."
    )


def table1_reading(runs: pd.DataFrame, speedups: pd.DataFrame) -> list[str]:
    """One line per protocol and comparison, and what the native rows say against compression."""
    if speedups.empty:
        return []
    lines = []
    for protocol in speed.protocols(runs):
        rows = speedups[speedups.protocol == protocol]
        for (fast, slow), group in rows.groupby(["faster", "slower"], sort=False):
            cells = []
            for _, row in group.iterrows():
                notes = [f"paper {times(row['paper (batch 1)'])}"] if pd.notna(row["paper (batch 1)"]) else []
                notes += [f"compression {times(row[speed.COMPRESSION])}"] if pd.notna(row[speed.COMPRESSION]) else []
                cell = f"{row['model']} {faster(row['speedup'])} {row['95% interval']} (n {row['n (runs×epochs)']}"
                cells.append(cell + (f"; {'; '.join(notes)})" if notes else ")"))
            lines.append(f"- {protocol} ({speed.batch_of(runs, protocol)}), {fast} over {slow}: {', '.join(cells)}.")
    native = speedups[(speedups.faster == "lifted-native") & (speedups.slower == "plain-native")]
    paired = native.dropna(subset=[speed.COMPRESSION])
    if not paired.empty:
        per = paired["speedup"] / paired[speed.COMPRESSION]
        lines.append(
            f"- On the native backend lifting's speedup is {sig(per.min())}–{sig(per.max())} times its compression "
            f"ratio over {len(paired)} model and protocol cells (1 would be time proportional to neurons + edges)."
        )
    like = speedups[(speedups.comparison == speed.LIKE_FOR_LIKE) & speedups["paper (batch 1)"].notna()]
    if not like.empty:
        above = int((like["speedup"] >= like["paper (batch 1)"]).sum())
        lines.append(
            f"- At batch size 1, NeuraLogic (the paper's engine) meets or beats the paper's ratio of the same "
            f"engines in {above} of {len(like)} comparisons."
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
        table(shown, note=f"{DASH}: R² is undefined where every cell took the same time."),
        "",
    ]
    for _, row in fit.iterrows():
        fixed, slope, size = row["fixed s per step"], row["s per neuron+edge"], row["median size per step"]
        line = f"- {row['backend']}: {sig(fixed * 1e6)} µs fixed a step plus {sig(slope * 1e9)} ns per neuron + edge"
        line += f" ({row['cells']} cells" + (f", R² {row['r2']:.2f})" if pd.notna(row["r2"]) else ")")
        if fixed > 0 and slope > 0:
            share = fixed / (fixed + slope * size)
            line += f"; at the median step of {count(size)} neurons + edges the fixed part is {share:.0%} of the step."
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
        f"{model}: {ours} {sig(row[ours])} s, neuralogic {sig(row['neuralogic'])} s "
        f"(compression off {sig(row['neuralogic-off'])} s, so its own lifting gains "
        f"{times(row['neuralogic-off'] / row['neuralogic'])})"
        for model, row in means.iterrows()
        if pd.notna(row[ours]) and pd.notna(row["neuralogic"]) and pd.notna(row["neuralogic-off"])
    ]
    return "\nNeuraLogic, timed in the same run, at batch size 1: " + "; ".join(rows) + "." if rows else ""


def section_lossless(runs: pd.DataFrame, paper: dict) -> str:
    summary = summaries.lossless(runs)
    ref, kb = paper["gnn_embed_786_0"], paper["knowledge_bases"]
    ours = summary[summary["engine"].str.startswith("ours")] if "engine" in summary else summary
    theirs = summary[summary["engine"] == "neuralogic"] if "engine" in summary else summary.iloc[0:0]
    text = [
        "## Lossless lifting on vs off (paper Fig. 5)\n",
        table(summary, note=f"{DASH}: no neuron count recorded for that engine and setting."),
        "\nmajority: the test accuracy of always predicting the training folds' majority class (for ranked "
        "triples, the MRR of a scorer constant over tails); AUC and final loss (the last epoch's training "
        "loss; predicting 0.5 for every sample scores ln 2 = 0.693) with lifting on; all means over the row's folds. "
        "neurons raw, pruned, lifted and ratio count neurons as NeuraLogic counts them (fact, atom, rule and "
        "aggregation neurons, each engine its own graph); the compression and precision sections count vector "
        "neurons of our graph, so their numbers for the same model and dataset are smaller. speedup: epoch s (off) / "
        "epoch s (on), with its 95% bootstrap interval and the runs × timed epochs behind each side.",
        *_learned(summary),
        *_fewer_folds(runs),
        f"\nThe paper, gnn_embed on 786_0 per fold: {count(ref['raw'])} → {count(ref['pruned'])} → "
        f"{count(ref['lifted'])} neurons ({times(ref['ratio'])}), training {times(ref['speedup'])} faster; "
        f"knowledge bases {kb['neuron_ratio']} fewer neurons, {kb['speedup']} faster. "
        "Our counts cover the whole dataset (5 folds), so divide by 5 to compare per fold.",
    ]
    if not ours.empty:
        same = int(ours["identical per fold"].sum())
        text.append(
            f"\nReading: in our engine, test accuracies with lifting on and off are identical in every fold for "
            f"{same} of {len(ours)} engine × model × dataset rows."
        )
    if not theirs.empty:
        same = int(theirs["identical per fold"].sum())
        text.append(
            f"NeuraLogic's own compression kept every fold's accuracy for {same} of {len(theirs)} model × dataset rows."
        )
    side = summaries.engines(runs)
    if not side.empty:
        raw = side.dropna(subset=["ours raw", "neuralogic raw"])
        agree = raw[raw["ours raw"] == raw["neuralogic raw"]]
        differ = [
            f"{r.model}/{r.dataset} {count(r['ours raw'])} vs {count(r['neuralogic raw'])}"
            for _, r in raw.drop(agree.index).iterrows()
        ]
        parts = [f"uncompressed neuron counts agree in {len(agree)} of {len(raw)} rows"] if len(raw) else []
        parts[-1:] = [parts[-1] + f" (ours vs NeuraLogic's: {'; '.join(differ)})"] if differ else parts[-1:]
        gap = side["accuracy gap"].dropna()
        if not gap.empty:
            parts.append(f"mean test accuracies differ by at most {sig(gap.max())}")
        joined = "; ".join(parts)
        line = f"\n{joined[:1].upper()}{joined[1:]}." if parts else "\n"
        text += [
            "\n### Our engine beside PyNeuraLogic (same template, data, folds and starting weights)\n",
            table(side, note=f"{DASH}: not recorded (NeuraLogic's compressed count needs lifting on)."),
            line + " docs/models.md (How it agrees with ours) explains where the two engines count differently.",
        ]
    return "\n".join(text) + "\n"


def _learned(summary: pd.DataFrame) -> list[str]:
    """How many rows' mean test accuracy lies above their majority baseline, naming those that do not."""
    if summary.empty or "majority" not in summary or summary["majority"].isna().all():
        return []
    rows = summary.dropna(subset=["majority"])
    on = rows["accuracy (on)"]
    below = rows[~(on > rows["majority"])]
    line = (
        f"\nAbove the majority class (mean test accuracy with lifting on): {len(rows) - len(below)} of {len(rows)} rows"
    )
    if not below.empty:
        named = [
            f"{r.engine} {r.model}/{r.dataset} {sig(r['accuracy (on)'])} vs {sig(r.majority)}"
            for _, r in below.iterrows()
        ]
        line += f"; not: {'; '.join(named)}"
    return [line + "."]


def _fewer_folds(runs: pd.DataFrame) -> list[str]:
    """Which variants ran on fewer folds than the experiment's others (``folds_of`` in the config)."""
    if runs.empty or "fold" not in runs:
        return []
    folds = runs.groupby("variant")["fold"].apply(lambda f: sorted(set(int(x) for x in f)))
    most = max(len(f) for f in folds)
    fewer = {v: f for v, f in folds.items() if len(f) < most}
    if not fewer:
        return []
    named = [f"{v} on fold{'s' if len(f) > 1 else ''} {', '.join(map(str, f))}" for v, f in sorted(fewer.items())]
    return [
        f"\nFewer folds than the other variants' {most}: {'; '.join(named)}, for the cost of their epochs; "
        "their rows' means are over those folds only."
    ]


def section_speedup(runs: pd.DataFrame) -> str:
    """Speedup against compression, and when the one-off cost of lifting is paid back."""
    points = plots.speedup_data(runs)
    text = ["## Speedup against compression, and when lifting pays off\n"]
    if not points.empty:
        per = points.assign(ratio=points.speedup / points.compression).groupby("backend")["ratio"]
        cells = [
            f"{backend} {sig(group.median())} ("
            + (f"{len(group)} points, {sig(group.min())}–{sig(group.max())})" if len(group) > 1 else "1 point)")
            for backend, group in per
        ]
        text.append(
            "Speedup / compression, median per backend (1: time proportional to neurons + edges; "
            "NeuraLogic: to its neurons): " + "; ".join(cells) + "."
        )
    costs = breakeven.table(runs)
    if not costs.empty:
        never = int(costs["pays off after"].str.startswith("never").sum())
        paying = costs[~costs["pays off after"].str.startswith("never")]
        line = "\nOne-off seconds (grounding, lifting, conversion, flattening, compiling; loading the file left out) "
        line += f"against the seconds saved each epoch, in {len(costs)} cells: lifting pays for itself "
        if not paying.empty:
            epochs = paying["pays off after"].str.extract(r"(\d[\d,]*)")[0].str.replace(",", "").astype(float)
            at_once = int(epochs.isna().sum())
            worst = epochs.max()
            line += f"in {len(paying)}"
            line += f" ({at_once} at once)" if at_once else ""
            line += f", after at most {count(worst)} epochs" if pd.notna(worst) else ""
            line += f"; never in {never} (no time saved per epoch)." if never else "."
        else:
            line += f"in none; it saves no time per epoch in all {never}."
        text += [line + "\n", table(costs.drop(columns=["plain"]))]
    text += notpaying.section(runs)
    return "\n".join(text) + "\n"


def section_precision(runs: pd.DataFrame) -> str:
    summary = summaries.precision(runs)
    lines = []
    for (model, dataset), group in summary.groupby(["model", "dataset"]):
        clean = group[group.clashes == 0].digits
        drift = group[group.test_accuracy != group["plain accuracy"]].digits
        first_clean = f"from {int(clean.min())} digits on" if len(clean) else "at none of the digits run"
        differs = ", ".join(str(int(d)) for d in drift) or "none"
        few, many = group.iloc[0], group.iloc[-1]
        lines.append(
            f"- {model} / {dataset}: no clashes {first_clean}; test accuracy differs from plain at digits: "
            f"{differs}. At {int(few.digits)} digits {count(few.neurons_lifted)} lifted neurons and "
            f"{count(few.clashes)} clashes, at {int(many.digits)} digits {count(many.neurons_lifted)} and "
            f"{count(many.clashes)} (plain {count(few['plain neurons'])})."
        )
    counted = (
        "\n\nNeurons here are our count: the vector neurons of the grounded graph, one per node of a level "
        "(`neurons_lifted`: after value lifting, `plain neurons`: before). The lossless section counts the same "
        "graphs as NeuraLogic counts them (fact, atom, rule and aggregation neurons unfolded), so its numbers "
        "for the same model and dataset are larger."
    )
    return (
        "## Precision sweep (paper Fig. 3a/4)\n\n"
        + table(summary)
        + counted
        + "\n\nReading:\n\n"
        + "\n".join(lines)
        + "\n"
    )


def section_clashes(frame: pd.DataFrame) -> str:
    pivot = frame.pivot_table(index=["model", "dataset", "lifting_digits"], columns="lifting_inits", values="clashes")
    pivot.columns = [f"inits {c}" for c in pivot.columns]
    lines = []
    for (model, dataset), group in pivot.groupby(level=["model", "dataset"]):
        digits = group.index.get_level_values("lifting_digits")
        cells = [
            f"{column}: {count(group[column].iloc[0])} at {int(digits[0])} digits, "
            f"{count(group[column].iloc[-1])} at {int(digits[-1])}"
            for column in group.columns
        ]
        lines.append(f"- {model} / {dataset}: " + "; ".join(cells) + ".")
    return (
        "## Clashes (paper Fig. 3b)\n\nA clash is a merge of equal-valued neurons whose inputs differ.\n\n"
        + table(pivot.reset_index())
        + "\n\nReading:\n\n"
        + "\n".join(lines)
        + "\n"
    )


def section_compression(frame: pd.DataFrame) -> str:
    ratios = summaries.compression(frame)
    by_model = frame.groupby(["model", "lifting_scope"])["ratio_neurons"].median().unstack("lifting_scope")
    by_model.columns = [f"scope {c}" for c in by_model.columns]
    return (
        f"## Compression across molecule datasets\n\nMedian compression of neurons (our count: vector neurons of the "
        f"grounded graph / of the lifted graph, exact detection) over "
        f"{frame.dataset.nunique()} datasets:\n\n"
        + table(by_model.reset_index())
        + "\n\n<details><summary>Every dataset</summary>\n\n"
        + table(ratios)
        + "\n\n</details>\n"
    )


def _devices(runs: pd.DataFrame) -> str:
    """The devices the runs of a table ran on (metrics.json environment.device)."""
    return ", ".join(sorted(runs["device"].dropna().unique()) if "device" in runs else ["cpu"])


def section_scaling(runs: pd.DataFrame, title: str = "Scope and batch size") -> str:
    text = [
        f"## {title}\n",
        f"Device: {_devices(runs)}.\n",
        "Epoch time (s) by batch size; a -native label is the native backend, no suffix the torch backend:\n",
        table(summaries.scaling_times(runs)),
        "\n" + summaries.measurements(runs.assign(size=runs["batch_size"].fillna(-1)), ["model", "size"]),
        "\nSpeedup of each lifted variant over plain on its backend, PyG, DGL and (native rows) the same lifted "
        "variant on torch, with its 95% bootstrap interval and the runs × timed epochs behind each side. Scope "
        "dataset runs a batch on the part of the dataset-wide lifted graph its outputs need:\n",
        table(summaries.scaling_speedups(runs)),
    ]
    reading = scaling_reading(runs)
    if reading:
        text += ["\nReading, torch against native at each batch size:\n", *reading]
    text.append(step_cost_text(runs, "this experiment's plain and lifted runs, one point per model, batch and variant"))
    return "\n".join(t for t in text if t) + "\n"


def scaling_reading(runs: pd.DataFrame) -> list[str]:
    """Per model and batch size: lifted on each backend, and what lifting gains over plain on each."""
    frame = summaries.scaling(runs)
    if frame.empty:
        return []
    lines = []
    for (model, batch), group in frame.groupby(["model", "batch"], sort=False):
        rows = group.set_index("lifted")
        if not {"lifted", "lifted-native"} <= set(rows.index):
            continue
        torch_s, native_s = rows.loc["lifted", "epoch s"], rows.loc["lifted-native", "epoch s"]
        line = f"- {model}, batch {batch}: lifted {sig(torch_s)} s on torch, {sig(native_s)} s on native"
        ratio, word = (torch_s / native_s, "faster") if native_s <= torch_s else (native_s / torch_s, "slower")
        line += f" (native {times(ratio)} {word})"
        gains = [
            f"{times(rows.loc[v, 'vs plain'])} on {speed.backend(v)}"
            for v in ("lifted", "lifted-native")
            if "vs plain" in rows and pd.notna(rows.loc[v, "vs plain"])
        ]
        lines.append(line + (f"; lifting gains {' and '.join(gains)} over plain." if gains else "."))
    return lines


def section_datasets(path: Path) -> str:
    """One table per kind of dataset (graphs, knowledge bases), each with only the columns it has."""
    frame = pd.read_csv(path)
    parts = ["## Datasets\n"]
    for kind, title in (("graphs", "Graph datasets"), ("kb", "Knowledge bases")):
        rows = frame[frame["kind"] == kind]
        if len(rows):  # (an empty selection would lose every column to dropna)
            parts += [f"### {title}\n", table(rows.dropna(axis=1, how="all").drop(columns="kind")), ""]
    others = frame[~frame["kind"].isin(["graphs", "kb"])]
    if len(others):
        parts += ["### Other datasets\n", table(others.dropna(axis=1, how="all")), ""]
    return "\n".join(parts)


def read_tables(tables: Path) -> dict[str, pd.DataFrame | None]:
    return {name: _read(tables, name) for name in experiments.tables()}


def timing_line(limit: str | None, exclusive_slurm: bool = False) -> str:
    """What the report can say about timing jobs sharing the machine, from the limit it was given.

    ``limit`` is the ``timing`` resource limit of the Snakemake invocation that wrote the report
    (an integer as text), ``"none"`` when that invocation set none, or None when it is not known.
    ``exclusive_slurm``: every timed run recorded an exclusive Slurm allocation (profiles/slurm),
    which isolates it without a ``timing`` limit.
    """
    if exclusive_slurm and limit in (None, "none"):
        return (
            "- timing jobs: each timed run an exclusive Slurm allocation (its node to itself, as every run "
            "recorded), so no Snakemake `timing` resource limit was needed or applied\n"
        )
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


# The text of each section of the report (gnnlift.experiments.sections()), by name: from its table
# (its tables concatenated, where it has several) and the paper's numbers.
SECTIONS = {
    "table1": section_table1,
    "lossless": section_lossless,
    "speedup": lambda runs, paper: section_speedup(runs),
    "precision": lambda runs, paper: section_precision(runs),
    "clashes": lambda frame, paper: section_clashes(frame),
    "compression": lambda frame, paper: section_compression(frame),
    "scaling": lambda runs, paper: section_scaling(runs),
    "scaling_gpu": lambda runs, paper: section_scaling(runs, "Scope and batch size on the GPU"),
}


def _section(name: str, frames: dict[str, pd.DataFrame | None], paper: dict, figures: Path, out: Path) -> str:
    """One section and its figures, or nothing where the run has none of its tables."""
    drawn = experiments.get(name).tables
    present = [frames[table] for table in drawn if frames[table] is not None]
    if not present:
        return ""
    data = present[0] if len(drawn) == 1 else pd.concat(present, ignore_index=True)
    return SECTIONS[name](data, paper) + "".join(_figure(f, figures, out) for f in experiments.figures_in(name))


def write_report(
    tables: Path,
    figures: Path,
    datasets: Path | None,
    paper_file: Path,
    out: Path,
    left_out: list[str] | None = None,
    timing_limit: str | None = None,
    benchmarks: Sequence[Path] = (),
) -> str:
    """Compose the report from whatever tables exist and write it to ``out`` (atomically); returns the markdown.

    ``timing_limit``: the ``timing`` resource limit applied to the runs (see :func:`timing_line`).
    ``benchmarks``: Snakemake's benchmark files (or folders of them), for what the reproduction cost.
    """
    paper = yaml.safe_load(Path(paper_file).read_text())
    frames = read_tables(tables)
    found = findings.report(frames, paper)  # once: its speedups resample every cell
    parts = [f"# {findings.headline(found)}\n", section_summary(found.lines, left_out or [])]
    for section in experiments.sections():
        text = _section(section.name, frames, paper, figures, out)
        if text:
            parts.append(text)
    if datasets is not None and Path(datasets).is_file():
        parts.append(section_datasets(datasets))
    if benchmarks and (spent := cost.section(*benchmarks)):
        parts.append(spent)
    timed = [frames[n] for n in experiments.tables(experiments.RUNS)]
    runs = provenance.runs_of(timed)
    exclusive = runs is not None and provenance.all_exclusive(runs)
    parts.append(provenance.section(timed) + timing_line(timing_limit, exclusive))
    text = "\n".join(parts)
    atomic.write_text(out, text)
    return text


LEAD_LINES = 3  # findings the HTML report's landing page opens with; the others are one click away


def summary_rst(tables: Path, paper_file: Path, left_out: list[str] | None = None) -> str:
    """The HTML report's landing page, in reStructuredText: the same findings as report.md opens with.

    The first LEAD_LINES findings are shown, the others folded under one line that opens them,
    so that the page opens on about a screenful however many findings a run has.
    """
    paper = yaml.safe_load(Path(paper_file).read_text())
    lines = findings.summary(read_tables(tables), paper)
    title = "gnnlift: what this run found"
    text = [title, "=" * len(title), ""]
    text += lines[:LEAD_LINES] or ["No experiment of this run has results to summarise."]
    if rest := lines[LEAD_LINES:]:
        fold = f"<details><summary>The other {len(rest)} finding{'s' if len(rest) > 1 else ''}</summary>"
        text += ["", ".. raw:: html", "", f"   {fold}", "", *rest, "", ".. raw:: html", "", "   </details>"]
    text += ["", *[f"**Left out of this run:** {note}" for note in left_out or []]]
    text += ["", "Every table and figure, beside the paper's numbers: report.md (category Report)."]
    return "\n".join(text).rstrip() + "\n"
