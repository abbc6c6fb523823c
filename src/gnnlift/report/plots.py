"""The report's figures (matplotlib, written as PNG and SVG)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from gnnlift.atomic import atomic_path  # noqa: E402
from gnnlift.report import speed, summaries  # noqa: E402


def save(fig, png: Path) -> None:
    """Write ``png`` and the same figure as ``.svg`` beside it, each atomically."""
    fig.tight_layout()
    for path in (Path(png), Path(png).with_suffix(".svg")):
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=path.suffix[1:], dpi=120)
    plt.close(fig)


def table1(runs: pd.DataFrame, png: Path) -> None:
    """Median epoch time per model and variant, one panel per protocol (log scale)."""
    protocols = sorted(runs.protocol.unique())
    fig, axes = plt.subplots(1, len(protocols), figsize=(5 * len(protocols), 3.6), squeeze=False)
    for ax, protocol in zip(axes[0], protocols, strict=True):
        sub = runs[runs.protocol == protocol]
        means = sub.groupby(["model", "variant"])["epoch_seconds_median"].mean().unstack("variant")
        errors = sub.groupby(["model", "variant"])["epoch_seconds_median"].std().unstack("variant")
        order = summaries.ordered(means.columns)
        means[order].plot.bar(ax=ax, yerr=errors[order], logy=True, rot=0)
        ax.set_title(f"protocol {protocol}")
        ax.set_ylabel("epoch time (s)")
    save(fig, png)


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
