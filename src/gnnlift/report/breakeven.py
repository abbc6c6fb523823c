"""When lifting pays for itself: its extra one-off cost against the seconds it saves each epoch."""

from __future__ import annotations

import math

import pandas as pd

from gnnlift.report import speed

# Lifting on and off on each engine: (lifted label, the label it is timed against, engine name).
PAIRS = (("neuralogic", "neuralogic-off", "neuralogic"),)
COLUMNS = ["experiment", "model", "dataset", "protocol", "lifted", "plain", "engine"]
COLUMNS += ["one-off s (lifted)", "one-off s (plain)", "saved s per epoch", "pays off after", "cold compile s (apart)"]


def _flag(values: pd.Series, flag: bool) -> pd.Series:
    """True where a column of booleans (read back from CSV as bools or text) holds ``flag``."""
    return values.isin([flag, str(flag)])


def cached_one_off(runs: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Each run's one-off seconds with a cold kernel compile counted at the cached cost, and what the cold
    compile cost beyond it (zero where the kernels came from numba's cache, or nothing was compiled).

    The cached cost is the median compile seconds of the runs that loaded their kernels from the cache;
    where no run did, cold compiles stay as they are.
    """
    one_off = pd.to_numeric(runs["one_off_seconds"], errors="coerce")
    if "jit_cold" not in runs or "jit_compile_seconds" not in runs:
        return one_off, pd.Series(0.0, index=runs.index)
    jit = pd.to_numeric(runs["jit_compile_seconds"], errors="coerce")
    cold, warm = _flag(runs["jit_cold"], True), _flag(runs["jit_cold"], False)
    if not (warm & jit.notna()).any():
        return one_off, pd.Series(0.0, index=runs.index)
    extra = (jit - jit[warm].median()).clip(lower=0).where(cold, 0.0).fillna(0.0)
    return one_off - extra, extra


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
    sample conversion, collating fixed batches, flattening and compiling (``collect.one_off_total``),
    a cold kernel compile counted at the cached cost and its excess shown apart (:func:`cached_one_off`).
    """
    if runs is None or runs.empty or "one_off_seconds" not in runs:
        return pd.DataFrame(columns=COLUMNS)
    keys = ["experiment", "model", "dataset", "protocol"]
    one_off, cold = cached_one_off(runs)
    runs = runs.assign(one_off_seconds=one_off, cold_compile=cold)
    rows = []
    for key, cell in runs.groupby(keys):
        means = cell.groupby("variant")[["one_off_seconds", "epoch_seconds_median", "cold_compile"]].mean()
        for lifted, plain, engine in pairs(means.index):
            on, off = means.loc[lifted], means.loc[plain]
            if on[["one_off_seconds", "epoch_seconds_median"]].isna().any() or off.isna().any():
                continue
            saved = off["epoch_seconds_median"] - on["epoch_seconds_median"]
            epochs = epochs_to_pay(on["one_off_seconds"] - off["one_off_seconds"], saved)
            row = dict(zip(keys, key, strict=True))
            row |= {"lifted": lifted, "plain": plain, "engine": engine}
            row |= {"one-off s (lifted)": on["one_off_seconds"], "one-off s (plain)": off["one_off_seconds"]}
            row |= {"saved s per epoch": saved, "pays off after": label(epochs)}
            extra = on["cold_compile"] + off["cold_compile"]
            row |= {"cold compile s (apart)": extra if extra > 0 else None}
            rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)
