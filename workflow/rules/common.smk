# Helpers shared by the rules: config validation, the dataset registry, paths.

import os
import sys

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from gnnlift.data.registry import require
from gnnlift import config_schema, experiments, folder_lock, matrix
from gnnlift.variants import neuralogic


try:  # one short message naming the key at fault, not Snakemake's dump of the whole schema
    config_schema.check(config, os.path.join(workflow.basedir, "workflow", "schemas", "config.schema.yaml"))
except config_schema.ConfigError as exc:
    raise WorkflowError(str(exc)) from None
validate(config, schema="../schemas/config.schema.yaml")  # fills in the schema's defaults

RESOURCES = config["resources"]
RESULTS = config["results"]  # runs, tables, figures and the report
MIRROR = config.get("mirror") or os.environ.get("GNNLIFT_MIRROR", "")
# PyNeuraLogic is an optional extra: without it, its variants are left out and the report says so.
NEURALOGIC_MISSING = neuralogic.missing()
# Every label, model and dataset of the plan is checked here, by name, before any job starts.
PLAN = matrix.plan(config, NEURALOGIC_MISSING)
if PLAN.left_out:
    print(f"gnnlift: leaving out {', '.join(PLAN.left_out)}: {NEURALOGIC_MISSING}", file=sys.stderr)
RESULTS_LOCK = []  # the open lock file of the results folder, held until this process ends
SUMMARY = f"{RESULTS}/report/summary.rst"  # the findings, for the HTML report's landing page
LIFTING_TABLES = experiments.tables(experiments.LIFTING)  # tables of `gnnlift compress` outputs, not of runs


# One workflow at a time in a results folder (Snakemake locks only its working directory): taken
# when jobs are about to run (not for a dry run, nor when there is nothing to do), in the main
# process only (a cluster job's own Snakemake runs no hooks), and held until the process ends.
onstart:
    if workflow.is_main_process and not RESULTS_LOCK:
        try:
            RESULTS_LOCK.append(folder_lock.hold(RESULTS))
        except folder_lock.Held as exc:
            raise WorkflowError(str(exc)) from None


wildcard_constraints:
    dataset=r"[a-z0-9_]+",
    filename=r"[^/]+",
    experiment=r"[a-z0-9_]+",
    model=r"[a-z_]+",
    variant=r"[a-z0-9-]+",
    protocol=r"[a-z0-9-]+",
    fold=r"\d+",
    seed=r"\d+",
    figure=r"[a-z0-9_]+",


def mirror_option(wildcards):
    """The --mirror argument of gnnlift, or nothing when files come from their URLs."""
    return f"--mirror {MIRROR}" if MIRROR else ""


def raw_files(wildcards):
    """The downloaded files of one dataset, as the registry lists them."""
    entry = require(wildcards.dataset)
    return [f"{RESOURCES}/raw/{entry.name}/{f.filename}" for f in entry.files]


def prepared_stats(datasets):
    return [f"{RESOURCES}/prepared/{name}.stats.json" for name in datasets]


def job_path(experiment, model):
    """The name of a job of (experiment, model), its dataset a wildcard: its log, its benchmark."""
    return matrix.JOB_PATTERN.format(experiment=experiment, model=model, dataset="{dataset}")


def job_outputs(experiment, model):
    """The metrics.json of every run of one job: the model's variants x protocols x folds x seeds."""
    runs = [run for run, _ in PLAN.runs.values() if (run.experiment, run.model) == (experiment, model)]
    wildcards = {"experiment": experiment, "model": model, "dataset": "{dataset}"}
    return sorted(
        {
            f"{RESULTS}/runs/{matrix.run_path(**wildcards, variant=run.variant, protocol=run.protocol, fold=run.fold, seed=run.seed)}/metrics.json"
            for run in runs
        }
    )


def job_arguments(experiment, model):
    """The params function of the jobs of one (experiment, model): ``--run DIR OVERRIDES...`` a run."""

    def arguments(wildcards):
        runs = PLAN.job_runs(experiment, model, wildcards.dataset)
        if not runs:
            raise ValueError(f"no run of {experiment}/{model}/{wildcards.dataset} is in the experiment matrix")
        return " ".join(
            f"--run {RESULTS}/runs/{run.path} " + " ".join(f"'{o}'" for o in matrix.workflow_overrides(run, spec, config))
            for run, spec in runs
        )

    return arguments


def experiment_metrics(wildcards):
    """Every metrics.json of one experiment."""
    return [f"{RESULTS}/runs/{key}/metrics.json" for key, (run, _) in PLAN.runs.items() if run.experiment == wildcards.experiment]


def resources_dir(wildcards, input):
    """The resources folder, read off a prepared dataset (<resources>/prepared/<name>.npz)."""
    return os.path.dirname(os.path.dirname(input[0]))


def compress_models(wildcards):
    return ",".join(m for m, d in PLAN.compress_pairs if d == wildcards.dataset)


def clash_digits(wildcards):
    return " ".join(str(d) for d in PLAN.clashes["digits"])


def clash_inits(wildcards):
    return " ".join(str(k) for k in PLAN.clashes["inits"])


def compress_outputs():
    return sorted({f"{RESULTS}/compress/{d}.json" for _, d in PLAN.compress_pairs})


def clash_outputs():
    return [f"{RESULTS}/clashes/{m}/{d}.json" for m, d in PLAN.clash_pairs]


def lifting_table_inputs(wildcards):
    """The `gnnlift compress` outputs of one lifting table (compression or clashes)."""
    return {"compression": compress_outputs, "clashes": clash_outputs}[wildcards.table]()


def left_out_option(wildcards):
    """--left-out arguments of gnnlift report: variants the config asks for but this machine lacks."""
    if not PLAN.left_out:
        return ""
    return f"--left-out '{', '.join(PLAN.left_out)} ({NEURALOGIC_MISSING})'"


def timing_limit_option(wildcards):
    """--timing-limit of gnnlift report: the `timing` resource limit (--resources) this invocation applies."""
    limit = workflow.global_resources.get("timing")
    value = getattr(limit, "value", limit)
    return f"--timing-limit {value if value is not None else 'none'}"


def figure_tables(wildcards):
    return [f"{RESULTS}/tables/{name}.csv" for name in PLAN.figure_of[wildcards.figure]]


def landing_page():
    """The HTML report's landing page: this run's findings once the report rule has written them."""
    return os.path.abspath(SUMMARY) if os.path.exists(SUMMARY) else "../report/workflow.rst"


def in_report_order(names, name):
    """A result's menu label in the HTML report: its place in ``names`` (the report's order) and its
    name, so that the menu, which sorts labels as text, lists results in the order of report.md."""
    width = len(str(len(names)))
    return f"{names.index(name) + 1:0{width}d}. {name}"


def table_label(name):
    """The labels of one table in the HTML report's menu (Tables)."""
    return {"table": in_report_order(experiments.tables(), name)}


def figure_label(wildcards):
    """The labels of one figure in the HTML report's menu (Figures)."""
    return {"figure": in_report_order(experiments.names(), wildcards.figure)}


def benchmark_files():
    """The benchmark file of every job the report comes after: what the reproduction cost.

    Each lives beside what its job made: the data's under the resources folder, the rest under the
    results folder, so that a results folder's report never reads another results folder's costs.
    """
    return [
        *[f"{RESOURCES}/benchmarks/download/{d}/{f.filename}.tsv" for d in PLAN.datasets for f in require(d).files],
        *[f"{RESOURCES}/benchmarks/prepare/{d}.tsv" for d in PLAN.datasets],
        f"{RESULTS}/benchmarks/dataset_summary.tsv",
        *[f"{RESULTS}/benchmarks/runs/{job}.tsv" for job in sorted(PLAN.jobs)],
        *sorted({f"{RESULTS}/benchmarks/compress/{d}.tsv" for _, d in PLAN.compress_pairs}),
        *[f"{RESULTS}/benchmarks/clashes/{m}/{d}.tsv" for m, d in PLAN.clash_pairs],
        *[f"{RESULTS}/benchmarks/aggregate/{name}.tsv" for name in PLAN.tables],
        *[f"{RESULTS}/benchmarks/figure/{name}.tsv" for name in PLAN.figure_of],
    ]


def benchmark_option(wildcards):
    """--benchmarks of gnnlift report: the benchmark files it sums, the report's inputs and no others."""
    return " ".join(f"--benchmarks {path}" for path in benchmark_files())


def report_inputs():
    """Tables, figures and the dataset summary that the report is made from."""
    return {
        "benchmarks": benchmark_files(),
        "tables": [f"{RESULTS}/tables/{name}.csv" for name in PLAN.tables],
        "figures": [f"{RESULTS}/report/figures/{name}.png" for name in PLAN.figure_of],
        "datasets": f"{RESULTS}/datasets/summary.csv",
        "paper": "config/paper.yaml",
    }


def all_outputs():
    """The targets of `all` under the current config (every run, table, figure and the report).

    Each is a target of its own, so a missing or failed one is redone (or fails again) on every
    rerun, even where the report that was made from it still exists. A config with every
    experiment off and no lifting statistics prepares its data and makes no report.
    """
    made_from = report_inputs()
    if not PLAN.tables:
        return [*[f"{RESOURCES}/prepared/{name}.npz" for name in PLAN.datasets], made_from["datasets"]]
    return [
        *[f"{RESOURCES}/prepared/{name}.npz" for name in PLAN.datasets],
        made_from["datasets"],
        *[f"{RESULTS}/runs/{key}/metrics.json" for key in PLAN.runs],
        *compress_outputs(),
        *clash_outputs(),
        *made_from["tables"],
        *made_from["figures"],
        f"{RESULTS}/report/report.md",
    ]
