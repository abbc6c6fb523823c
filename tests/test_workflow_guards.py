"""The workflow never lies: mistyped config, missing or broken results, the profile, unknown names."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def dry_run(configfile: Path, *extra: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """``snakemake -n`` with one extra config file; its stdout and stderr together in ``stdout``."""
    command = [*SNAKEMAKE, "-n", "--cores", "1", "--configfile", str(configfile), *extra]
    return subprocess.run(command, cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data))
    return path


def test_item1_unknown_top_level_key(tmp_path):
    for key in ("experimnts", "compresion"):
        result = dry_run(write_yaml(tmp_path / f"{key}.yaml", {key: {}}))
        assert result.returncode != 0, result.stdout[-2000:]
        assert f"unknown key '{key}' at the top level" in result.stdout
        assert "valid keys there: clashes, compression, datasets, experiments," in result.stdout
        assert "$schema" not in result.stdout and "properties" not in result.stdout
        assert len(result.stdout.strip().splitlines()) <= 8, result.stdout


def test_item1_unknown_key_inside_an_experiment(tmp_path):
    config = {"experiments": {"table1": {"variantss": ["plain"]}}}
    result = dry_run(write_yaml(tmp_path / "typo.yaml", config))
    assert result.returncode != 0
    assert "unknown key 'variantss' in experiments.table1" in result.stdout
    valid = (
        "enabled, epochs_of, folds, folds_of, groups, num_folds, overrides, overrides_of, protocols, seeds, variants"
    )
    assert f"valid keys there: {valid}" in result.stdout
    assert len(result.stdout.strip().splitlines()) <= 8, result.stdout


def test_item1_check_names_the_bad_value():
    from gnnlift.config_schema import ConfigError, check

    schema = REPO / "workflow/schemas/config.schema.yaml"
    check({"datasets": ["mutag"], "threads": 2}, schema)
    with pytest.raises(ConfigError, match=r"^config: threads: 0 is less than the minimum of 1$"):
        check({"datasets": ["mutag"], "threads": 0}, schema)
    with pytest.raises(ConfigError, match="unknown key 'modle' in run_overrides"):
        check({"datasets": ["mutag"], "run_overrides": {"modle": {}}}, schema)
    group = {"models": ["gcn"], "dataset": ["mutag"]}
    with pytest.raises(ConfigError, match=r"unknown key 'dataset' in compression\.groups\.0"):
        check({"datasets": ["mutag"], "compression": {"groups": [group]}}, schema)


def experiment(models: list[str], datasets: list[str], variants: tuple[str, ...] = ("lifted",)) -> dict:
    groups = [{"models": models, "datasets": datasets}]
    return {"groups": groups, "variants": list(variants), "protocols": ["paper"], "seeds": [0], "folds": [0]}


def test_item5_unknown_model_is_refused_when_the_plan_is_built():
    from gnnlift import matrix

    valid = "valid models: gcn, sage, gin, gnn_embed, graphlet, kbe"
    for variants in (("lifted",), ("neuralogic",), ("lifted", "neuralogic-off")):
        with pytest.raises(
            ValueError, match=rf"experiment table1: unknown model 'gni' \(did you mean gin or gcn\?\); {valid}"
        ):
            matrix.runs("table1", experiment(["gcn", "gni"], ["mutag"], variants), ["mutag"])
    with pytest.raises(ValueError, match="unknown model 'gni'"):
        matrix.supported("gni", "neuralogic")
    with pytest.raises(ValueError, match="compression: unknown model 'gni'"):
        matrix.pairs([{"models": ["gni"], "datasets": "molecules"}], ["mutag"], ["mutag"], "compression")
    assert len(matrix.runs("table1", experiment(["gcn", "graphlet"], ["mutag"], ("neuralogic",)), ["mutag"])) == 1


def test_item5_unknown_dataset_is_refused_when_the_plan_is_built():
    from gnnlift import matrix

    with pytest.raises(
        ValueError, match=r"unknown dataset 'mutg' \(did you mean mutag\?\); valid datasets: mutag, nations"
    ):
        matrix.runs("table1", experiment(["gcn"], ["mutg"]), ["mutag"], datasets=["mutag", "nations"])
    with pytest.raises(ValueError, match=r"unknown dataset 'mutg' .*\(79 in all\)"):
        matrix.runs("table1", experiment(["gcn"], ["mutg"]), ["mutag"])  # against the registry
    with pytest.raises(ValueError, match="unknown dataset 'ptc_mr'; valid datasets: mutag$"):
        matrix.pairs([{"models": ["gcn"], "datasets": ["ptc_mr"]}], ["mutag"], ["mutag"])


def test_item5_model_typo_stops_the_dry_run(tmp_path):
    config = {
        "datasets": ["mutag"],
        "experiments": {
            name: {"enabled": name == "table1", **experiment(["gni"], ["mutag"], ("lifted", "neuralogic"))}
            for name in ("table1", "lossless", "precision", "scaling")
        },
        "compression": None,
        "clashes": None,
    }
    result = dry_run(write_yaml(tmp_path / "gni.yaml", config))
    assert result.returncode != 0
    assert "experiment table1: unknown model 'gni' (did you mean gin or gcn?); valid models: gcn," in result.stdout
    assert "Job stats" not in result.stdout


def metrics(**changes) -> dict:
    """A minimal run's metrics.json, as `gnnlift.run` writes it, with ``changes`` applied (None: drop)."""
    m = {
        "model": "gcn",
        "dataset": "mutag",
        "config": {"protocol": {"batch_size": 1}},
        "fold": 0,
        "seed": 0,
        "epochs": 2,
        "timed_epochs": 1,
        "epoch_seconds_median": 0.1,
        "epoch_seconds_mean": 0.1,
        "loss_curve": [0.7, 0.6],
        "labels": {"experiment": "table1", "variant": "lifted", "protocol": "paper"},
    }
    m.update(changes)
    return {k: v for k, v in m.items() if v is not None}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{}", "missing model, dataset, config.protocol.batch_size, fold, seed, epochs,"),
        ("[]", "an array, not an object"),
        ("null", "null, not an object"),
        ("3", "a number, not an object"),
        (json.dumps(metrics(seed=None, epochs=None)), "missing seed, epochs$"),
        (json.dumps(metrics(config={"protocol": {}})), "missing config.protocol.batch_size$"),
        (json.dumps(metrics(config=[])), "missing config.protocol.batch_size$"),
        (json.dumps(metrics(loss_curve=None)), "missing loss_curve$"),
        (json.dumps(metrics(loss_curve=1.0)), "loss_curve is a number, not an array$"),
        (json.dumps(metrics(evaluation=[1])), "evaluation is an array, not an object$"),
        ('{"model": "gcn"', "not a readable JSON file"),
    ],
)
def test_item3_metrics_of_the_wrong_shape(tmp_path, content, message):
    from gnnlift.data.errors import DataError
    from gnnlift.report.collect import runs_table

    good = tmp_path / "table1/gcn/mutag/lifted/paper/fold0/seed0/metrics.json"
    bad = tmp_path / "table1/gcn/mutag/lifted/paper/fold0/seed1/metrics.json"
    for path, text in ((good, json.dumps(metrics())), (bad, content)):
        path.parent.mkdir(parents=True)
        path.write_text(text)
    assert len(runs_table([good])) == 1
    with pytest.raises(DataError) as info:
        runs_table([good, bad])
    text = str(info.value)
    assert text.startswith(f"{bad}: ") and "\n" not in text
    assert re.search(message, text), text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{}", "not lifting statistics: missing model, dataset, samples, lifting,"),
        ("[]", "not lifting statistics: an empty array"),
        ("null", "null, not an object"),
        ("[{}]", "missing model,"),
        ('{"model": "gcn", "lifting": []}', "missing dataset, samples, neurons.raw"),
    ],
)
def test_item3_compress_statistics_of_the_wrong_shape(tmp_path, content, message):
    from gnnlift.data.errors import DataError
    from gnnlift.report.collect import compress_table

    bad = tmp_path / "mutag.json"
    bad.write_text(content)
    with pytest.raises(DataError) as info:
        compress_table([bad])
    assert str(info.value).startswith(f"{bad}: not ") and message in str(info.value)


def test_item3_aggregate_names_the_file_in_one_line(tmp_path):
    bad = tmp_path / "table1/gcn/mutag/lifted/paper/fold0/seed0/metrics.json"
    bad.parent.mkdir(parents=True)
    bad.write_text("{}")
    command = [
        sys.executable,
        "-m",
        "gnnlift",
        "aggregate",
        "--kind",
        "runs",
        "--out",
        str(tmp_path / "t.csv"),
        str(bad),
    ]
    result = subprocess.run(command, env=ENV, capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"gnnlift aggregate: error: {bad}: not a run's metrics: missing model, dataset, config.protocol.batch_size, "
        "fold, seed, epochs, timed_epochs, epoch_seconds_median, epoch_seconds_mean, loss_curve"
    ]
    assert not (tmp_path / "t.csv").exists()


def copy_repo(dest: Path) -> Path:
    """The tracked (and not ignored) files of the repository in ``dest``: results and resources stay apart."""
    listing = ["git", "ls-files", "--cached", "--others", "--exclude-standard"]
    for name in subprocess.run(listing, cwd=REPO, capture_output=True, text=True, check=True).stdout.split():
        if (REPO / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, dest / name)
    return dest


SMALL = {  # two timed runs of gcn on MUTAG, nothing else
    "datasets": ["mutag"],
    "experiments": {
        "table1": {**experiment(["gcn"], ["mutag"]), "seeds": [0, 1], "overrides": ["epochs=2", "warmup=1"]},
        **{name: {"enabled": False} for name in ("lossless", "precision", "scaling")},
    },
    "compression": None,
    "clashes": None,
}
RUN = "results/runs/table1/gcn/mutag/lifted/paper/fold0/seed{}/metrics.json"


@pytest.fixture(scope="module")
def finished(tmp_path_factory, mirror) -> tuple[Path, list[str]]:
    """A copy of the repository after a complete small workflow, and the command that made it."""
    root = tmp_path_factory.mktemp("finished")
    repo = copy_repo(root / "repo")
    config = write_yaml(root / "small.yaml", SMALL)
    command = [*SNAKEMAKE, "--cores", "1", "--configfile", str(config), "--config", f"mirror={mirror}"]
    result = subprocess.run(command, cwd=repo, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert (repo / "results/report/report.md").is_file()
    return repo, command


@pytest.fixture
def done(finished, tmp_path) -> tuple[Path, list[str]]:
    """A fresh copy of the finished workflow (times and Snakemake's records kept) for one test to break."""
    repo, command = finished
    shutil.copytree(repo, tmp_path / "repo", symlinks=True)
    return tmp_path / "repo", command


def snakemake(repo: Path, command: list[str], *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*command, *extra], cwd=repo, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def planned(output: str) -> dict[str, int]:
    """The job counts of a dry run's "Job stats" table (none where nothing is to be done)."""
    if "Job stats:" not in output:
        return {}
    lines = output.split("Job stats:", 1)[1].splitlines()[3:]
    rows = [line.split() for line in itertools.takewhile(str.strip, lines)]
    return {row[0]: int(row[1]) for row in rows if len(row) == 2 and row[1].isdigit()}


def test_item2_a_deleted_run_is_redone(done):
    repo, command = done
    assert "Nothing to be done" in snakemake(repo, command, "-n").stdout
    (repo / RUN.format(1)).unlink()
    dry = snakemake(repo, command, "-n")
    assert dry.returncode == 0, dry.stdout[-2000:]
    # the job of that run (both seeds of gcn on mutag: one process), its table, the figures drawn from
    # that table (Table 1's and speedup-against-compression), the report
    planned_jobs = {"run_table1_gcn": 1, "aggregate_runs": 1, "figure": 2, "report": 1, "all": 1, "total": 6}
    assert planned(dry.stdout) == planned_jobs
    assert "wildcards: figure=table1" in dry.stdout and "wildcards: figure=speedup" in dry.stdout
    assert f"Missing output files: {RUN.format(1)}" in dry.stdout, dry.stdout[-3000:]
    report = (repo / "results/report/report.md").stat().st_mtime_ns
    rerun = snakemake(repo, command)
    assert rerun.returncode == 0, rerun.stdout[-3000:]
    assert json.loads((repo / RUN.format(1)).read_text())["epochs"] == 2
    assert (repo / "results/report/report.md").stat().st_mtime_ns > report


def test_item2_a_broken_run_fails_every_rerun_loudly(done):
    repo, command = done
    broken = repo / RUN.format(0)
    broken.write_text('{"model": "gcn"')
    for attempt in range(2):
        result = snakemake(repo, command)
        assert result.returncode != 0, (attempt, result.stdout[-3000:])
        assert "Nothing to be done" not in result.stdout
        assert "Error in rule aggregate_runs" in result.stdout, result.stdout[-3000:]
        log = (repo / "results/logs/aggregate/table1.log").read_text()
        assert f"{RUN.format(0)}: not a readable JSON file" in log
        assert not (repo / "results/tables/table1.csv").exists()
    broken.write_text("{}")
    assert (
        "not a run's metrics: missing model"
        in snakemake(repo, command).stdout + (repo / "results/logs/aggregate/table1.log").read_text()
    )


def report_command(output: str) -> str:
    return next(line for line in output.splitlines() if "python -m gnnlift report" in line)


def test_item4_the_readme_command_applies_the_default_profile(tmp_path):
    readme = (REPO / "README.md").read_text()
    assert "&& snakemake --cores 8\n" in readme and "workflow/profiles" not in readme
    config = write_yaml(tmp_path / "small.yaml", SMALL)
    result = dry_run(config, "--cores", "8", "--printshellcmds")  # the README's `snakemake --cores 8`, dry
    assert result.returncode == 0, result.stdout[-2000:]
    assert "Using workflow specific profile profiles/default" in result.stdout
    assert "--timing-limit 1 " in report_command(result.stdout)  # `resources: [timing=1]`, set by the profile alone
    profile = yaml.safe_load((REPO / "profiles/default/config.yaml").read_text())
    assert profile["resources"] == ["timing=1"] and profile["rerun-incomplete"] is True
    elsewhere = tmp_path / "elsewhere"  # run from another folder: the profile beside the Snakefile still applies
    elsewhere.mkdir()
    result = dry_run(config, "--snakefile", str(REPO / "Snakefile"), "--directory", str(REPO), "-p", cwd=elsewhere)
    assert "--timing-limit 1 " in report_command(result.stdout), result.stdout[-2000:]


def test_item4_other_profiles_replace_the_default(tmp_path):
    config = write_yaml(tmp_path / "small.yaml", SMALL)
    off = dry_run(config, "--workflow-profile", "none", "--printshellcmds")
    assert "Using workflow specific profile" not in off.stdout
    assert "--timing-limit none " in report_command(off.stdout)
    slurm = dry_run(config, "--workflow-profile", "profiles/slurm", "--printshellcmds")
    assert "Using workflow specific profile profiles/slurm" in slurm.stdout
    assert "--timing-limit none " in report_command(slurm.stdout)
    assert "--timing-limit 3 " in report_command(dry_run(config, "--resources", "timing=3", "-p").stdout)


def test_item5b_the_report_states_only_the_timing_limit_applied():
    from gnnlift.report.markdown import timing_line

    one = timing_line("1")
    assert "timing jobs: one at a time (Snakemake resource `timing=1`" in one
    assert "at most 2 at a time (Snakemake resource `timing=2`" in timing_line("2")
    for limit in ("none", None):
        text = timing_line(limit)
        assert "one at a time" not in text.replace("whether they ran one at a time is not known", "")
        assert "timing=1" not in text
    assert "no Snakemake `timing` resource limit was applied" in timing_line("none")
    assert "whether they ran one at a time is not known" in timing_line(None)
    with pytest.raises(ValueError, match="timing limit 'lots'"):
        timing_line("lots")


def test_item5b_the_workflow_passes_the_applied_limit_to_the_report(finished):
    repo, _ = finished
    report = (repo / "results/report/report.md").read_text()
    assert "- timing jobs: one at a time (Snakemake resource `timing=1`, as applied by the invocation" in report
