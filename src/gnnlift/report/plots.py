"""The report's figures (matplotlib, written as PNG and SVG).

Every figure reads as a paper's figure: units on every axis, log axes where values span decades
(ticks as plain numbers: 0.5, 2, 10, 1,000), legends beside the axes and never over the data,
tick labels that do not overlap at the saved size, and no panel without data.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import ticker  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from gnnlift.atomic import atomic_path  # noqa: E402
from gnnlift.report import speed, summaries  # noqa: E402
from gnnlift.report.figure_data import (  # noqa: E402,F401  (speedup_data: read by the report's text too)
    PAPER_BARS,
    PEERS,
    curve_data,
    paper_bars,
    paper_table1,
    paper_table1_dataset,
    scaling_data,
    scope_of,
    short,
    speedup_data,
    table1_data,
)

DPI = 120
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">", "p")
ENGINE_NAMES = {"ours-native": "ours (native)", "ours": "ours (torch)", "neuralogic": "NeuraLogic"}
BACKEND_NAMES = {"native": "ours (native)", "torch": "ours (torch)", "neuralogic": "NeuraLogic"}
BACKEND_COLOURS = {"native": "C0", "torch": "C1", "neuralogic": "C2"}
ENGINE_COLOURS = {"ours-native": "C0", "ours": "C1", "neuralogic": "C2"}


MIN_SPAN = 4.0  # a log axis spans at least this factor, so that at least two of its ticks are labelled


def widen(ax) -> None:
    """Widen a log axis that spans less than MIN_SPAN about its geometric middle."""
    for get, set_ in ((ax.get_xlim, ax.set_xlim), (ax.get_ylim, ax.set_ylim)):
        scale = ax.get_xscale() if get == ax.get_xlim else ax.get_yscale()
        low, high = sorted(get())
        if scale == "log" and low > 0 and high / low < MIN_SPAN:
            middle = math.sqrt(low * high)
            limits = (middle / math.sqrt(MIN_SPAN), middle * math.sqrt(MIN_SPAN))
            set_(limits if get()[0] < get()[1] else limits[::-1])


def save(fig, png: Path) -> None:
    """Write ``png`` and the same figure as ``.svg`` beside it, each atomically."""
    for ax in fig.axes:
        widen(ax)
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    for path in (Path(png), Path(png).with_suffix(".svg")):
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=path.suffix[1:], dpi=DPI)
    plt.close(fig)


def figure(rows: int, cols: int, width: float, height: float, **kw):
    """A figure of ``rows`` x ``cols`` panels laid out so that outside legends and labels fit."""
    return plt.subplots(rows, cols, figsize=(width, height), squeeze=False, layout="constrained", **kw)


def plain(value: float) -> str:
    """A tick value as a plain number: 0.05, 2, 10, 1,000."""
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 1 and float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.3g}"


# Mantissas a log axis labels, richest first, each with the smallest gap between two of its labels
# (in decades): the richest whose labels fit the axis's length is used.
LABELLED_MANTISSAS = (
    ({1, 2, 3, 4, 5, 6, 8}, math.log10(6 / 5)),
    ({1, 2, 3, 5}, math.log10(3 / 2)),
    ({1, 2, 5}, math.log10(2)),
    ({1, 3}, math.log10(10 / 3)),
    ({1}, 1.0),
)


LINEAR_SCALE = 0.4  # a symmetric log axis: the length of its linear part (0 to 1), in decades


class PlainLog(ticker.Formatter):
    """Labels of a log (or symmetric log) axis as plain numbers (0.05, 2, 10, 1,000), as many as fit
    the axis at the size it is drawn: 1, 2, 3, 5 ... where there is room, every decade, or every
    other, where there is not."""

    def __init__(self, floor: float = 0.0):
        self.floor = floor  # a symmetric log axis: its linear threshold (0 is labelled there)

    def _room(self, low: float, high: float) -> tuple[float, float]:
        """Pixels a decade on this axis, and pixels a label needs along it."""
        axes = self.axis.axes
        vertical = self.axis is axes.yaxis
        length = axes.bbox.height if vertical else axes.bbox.width
        decades = max(math.log10(high / low), 1e-9) + (LINEAR_SCALE if self.floor else 0)
        size = FontProperties(size=matplotlib.rcParams["ytick.labelsize" if vertical else "xtick.labelsize"])
        font = size.get_size_in_points() * axes.figure.dpi / 72
        chars = max(len(plain(low)), len(plain(high)))
        return length / decades, font * 1.8 if vertical else font * (0.6 * chars + 1.2)

    def __call__(self, x, pos=None) -> str:
        if x == 0:
            return "0" if self.floor else ""
        if x < 0:
            return ""
        low, high = sorted(self.axis.get_view_interval())
        low = max(low, self.floor, high * 1e-12)
        if not high > low:
            return plain(x)
        per_decade, needed = self._room(low, high)
        power = math.floor(math.log10(x) + 1e-9)
        mantissa = x / 10**power
        digit = round(mantissa)
        if abs(mantissa - digit) > 1e-6:
            return ""
        for keep, gap in LABELLED_MANTISSAS:
            if gap * per_decade >= needed:
                return plain(x) if digit in keep else ""
        every = math.ceil(needed / per_decade)  # not even a label a decade fits: every other (third, ...)
        return plain(x) if digit == 1 and power % every == 0 else ""


def log_axis(ax, which: str = "y", symmetric: bool = False) -> None:
    """Put ``ax``'s ``which`` axis on a log scale (symmetric: 0 shown, linear below 1), plain-number ticks."""
    axis = ax.yaxis if which == "y" else ax.xaxis
    setter = ax.set_yscale if which == "y" else ax.set_xscale
    if symmetric:
        setter("symlog", linthresh=1, linscale=LINEAR_SCALE)
        axis.set_minor_locator(ticker.SymmetricalLogLocator(base=10, linthresh=1, subs=range(2, 10)))
    else:
        setter("log")
    axis.set_major_formatter(PlainLog(1.0 if symmetric else 0.0))
    axis.set_minor_formatter(PlainLog(1.0 if symmetric else 0.0))


def spans_decades(values, decades: float = 1.0) -> bool:
    """Whether the positive ``values`` span at least ``decades`` powers of ten."""
    values = pd.to_numeric(pd.Series(list(values)), errors="coerce")
    values = values[values > 0]
    return bool(len(values)) and values.max() / values.min() >= 10**decades


def outside_legend(fig, handles: Sequence | None = None, labels: Sequence[str] | None = None, **kw) -> None:
    """One legend for the whole figure, right of its panels (each label once)."""
    if handles is None:
        seen: dict[str, object] = {}
        for ax in fig.axes:
            for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
                if not label.startswith("_"):
                    seen.setdefault(label, handle)
        handles, labels = list(seen.values()), list(seen)
    if handles:
        fig.legend(handles, labels, loc="outside right upper", fontsize=8, **kw)


def note(png: Path, text: str) -> None:
    """A figure that says, in words, why there is nothing to draw."""
    fig, ax = plt.subplots(figsize=(6, 1.6), layout="constrained")
    ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True)
    ax.set_axis_off()
    save(fig, png)


def table1(runs: pd.DataFrame, png: Path, paper: dict | None = None) -> pd.DataFrame:
    """Seconds an epoch per model and variant (mean over seeds, error bars: std), one panel per protocol,
    log y; at batch 1 the paper's bars (hatched; config/paper.yaml) beside ours. Returns our data drawn."""
    data = table1_data(runs)
    paper = paper_table1() if paper is None else paper
    variants = summaries.ordered(data.variant.unique())
    matched = [variant for _, variant, _ in PAPER_BARS]  # a paper bar takes the colour of our same engine
    colours = {v: f"C{i % 10}" for i, v in enumerate(dict.fromkeys([*variants, *matched]))}
    protocols = speed.protocols(runs)
    known = list(paper)  # the paper's order of models first
    models = sorted(data.model.unique(), key=lambda m: (known.index(m) if m in known else len(known), m))
    theirs = paper_bars(paper, models)
    with_paper = {p: speed.batch_of(runs, p) == "batch 1" and not theirs.empty for p in protocols}
    slots = {p: len(variants) + (theirs.groupby("model").size().max() if with_paper[p] else 0) for p in protocols}
    widths = [max(0.17 * slots[p] * len(models) + 0.6, 2.6) for p in protocols]
    fig, axes = figure(1, len(protocols), sum(widths) + 3.2, 4.2, sharey=True, gridspec_kw={"width_ratios": widths})
    for ax, protocol in zip(axes[0], protocols, strict=True):
        sub = data[data.protocol == protocol]
        width = 0.84 / slots[protocol]
        for i, variant in enumerate(variants):
            rows = sub[sub.variant == variant].set_index("model").reindex(models)
            if rows.seconds.isna().all():
                continue
            x = np.arange(len(models)) + (i + 0.5) * width - 0.42
            spread = rows["std"].fillna(0).to_numpy()
            lower = np.minimum(spread, rows.seconds.to_numpy() * 0.999)  # a log axis has no zero
            ax.bar(
                x,
                rows.seconds,
                width,
                yerr=[lower, spread],
                capsize=2,
                color=colours[variant],
                label=f"ours: {variant}",
            )
        if with_paper[protocol]:
            for j, (column, variant, label) in enumerate(
                dict.fromkeys(zip(theirs.column, theirs.variant, theirs.label, strict=True))
            ):
                bars = theirs[theirs.column == column].set_index("model").reindex(models)
                x = np.arange(len(models)) + (len(variants) + j + 0.5) * width - 0.42
                colour = colours[variant]
                ax.bar(x, bars.seconds, width, color="white", edgecolor=colour, hatch="////", label=label)
        ax.set_xticks(range(len(models)), models)
        log_axis(ax)
        datasets = ", ".join(short(d) for d in sorted(runs.loc[runs.protocol == protocol, "dataset"].unique()))
        ax.set_title(f"{speed.batch_of(runs, protocol)} ({protocol})", fontsize=10)
        ax.set_xlabel(f"model, on {datasets}")
    axes[0][0].set_ylabel("seconds an epoch (log)")
    where = paper_table1_dataset()
    where = f"{short(where)}, its machine" if where else "its machine"
    outside_legend(fig, title=f"hatched: the paper's\n({where})", title_fontsize=8)
    save(fig, png)
    return data


def lossless(summary: pd.DataFrame, png: Path) -> None:
    """Lifting on vs off per (model, dataset, engine), one row each: NeuraLogic's neuron counts, the epoch
    time (log axes) and the test accuracy."""
    if summary.empty:
        note(png, "no engine ran with lifting both on and off: nothing to compare")
        return
    summary = summary.sort_values(["model", "dataset", "engine"]).reset_index(drop=True)
    labels = [
        f"{m} / {short(d)} · {ENGINE_NAMES.get(e, e)}"
        for m, d, e in zip(summary.model, summary.dataset, summary.engine, strict=True)
    ]
    panels = (
        (["neurons raw", "pruned", "lifted"], "neurons (NeuraLogic's count, log)", True),
        (["epoch s (off)", "epoch s (on)"], "seconds an epoch (log)", True),
        (["accuracy (off)", "accuracy (on)"], "test accuracy (MRR where the triples are ranked)", False),
    )
    fig, axes = figure(1, 3, 13, 1.6 + 0.3 * len(summary), sharey=True)
    y = np.arange(len(summary))
    cells = (summary.model + "/" + summary.dataset).to_numpy()
    for ax, (columns, xlabel, log) in zip(axes[0], panels, strict=True):
        height = 0.8 / len(columns)
        for i, column in enumerate(columns):
            values = pd.to_numeric(summary[column], errors="coerce")
            label = column.replace("epoch s ", "lifting ").replace("accuracy ", "lifting ").replace("neurons ", "")
            ax.barh(y - 0.4 + (i + 0.5) * height, values, height, label=label.replace("(", "").replace(")", ""))
        for edge in np.flatnonzero(cells[1:] != cells[:-1]):  # a thin line between (model, dataset) cells
            ax.axhline(edge + 0.5, color="0.8", lw=0.6)
        if log:
            log_axis(ax, "x")
        else:
            ax.set_xlim(0, 1)
            baseline = pd.to_numeric(summary.get("majority", pd.Series(np.nan, index=summary.index)), errors="coerce")
            if baseline.notna().any():  # what always predicting the majority class scores: the bar to beat
                ax.scatter(baseline, y, marker="|", s=300, color="black", zorder=3, label="majority class")
        ax.set_xlabel(xlabel)
        handles = len(ax.get_legend_handles_labels()[1])
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=handles, fontsize=8, frameon=False)
    axes[0][0].set_yticks(y, labels, fontsize=8)
    axes[0][0].set_ylabel("model / dataset · engine")
    axes[0][0].invert_yaxis()
    save(fig, png)


def precision(summary: pd.DataFrame, png: Path) -> None:
    """Value detection against digits kept, one line per (model, dataset): neuron compression, test
    accuracy and epoch time, plain (no lifting) dotted in the same colour."""
    if summary.empty:
        note(png, "no value-detection runs: nothing to draw")
        return
    fig, axes = figure(1, 3, 14, 3.8)
    compression = summary["plain neurons"] / summary.neurons_lifted
    for i, ((model, dataset), group) in enumerate(summary.groupby(["model", "dataset"])):
        colour, label = f"C{i % 10}", f"{model} / {short(dataset)}"
        axes[0][0].plot(group.digits, compression[group.index], marker="o", color=colour, label=label)
        axes[0][1].plot(group.digits, group.test_accuracy, marker="o", color=colour, label=label)
        axes[0][1].axhline(group["plain accuracy"].iloc[0], ls=":", color=colour)
        axes[0][2].plot(group.digits, group.epoch_seconds_median, marker="o", color=colour, label=label)
        axes[0][2].axhline(group["plain epoch s"].iloc[0], ls=":", color=colour)
    log_axis(axes[0][0])
    if spans_decades(pd.concat([summary.epoch_seconds_median, summary["plain epoch s"]])):
        log_axis(axes[0][2])
    ylabels = ("compression (neurons plain / lifted, log)", "test accuracy", "seconds an epoch")
    if axes[0][2].get_yscale() == "log":
        ylabels = (*ylabels[:2], "seconds an epoch (log)")
    for ax, ylabel in zip(axes[0], ylabels, strict=True):
        ax.set_xlabel("digits kept")
        ax.set_ylabel(ylabel)
        ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    handles, labels = axes[0][0].get_legend_handles_labels()
    handles.append(Line2D([], [], ls=":", color="grey"))
    labels.append("plain (no lifting)")
    outside_legend(fig, handles, labels)
    save(fig, png)


def clashes(table: pd.DataFrame, png: Path) -> None:
    """Clashes against digits kept, one line per number of random inits, one panel per (model, dataset);
    a symmetric log axis (0 shown) where the counts span decades."""
    keys = list(table.groupby(["model", "dataset"]).groups)
    fig, axes = figure(1, len(keys), 4.3 * len(keys) + 1.2, 3.6)
    inits = sorted(table.lifting_inits.unique())
    for ax, (model, dataset) in zip(axes[0], keys, strict=True):
        sub = table[(table.model == model) & (table.dataset == dataset)]
        for k, count in enumerate(inits):
            group = sub[sub.lifting_inits == count].sort_values("lifting_digits")
            ax.plot(
                group.lifting_digits,
                group.clashes,
                marker=MARKERS[k],
                color=f"C{k}",
                label=f"{count} init" + ("" if count == 1 else "s"),
            )
        if spans_decades(sub.clashes):
            log_axis(ax, symmetric=True)
            ax.set_ylabel("clashes (count, log; 0 at the bottom)")
        else:
            ax.set_ylabel("clashes (count)")
        ax.set_title(f"{model} / {short(dataset)}", fontsize=10)
        ax.set_xlabel("digits kept")
        ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    outside_legend(fig)
    save(fig, png)


def compression(table: pd.DataFrame, png: Path) -> None:
    """Neuron compression (raw / lifted, exact detection) per dataset, models as series, one panel per scope."""
    scopes = [s for s in ("sample", "batch", "dataset") if s in set(table.lifting_scope)]
    datasets = sorted(table.dataset.unique())
    models = sorted(table.model.unique())
    fig, axes = figure(len(scopes), 1, max(8.0, 0.16 * len(datasets) + 2.5), 1.2 + 2.4 * len(scopes), sharex=True)
    for ax, scope in zip(axes[:, 0], scopes, strict=True):
        sub = table[table.lifting_scope == scope].pivot_table(index="dataset", columns="model", values="ratio_neurons")
        sub = sub.reindex(index=datasets)
        for i, model in enumerate(m for m in models if m in sub):
            ax.plot(range(len(datasets)), sub[model], marker=MARKERS[i], ls="none", ms=4, color=f"C{i}", label=model)
        log_axis(ax)
        ax.set_ylabel("neurons raw / lifted (log)")
        ax.set_title(f"lifting scope: {scope}", fontsize=10)
        ax.grid(axis="x", color="0.92", lw=0.5)
    bottom = axes[-1][0]
    bottom.set_xticks(range(len(datasets)), [short(d) for d in datasets], rotation=90, fontsize=7)
    bottom.set_xlim(-0.7, len(datasets) - 0.3)
    bottom.set_xlabel("dataset (NCI screens by cell line)")
    outside_legend(fig, title="model", title_fontsize=8)
    save(fig, png)


def scaling(runs: pd.DataFrame, png: Path) -> pd.DataFrame:
    """Speedups as the batch grows, one panel per (model, dataset), log y with 95% intervals: each lifted
    variant over plain on its backend, and the best of ours over each peer. Returns the data drawn."""
    data = scaling_data(runs)
    if data.empty:  # no lifted variant and no peer ran: nothing to be the speedup of
        note(png, "no lifted variant and no peer in this experiment: no speedup to draw")
        return data
    cells = sorted(set(zip(data.model, data.dataset, strict=True)))
    comparisons = list(dict.fromkeys(sorted(data.comparison, key=_comparison_order)))
    sizes = sorted(data["size"].unique())
    fig, axes = figure(1, len(cells), 4.2 * len(cells) + 2.8, 3.8, sharey=True)
    for ax, (model, dataset) in zip(axes[0], cells, strict=True):
        sub = data[(data.model == model) & (data.dataset == dataset)]
        for k, comparison in enumerate(comparisons):
            line = sub[sub.comparison == comparison].sort_values("size")
            if line.empty:
                continue
            x = np.array([sizes.index(s) for s in line["size"]]) + 0.08 * (k - (len(comparisons) - 1) / 2)
            below = np.clip(line.speedup - line.low, 0, None)
            above = np.clip(line.high - line.speedup, 0, None)
            ax.errorbar(
                x, line.speedup, yerr=[below, above], capsize=3, label=comparison, **_comparison_style(comparison, k)
            )
        ax.axhline(1, color="grey", ls=":", lw=1)
        ax.set_xticks(range(len(sizes)), [data.loc[data["size"] == s, "batch"].iloc[0] for s in sizes])
        ax.set_xlim(-0.5, len(sizes) - 0.5)
        log_axis(ax)
        ax.set_title(f"{model} / {short(dataset)}", fontsize=10)
        ax.set_xlabel("batch size (samples a step)")
    axes[0][0].set_ylabel("speedup (× faster, log; 1: equal)")
    outside_legend(fig, title="faster vs slower\n(bars: 95% interval)", title_fontsize=8)
    save(fig, png)
    return data


def _comparison_order(comparison: str):
    """Lifted over plain first (native before torch), then the best of ours over each peer in PEERS' order."""
    peers = [name for name in PEERS.values() if comparison.endswith(name)]
    return (
        comparison.startswith("best"),
        "native" not in comparison,
        list(PEERS.values()).index(peers[0]) if peers else 0,
        comparison,
    )


def _comparison_style(comparison: str, k: int) -> dict:
    """Lifted over plain: solid on native, dashed on torch; best of ours over a peer: dotted-dashed."""
    if comparison.startswith("best"):
        colour = "C3" if "PyG" in comparison else "C4"
        return {"color": colour, "ls": "-.", "marker": "D" if "PyG" in comparison else "v"}
    colour = f"C{k % 3}" if "native" in comparison else f"C{5 + k % 3}"
    return {
        "color": colour,
        "ls": "-" if "native" in comparison else "--",
        "marker": "o" if "native" in comparison else "s",
    }


def curves(runs: pd.DataFrame, png: Path) -> pd.DataFrame:
    """The paper's Fig. 5 view: training loss against cumulative seconds, one panel per model family;
    colour: engine, solid: lifting on, dashed: off, marker: (model, dataset); log time where it spans decades."""
    data = curve_data(runs)
    if data.empty:
        note(png, "no engine ran with lifting both on and off: no curves to draw")
        return data
    families = list(
        dict.fromkeys(f for f in ("graphlet", "GCN-like", "KBE", *sorted(data.family)) if f in set(data.family))
    )
    cells = sorted(set(zip(data.model, data.dataset, strict=True)))
    markers = {cell: MARKERS[i % len(MARKERS)] for i, cell in enumerate(cells)}
    engines = [e for e in ENGINE_COLOURS if e in set(data.engine)]
    fig, axes = figure(1, len(families), 4.4 * len(families) + 2.6, 3.8)
    for ax, family in zip(axes[0], families, strict=True):
        sub = data[data.family == family]
        for (engine, model, dataset, lifting), line in sub.groupby(["engine", "model", "dataset", "lifting"]):
            line = line.sort_values("epoch")
            ax.plot(
                line.seconds,
                line.loss,
                color=ENGINE_COLOURS.get(engine, "C7"),
                ls="-" if lifting == "on" else "--",
                marker=markers[(model, dataset)],
                ms=4,
                markevery=max(1, len(line) // 8),
                fillstyle="full" if lifting == "on" else "none",
            )
        if spans_decades(sub.seconds):
            log_axis(ax, "x")
            ax.set_xlabel("training seconds, cumulative (log)")
        else:
            ax.set_xlabel("training seconds, cumulative")
        ax.set_title(family, fontsize=10)
        ax.set_ylabel("training loss (mean over folds)")
    handles = [Line2D([], [], color=ENGINE_COLOURS[e]) for e in engines]
    labels = [ENGINE_NAMES[e] for e in engines]
    handles += [Line2D([], [], color="black", ls="-"), Line2D([], [], color="black", ls="--")]
    labels += ["lifting on", "lifting off"]
    handles += [Line2D([], [], color="grey", ls="none", marker=markers[c]) for c in cells]
    labels += [f"{m} / {short(d)}" for m, d in cells]
    outside_legend(fig, handles, labels)
    save(fig, png)
    return data


def speedup(runs: pd.DataFrame, png: Path) -> pd.DataFrame:
    """Speedup of lifting over plain (same engine, 95% intervals) against its compression, the diagonal
    (time proportional to size) drawn in; our engine counts neurons + edges, NeuraLogic its neurons, each
    in a panel of its own. Marker: model; colour: backend. Returns the points drawn."""
    data = speedup_data(runs).drop_duplicates(subset=["model", "dataset", "protocol", "scope", "backend"])
    if data.empty:
        note(png, "no lifted variant with its plain counterpart: no speedup to draw")
        return data
    panels = [
        (counted, title)
        for counted, title in (
            ("neurons + edges", "our engine: compression of neurons + edges"),
            ("neurons (NeuraLogic's count)", "NeuraLogic: compression of its neurons"),
        )
        if counted in set(data.counted)
    ]
    models = sorted(data.model.unique())
    markers = {m: MARKERS[i % len(MARKERS)] for i, m in enumerate(models)}
    fig, axes = figure(1, len(panels), 4.6 * len(panels) + 2.4, 4.4, sharey=True)
    for ax, (counted, title) in zip(axes[0], panels, strict=True):
        sub = data[data.counted == counted]
        for (model, backend), group in sub.groupby(["model", "backend"]):
            low = (group.speedup - group.low).clip(lower=0).fillna(0)
            high = (group.high - group.speedup).clip(lower=0).fillna(0)
            ax.errorbar(
                group.compression,
                group.speedup,
                yerr=[low, high],
                ls="none",
                marker=markers[model],
                color=BACKEND_COLOURS.get(backend, "C7"),
                capsize=2,
                ms=6,
            )
        top = max(sub.compression.max(), sub.high.max(skipna=True) if sub.high.notna().any() else 0, sub.speedup.max())
        low = min(sub.compression.min(), sub.speedup.min(), sub.low.min(skipna=True) if sub.low.notna().any() else 1, 1)
        ax.plot([low / 1.3, top * 1.3], [low / 1.3, top * 1.3], color="grey", ls=":")
        ax.axhline(1, color="grey", lw=0.5)
        log_axis(ax, "x")
        log_axis(ax, "y")
        ax.set_xlim(low / 1.3, top * 1.3)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(f"compression (plain / lifted {counted.split(' (')[0]}, log)")
    axes[0][0].set_ylabel("speedup (plain / lifted epoch time, log)")
    axes[0][0].set_ylim(bottom=min(axes[0][0].get_ylim()[0], 0.8))
    backends = [b for b in BACKEND_COLOURS if b in set(data.backend)]
    handles = [Line2D([], [], color="grey", ls="none", marker=markers[m]) for m in models]
    labels = list(models)
    handles += [Patch(color=BACKEND_COLOURS[b]) for b in backends]
    labels += [BACKEND_NAMES[b] for b in backends]
    handles.append(Line2D([], [], color="grey", ls=":"))
    labels.append("speedup = compression")
    outside_legend(fig, handles, labels, title="marker: model\ncolour: engine\nbars: 95% interval", title_fontsize=8)
    save(fig, png)
    return data


@dataclass(frozen=True)
class Drawing:
    """How one figure is drawn from its table: ``summary`` of it first (where given), then ``plot``."""

    plot: Callable[[pd.DataFrame, Path], object]
    summary: Callable[[pd.DataFrame], pd.DataFrame] | None = None


# Each figure of the report (gnnlift.experiments.names()), by name.
DRAWINGS = {
    "table1": Drawing(table1),
    "curves": Drawing(curves),
    "lossless": Drawing(lossless, summaries.lossless),
    "speedup": Drawing(speedup),
    "precision": Drawing(precision, summaries.precision),
    "clashes": Drawing(clashes),
    "compression": Drawing(compression),
    "scaling": Drawing(scaling),
    "scaling_gpu": Drawing(scaling),
}


def draw(name: str, table: pd.DataFrame, png: Path) -> None:
    """Draw figure ``name`` from its table (its tables concatenated) into ``png`` and the SVG beside it."""
    drawing = DRAWINGS[name]
    drawing.plot(drawing.summary(table) if drawing.summary else table, png)
