"""The report's experiments, in one list: each one's table, figure and section of the report.

Names, kinds and captions only (no pandas, no plotting), so that both the workflow's plan
(:func:`gnnlift.matrix.plan`: which figures to draw, from which tables) and the report
(:mod:`gnnlift.report`: its figure command, sections and captions) read it. The report keys
its summary, plot and section functions by these names.

The list is in the order of the report: a section's figures are shown in list order below its
text, and the sections follow one another in the order their first figure comes in the list.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

RUNS = "runs"  # a table of runs: `gnnlift aggregate --kind runs` over one training experiment's metrics.json
LIFTING = "lifting"  # a table of lifting statistics: `gnnlift aggregate --kind compress` over `compress` outputs


@dataclass(frozen=True)
class Experiment:
    """One figure of the report (``results/report/figures/<name>.png``) and where it is drawn from.

    ``kind``: RUNS or LIFTING where the experiment has a table of its own
    (``results/tables/<name>.csv``), None where the figure is drawn from other experiments' tables.
    ``tables``: the tables drawn from, those of them a run has (several: concatenated);
    by default its own. ``section``: the report section it is shown in; by default its own,
    written from the same tables.
    """

    name: str
    caption: str
    kind: str | None = None
    tables: tuple[str, ...] = ()
    section: str = ""

    def __post_init__(self) -> None:
        if self.kind not in (RUNS, LIFTING, None):
            raise ValueError(f"experiment {self.name}: kind {self.kind!r}, expected {RUNS}, {LIFTING} or None")
        if not self.tables:
            if self.kind is None:
                raise ValueError(
                    f"experiment {self.name}: no table of its own, so it names the tables it is drawn from"
                )
            object.__setattr__(self, "tables", (self.name,))
        if not self.section:
            object.__setattr__(self, "section", self.name)


EXPERIMENTS = (
    Experiment(
        "table1",
        "Seconds an epoch per model and variant, one panel per protocol (log axis; bars: mean over seeds of each "
        "run's median timed epoch, error bars: std over seeds; -native: our native backend). At batch 1, hatched "
        "beside ours: the paper's Table 1 on its own machine (NeuraLogic with compression on and off, PyG, DGL).",
        RUNS,
    ),
    Experiment(
        "curves",
        "Training loss (mean over folds) against cumulative training seconds, warm-up included (log axis where "
        "it spans a decade), one panel per model family (graphlet, GCN-like, KBE); colour: engine, solid: lifting "
        "on, dashed: off, marker: model and dataset. Equal losses: the lifted curve reaches each epoch's loss "
        "sooner where lifting saves time.",
        tables=("lossless",),
        section="lossless",
    ),
    Experiment(
        "lossless",
        "Lifting on vs off, one row per model, dataset and engine: neurons (NeuraLogic's count: raw, pruned, "
        "lifted; log axis), seconds an epoch (mean over folds; log axis) and test accuracy (MRR on knowledge bases).",
        RUNS,
    ),
    Experiment(
        "speedup",
        "Speedup of lifting over plain on the same engine (plain / lifted epoch time; error bars: 95% bootstrap "
        "interval over runs and timed epochs) against its compression, one point per model, dataset, protocol, "
        "scope and backend; marker: model, colour: engine; log axes. Our engine's compression counts neurons + "
        "edges, NeuraLogic's (its own panel) its neurons. Dotted: speedup = compression.",
        tables=("table1", "lossless", "scaling"),
    ),
    Experiment(
        "precision",
        "Value detection against digits kept, one line per model and dataset: neuron compression (plain / lifted; "
        "log axis), test accuracy and seconds an epoch (log axis where it spans a decade); dotted: plain, no lifting.",
        RUNS,
    ),
    Experiment(
        "clashes",
        "Clashes of value detection (count; a log axis with 0 shown where the counts span a decade) against digits "
        "kept, one line per number of random inits, one panel per model and dataset.",
        LIFTING,
    ),
    Experiment(
        "compression",
        "Neuron compression (raw / lifted, exact detection; log axis) on every molecule dataset, models by marker, "
        "one panel per lifting scope; NCI screens named by cell line.",
        LIFTING,
    ),
    Experiment(
        "scaling",
        "Speedup as the batch grows, one panel per model (log axis; dotted: 1, equal speed; error bars: 95% "
        "bootstrap interval over runs and timed epochs): each lifted variant over plain on its backend (native "
        "solid, torch dashed), and the best of ours (our fastest variant at that batch size, either backend) over "
        "PyG and over DGL (dash-dotted).",
        RUNS,
    ),
    Experiment(
        "scaling_gpu",
        "As the batch grows, on the GPU (device=cuda): speedups as in the scaling figure (log axis; error bars: "
        "95% bootstrap interval over runs and timed epochs).",
        RUNS,
    ),
)
_BY_NAME = {experiment.name: experiment for experiment in EXPERIMENTS}


def names() -> tuple[str, ...]:
    """Every figure, in the report's order."""
    return tuple(_BY_NAME)


def get(name: str) -> Experiment:
    """The experiment of one figure; an unknown name is a KeyError naming the known ones."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no report experiment {name!r}; known: {', '.join(_BY_NAME)}") from None


def tables(kind: str | None = None) -> tuple[str, ...]:
    """The experiments with a table of their own (of ``kind``, RUNS or LIFTING, where given)."""
    return tuple(e.name for e in EXPERIMENTS if e.kind is not None and kind in (None, e.kind))


def sections() -> tuple[Experiment, ...]:
    """The experiments with a section of their own, in the report's order."""
    order = dict.fromkeys(e.section for e in EXPERIMENTS)
    return tuple(_BY_NAME[name] for name in order)


def figures_in(section: str) -> tuple[str, ...]:
    """The figures shown in one section, in order."""
    return tuple(e.name for e in EXPERIMENTS if e.section == section)


def figures_of(present: Collection[str]) -> dict[str, list[str]]:
    """Figure -> the tables it is drawn from, of the ``present`` ones; every figure that has one."""
    out = {e.name: [t for t in e.tables if t in present] for e in EXPERIMENTS}
    return {name: drawn for name, drawn in out.items() if drawn}
