"""When lifting pays for itself: its extra one-off cost against the seconds it saves each epoch."""

from __future__ import annotations

import math

import pandas as pd

from gnnlift.report import speed

# Lifting on and off on each engine: (lifted label, the label it is timed against, engine name).
PAIRS = (("neuralogic", "neuralogic-off", "neuralogic"),)
COLUMNS = ["experiment", "model", "dataset", "protocol", "lifted", "plain", "engine"]
COLUMNS += ["one-off s (lifted)", "one-off s (plain)", "saved s per epoch", "pays off after"]


def pairs(variants) -> list[tuple[str, str, str]]:
    """(lifted, plain, engine) for every exact lifted label of our engine and for NeuraLogic, as present."""
    present = set(variants)
    ours = [
        (v, speed.plain_of(v), f"ours ({speed.backend(v)})")
        for v in sorted(present)
        if v.startswith("lifted") and "-value-" not in v
    ]
    return [p for p in [*ours, *PAIRS] if p[0] in present and p[1] in present]


def epochs_to_pay(extra: float, saved: float) -> int | None:
    """Epochs after which the seconds saved cover the extra one-off cost; None when none are saved."""
    if not saved > 0:
        return None
    return max(math.ceil(round(extra / saved, 9)), 0)  # 0.5 / 0.1 is 5 epochs, not 6


def label(epochs: int | None) -> str:
    if epochs is None:
        return "never (saves nothing per epoch)"
    return "at once" if epochs == 0 else f"{epochs:,} epoch" + ("" if epochs == 1 else "s")


def table(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per cell (experiment, model, dataset, protocol) and lifting pair, means over folds and seeds.

    One-off seconds are a run's ``one_off_seconds`` without loading the file: grounding, lifting,
    sample conversion, collating fixed batches, flattening and compiling (``collect.one_off_total``).
    """
    if runs is None or runs.empty or "one_off_seconds" not in runs:
        return pd.DataFrame(columns=COLUMNS)
    keys = ["experiment", "model", "dataset", "protocol"]
    rows = []
    for key, cell in runs.groupby(keys):
        means = cell.groupby("variant")[["one_off_seconds", "epoch_seconds_median"]].mean()
        for lifted, plain, engine in pairs(means.index):
            on, off = means.loc[lifted], means.loc[plain]
            if on.isna().any() or off.isna().any():
                continue
            saved = off["epoch_seconds_median"] - on["epoch_seconds_median"]
            epochs = epochs_to_pay(on["one_off_seconds"] - off["one_off_seconds"], saved)
            row = dict(zip(keys, key, strict=True))
            row |= {"lifted": lifted, "plain": plain, "engine": engine}
            row |= {"one-off s (lifted)": on["one_off_seconds"], "one-off s (plain)": off["one_off_seconds"]}
            row |= {"saved s per epoch": saved, "pays off after": label(epochs)}
            rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)
