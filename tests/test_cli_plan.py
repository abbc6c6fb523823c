"""`gnnlift plan`: the command of one workflow cell, the same overrides the workflow passes."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from gnnlift import matrix
from gnnlift.cli import main, workflow_config
from gnnlift.run.guard import precheck
from gnnlift.variants import neuralogic

REPO = Path(__file__).resolve().parents[1]
QUICK = REPO / "config" / "quick.yaml"
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def plan_lines(capsys, *argv: str) -> list[list[str]]:
    assert main(["plan", "--configfile", str(QUICK), *argv]) == 0
    return [shlex.split(line) for line in capsys.readouterr().out.splitlines()]


def test_each_run_prints_its_folder_and_the_workflow_overrides(capsys):
    config = workflow_config([QUICK])
    assert config["resources"] == "resources" and config["threads"] == 1  # the schema's defaults
    plan = matrix.plan(config, neuralogic.missing())
    printed = plan_lines(capsys)
    assert len(printed) == len(plan.runs)
    for words, (run, spec) in zip(printed, [pair for members in plan.jobs.values() for pair in members], strict=True):
        assert words[:4] == ["python", "-m", "gnnlift.run", f"hydra.run.dir=results/runs/{run.path}"]
        assert words[4:] == [*matrix.overrides(run, spec, config), "resources=resources"]


def test_filters_select_one_cell_and_its_command_passes_the_run_checks(capsys):
    (words,) = plan_lines(
        capsys, "--experiment", "scaling", "--variant", "lifted-native", "--protocol", "batched-b32", "--model", "gcn"
    )
    assert words[3] == "hydra.run.dir=results/runs/scaling/gcn/mutag/lifted-native/batched-b32/fold0/seed0"
    assert {"variant=lifted", "backend=native", "protocol=batched", "protocol.batch_size=32"} <= set(words)
    assert {"labels.experiment=scaling", "labels.variant=lifted-native", "labels.protocol=batched-b32"} <= set(words)
    assert precheck(words[3:]) is None


def test_no_match_and_a_bad_config_are_one_line(capsys):
    assert main(["plan", "--configfile", str(QUICK), "--model", "nope"]) == 2
    assert capsys.readouterr().err == "gnnlift plan: error: no run of the plan matches the filters\n"
    assert main(["plan", "--config", "threads=0"]) == 2
    assert capsys.readouterr().err.startswith("gnnlift plan: error: config: threads:")


@pytest.mark.parametrize("missing", ["", "1"])
def test_jobs_equal_the_workflow_dry_run(capsys, monkeypatch, missing):
    """Every job of `snakemake -n -p` on config/quick.yaml is a line of `gnnlift plan --job`, word for word."""
    env = {**ENV, "GNNLIFT_WITHOUT_NEURALOGIC": missing}
    monkeypatch.setenv("GNNLIFT_WITHOUT_NEURALOGIC", missing)
    dry = [sys.executable, "-m", "snakemake", "-n", "-p", "--forceall", "--cores", "2", "--configfile", str(QUICK)]
    result = subprocess.run(dry, cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line.strip().removeprefix("Shell command: ") for line in (result.stdout + result.stderr).splitlines()]
    workflow = sorted(
        shlex.split(line.split(" > ")[0]) for line in lines if line.startswith("python -m gnnlift.run.group ")
    )
    assert workflow
    assert sorted(plan_lines(capsys, "--job")) == workflow


def test_the_command_says_its_version_and_every_default(capsys):
    from gnnlift import cli

    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == "gnnlift 0.1.0"
    parser = cli.build_parser()
    helps = {name: command.format_help() for name, command in parser._subparsers._group_actions[0].choices.items()}
    flat = {name: " ".join(text.split()) for name, text in helps.items()}
    assert "precision of every variant (default: float64)" in flat["verify"]
    assert "seed of the random weights (default: 0)" in flat["verify"]
    assert "(default: sample)" in flat["compress"] and "(default: exact)" in flat["compress"]
    for option in ("--points", "--repeats", "--variants"):
        line = flat["stepcost"].split(option, 2)[2].split(" --")[0]
        assert "(default:" in line, (option, line)
    assert "dataset a registry name (see gnnlift datasets)" in flat["fetch"] and "``" not in parser.format_help()
    assert not any("``" in text for text in helps.values())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["verify", "--model", "gcn", "--data", "mutag", "--limit", "0"],
            "argument --limit: must be at least 1, not 0",
        ),
        (
            ["verify", "--model", "gcn", "--data", "mutag", "--draws", "-1"],
            "argument --draws: must be at least 1, not -1",
        ),
        (
            ["compress", "--model", "gcn", "--data", "mutag", "--limit", "0"],
            "argument --limit: must be at least 1, not 0",
        ),
    ],
)
def test_counts_below_one_are_refused_before_any_work(capsys, argv, message):
    from gnnlift import cli

    with pytest.raises(SystemExit) as done:
        cli.main(argv)
    assert done.value.code == 2 and capsys.readouterr().err.strip().endswith(message)


@pytest.mark.parametrize(
    ("variant", "protocol", "message"),
    [
        ("lifted-value-d99", "batched", "value detection keeps 1 to 15 decimal digits (float64 holds no more), not 99"),
        ("lifted", "batched-b0", "protocol label 'batched-b0': a batch holds at least 1 sample"),
    ],
)
def test_labels_no_run_can_take_stop_the_plan(tmp_path, capsys, variant, protocol, message):
    from gnnlift import cli

    config = tmp_path / "bad.yaml"
    cell = {"groups": [{"models": ["gcn"], "datasets": ["mutag"]}], "seeds": [0], "folds": [0]}
    config.write_text(
        yaml.safe_dump({"experiments": {"scaling": cell | {"variants": [variant], "protocols": [protocol]}}})
    )
    assert cli.main(["plan", "--configfile", str(config)]) == 2
    assert capsys.readouterr().err.strip().endswith(message)


SCALING = {"groups": [{"models": ["gcn"], "datasets": ["mutag"]}], "variants": ["lifted"], "protocols": ["batched"]}


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"experiments": {"scaling": SCALING | {"seeds": [0], "folds": [7]}}},
            "experiment scaling: fold 7 outside 0..4 (num_folds 5)",
        ),
        (
            {"experiments": {"scaling": SCALING | {"seeds": [2**32], "folds": [0]}}},
            "config: experiments.scaling.seeds.0: 4294967296 is greater than the maximum of 4294967295",
        ),
        (
            {"experiments": {"tabel1": SCALING | {"seeds": [0], "folds": [0]}}},
            "experiments: unknown experiment 'tabel1' (did you mean table1?); valid experiments: table1,",
        ),
    ],
    ids=["fold-outside", "seed-outside", "experiment-typo"],
)
def test_a_plan_no_job_could_finish_stops_before_it_starts(tmp_path, capsys, config, message):
    from gnnlift import cli

    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(config))
    assert cli.main(["plan", "--configfile", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err


def test_a_config_with_every_experiment_off_prepares_its_data_and_makes_no_report(tmp_path):
    import os
    import subprocess
    import sys

    config = tmp_path / "off.yaml"
    off = {n: {"enabled": False} for n in ("table1", "lossless", "precision", "scaling")}
    config.write_text(yaml.safe_dump({"datasets": ["mutag"], "experiments": off, "compression": None, "clashes": None}))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", str(config)]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    assert done.returncode == 0, (done.stdout + done.stderr)[-2000:]
    assert "prepare" in done.stdout and "report" not in done.stdout.split("Job stats:")[1].split("Reasons:")[0]
