"""Timed epochs never share the machine: in the plan of the default matrix, and in a real small run.

The plan: every job that times epochs (rules ``run_<experiment>``) asks for all the cores of the
invocation and the ``timing`` resource, so Snakemake starts nothing beside it; no other job asks
for ``timing``. The real run: a small workflow on 2 cores with untimed jobs ready beside the
timed ones; Snakemake's own log of when each job started and finished shows no timed job
overlapping any other job, and each run's clock lies inside its job.
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import yaml

from test_workflow import ENV, REPO, SNAKEMAKE, copy_repo

STAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")


def jobs_of(plan: str) -> list[dict]:
    """The job blocks of a dry run's output: rule, threads and resources of each."""
    jobs = []
    for line in plan.splitlines():
        head = re.match(r"^(?:local)?rule (\w+):$", line)
        if head:
            jobs.append({"rule": head.group(1), "threads": 1, "resources": {}})
        elif jobs and line.startswith("    threads: "):
            jobs[-1]["threads"] = int(line.split(":", 1)[1])
        elif jobs and line.startswith("    resources: "):
            pairs = [item.strip().split("=", 1) for item in line.split(":", 1)[1].split(",")]
            jobs[-1]["resources"] = dict(pairs)
    return jobs


def test_the_default_plan_gives_every_timed_job_the_whole_machine(mirror):
    cores = 4
    result = subprocess.run(
        [*SNAKEMAKE, "-n", "--forceall", "--cores", str(cores), "--config", f"mirror={mirror}"],
        cwd=REPO,
        env=ENV,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    jobs = jobs_of(result.stdout)
    timed = [job for job in jobs if job["rule"].startswith("run_")]
    others = [job for job in jobs if not job["rule"].startswith("run_")]
    experiments = {job["rule"].split("_")[1] for job in timed}
    assert experiments == {"table1", "lossless", "precision", "scaling"}
    assert len(timed) == 16 and len(others) > 200  # a job: one model on one dataset in one experiment
    for job in timed:
        assert job["threads"] == cores and job["resources"].get("timing") == "1", job
    for job in others:
        assert "timing" not in job["resources"] and job["threads"] < cores, job


def intervals(log: str) -> dict[int, dict]:
    """Job id -> rule, start and finish (local time, to the second) from Snakemake's log."""
    jobs: dict[int, dict] = {}
    stamp, rule = None, None
    for line in log.splitlines():
        if match := STAMP.match(line):
            stamp = datetime.strptime(match.group(1), "%a %b %d %H:%M:%S %Y").astimezone()
        elif match := re.match(r"^(?:local)?rule (\w+):$", line):
            rule = match.group(1)
        elif (match := re.match(r"^    jobid: (\d+)$", line)) and rule:
            jobs[int(match.group(1))] = {"rule": rule, "start": stamp, "end": None}
            rule = None
        elif match := re.match(r"^Finished jobid: (\d+) ", line):
            jobs[int(match.group(1))]["end"] = stamp
    return jobs


def test_timed_jobs_of_a_real_run_overlap_no_other_job(tmp_path, mirror):
    repo = copy_repo(tmp_path)
    experiment = {
        "groups": [{"models": ["gcn"], "datasets": ["mutag"]}],
        "protocols": ["batched"],
        "seeds": [0, 1],
        "folds": [0],
        "overrides": ["epochs=3", "warmup=1"],
    }
    config = {
        "datasets": ["mutag", "ptc_mr", "nci1"],
        "experiments": {
            "table1": {
                **experiment,
                "variants": ["lifted", "plain-native", "pyg"],
                "groups": [{"models": ["gcn"], "datasets": ["mutag", "ptc_mr"]}],
            },
            "scaling": {**experiment, "variants": ["plain"], "groups": [{"models": ["gin"], "datasets": ["ptc_mr"]}]},
            **{name: {"enabled": False} for name in ("lossless", "precision")},
        },
        "compression": {"groups": [{"models": ["gcn", "gin"], "datasets": "molecules"}], "scopes": ["sample"]},
        "clashes": None,
    }
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(config))
    command = [*SNAKEMAKE, "--cores", "2", "--configfile", str(path), "--config", f"mirror={mirror}"]
    result = subprocess.run(command, cwd=repo, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    jobs = intervals(result.stdout)
    assert all(job["end"] is not None for job in jobs.values()), jobs
    timed = {k: job for k, job in jobs.items() if job["rule"].startswith("run_")}
    assert len(timed) == 3 and len(jobs) > 15
    for key, job in timed.items():
        for other_key, other in jobs.items():
            if other_key != key:
                assert not (other["start"] < job["end"] and other["end"] > job["start"]), (job, other)
    runs = sorted(Path(repo, "results/runs").rglob("metrics.json"))
    assert len(runs) == 14
    for run in runs:
        clock = json.loads(run.read_text())["clock"]
        started, finished = (datetime.fromisoformat(clock[k]).astimezone(timezone.utc) for k in ("started", "finished"))
        inside = [
            job
            for job in timed.values()
            if job["start"] <= started.replace(microsecond=0) and finished.replace(microsecond=0) <= job["end"]
        ]
        assert inside, (run, clock)
