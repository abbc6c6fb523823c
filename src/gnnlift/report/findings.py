"""The report's opening: what this run found, each number beside the paper's, and why it falls short.

Every line is computed from this run's tables; a line appears only where the run has its data.
The lines use only markup that Markdown and reStructuredText read alike (``**bold**``, ``- `` items),
so the same text opens ``report.md`` and the HTML report's landing page.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gnnlift.report import speed, summaries
from gnnlift.report.fmt import count, sig, times

SHORT = "**below the paper**"


@dataclass
class Findings:
    """Summary lines, and how many comparisons with a paper number this run meets or falls short of."""

    lines: list[str] = field(default_factory=list)
    met: int = 0
    short: int = 0

    def compare(self, ours: float, theirs: float) -> bool:
        """Count one comparison with the paper; True when ours falls short of it."""
        below = ours < theirs
        self.short += below
        self.met += not below
        return below


def tiny(value: float) -> str:
    """A small difference, such as float rounding, in exponent notation (``4.4e-16``)."""
    return "0" if value == 0 else f"{value:.1e}"


def _curve_gap(on: pd.Series, off: pd.Series) -> float | None:
    """The largest difference between the loss curves of paired runs."""
    gaps = []
    for a, b in zip(on, off, strict=True):
        if isinstance(a, str) and isinstance(b, str):
            x, y = np.asarray(json.loads(a), float), np.asarray(json.loads(b), float)
            if len(x) == len(y) and len(x):
                gaps.append(float(np.abs(x - y).max()))
    return max(gaps) if gaps else None


def _pairs(runs: pd.DataFrame, on_label: str, off_label: str) -> pd.DataFrame:
    """Runs with lifting on beside the run with it off at the same model, dataset, fold and seed."""
    keys = ["model", "dataset", "protocol", "fold", "seed"]
    on, off = runs[runs.variant == on_label], runs[runs.variant == off_label]
    return on.merge(off, on=keys, suffixes=("_on", "_off"))


def _metric(pairs: pd.DataFrame) -> str:
    return "test_accuracy" if pairs["test_accuracy_on"].notna().any() else "test_mrr"


def lossless(runs: pd.DataFrame | None, out: Findings) -> None:
    """Same accuracies with lifting on and off, cell by cell (model x dataset x fold), per engine."""
    if runs is None or runs.empty:
        return
    ours, ours_mismatch, per_backend, gaps = 0, [], [], []
    for on_label, off_label in summaries.ON_OFF[:2]:
        pairs = _pairs(runs, on_label, off_label)
        if pairs.empty:
            continue
        metric = _metric(pairs)
        same = pairs[f"{metric}_on"] == pairs[f"{metric}_off"]
        ours += len(pairs)
        per_backend.append(f"{len(pairs)} {speed.backend(on_label)}")
        ours_mismatch += [
            f"{r.model}/{r.dataset} fold {r.fold} ({speed.backend(on_label)}): "
            f"{sig(r[f'{metric}_on'])} vs {sig(r[f'{metric}_off'])}"
            for _, r in pairs[~same].iterrows()
        ]
        gap = _curve_gap(pairs.get("loss_curve_on", pd.Series(dtype=object)), pairs.get("loss_curve_off", []))
        if gap is not None:
            gaps.append(gap)
    if ours:
        line = (
            f"- **Lossless**: lifting on and off gave the same test accuracy in {ours - len(ours_mismatch)} of "
            f"{ours} model × dataset × fold cells of our engine ({', '.join(per_backend)}), "
            f"{len(ours_mismatch)} mismatches"
        )
        line += f"; training losses differ by at most {tiny(max(gaps))}" if gaps else ""
        line += ". Paper: identical results (lifting is lossless)."
        if ours_mismatch:
            line += f" {SHORT}: " + "; ".join(ours_mismatch) + "."
        out.lines.append(line)
    neuralogic(runs, out)


def neuralogic(runs: pd.DataFrame, out: Findings) -> None:
    """NeuraLogic's own compression on and off: same accuracies, and its lifted size beside ours."""
    pairs = _pairs(runs, *summaries.ON_OFF[2])
    if pairs.empty:
        return
    metric = _metric(pairs)
    differ = pairs[pairs[f"{metric}_on"] != pairs[f"{metric}_off"]]
    line = (
        f"- **Lossless, NeuraLogic**: its compression on and off gave the same test accuracy in "
        f"{len(pairs) - len(differ)} of {len(pairs)} cells"
    )
    if len(differ):
        cells = [
            f"{r.model}/{r.dataset} fold {r.fold}: {sig(r[f'{metric}_on'])} vs {sig(r[f'{metric}_off'])}"
            for _, r in differ.iterrows()
        ]
        line += f" (differ: {'; '.join(cells)})"
        sizes = summaries.engines(runs).dropna(subset=["ours lifted", "neuralogic lifted"])
        smaller = sizes[sizes["neuralogic lifted"] < sizes["ours lifted"]]
        smaller = smaller[smaller.model.isin(set(differ.model))]
        if not smaller.empty:
            line += "; its compressed network is smaller than our exact lifting there: " + "; ".join(
                f"{r.model}/{r.dataset} {count(r['neuralogic lifted'])} vs {count(r['ours lifted'])} neurons"
                for _, r in smaller.iterrows()
            )
    out.lines.append(line + ".")


def compression(table: pd.DataFrame | None, paper: dict, out: Findings) -> None:
    """Median compression over molecule datasets per model and scope, and the paper's gnn_embed on 786_0."""
    if table is None or table.empty:
        return
    medians = table.groupby(["model", "lifting_scope"])["ratio_neurons"].median()
    datasets = table.dataset.nunique()
    cells = []
    for model in sorted(table.model.unique()):
        scopes = [s for s in ("sample", "batch", "dataset") if (model, s) in medians.index]
        cells.append(f"{model} " + ", ".join(f"{times(medians[(model, s)], 2)} at scope {s}" for s in scopes))
    line = (
        f"- **Compression** (exact lifting, neurons raw / lifted, median over {datasets} molecule "
        f"dataset{'s' if datasets > 1 else ''}): " + "; ".join(cells) + "."
    )
    ref = paper.get("gnn_embed_786_0") or {}
    mine = table[(table.model == "gnn_embed") & (table.dataset == "nci_gi50_786_0") & (table.lifting_scope == "sample")]
    if ref and not mine.empty and pd.notna(mine.ratio_paper.iloc[0]):
        row = mine.iloc[0]
        ours, theirs = float(row.ratio_paper), float(ref["ratio"])
        line += (
            f" gnn_embed on 786_0 at scope sample, counted as NeuraLogic counts: {count(row.paper_raw)} → "
            f"{count(row.paper_lifted)} neurons, {times(ours, 2)} (paper, per fold: {count(ref['raw'])} → "
            f"{count(ref['lifted'])}, {times(theirs, 2)})"
        )
        if out.compare(round(ours, 1), theirs):
            kept = count(row.paper_lifted / 5)
            line += f"; {SHORT}: the lifted network keeps {kept} neurons per fold, the paper's {count(ref['lifted'])}"
        line += "."
    out.lines.append(line)


def _range(text) -> tuple[float, float] | None:
    """``"2-4x"`` as (2, 4)."""
    numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", str(text))]
    return (min(numbers), max(numbers)) if numbers else None


def knowledge_bases(runs: pd.DataFrame | None, paper: dict, out: Findings) -> None:
    """kbe's neuron ratio and speedup with lifting (lossless experiment) beside the paper's ranges."""
    if runs is None or runs.empty:
        return
    table = summaries.lossless(runs)
    if table.empty:
        return
    kb = table[(table.model == "kbe") & table.engine.str.startswith("ours")]
    ref = paper.get("knowledge_bases") or {}
    ratio_range, speed_range = _range(ref.get("neuron_ratio")), _range(ref.get("speedup"))
    for dataset, group in kb.groupby("dataset"):
        ratio = group.ratio.dropna()
        parts = [f"{times(ratio.iloc[0], 2)} fewer neurons"] if len(ratio) else []
        parts += [
            f"{times(r.speedup, 2)} faster on {'native' if r.engine.endswith('native') else 'torch'}"
            for _, r in group.iterrows()
        ]
        line = f"- **Knowledge base** kbe on {dataset}: " + ", ".join(parts)
        line += f" (paper: {ref.get('neuron_ratio')} fewer neurons, {ref.get('speedup')} faster)" if ref else ""
        reasons = []
        if ratio_range and len(ratio) and out.compare(float(ratio.iloc[0]), ratio_range[0]):
            reasons.append(f"fewer neurons merge here ({times(ratio.iloc[0], 2)})")
        for _, r in group.iterrows():
            if speed_range and out.compare(float(r.speedup), speed_range[0]):
                reasons.append(f"{'native' if r.engine.endswith('native') else 'torch'} {times(r.speedup, 2)}")
        if reasons:
            line += f"; {SHORT}: " + "; ".join(reasons)
        out.lines.append(line + ".")


def _names(label: str) -> str:
    return {"pyg": "PyG", "dgl": "DGL", "neuralogic": "NeuraLogic"}.get(label, label)


def table1(runs: pd.DataFrame | None, paper: dict, out: Findings) -> None:
    """Speedups of lifting at batch 1 and at the largest batch Table 1 ran, beside the paper's (batch 1)."""
    if runs is None or runs.empty:
        return
    table = speed.speedups(runs, paper.get("table1") or {})
    if table.empty:
        return
    protocols = speed.protocols(runs)
    shown = [protocols[0]] + ([protocols[-1]] if len(protocols) > 1 else [])
    fit = speed.step_cost(runs)
    reference = paper.get("table1_dataset")
    for protocol in shown:
        rows = table[table.protocol == protocol]
        for (model, fast), group in rows[rows.faster.isin(speed.OURS)].groupby(["model", "faster"], sort=False):
            dataset = ", ".join(sorted(runs[(runs.protocol == protocol) & (runs.model == model)].dataset.unique()))
            where = f"{speed.batch_of(runs, protocol)}, {model} on {dataset}, {speed.backend(fast)} backend"
            cells, reasons = [], []
            for _, row in group.iterrows():
                cell = f"over {_names(speed.base(row.slower)) if row.slower != speed.plain_of(fast) else 'plain'} "
                cell += times(row.speedup, 2)
                theirs = row["paper (batch 1)"]
                if pd.notna(theirs):
                    cell += f" (paper {times(theirs, 2)})"
                    if out.compare(row.speedup, theirs):
                        reasons.append(_why(runs, table, row, fit, theirs))
                cells.append(cell)
            own = rows[(rows.model == model) & (rows.faster == "neuralogic")]
            for _, row in own.iterrows():
                cell = f"NeuraLogic's own lifting {times(row.speedup, 2)}"
                if pd.notna(row["paper (batch 1)"]):
                    cell += f" (paper {times(row['paper (batch 1)'], 2)})"
                    if out.compare(row.speedup, row["paper (batch 1)"]):
                        reasons.append(_why_neuralogic(runs, row))
                cells.append(cell)
            line = f"- **Speedup of lifting** ({where}): " + ", ".join(cells) + "."
            if protocol != "paper":
                line += " The paper times batch 1 only."
            reasons = [r for r in reasons if r]
            if reasons:
                line += f" {SHORT}: " + "; ".join(dict.fromkeys(reasons)) + "."
                if reference and reference not in dataset.split(", "):
                    line += f" The paper timed {reference}."
            out.lines.append(line)


def _why(runs: pd.DataFrame, table: pd.DataFrame, row: pd.Series, fit: pd.DataFrame, theirs: float) -> str:
    """Why lifting's speedup over ``row.slower`` falls short of the paper's, from this run's numbers."""
    fast, protocol, model = row.faster, row.protocol, row.model
    plain = table[
        (table.protocol == protocol)
        & (table.model == model)
        & (table.faster == fast)
        & (table.slower == speed.plain_of(fast))
    ]
    if row.slower == speed.plain_of(fast):
        ratio = row.compression
        if pd.notna(ratio) and ratio < theirs:
            return f"lifting over plain {times(row.speedup, 2)}: the compression ratio here is {times(ratio, 2)}"
        share = _fixed_share(fit, speed.backend(fast))
        if share is not None:
            return (
                f"lifting over plain {times(row.speedup, 2)}: a step's fixed cost is {share:.0%} of it on this backend"
            )
        return ""
    if plain.empty:
        return ""
    lift = float(plain.speedup.iloc[0])
    means = runs[(runs.protocol == protocol) & (runs.model == model)].groupby("variant")["epoch_seconds_median"].mean()
    base = means.get(speed.plain_of(fast))
    if base is None or not base > 0 or row.slower not in means:
        return ""
    over_plain = means[row.slower] / base
    name = _names(speed.base(row.slower))
    return f"over {name}: lifting gains {times(lift, 2)} and plain is {times(over_plain, 2)} faster than {name}"


def _fixed_share(fit: pd.DataFrame, backend: str) -> float | None:
    """The fixed part of a training step at the median step size, from the per-backend fit."""
    row = fit[fit.backend == backend]
    if row.empty:
        return None
    fixed, slope, size = (
        float(row[c].iloc[0]) for c in ("fixed s per step", "s per neuron+edge", "median size per step")
    )
    return fixed / (fixed + slope * size) if fixed > 0 and slope > 0 else None


def _why_neuralogic(runs: pd.DataFrame, row: pd.Series) -> str:
    """NeuraLogic's own lifting short of the paper's: how much its network shrank here."""
    cell = runs[(runs.protocol == row.protocol) & (runs.model == row.model)]
    raw = pd.concat([cell[cell.variant == v].paper_raw for v in speed.NEURALOGIC_PAIR]).dropna()
    small = cell[cell.variant == "neuralogic"].paper_lifted.dropna()
    if raw.empty or small.empty or not small.iloc[0]:
        return ""
    return f"NeuraLogic's network shrinks {times(raw.iloc[0] / small.iloc[0], 2)} here"


def scaling(runs: pd.DataFrame | None, out: Findings) -> None:
    """Lifting over plain (each backend) and PyG at the largest batch the scaling experiment ran."""
    if runs is None or runs.empty:
        return
    table = summaries.scaling(runs)
    if table.empty:
        return
    largest = speed.protocols(runs)[-1]
    batch = speed.batch_of(runs, largest)
    label = "full" if batch == "full batch" else batch.split()[-1]
    for model, group in table[table.batch == label].groupby("model"):
        cells = []
        for _, r in group[group.lifted.isin(speed.OURS)].iterrows():
            part = f"over plain {times(r['vs plain'], 2)} on {r.backend}"
            if "vs pyg" in r and pd.notna(r["vs pyg"]):
                part += f", over PyG {times(r['vs pyg'], 2)}"
            cells.append(part)
        if cells:
            dataset = ", ".join(sorted(runs[runs.model == model].dataset.unique()))
            out.lines.append(
                f"- **Speedup at the largest batch** ({batch}, scaling, {model} on {dataset}): lifting "
                + "; ".join(cells)
                + ". The paper times batch 1 only."
            )


def summary(frames: dict[str, pd.DataFrame | None], paper: dict) -> list[str]:
    """The opening lines of the report, each a number of this run beside the paper's."""
    out = Findings()
    lossless(frames.get("lossless"), out)
    compression(frames.get("compression"), paper, out)
    knowledge_bases(frames.get("lossless"), paper, out)
    table1(frames.get("table1"), paper, out)
    scaling(frames.get("scaling"), out)
    if out.met + out.short:
        out.lines.append(
            f"- **Against the paper**: {out.met} of {out.met + out.short} comparisons with a paper number meet or "
            f"beat it; {out.short} fall short, each marked {SHORT} with the reason computed from this run."
        )
    return out.lines
