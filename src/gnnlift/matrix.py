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

    Labels, models and datasets are checked first (``datasets``: as in :func:`pairs`).
    """
    for label in experiment["variants"]:
        variant_overrides(label)
    for label in experiment["protocols"]:
        protocol_overrides(label)
    return [
        Run(name, model, dataset, variant, protocol, fold, seed)
        for (model, dataset), variant, protocol, fold, seed in itertools.product(
            pairs(experiment["groups"], molecules, datasets, f"experiment {name}"),
            [v for v in experiment["variants"] if v not in skip],
            experiment["protocols"],
            experiment["folds"],
            experiment["seeds"],
        )
        if supported(model, variant)
    ]


def supported(model: str, variant: str) -> bool:
    """Whether ``variant`` can express ``model`` (NeuraLogic cannot write graphlet's path rule).

    An unknown model is refused, never quietly unsupported.
    """
    check_names("model", [model], _models(), "config")
    return variant not in NEURALOGIC or model in SUPPORTED


def overrides(run: Run, experiment: Mapping, config: Mapping) -> list[str]:
    """The Hydra overrides of one run: its coordinates, the experiment's and the per-model/dataset ones."""
    extra = config.get("run_overrides", {})
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
        *experiment.get("overrides", []),
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
    experiments = {k: v for k, v in (config.get("experiments") or {}).items() if v.get("enabled", True)}
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
