"""Where lifting does not pay: every cell in which a lifted variant trains an epoch slower than plain on
its backend or than a peer, with the reason computed from the run's own numbers."""

from __future__ import annotations

import math

import pandas as pd

from gnnlift.report import interval, speed
from gnnlift.report.fmt import faster, sig, table, times

TABLES = ("table1", "lossless", "scaling")  # the experiments whose runs time lifted variants beside others
PEERS = ("pyg", "dgl", "neuralogic")
COLUMNS = ["experiment", "model", "dataset", "protocol", "lifted", "against", "speedup", "95% interval"]
COLUMNS += ["n (runs×epochs)", "reason", "reads"]


def _lifted(labels) -> list[str]:
    """Our exact lifted variants (value detection is the precision experiment's), and NeuraLogic on."""
    ours = [v for v in labels if v.startswith("lifted") and "-value-" not in v]
    return sorted(ours) + [v for v in labels if v == speed.PAPER_ENGINE]


def _against(lifted: str) -> list[str]:
    if lifted == speed.PAPER_ENGINE:
        return ["neuralogic-off", "pyg", "dgl"]
    return [speed.plain_of(lifted), *PEERS]


def _per_epoch_lifting(runs: pd.DataFrame) -> float | None:
    """Seconds a timed epoch spends lifting its batches (lifting at batch scope), where recorded."""
    if "lift_seconds_per_batch_total" not in runs:
        return None
    total = pd.to_numeric(runs["lift_seconds_per_batch_total"], errors="coerce")
    epochs = pd.to_numeric(runs["epochs"], errors="coerce")
    per = (total / epochs).dropna()
    return float(per.mean()) if len(per) and per.mean() > 0 else None


def _steps(cell: pd.DataFrame) -> str:
    """Training steps an epoch, as words."""
    train = pd.to_numeric(cell.samples_train, errors="coerce").dropna()
    batch = pd.to_numeric(cell.batch_size, errors="coerce").dropna()
    if train.empty:
        return "its steps"
    steps = math.ceil(train.iloc[0] / batch.iloc[0]) if len(batch) else 1
    return f"{steps:,} step{'s' if steps != 1 else ''} an epoch"


def reason(cell: pd.DataFrame, lifted: str, other: str) -> str:
    """Why ``lifted`` is slower than ``other`` in one cell, from its compression, fixed and per-batch costs."""
    means = cell.groupby("variant")["epoch_seconds_median"].mean()
    if lifted == speed.PAPER_ENGINE:
        raw = pd.concat([cell[cell.variant == v].paper_raw for v in speed.NEURALOGIC_PAIR]).dropna()
        small = cell[cell.variant == lifted].paper_lifted.dropna()
        shrink = f"its network shrinks {times(raw.iloc[0] / small.iloc[0])}" if len(raw) and len(small) else ""
        if other == "neuralogic-off":
            return shrink or "NeuraLogic records no neuron counts here"
        plain = "neuralogic-off"
    else:
        plain = speed.plain_of(lifted)
    ratio = speed.compression(cell, lifted) if lifted != speed.PAPER_ENGINE else None
    parts = []
    if other == plain:
        if ratio is not None:
            parts.append(f"compression {times(ratio)} (neurons + edges)")
            if ratio < 1.1:
                parts.append("lifting removes almost nothing here")
        lifting = _per_epoch_lifting(cell[cell.variant == lifted])
        if lifting:
            parts.append(f"lifting each batch costs {sig(lifting)} s of every epoch")
        if ratio is not None and ratio >= 1.1 and not lifting:
            parts.append(
                f"yet the epoch does not shrink with the graph: {_steps(cell)} on the "
                f"{speed.backend(lifted)} backend, each with a cost that lifting does not remove"
            )
        return "; ".join(parts) or "no counts recorded to explain it"
    if plain in means and other in means and means[plain] > 0 and means[lifted] > 0:
        gain, base = means[plain] / means[lifted], means[other] / means[plain]
        return f"{lifted} is {faster(gain)} than {plain}, and {plain} is {faster(base)} than {other} here"
    return f"{plain} did not run in this cell to tell lifting's share from the engine's"


def cells(runs: pd.DataFrame | None, slower_only: bool = True) -> pd.DataFrame:
    """One row per cell and comparison in which a lifted variant is slower (speedup below 1); every
    comparison made, with ``slower_only`` False."""
    if runs is None or runs.empty:
        return pd.DataFrame(columns=COLUMNS)
    rows = []
    keys = ["experiment", "model", "dataset", "protocol"]
    for key, cell in runs.groupby(keys):
        by_variant = dict(tuple(cell.groupby("variant")))
        for lifted in _lifted(by_variant):
            for other in [o for o in _against(lifted) if o in by_variant]:
                ratio = interval.speedup(by_variant[other], by_variant[lifted])
                if ratio is None or (slower_only and ratio.value >= 1):
                    continue
                rows.append(
                    dict(zip(keys, key, strict=True))
                    | {"lifted": lifted, "against": other, "speedup": ratio.value, "95% interval": ratio.interval()}
                    | {"n (runs×epochs)": ratio.n, "reads": ratio.words()}
                    | {"reason": reason(cell, lifted, other) if ratio.value < 1 else ""}
                )
    return pd.DataFrame(rows, columns=COLUMNS)


def runs_of(frames: dict[str, pd.DataFrame | None]) -> pd.DataFrame | None:
    present = [frames[name] for name in TABLES if frames.get(name) is not None]
    return pd.concat(present, ignore_index=True) if present else None


def summary_line(frames: dict[str, pd.DataFrame | None]) -> str:
    """The findings' line: how many cells lifting does not pay in, the worst, and where they are listed."""
    runs = runs_of(frames)
    every = cells(runs, slower_only=False)
    if every.empty:
        return ""
    rows = every[every.speedup < 1]
    if rows.empty:
        return (
            f"- **Where lifting does not pay**: in none of {len(every)} timed comparisons is a lifted variant slower "
            "than plain on its backend or than a peer."
        )
    worst = rows.loc[rows.speedup.idxmin()]
    return (
        f"- **Where lifting does not pay**: in {len(rows)} of {len(every)} timed comparisons (a lifted variant "
        f"against plain on its backend or a peer, per cell) lifting is slower; the worst, {worst.lifted} against "
        f"{worst.against} ({worst.model} on {worst.dataset}, {worst.protocol}), is {worst.reads}. Each is listed "
        'with its reason under "Where lifting does not pay".'
    )


def section(runs: pd.DataFrame) -> list[str]:
    """The report's subsection listing every such cell."""
    rows = cells(runs)
    text = ["\n### Where lifting does not pay\n"]
    if rows.empty:
        return [*text, "In no timed cell is a lifted variant slower than plain on its backend or than a peer."]
    shown = rows.assign(speedup=rows.reads).drop(columns=["95% interval", "reads"])
    shown = shown.rename(columns={"speedup": "speedup (95% interval)"})
    return [
        *text,
        "Every cell in which a lifted variant (ours exact, or NeuraLogic with compression) trains an epoch slower "
        "than plain on its backend or than a peer, with the reason computed from this run's numbers:\n",
        table(shown),
    ]
