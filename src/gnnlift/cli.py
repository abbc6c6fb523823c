"""The ``gnnlift`` command: datasets (datasets, fetch, prepare, summarize), the engine's checks and
measurements (verify, compress, stepcost), the workflow's plan (plan) and the report (aggregate,
figure, report)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from gnnlift import experiments
from gnnlift.data.errors import DataError

# The coordinates of a run (gnnlift.matrix.Run) that `gnnlift plan` filters by.
PLAN_FILTERS = ("experiment", "model", "dataset", "variant", "protocol", "fold", "seed")


def _dataset_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--resources",
        type=Path,
        default=None,
        help="folder of downloaded and prepared data (default: $GNNLIFT_RESOURCES or ./resources)",
    )
    parser.add_argument(
        "--mirror",
        type=Path,
        default=None,
        help="offline mirror folder to read files from instead of their URLs (default: $GNNLIFT_MIRROR)",
    )


class _Defaults(argparse.HelpFormatter):
    """Help that names each option's default where it has one and its text does not already say it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        unset = default is None or default is False or default == [] or default == argparse.SUPPRESS
        if "default" in text or unset or not action.option_strings:
            return text
        shown = ",".join(map(str, default)) if isinstance(default, list) else default
        return f"{text} (default: {shown})".strip().replace("%", "%%")


def _positive(text: str) -> int:
    """A whole number of at least 1, as an option's type."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _plain(text: str | None) -> str:
    """reStructuredText's literal markup (double backticks) left out, for a terminal."""
    return (text or "").replace("``", "")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gnnlift", description=_plain(__doc__))
    parser.add_argument("--version", action="version", version=f"gnnlift {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("datasets", help="list the registry, or print the statistics of one dataset or file")
    p.add_argument("dataset", nargs="?", help="a registry name or a path to a data file")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    _dataset_options(p)

    p = sub.add_parser("fetch", help="download (or copy from the mirror) and verify a dataset's files")
    p.add_argument("dataset", help="a registry name (see gnnlift datasets)")
    p.add_argument("--file", help="only this file (the URL's last segment)")
    p.add_argument("--dest", type=Path, help="destination of --file (default: resources/raw/<dataset>/<file>)")
    _dataset_options(p)

    p = sub.add_parser("prepare", help="parse a dataset into resources/prepared/<dataset>.npz + .stats.json")
    p.add_argument("dataset", help="a registry name (see gnnlift datasets)")
    p.add_argument("--files", nargs="+", type=Path, help="its raw files, in registry order (default: fetched)")
    p.add_argument("--out", type=Path, help="the cache to write (default: resources/prepared/<dataset>.npz)")
    _dataset_options(p)

    p = sub.add_parser("stepcost", help="native backend: step time against neurons + edges, per sample, fitted")
    p.add_argument("--model", required=True, help="gcn, sage, gin, gnn_embed or graphlet")
    p.add_argument("--data", required=True, help="a graph dataset: registry name or path")
    p.add_argument("--variants", default="plain,lifted", help="comma-separated: plain, lifted (scope sample)")
    p.add_argument("--optimizer", choices=("adam", "sgd"), default="adam", help="the training step timed")
    p.add_argument("--points", type=_positive, default=40, help="samples measured, spread over the size range")
    p.add_argument("--repeats", type=_positive, default=300, help="steps timed per sample (one compiled call)")
    p.add_argument("--out", type=Path, help="write the JSON here too")
    _dataset_options(p)

    p = sub.add_parser("verify", help="same weights in every variant: compare outputs and gradients")
    p.add_argument("--model", required=True, help="gcn, sage, gin, gnn_embed, graphlet or kbe")
    p.add_argument("--data", required=True, help="a registry name or a path to a data file")
    p.add_argument("--dtype", choices=("float64", "float32"), default="float64", help="precision of every variant")
    p.add_argument(
        "--variants",
        default="plain,lifted,pyg,dgl",
        help="comma-separated (default: plain,lifted,pyg,dgl); lifted = exact lifting at every scope, "
        "or lifted:sample|batch|dataset; plain-native and lifted-native[:scope] run the native backend",
    )
    p.add_argument("--draws", type=_positive, help="random weight draws (default: 3 with lifted variants, else 1)")
    p.add_argument("--limit", type=_positive, help="only the first N samples (graphs or queries)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random weights")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a model hyperparameter, e.g. --set hidden=32 (repeatable)",
    )
    _dataset_options(p)

    p = sub.add_parser("compress", help="lift a model's computation graph on a dataset; print statistics as JSON")
    p.add_argument(
        "--model", required=True, help="gcn, sage, gin, gnn_embed, graphlet or kbe (comma-separated: several)"
    )
    p.add_argument("--data", required=True, help="a registry name or a path to a data file")
    p.add_argument("--detect", choices=("exact", "value"), default="exact", help="how equivalent neurons are found")
    p.add_argument("--digits", type=int, nargs="+", default=[12], help="value detection: decimal places (default 12)")
    p.add_argument("--inits", type=int, nargs="+", default=[2], help="value detection: random weight draws (default 2)")
    p.add_argument("--isocheck", action="store_true", help="value detection: refuse structurally different merges")
    p.add_argument("--scope", default="sample", help="sample, batch or dataset (comma-separated: several)")
    p.add_argument("--batch-size", type=int, default=128, help="samples per batch at scope batch (default 128)")
    p.add_argument("--limit", type=_positive, help="only the first N samples (graphs or queries)")
    p.add_argument("--out", type=Path, help="also write the JSON to this file (atomically)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a model setting")
    _dataset_options(p)

    p = sub.add_parser("aggregate", help="one tidy CSV from runs' metrics.json or from compress JSON files")
    p.add_argument("--kind", choices=("runs", "compress"), required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--html", type=Path, help="also write it as HTML, numbers as in report.md (Snakemake report)")
    p.add_argument("files", nargs="+", type=Path)

    p = sub.add_parser("figure", help="draw one experiment's figure from its tidy CSV")
    p.add_argument("--experiment", required=True, choices=experiments.names(), help="the figure")
    p.add_argument("--table", type=Path, nargs="+", required=True, help="its tidy CSVs (several: concatenated)")
    p.add_argument("--out", type=Path, required=True, help="the PNG (an SVG is written beside it)")

    p = sub.add_parser("report", help="compose results/report/report.md from the tables and figures")
    p.add_argument("--tables", type=Path, required=True, help="folder of the experiments' CSVs")
    p.add_argument("--figures", type=Path, required=True)
    p.add_argument("--datasets", type=Path, help="the dataset summary CSV")
    p.add_argument("--paper", type=Path, required=True, help="config/paper.yaml")
    p.add_argument("--left-out", action="append", default=[], help="a variant left out of the run, and why")
    p.add_argument(
        "--timing-limit",
        help="the Snakemake `timing` resource limit applied to the runs: a number, or none (default: not known)",
    )
    p.add_argument(
        "--benchmarks",
        type=Path,
        action="append",
        default=[],
        help="a Snakemake benchmark file, or a folder of them (repeatable): what the reproduction cost",
    )
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--summary", type=Path, help="also write the findings as reStructuredText (the HTML landing page)")
    p.add_argument("--provenance", type=Path, help="also write when and where the report was rendered (JSON)")

    p = sub.add_parser(
        "plan",
        help="print the command of every workflow run (or job) that the filters select",
        description="The runs of the workflow's plan (config/config.yaml, --configfile files merged over it as "
        "Snakemake merges them, then --config), one command a run that trains it as the workflow does. "
        "Run the commands from the repository root.",
    )
    p.add_argument(
        "--configfile", action="append", type=Path, default=[], help="merged over config/config.yaml (repeatable)"
    )
    p.add_argument("--config", action="append", default=[], metavar="KEY=VALUE", help="a top-level setting, as YAML")
    for name in PLAN_FILTERS[:5]:
        p.add_argument(f"--{name}", action="append", help=f"only runs of this {name} label (repeatable)")
    p.add_argument("--fold", action="append", type=int, help="only this fold (repeatable)")
    p.add_argument("--seed", action="append", type=int, help="only this seed (repeatable)")
    p.add_argument(
        "--job", action="store_true", help="one python -m gnnlift.run.group command a job, as the workflow runs them"
    )

    p = sub.add_parser("summarize", help="one table of the statistics of prepared datasets")
    p.add_argument("stats", nargs="+", type=Path, help=".stats.json files written by `prepare`")
    p.add_argument("--csv", type=Path, required=True)
    p.add_argument("--markdown", type=Path, required=True)
    for command in sub.choices.values():
        command.formatter_class = _Defaults
        command.description = _plain(command.description)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gnnlift")
    except PackageNotFoundError:
        return "unknown (not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except DataError as exc:
        print(f"gnnlift {args.command}: error: {' '.join(str(exc).splitlines())}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return _closed_stdout()


def _closed_stdout() -> int:
    """The reader of stdout went away (``gnnlift datasets | head``): stop quietly, like SIGPIPE."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 141


def cmd_datasets(args: argparse.Namespace) -> int:
    from gnnlift.data.load import load_dataset, prepared_path, raw_dir
    from gnnlift.data.registry import registry

    if args.dataset is None:
        rows = []
        for entry in registry().values():
            if prepared_path(entry.name, args.resources).exists():
                status = "prepared"
            elif all((raw_dir(entry.name, args.resources) / f.filename).exists() for f in entry.files):
                status = "downloaded"
            else:
                status = "-"
            rows.append(
                {
                    "name": entry.name,
                    "kind": entry.kind,
                    "files": len(entry.files),
                    "status": status,
                    "description": entry.description,
                }
            )
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            width = max(len(r["name"]) for r in rows)
            for r in rows:
                print(f"{r['name']:<{width}}  {r['kind']:<10}  {r['status']:<10}  {r['description']}")
            print(f"{len(rows)} datasets, {sum(r['files'] for r in rows)} files")
        return 0

    stats = load_dataset(args.dataset, args.resources, args.mirror, download=True).stats()
    if args.json:
        print(json.dumps(stats, indent=2))
    else:
        for key, value in stats.items():
            if isinstance(value, dict):
                value = ", ".join(f"{k}: {v}" for k, v in value.items())
            elif isinstance(value, list):
                value = " | ".join(map(str, value))
            print(f"{key:>22}: {value}")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    from gnnlift.data.download import fetch
    from gnnlift.data.load import ensure_raw, raw_dir
    from gnnlift.data.registry import require
    from gnnlift.paths import mirror_dir

    entry = require(args.dataset)
    if args.file is None:
        for path in ensure_raw(entry, args.resources, args.mirror):
            print(f"{entry.name}: {path}")
        return 0
    remote = entry.file(args.file)
    dest = args.dest or raw_dir(entry.name, args.resources) / remote.filename
    fetch(remote, dest, mirror=args.mirror or mirror_dir(), dataset=entry.name)
    print(f"{entry.name}: {remote.url} -> {dest} (sha256 ok)")
    return 0


def cmd_prepare(args: argparse.Namespace) -> int:
    from gnnlift.data.load import prepare

    target, stats = prepare(args.dataset, args.resources, args.mirror, files=args.files, out=args.out)
    size = stats.get("graphs", stats.get("facts", stats.get("train_triples")))
    unit = "graphs" if "graphs" in stats else ("facts" if "facts" in stats else "training triples")
    print(f"{args.dataset}: {size} {unit}, parsed in {stats['parse_seconds']} s -> {target}")
    return 0


def cmd_summarize(args: argparse.Namespace) -> int:
    import pandas as pd

    from gnnlift.atomic import write_text

    rows = []
    for path in args.stats:
        try:
            stats = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise DataError(f"{path}: cannot read statistics ({exc})") from None
        rows.append(_summary_row(stats))
    table = pd.DataFrame(rows).sort_values(["kind", "name"])
    write_text(args.csv, table.to_csv(index=False))
    sections = []
    for kind, title in (("graphs", "Graph datasets"), ("kb", "Knowledge bases")):
        part = table[table["kind"] == kind].dropna(axis=1, how="all")
        if len(part):
            sections.append(f"## {title}\n\n{part.to_markdown(index=False)}\n")
    write_text(args.markdown, "\n".join(sections))
    print(f"{len(table)} datasets -> {args.csv}, {args.markdown}")
    return 0


def _summary_row(stats: dict) -> dict:
    """Scalars as they are; a vocabulary or a list as its size; ``duplicates`` as their total."""
    row = {}
    for key, value in stats.items():
        if key == "duplicates":
            row["duplicates"] = sum(value.values())
        elif isinstance(value, dict | list):
            row[f"n_{key}"] = len(value)
        else:
            row[key] = value
    return row


def cmd_verify(args: argparse.Namespace) -> int:
    import torch

    from gnnlift.data.load import load_dataset
    from gnnlift.templates import family, model_config
    from gnnlift.verify import TOLERANCE, compare, first_samples

    dtype = getattr(torch, args.dtype)
    try:
        cfg = model_config(args.model, **parse_overrides(args.set))
    except ValueError as exc:
        raise DataError(str(exc)) from None
    dataset = load_dataset(args.data, args.resources, args.mirror, download=True)
    if dataset.kind != family(args.model).data:
        raise DataError(
            f"model {args.model} needs a dataset of {family(args.model).data}, {args.data} is {dataset.kind}"
        )
    samples = first_samples(dataset, args.limit)
    variants = args.variants.split(",")
    draws = args.draws or (3 if any(v.startswith("lifted") for v in variants) else 1)
    rows = compare(args.model, cfg, samples, variants, dtype, args.seed, draws)
    kind = "absolute" if dtype == torch.float64 else "relative"
    size = samples.num_graphs if dataset.kind == "graphs" else samples.num_queries
    print(
        f"verify {args.model} on {dataset.name} ({size} samples), {args.dtype}, tolerance {TOLERANCE[dtype]:g} {kind}"
    )
    width = max(len(r.quantity) for r in rows)
    failed = 0
    for r in rows:
        ok = r.passes(dtype)
        failed += not ok
        print(f"  {r.pair:<36} {r.quantity:<{width}}  max|diff| {r.max_abs:.3e}  {'ok' if ok else 'MISMATCH'}")
    print(f"{len(rows) - failed} agree, {failed} mismatch")
    return 1 if failed else 0


def cmd_stepcost(args: argparse.Namespace) -> int:
    """Per-sample step cost of the native backend, one JSON object per variant."""
    import torch

    from gnnlift.atomic import write_text
    from gnnlift.data.load import load_dataset
    from gnnlift.run.stepcost import measure
    from gnnlift.templates import model_config

    torch.set_num_threads(1)
    if args.points < 2 or args.repeats < 1:
        raise DataError("--points must be at least 2 and --repeats at least 1")
    data = load_dataset(args.data, args.resources, args.mirror, download=True)
    if data.kind != "graphs":
        raise DataError(f"stepcost needs a graph dataset; {args.data} is {data.kind}")
    results = []
    for variant in args.variants.split(","):
        if variant not in ("plain", "lifted"):
            raise DataError(f"unknown variant {variant!r} for stepcost; expected plain or lifted")
        row = measure(args.model, model_config(args.model), data, variant, args.optimizer, args.points, args.repeats)
        results.append(row)
        print(
            f"{args.model} {variant}: {row['fixed_seconds_per_step'] * 1e6:.2f} us a step + "
            f"{row['seconds_per_neuron_edge'] * 1e9:.1f} ns per neuron + edge (r {row['r']:.3f}); "
            f"mean sample {row['mean_neurons_edges_per_sample']:.0f} neurons + edges, "
            f"{row['predicted_mean_step_seconds'] * 1e6:.2f} us a step",
            file=sys.stderr,
        )
    text = json.dumps(results, indent=2) + "\n"
    if args.out:
        write_text(args.out, text)
    print(text, end="")
    return 0


def cmd_compress(args: argparse.Namespace) -> int:
    """One JSON object of statistics, or a list of them when several settings are given."""
    import itertools

    from gnnlift.atomic import write_text
    from gnnlift.data.load import load_dataset
    from gnnlift.lifting import LiftConfig
    from gnnlift.run.compress import compress
    from gnnlift.templates import family
    from gnnlift.verify import first_samples

    models, scopes = args.model.split(","), args.scope.split(",")
    if args.batch_size < 1:
        raise DataError(f"--batch-size must be at least 1, not {args.batch_size}")
    digits, inits = (args.digits, args.inits) if args.detect == "value" else ([12], [2])
    try:
        configs = [
            LiftConfig(args.detect, scope, d, k, args.isocheck)
            for scope, d, k in itertools.product(scopes, digits, inits)
        ]
        kinds = {family(m).data for m in models}
    except ValueError as exc:
        raise DataError(str(exc)) from None
    dataset = load_dataset(args.data, args.resources, args.mirror, download=True)
    if kinds != {dataset.kind}:
        raise DataError(
            f"models {args.model} need a dataset of {'/'.join(sorted(kinds))}, {args.data} is {dataset.kind}"
        )
    data = first_samples(dataset, args.limit)
    results = []
    try:
        for model in models:
            results += [compress(model, data, c, args.batch_size, **parse_overrides(args.set)) for c in configs]
    except (ValueError, TypeError) as exc:
        raise DataError(str(exc)) from None
    text = json.dumps(results[0] if len(results) == 1 else results, indent=2) + "\n"
    if args.out:
        write_text(args.out, text)
    print(text, end="")
    return 0


def cmd_aggregate(args: argparse.Namespace) -> int:
    from gnnlift.atomic import write_text
    from gnnlift.report import fmt
    from gnnlift.report.collect import compress_table, runs_table

    table = runs_table(args.files) if args.kind == "runs" else compress_table(args.files)
    write_text(args.out, table.to_csv(index=False))
    if args.html:
        write_text(args.html, fmt.html(table, title=args.out.stem))
    print(f"{args.out}: {len(table)} rows from {len(args.files)} files")
    return 0


def cmd_figure(args: argparse.Namespace) -> int:
    import pandas as pd

    from gnnlift.report import plots

    table = pd.concat([pd.read_csv(path) for path in args.table], ignore_index=True)
    if table.empty:
        raise DataError(f"{', '.join(map(str, args.table))}: no rows to plot")
    plots.draw(args.experiment, table, args.out)
    print(f"wrote {args.out} and {args.out.with_suffix('.svg')}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from gnnlift.atomic import write_text
    from gnnlift.report import provenance
    from gnnlift.report.markdown import summary_rst, write_report

    try:
        write_report(
            args.tables,
            args.figures,
            args.datasets,
            args.paper,
            args.out,
            args.left_out,
            args.timing_limit,
            args.benchmarks,
        )
    except ValueError as exc:
        raise DataError(str(exc)) from None
    print(f"wrote {args.out}")
    if args.summary:
        write_text(args.summary, summary_rst(args.tables, args.paper, args.left_out))
        print(f"wrote {args.summary}")
    if args.provenance:
        inputs = [args.tables / f"{name}.csv" for name in experiments.tables()] + [args.paper]
        inputs += [args.datasets] if args.datasets else []
        record = provenance.render_record(args.out, inputs)
        write_text(args.provenance, json.dumps(record, indent=2) + "\n")
        print(f"wrote {args.provenance}")
    return 0


def workflow_config(configfiles: Sequence[Path] = (), items: Sequence[str] = ()) -> dict:
    """The workflow's config: config/config.yaml, ``configfiles`` and ``items`` (KEY=VALUE) merged over
    it as Snakemake merges them, checked and given the schema's defaults as the workflow does."""
    import yaml
    from snakemake.utils import update_config, validate

    from gnnlift import config_schema
    from gnnlift.paths import CONFIG_DIR, REPO_ROOT

    config: dict = {}
    for path in [CONFIG_DIR / "config.yaml", *configfiles]:
        try:
            update_config(config, yaml.safe_load(Path(path).read_text()) or {})
        except OSError as exc:
            raise DataError(f"--configfile {path}: {exc.strerror}") from None
    update_config(config, parse_overrides(list(items)))
    schema = REPO_ROOT / "workflow" / "schemas" / "config.schema.yaml"
    try:
        config_schema.check(config, schema)
    except config_schema.ConfigError as exc:
        raise DataError(str(exc)) from None
    validate(config, str(schema))  # fills in the schema's defaults
    return config


def run_command(run, experiment: dict, config: dict) -> str:
    """The command that trains one run of the workflow by hand, in its folder under <results>/runs."""
    import shlex

    from gnnlift import matrix

    overrides = matrix.workflow_overrides(run, experiment, config)
    return shlex.join(["python", "-m", "gnnlift.run", f"hydra.run.dir={config['results']}/runs/{run.path}", *overrides])


def job_command(runs: list, config: dict) -> str:
    """The command of one workflow job restricted to ``runs``: ``python -m gnnlift.run.group --run DIR ...``."""
    import shlex

    from gnnlift import matrix

    words = ["python", "-m", "gnnlift.run.group"]
    for run, experiment in runs:
        words += ["--run", f"{config['results']}/runs/{run.path}", *matrix.workflow_overrides(run, experiment, config)]
    return shlex.join(words)


def cmd_plan(args: argparse.Namespace) -> int:
    from gnnlift import matrix
    from gnnlift.variants import neuralogic

    config = workflow_config(args.configfile, args.config)
    missing = neuralogic.missing()
    try:
        plan = matrix.plan(config, missing)
    except ValueError as exc:
        raise DataError(str(exc)) from None
    if plan.left_out:
        print(f"gnnlift: leaving out {', '.join(plan.left_out)}: {missing}", file=sys.stderr)
    wanted = {key: getattr(args, key) for key in PLAN_FILTERS}
    jobs = {
        name: [(run, spec) for run, spec in members if all(not v or getattr(run, k) in v for k, v in wanted.items())]
        for name, members in plan.jobs.items()
    }
    jobs = {name: members for name, members in jobs.items() if members}
    if not jobs:
        raise DataError("no run of the plan matches the filters")
    for members in jobs.values():
        if args.job:
            print(job_command(members, config))
        else:
            for run, spec in members:
                print(run_command(run, spec, config))
    return 0


def parse_overrides(items: list[str]) -> dict:
    """``key=value`` strings to a dict, values read as YAML scalars (ints, floats, booleans)."""
    import yaml

    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise DataError(f"override {item!r} is not KEY=VALUE")
        out[key.strip()] = yaml.safe_load(value)
    return out


COMMANDS = {
    "datasets": cmd_datasets,
    "fetch": cmd_fetch,
    "prepare": cmd_prepare,
    "summarize": cmd_summarize,
    "verify": cmd_verify,
    "compress": cmd_compress,
    "stepcost": cmd_stepcost,
    "aggregate": cmd_aggregate,
    "figure": cmd_figure,
    "report": cmd_report,
    "plan": cmd_plan,
}
