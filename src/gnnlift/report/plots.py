"""The report's figures (matplotlib, written as PNG and SVG)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from gnnlift.atomic import atomic_path  # noqa: E402
from gnnlift.report import breakeven, speed, summaries  # noqa: E402


def save(fig, png: Path) -> None:
    """Write ``png`` and the same figure as ``.svg`` beside it, each atomically."""
    fig.tight_layout()
    for path in (Path(png), Path(png).with_suffix(".svg")):
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=path.suffix[1:], dpi=120)
    plt.close(fig)


def table1_data(runs: pd.DataFrame) -> pd.DataFrame:
    """What Table 1's figure draws: mean and std over seeds of the median epoch, every variant of the table."""
    grouped = runs.groupby(["protocol", "model", "variant"])["epoch_seconds_median"]
    data = pd.DataFrame({"seconds": grouped.mean(), "std": grouped.std()}).reset_index()
    order = {v: i for i, v in enumerate(summaries.ordered(data.variant.unique()))}
    return data.sort_values(["protocol", "model", "variant"], key=lambda c: c.map(order) if c.name == "variant" else c)


def table1(runs: pd.DataFrame, png: Path) -> pd.DataFrame:
    """Median epoch time per model and variant, one panel per protocol (log scale); returns the data drawn."""
    data = table1_data(runs)
    variants = summaries.ordered(data.variant.unique())
    colours = {v: f"C{i % 10}" for i, v in enumerate(variants)}
    protocols = sorted(data.protocol.unique())
    fig, axes = plt.subplots(1, len(protocols), figsize=(5.5 * len(protocols), 3.8), squeeze=False)
    width = 0.8 / len(variants)
    for ax, protocol in zip(axes[0], protocols, strict=True):
        sub = data[data.protocol == protocol]
        models = sorted(sub.model.unique())
        for i, variant in enumerate(variants):
            rows = sub[sub.variant == variant].set_index("model").reindex(models)
            x = [m + (i - (len(variants) - 1) / 2) * width for m in range(len(models))]
            ax.bar(x, rows.seconds, width, yerr=rows["std"].fillna(0), color=colours[variant], label=variant)
        ax.set_xticks(range(len(models)))
        ax.set_xticklabels(models)
        ax.set_yscale("log")
        ax.set_title(f"protocol {protocol}")
        ax.set_ylabel("epoch time (s)")
        ax.legend(fontsize=7)
    save(fig, png)
    return data


def lossless(summary: pd.DataFrame, png: Path) -> None:
    """Neurons raw/pruned/lifted, epoch time off/on and accuracy off/on per (model, dataset)."""
    engine = summary["engine"] if "engine" in summary else pd.Series(["ours"] * len(summary))
    labels = [
        f"{m}\n{d.replace('nci_gi50_', '')}" + ("" if e == "ours" else f"\n{e}")
        for m, d, e in zip(summary.model, summary.dataset, engine, strict=True)
    ]
    fig, axes = plt.subplots(1, 3, figsize=(16, 4))
    summary.set_index(pd.Index(labels))[["neurons raw", "pruned", "lifted"]].plot.bar(ax=axes[0], logy=True, rot=90)
    axes[0].set_title("neurons (NeuraLogic's count)")
    summary.set_index(pd.Index(labels))[["epoch s (off)", "epoch s (on)"]].plot.bar(ax=axes[1], rot=90)
    axes[1].set_title("epoch time (s)")
    summary.set_index(pd.Index(labels))[["accuracy (off)", "accuracy (on)"]].plot.bar(ax=axes[2], rot=90)
    axes[2].set_title("test accuracy (MRR for rankings)")
    save(fig, png)


def precision(summary: pd.DataFrame, png: Path) -> None:
    """Lifted neurons, accuracy and epoch time against digits, one line per (model, dataset)."""
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
    for (model, dataset), group in summary.groupby(["model", "dataset"]):
        label = f"{model} / {dataset}"
        axes[0].plot(group.digits, group.neurons_lifted / group["plain neurons"], marker="o", label=label)
        axes[1].plot(group.digits, group.test_accuracy, marker="o", label=label)
        axes[1].axhline(group["plain accuracy"].iloc[0], ls=":", color="grey")
        axes[2].plot(group.digits, group.epoch_seconds_median, marker="o", label=label)
    for ax, title in zip(
        axes, ("lifted / raw neurons", "test accuracy (dotted: plain)", "epoch time (s)"), strict=True
    ):
        ax.set_xlabel("digits kept")
        ax.set_title(title)
    axes[0].set_yscale("log")
    axes[0].legend(fontsize=8)
    save(fig, png)


def clashes(table: pd.DataFrame, png: Path) -> None:
    """Clashes against digits, one line per number of inits, one panel per (model, dataset)."""
    keys = list(table.groupby(["model", "dataset"]).groups)
    fig, axes = plt.subplots(1, len(keys), figsize=(5 * len(keys), 3.6), squeeze=False)
    for ax, (model, dataset) in zip(axes[0], keys, strict=True):
        sub = table[(table.model == model) & (table.dataset == dataset)]
        for inits, group in sub.groupby("lifting_inits"):
            ax.plot(group.lifting_digits, group.clashes, marker="o", label=f"inits {inits}")
        ax.set_title(f"{model} / {dataset}")
        ax.set_xlabel("digits kept")
        ax.set_ylabel("clashes")
        ax.legend()
    save(fig, png)


def compression(table: pd.DataFrame, png: Path) -> None:
    """Compression ratio per dataset with models as series, one panel per scope."""
    scopes = [s for s in ("sample", "batch", "dataset") if s in set(table.lifting_scope)]
    fig, axes = plt.subplots(len(scopes), 1, figsize=(max(8, 0.18 * table.dataset.nunique()), 3.2 * len(scopes)))
    axes = [axes] if len(scopes) == 1 else list(axes)
    for ax, scope in zip(axes, scopes, strict=True):
        sub = table[table.lifting_scope == scope].pivot_table(index="dataset", columns="model", values="ratio_neurons")
        sub.index = [d.replace("nci_gi50_", "") for d in sub.index]
        sub.plot(ax=ax, marker=".", linestyle="none", logy=True, rot=90)
        ax.set_xticks(range(len(sub.index)))
        ax.set_xticklabels(sub.index, fontsize=6)
        ax.set_ylabel("neurons raw / lifted")
        ax.set_title(f"scope {scope}")
    save(fig, png)


def scaling(summary: pd.DataFrame, png: Path) -> None:
    """Speedup of lifting over each variant as the batch grows; native backend solid, torch dashed."""
    if summary.empty:  # no lifted variant ran: nothing to be the speedup of
        fig, ax = plt.subplots(figsize=(5.5, 2))
        ax.text(0.5, 0.5, "no lifted variant in this experiment: no speedup to draw", ha="center", va="center")
        ax.set_axis_off()
        save(fig, png)
        return
    models = sorted(summary.model.unique())
    fig, axes = plt.subplots(1, len(models), figsize=(5.5 * len(models), 3.6), squeeze=False)
    for ax, model in zip(axes[0], models, strict=True):
        sub = summary[summary.model == model]
        for lifted, group in sub.groupby("lifted"):
            style = "-" if speed.backend(lifted) == "native" else "--"
            for other in [c for c in group.columns if c.startswith("vs ") and group[c].notna().any()]:
                label = f"{speed.base(lifted)} ({speed.backend(lifted)}) {other}"
                ax.plot(group.batch.astype(str), group[other], marker="o", ls=style, label=label)
        ax.axhline(1, color="grey", ls=":")
        ax.set_title(model)
        ax.set_xlabel("batch size")
        ax.set_ylabel("speedup")
        ax.legend(fontsize=7)
    save(fig, png)


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
        return pd.DataFrame(columns=columns)
    keys = columns[:5]
    return pd.DataFrame(rows).groupby(keys, as_index=False)[["seconds", "loss"]].mean()


def curves(runs: pd.DataFrame, png: Path) -> pd.DataFrame:
    """The paper's Fig. 5 view: loss against cumulative seconds, one panel per (model, dataset) and engine."""
    data = curve_data(runs)
    cells = sorted(set(zip(data.model, data.dataset, strict=True)))
    engines = [e for e in summaries.ENGINE.values() if e in set(data.engine)]
    fig, axes = plt.subplots(
        max(len(cells), 1),
        max(len(engines), 1),
        figsize=(4.2 * max(len(engines), 1), 3 * max(len(cells), 1)),
        squeeze=False,
    )
    for row, (model, dataset) in enumerate(cells):
        for col, engine in enumerate(engines):
            ax = axes[row][col]
            sub = data[(data.model == model) & (data.dataset == dataset) & (data.engine == engine)]
            for lifting, style in (("off", dict(ls="--", marker="o")), ("on", dict(ls="-", marker="x"))):
                line = sub[sub.lifting == lifting]
                ax.plot(line.seconds, line.loss, label=f"lifting {lifting}", **style)
            ax.set_title(f"{model} / {dataset.replace('nci_gi50_', '')}: {engine}", fontsize=9)
            ax.set_xlabel("training seconds (cumulative)")
            ax.set_ylabel("training loss")
            ax.legend(fontsize=7)
    save(fig, png)
    return data


def speedup_data(runs: pd.DataFrame) -> pd.DataFrame:
    """One point per (model, dataset, protocol, scope, backend): lifting's speedup over plain on the same
    backend against its compression (neurons + edges; NeuraLogic: its neurons)."""
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
            rows.append(
                {
                    "model": model,
                    "dataset": dataset,
                    "protocol": protocol,
                    "scope": scope_of(lifted),
                    "backend": "neuralogic" if engine == "neuralogic" else speed.backend(lifted),
                    "compression": ratio,
                    "speedup": times[plain] / times[lifted],
                }
            )
    return pd.DataFrame(rows, columns=["model", "dataset", "protocol", "scope", "backend", "compression", "speedup"])


def scope_of(label: str) -> str:
    """The lifting scope of a lifted variant label (``lifted`` and NeuraLogic: sample)."""
    name = speed.base(label)
    return name.split("-", 1)[1] if name.startswith("lifted-") else "sample"


def speedup(runs: pd.DataFrame, png: Path) -> pd.DataFrame:
    """Speedup of lifting against its compression ratio, the diagonal (time proportional to size) drawn in."""
    data = speedup_data(runs).drop_duplicates()
    fig, ax = plt.subplots(figsize=(6.5, 5))
    markers = {"native": "o", "torch": "s", "neuralogic": "^"}
    for (backend, protocol), group in data.groupby(["backend", "protocol"]):
        ax.scatter(group.compression, group.speedup, marker=markers.get(backend, "x"), label=f"{backend}, {protocol}")
    if not data.empty:
        top = max(data.compression.max(), data.speedup.max()) * 1.3
        low = min(data.compression.min(), data.speedup.min(), 1) / 1.3
        ax.plot([low, top], [low, top], color="grey", ls=":", label="speedup = compression")
        ax.axhline(1, color="grey", lw=0.5)
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlabel("compression (plain / lifted neurons + edges)")
    ax.set_ylabel("speedup (plain / lifted epoch time)")
    ax.legend(fontsize=7)
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
    "scaling": Drawing(scaling, summaries.scaling),
    "scaling_gpu": Drawing(scaling, summaries.scaling),
}


def draw(name: str, table: pd.DataFrame, png: Path) -> None:
    """Draw figure ``name`` from its table (its tables concatenated) into ``png`` and the SVG beside it."""
    drawing = DRAWINGS[name]
    drawing.plot(drawing.summary(table) if drawing.summary else table, png)
