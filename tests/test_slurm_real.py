"""The README's cluster command against a real Slurm: a single-node cluster on this machine.

``tests/slurm/start_local_slurm.sh`` starts munged, slurmctld and slurmd (as root) unless a
Slurm with the profile's partition already answers. Then ``snakemake --workflow-profile
profiles/slurm`` runs a tiny matrix (two timed runs) to the report in a copy of the repository,
and the test checks that the jobs went through sbatch, ran in exclusive allocations, and that
the report says so. In CI (``CI`` set) nothing here skips: a Slurm that cannot start fails the
test. Elsewhere it skips only where Slurm is not installed. About 2 minutes, most of it the
executor's status checks (the first one 40 s after a submission).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

from test_workflow import ENV, REPO, SNAKEMAKE, copy_repo, small_config

START = REPO / "tests" / "slurm" / "start_local_slurm.sh"
PROFILE = REPO / "profiles" / "slurm" / "config.yaml"
SUBMITTED = re.compile(r"Job \d+ has been submitted with SLURM jobid (\d+) \(log: \S*/slurm_logs/rule_(\w+)/")
RUNS = "results/runs/table1/{}/mutag/lifted/paper/fold0/seed0/metrics.json"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def partition() -> str:
    return yaml.safe_load(PROFILE.read_text())["default-resources"]["slurm_partition"]


def answers(name: str) -> bool:
    """Whether Slurm answers with partition ``name`` up and a node in it that takes jobs."""
    done = subprocess.run(["sinfo", "-h", "-p", name, "-o", "%a %T"], capture_output=True, text=True)
    states = [line.split() for line in done.stdout.splitlines() if line.strip()]
    taking = ("idle", "mixed", "allocated", "completing")
    return done.returncode == 0 and any(a == "up" and t.rstrip("*") in taking for a, t in states)


@pytest.fixture(scope="module")
def slurm() -> str:
    """The partition of a running Slurm: one found up, or the local one the start script brings up."""
    name = partition()
    missing = [tool for tool in ("sbatch", "squeue", "sinfo") if shutil.which(tool) is None]
    if missing:
        reason = f"Slurm is not installed ({', '.join(missing)} not found; apt-get install slurm-wlm munge)"
        if in_ci():
            pytest.fail(f"{reason}; CI requires it (.ci/run installs it)", pytrace=False)
        pytest.skip(reason)
    if not answers(name):
        started = subprocess.run(["bash", str(START)], capture_output=True, text=True, timeout=180)
        assert started.returncode == 0, f"{START.name} failed:\n{started.stdout}{started.stderr}"
        assert answers(name), f"partition {name} has no idle node after {START.name}:\n{started.stderr}"
    return name


@pytest.mark.slurm
def test_readme_slurm_command_runs_a_tiny_matrix_to_the_report(tmp_path, mirror, slurm):
    readme = (REPO / "README.md").read_text()
    assert "snakemake --workflow-profile profiles/slurm\n" in readme
    repo = copy_repo(tmp_path)
    config = small_config(tmp_path / "tiny.yaml", epochs=2, models=("gcn", "sage"))  # two jobs
    command = [*SNAKEMAKE, "--workflow-profile", "profiles/slurm", "--configfile", str(config)]
    command += ["--config", f"mirror={mirror}"]
    done = subprocess.run(
        command, cwd=repo, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900
    )
    log = done.stdout
    assert done.returncode == 0, log[-5000:]
    assert "Using workflow specific profile profiles/slurm" in log
    assert "total number of cores" not in log

    submitted = SUBMITTED.findall(log)
    by_rule = {rule: sorted(int(job) for job, r in submitted if r == rule) for _, rule in submitted}
    timed = sorted(job for rule, jobs in by_rule.items() if rule.startswith("run_table1_") for job in jobs)
    assert len(timed) == 2, log[-5000:]
    assert len(by_rule.get("prepare", [])) == 1, log[-5000:]  # mutag, prepared in a Slurm job too
    ids = ",".join(job for job, _ in submitted)
    queue = subprocess.run(
        ["squeue", "--states=all", "-h", "-j", ids, "-o", "%i|%T|%P"], capture_output=True, text=True, check=True
    )
    states = {line.split("|")[0]: line.split("|")[1:] for line in queue.stdout.split()}
    assert {job: states.get(job) for job, _ in submitted} == {job: ["COMPLETED", slurm] for job, _ in submitted}

    for model in ("gcn", "sage"):
        metrics = json.loads((repo / RUNS.format(model)).read_text())
        placed = metrics["environment"]["slurm"]
        assert int(placed["job_id"]) in timed, placed
        assert placed["exclusive"] is True, placed  # the profile's slurm_extra: --exclusive
        assert metrics["epochs"] == 2

    report = (repo / "results/report/report.md").read_text()
    assert "- Slurm: 2 of the 2 timed runs in 2 Slurm jobs on 1 node" in report
    assert "every one an exclusive allocation (its node to itself, `sbatch --exclusive`)" in report
    assert "- timing jobs: each timed run an exclusive Slurm allocation" in report
    assert "no two of the 2 timed runs overlapped in wall-clock time" in report


def fake_scontrol(folder, shows: str | None, monkeypatch) -> None:
    """An ``scontrol`` on PATH that prints one job line with ``OverSubscribe=<shows>`` (fails for None)."""
    script = folder / "scontrol"
    body = f"echo 'JobId=42 JobState=RUNNING OverSubscribe={shows} Contiguous=0'" if shows else "exit 1"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def test_a_run_records_its_slurm_job_and_whether_it_is_exclusive(tmp_path, monkeypatch):
    from gnnlift.run.environment import slurm_allocation

    assert slurm_allocation({}) is None
    job = {"SLURM_JOB_ID": "42", "SLURMD_NODENAME": "n1"}
    for shows, exclusive in (("NO", True), ("OK", False), ("USER", False), (None, None)):
        fake_scontrol(tmp_path, shows, monkeypatch)
        assert slurm_allocation(job) == {"job_id": "42", "node": "n1", "exclusive": exclusive}


def runs(*placed: tuple[str | None, str | None, bool | None], clock: tuple[str, str] | None = None):
    """A runs table as read back from a CSV: one row per (Slurm job, node, exclusive)."""
    import pandas as pd

    rows = [
        {
            "cpu": "x",
            "slurm_job": None if job is None else float(job),
            "slurm_node": node,
            "slurm_exclusive": exclusive,
            "started": clock[0] if clock else None,
            "finished": clock[1] if clock else None,
        }
        for job, node, exclusive in placed
    ]
    return pd.DataFrame(rows)


def test_the_report_says_exclusive_only_when_every_run_recorded_it():
    from gnnlift.report import provenance
    from gnnlift.report.markdown import timing_line

    every = runs(("7", "n1", True), ("8", "n1", True))
    assert provenance.all_exclusive(every)
    assert provenance.slurm(every) == (
        "- Slurm: 2 of the 2 timed runs in 2 Slurm jobs on 1 node (n1); "
        "every one an exclusive allocation (its node to itself, `sbatch --exclusive`)"
    )
    assert "each timed run an exclusive Slurm allocation" in timing_line("none", exclusive_slurm=True)
    assert "no Snakemake `timing` resource limit was applied" in timing_line("none", exclusive_slurm=False)
    assert "one at a time (Snakemake resource `timing=1`" in timing_line("1", exclusive_slurm=True)

    mixed = runs(("7", "n1", True), ("8", "n2", False), ("9", "n2", None), (None, None, None))
    assert not provenance.all_exclusive(mixed)
    line = provenance.slurm(mixed)
    assert line.startswith("- Slurm: 3 of the 4 timed runs in 3 Slurm jobs on 2 nodes (n1, n2); ")
    assert line.endswith(
        "**not every one had its node to itself**: 1 exclusive, 1 sharing their node with other jobs, "
        "1 not known (scontrol did not answer), 1 outside Slurm"
    )
    assert provenance.slurm(runs((None, None, None))) is None
    assert not provenance.all_exclusive(runs((None, None, None)))


def test_runs_on_different_nodes_do_not_overlap():
    from gnnlift.report import provenance

    clock = ("2026-01-01T00:00:00+00:00", "2026-01-01T00:10:00+00:00")
    apart = runs(("7", "n1", True), ("8", "n2", True), clock=clock)
    assert provenance.overlaps(apart) == 0
    assert "overlapped in wall-clock time on the same node (2 Slurm nodes)" in provenance.timing(apart)
    together = runs(("7", "n1", True), ("8", "n1", True), clock=clock)
    assert provenance.overlaps(together) == 1
    local = runs((None, None, None), (None, None, None), clock=clock)
    assert provenance.overlaps(local) == 1 and "node" not in provenance.timing(local)
