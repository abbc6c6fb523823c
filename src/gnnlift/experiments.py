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
        "Median epoch time per model and variant (mean over seeds, error bars: std); -native: native backend.",
        RUNS,
    ),
    Experiment(
        "curves",
        "Training loss against cumulative training seconds, lifting on (solid) and off (dashed), mean over "
        "folds: equal losses, the lifted curve reaching each epoch's loss sooner where lifting saves time.",
        tables=("lossless",),
        section="lossless",
    ),
    Experiment("lossless", "Lifting on vs off: neurons, epoch time and test accuracy.", RUNS),
    Experiment(
        "speedup",
        "Speedup of lifting over plain (same backend) against its compression ratio, one point per model, "
        "dataset, protocol, scope and backend; dotted: speedup = compression.",
        tables=("table1", "lossless", "scaling"),
    ),
    Experiment("precision", "Value detection: compression, accuracy and epoch time against digits kept.", RUNS),
    Experiment("clashes", "Clashes of value detection against digits kept, per number of random draws.", LIFTING),
    Experiment("compression", "Neuron compression ratio (exact lifting) on every molecule dataset.", LIFTING),
    Experiment(
        "scaling",
        "Speedup of lifting over the other variants as the batch grows (native backend solid, torch dashed).",
        RUNS,
    ),
    Experiment("scaling_gpu", "As the batch grows, on the GPU (device=cuda): speedup of lifting.", RUNS),
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
