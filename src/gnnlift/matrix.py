"""The experiment matrix of the workflow: config entries -> runs, and run labels -> Hydra overrides.

A run is named by path segments ``experiment/model/dataset/variant/protocol/fold<k>/seed<s>``
(:data:`RUN_PATTERN`, the one place that spells it; a job is the leading :data:`JOB_PATTERN`).
The run app records the experiment, variant and protocol labels in ``metrics.json``
(``labels``), so nothing reads them back from the path.
Variant and protocol labels are short and carry their settings (spelled in :mod:`gnnlift.labels`):

- variants: ``plain``, ``lifted`` (exact, scope sample), ``lifted-<scope>``,
  ``lifted-value-d<digits>``, ``pyg``, ``dgl``, ``neuralogic`` (PyNeuraLogic, compression on)
  and ``neuralogic-off``;
- a ``-native`` suffix on ``plain`` and ``lifted`` labels (``plain-native``, ``lifted-native``,
  ``lifted-dataset-native``, ``lifted-value-d3-native``) runs our engine on the ``native`` backend
  (``backend=native``); without it, the ``torch`` backend runs. The label is the path segment, so
  runs of the two backends never share a folder;
- protocols: ``paper``, ``batched``, ``batched-b<size>``, ``fullbatch``.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

from gnnlift import experiments as report_experiments
from gnnlift.data.registry import registry, require
from gnnlift.experiments import figures_of
from gnnlift.labels import (  # noqa: F401  (the label spelling, read here: matrix.variant_overrides, ...)
    NATIVE,
    NATIVE_VARIANTS,
    NEURALOGIC,
    protocol_overrides,
    split_backend,
    variant_overrides,
)
from gnnlift.templates import MODELS
from gnnlift.variants.neuralogic.templates import SUPPORTED

JOB_PATTERN = "{experiment}/{model}/{dataset}"  # one job: its runs share one process
RUN_PATTERN = JOB_PATTERN + "/{variant}/{protocol}/fold{fold}/seed{seed}"


def run_path(**parts: object) -> str:
    """:data:`RUN_PATTERN` filled in; a part given as ``"{name}"`` stays a Snakemake wildcard."""
    return RUN_PATTERN.format(**parts)


@dataclass(frozen=True)
class Run:
    experiment: str
    model: str
    dataset: str
    variant: str
    protocol: str
    fold: int
    seed: int

    @property
    def path(self) -> str:
        """The run's folder under ``results/runs``."""
        return run_path(**asdict(self))

    @property
    def job(self) -> str:
        """The name of the run's job (its log, its benchmark): experiment/model/dataset."""
        return JOB_PATTERN.format(**asdict(self))


def pairs(
    groups: Iterable[Mapping], molecules: list[str], datasets: Sequence[str] | None = None, where: str = "config"
) -> list[tuple[str, str]]:
    """(model, dataset) pairs of an experiment's groups; ``datasets: molecules`` = every graph dataset.

    Every model must be in the model registry and every dataset in ``datasets`` (the config's
    list; by default the dataset registry): an unknown name is refused, with the valid ones.
    """
    out = []
    for group in groups:
        names = molecules if group["datasets"] == "molecules" else list(group["datasets"])
        check_names("model", group["models"], _models(), where)
        check_names("dataset", names, _datasets() if datasets is None else list(datasets), where)
        out += [(m, d) for m in group["models"] for d in names if (m, d) not in out]
    return out


def check_names(kind: str, names: Iterable[str], valid: Sequence[str], where: str) -> None:
    """Refuse the first of ``names`` not in ``valid``, naming it, close matches and the valid names."""
    for name in names:
        if name in valid:
            continue
        close = difflib.get_close_matches(str(name), valid, n=3)
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        shown = ", ".join(valid) if len(valid) <= 12 else f"{', '.join(valid[:12])}, ... ({len(valid)} in all)"
        raise ValueError(f"{where}: unknown {kind} {name!r}{hint}; valid {kind}s: {shown}")


def _models() -> list[str]:
    return list(MODELS)


def _datasets() -> list[str]:
    return list(registry())


def runs(
    name: str,
    experiment: Mapping,
    molecules: list[str],
    skip: Iterable[str] = (),
    datasets: Sequence[str] | None = None,
) -> list[Run]:
    """Every run of one training experiment, but those of the variant labels in ``skip``.

    Labels, models and datasets are checked first (``datasets``: as in :func:`pairs`), and so are
    the cells named in ``folds_of`` and ``epochs_of``. A variant's folds are those of
    :func:`folds_of` (the experiment's ``folds`` unless ``folds_of`` narrows them).
    """
    for label in experiment["variants"]:
        variant_overrides(label)
    for label in experiment["protocols"]:
        protocol_overrides(label)
    num_folds = experiment.get("num_folds", 5)
    outside = [f for f in experiment["folds"] if not 0 <= f < num_folds]
    if outside:
        raise ValueError(f"experiment {name}: fold {outside[0]} outside 0..{num_folds - 1} (num_folds {num_folds})")
    check_cells(name, experiment)
    cells = itertools.product(
        pairs(experiment["groups"], molecules, datasets, f"experiment {name}"),
        [v for v in experiment["variants"] if v not in skip],
        experiment["protocols"],
    )
    out = []
    for (model, dataset), variant, protocol in cells:
        if not supported(model, variant):
            continue
        try:
            folds = folds_of(experiment, model, variant, protocol)
            epochs_of(experiment, model, variant, protocol)
            overrides_of(experiment, model, variant, protocol)
        except ValueError as exc:
            raise ValueError(f"experiment {name}: {exc}") from None
        out += [
            Run(name, model, dataset, variant, protocol, f, s) for f, s in itertools.product(folds, experiment["seeds"])
        ]
    return out


# Per-cell settings of an experiment. A key names a cell by one or more of its model, variant and
# protocol, joined by "/" (``neuralogic``, ``graphlet``, ``gcn/pyg/paper``); of the keys that name
# a run's cell, the one with the most parts applies.
PER_CELL = ("folds_of", "epochs_of", "overrides_of")


def cell_setting(experiment: Mapping, key: str, model: str, variant: str, protocol: str):
    """The value of ``experiment[key]`` (``folds_of``, ``epochs_of``) for one cell; None if no entry names it.

    Two entries naming the cell with as many parts (``gcn`` and ``pyg``) are refused: a key with
    both parts (``gcn/pyg``) says which applies.
    """
    cell = {model, variant, protocol}
    named = [k for k in (experiment.get(key) or {}) if set(str(k).split("/")) <= cell]
    if not named:
        return None
    most = max(len(k.split("/")) for k in named)
    best = [k for k in named if len(k.split("/")) == most]
    if len(best) > 1:
        raise ValueError(
            f"{key}: {' and '.join(map(repr, best))} both name the cell {model}/{variant}/{protocol}; "
            "a key with more of its parts says which applies"
        )
    return experiment[key][best[0]]


def folds_of(experiment: Mapping, model: str, variant: str, protocol: str) -> list[int]:
    """The folds a cell runs: its ``folds_of`` entry, else the experiment's ``folds``."""
    folds = cell_setting(experiment, "folds_of", model, variant, protocol)
    return list(experiment["folds"] if folds is None else folds)


def epochs_of(experiment: Mapping, model: str, variant: str, protocol: str) -> int | None:
    """The epochs a cell trains (warm-up included) where ``epochs_of`` sets them; None: the experiment's."""
    return cell_setting(experiment, "epochs_of", model, variant, protocol)


def overrides_of(experiment: Mapping, model: str, variant: str, protocol: str) -> list[str]:
    """Hydra overrides a cell adds after the experiment's (``overrides_of``; e.g. its own learning rate)."""
    return list(cell_setting(experiment, "overrides_of", model, variant, protocol) or [])


def check_cells(name: str, experiment: Mapping) -> None:
    """Refuse a ``folds_of``/``epochs_of``/``overrides_of`` key with a part that is no model, variant
    label or protocol label, and folds outside ``0..num_folds-1``.

    A key may name a cell this experiment lacks (a config merged over another inherits its keys).
    """
    num_folds = experiment.get("num_folds", 5)
    for key in PER_CELL:
        for cell, value in (experiment.get(key) or {}).items():
            for part in str(cell).split("/"):
                if not _names_a_cell(part):
                    check_names("model, variant or protocol", [part], _models(), f"experiment {name}: {key} {cell!r}")
            bad = [f for f in value if not 0 <= f < num_folds] if key == "folds_of" else []
            if bad:
                raise ValueError(f"experiment {name}: folds_of {cell!r}: fold {bad[0]} outside 0..{num_folds - 1}")


def _names_a_cell(part: str) -> bool:
    """Whether ``part`` is a model, a variant label or a protocol label."""
    if part in _models():
        return True
    for parse in (variant_overrides, protocol_overrides):
        try:
            parse(part)
            return True
        except ValueError:
            pass
    return False


def supported(model: str, variant: str) -> bool:
    """Whether ``variant`` can express ``model`` (NeuraLogic cannot write graphlet's path rule).

    An unknown model is refused, never quietly unsupported.
    """
    check_names("model", [model], _models(), "config")
    return variant not in NEURALOGIC or model in SUPPORTED


def overrides(run: Run, experiment: Mapping, config: Mapping) -> list[str]:
    """The Hydra overrides of one run: its coordinates, the experiment's, its cell's (``overrides_of``,
    then ``epochs_of`` in place of the experiment's ``epochs``) and the per-model/dataset ones."""
    extra = config.get("run_overrides", {})
    common = list(experiment.get("overrides", [])) + overrides_of(experiment, run.model, run.variant, run.protocol)
    epochs = epochs_of(experiment, run.model, run.variant, run.protocol)
    if epochs is not None:
        common = [o for o in common if not o.startswith("epochs=")] + [f"epochs={epochs}"]
    return [
        f"model={run.model}",
        f"dataset={run.dataset}",
        *variant_overrides(run.variant),
        *protocol_overrides(run.protocol),
        f"fold={run.fold}",
        f"folds={experiment.get('num_folds', 5)}",
        f"seed={run.seed}",
        f"threads={config.get('threads', 1)}",
        "quiet=true",
        f"labels.experiment={run.experiment}",
        f"labels.variant={run.variant}",
        f"labels.protocol={run.protocol}",
        *common,
        *extra.get("model", {}).get(run.model, []),
        *extra.get("dataset", {}).get(run.dataset, []),
    ]


def workflow_overrides(run: Run, experiment: Mapping, config: Mapping) -> list[str]:
    """The overrides the workflow gives a run: :func:`overrides`, then the config's resources folder."""
    return [*overrides(run, experiment, config), f"resources={config['resources']}"]


@dataclass(frozen=True)
class Plan:
    """What the workflow makes under one config: datasets, runs, lifting statistics, tables, figures."""

    datasets: tuple[str, ...]  # to download, verify and prepare
    molecules: tuple[str, ...]  # the graph datasets among them (``datasets: molecules``)
    experiments: dict[str, dict]  # the enabled training experiments, by name
    runs: dict[str, tuple[Run, dict]]  # run path -> (run, its experiment)
    jobs: dict[str, list[tuple[Run, dict]]]  # job name (JOB_PATTERN) -> its runs, in the order they train
    left_out: tuple[str, ...]  # variant labels asked for that this machine cannot run
    compression: dict
    clashes: dict
    compress_pairs: list[tuple[str, str]]
    clash_pairs: list[tuple[str, str]]
    tables: list[str]
    figure_of: dict[str, list[str]]  # figure -> the tables it is drawn from (gnnlift.experiments)

    @property
    def timed_rules(self) -> list[tuple[str, str]]:
        """The (experiment, model) pairs: one workflow rule apiece, its jobs the model's datasets."""
        return sorted({(run.experiment, run.model) for run, _ in self.runs.values()})

    def job_runs(self, experiment: str, model: str, dataset: str) -> list[tuple[Run, dict]]:
        """The runs of one job, in the order they train (empty where the plan has no such job)."""
        return self.jobs.get(JOB_PATTERN.format(experiment=experiment, model=model, dataset=dataset), [])


def dataset_names(config: Mapping) -> list[str]:
    """The config's ``datasets``: ``all`` (every registry entry, in registry order) or a list of names."""
    names = config.get("datasets", "all")
    if names == "all":
        return _datasets()
    out = [str(name).lower() for name in names]
    check_names("dataset", out, _datasets(), "config: datasets")
    return out


def _job_order(run: Run) -> tuple:
    """Where a run goes in its job: NeuraLogic's runs last (the JVM starts after the rest), by
    variant and seed, so that the runs sharing a network (every protocol and fold of one seed;
    without compression, of every seed) come one after another and the process keeps one
    network at a time."""
    return (True, run.variant, run.seed) if run.variant in NEURALOGIC else (False,)


def plan(config: Mapping, neuralogic_missing: str | None = None) -> Plan:
    """The workflow's plan under ``config``; every label, model and dataset is checked, by name.

    ``neuralogic_missing``: why PyNeuraLogic cannot run here (its variants are then left out).
    """
    datasets = dataset_names(config)
    molecules = [name for name in datasets if require(name).kind in ("nci_gi50", "tu")]
    named = config.get("experiments") or {}
    check_names("experiment", list(named), report_experiments.tables(report_experiments.RUNS), "experiments")
    experiments = {k: v for k, v in named.items() if v.get("enabled", True)}
    compression = config.get("compression") or {}
    clashes = config.get("clashes") or {}
    skipped = list(NEURALOGIC) if neuralogic_missing else []
    left_out = sorted({v for e in experiments.values() for v in e["variants"] if v in skipped})
    runs_of = {
        run.path: (run, experiments[name])
        for name in experiments
        for run in runs(name, experiments[name], molecules, skipped, datasets)
    }
    jobs: dict[str, list[tuple[Run, dict]]] = {}
    for run, spec in runs_of.values():
        jobs.setdefault(run.job, []).append((run, spec))
    for members in jobs.values():
        members.sort(key=lambda pair: _job_order(pair[0]))  # a stable sort
    compress_pairs = pairs(compression.get("groups", []), molecules, datasets, "compression")
    clash_pairs = pairs(clashes.get("groups", []), molecules, datasets, "clashes")
    tables = [*experiments, *(["compression"] if compress_pairs else []), *(["clashes"] if clash_pairs else [])]
    figure_of = figures_of(tables)
    return Plan(
        tuple(datasets),
        tuple(molecules),
        experiments,
        runs_of,
        jobs,
        tuple(left_out),
        compression,
        clashes,
        compress_pairs,
        clash_pairs,
        tables,
        figure_of,
    )
