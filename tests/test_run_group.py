"""Several runs in one process (``python -m gnnlift.run.group``) give what separate runs give.

Each run of a group is compared with the same run made alone, in a process of its own: loss
curves, evaluation, neuron counts and NeuraLogic's counts must be identical (timings aside).
The group trains runs out of order (seed 1 before seed 0, fold 1 before fold 0) so that any
training state left behind by a shared build would show.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gnnlift.data.load import prepare
from gnnlift.run import group
from gnnlift.variants import neuralogic

COMMON = ["model=gcn", "dataset=mutag", "epochs=3", "warmup=1", "quiet=true"]
NEURALOGIC_ON = ["variant=neuralogic", "lifting=on", "variant.count_uncompressed=false"]
RUNS = {  # folder -> overrides; NeuraLogic's three share one build per seed, in an order that tests its restart
    "nl-b1-s1": [*NEURALOGIC_ON, "protocol=batched", "fold=1", "seed=1"],
    "nl-b0-s0": [*NEURALOGIC_ON, "protocol=batched", "fold=0", "seed=0"],
    "nl-p1-s0": [*NEURALOGIC_ON, "protocol=paper", "fold=1", "seed=0"],
    "nl-off": ["variant=neuralogic", "lifting=off", "protocol=batched", "fold=0", "seed=0"],
    "nl-off-s1": ["variant=neuralogic", "lifting=off", "protocol=paper", "fold=1", "seed=1"],  # shares nl-off's build
    "plain": ["variant=plain", "protocol=batched", "fold=1", "seed=1"],
    "lifted-native": ["variant=lifted", "backend=native", "protocol=paper", "fold=0", "seed=0"],
    "pyg": ["variant=pyg", "protocol=batched", "fold=0", "seed=1"],
    "dgl": ["variant=dgl", "protocol=batched", "fold=0", "seed=0"],
}
SAME = ("loss_curve", "evaluation", "samples", "epochs", "timed_epochs", "lifting", "graph", "seed", "fold", "variant")


def _runs() -> dict[str, list[str]]:
    if not neuralogic.missing():
        return RUNS
    if os.environ.get("GNNLIFT_REQUIRE_NEURALOGIC") == "1":
        raise RuntimeError(f"GNNLIFT_REQUIRE_NEURALOGIC=1 but {neuralogic.missing()}")
    return {name: o for name, o in RUNS.items() if not name.startswith("nl")}


@pytest.fixture(scope="module")
def prepared(mirror, tmp_path_factory):
    root = tmp_path_factory.mktemp("resources")
    prepare("mutag", resources=root, mirror=mirror)
    return root


def _without_timings(value):
    """``value`` with every entry named ``*seconds`` dropped, at any depth."""
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if not k.endswith("seconds")}
    return value


def _arguments(root: Path, runs: dict[str, list[str]], prepared: Path) -> list[str]:
    argv = []
    for name, overrides in runs.items():
        argv += ["--run", str(root / name), *COMMON, f"resources={prepared}", *overrides]
    return argv


def test_a_group_of_runs_equals_each_run_alone(prepared, tmp_path):
    runs = _runs()
    assert group.main(_arguments(tmp_path / "group", runs, prepared)) == 0
    for name, overrides in runs.items():
        alone = tmp_path / "alone" / name
        command = [sys.executable, "-m", "gnnlift.run", *COMMON, f"resources={prepared}", *overrides]
        subprocess.run([*command, f"hydra.run.dir={alone}"], check=True, capture_output=True)
        together = json.loads((tmp_path / "group" / name / "metrics.json").read_text())
        apart = json.loads((alone / "metrics.json").read_text())
        for key in SAME:
            assert _without_timings(together[key]) == _without_timings(apart[key]), (name, key)
        if "neuralogic" in apart:
            assert together["neuralogic"]["neurons"] == apart["neuralogic"]["neurons"], name
        assert apart["job"] == {"runs": 1, "index": 0, "reused": {}}
        assert together["job"]["runs"] == len(runs) and list(runs).index(name) == together["job"]["index"]


def test_reused_work_names_its_maker_and_its_real_cost(prepared, tmp_path):
    chosen = ("nl-b1-s1", "nl-b0-s0", "nl-p1-s0", "nl-off", "nl-off-s1", "plain")
    runs = {name: o for name, o in _runs().items() if name in chosen}
    assert group.main(_arguments(tmp_path, runs, prepared)) == 0
    metrics = {name: json.loads((tmp_path / name / "metrics.json").read_text()) for name in runs}
    first = next(iter(runs))
    assert metrics[first]["job"]["reused"] == {}
    for name in list(runs)[1:]:
        assert metrics[name]["job"]["reused"]["load"] == str(tmp_path / first)
        assert metrics[name]["one_off_seconds"]["load"] == metrics[first]["one_off_seconds"]["load"]
    if "nl-p1-s0" in runs:  # same seed as nl-b0-s0: its build is shared; nl-b1-s1 (seed 1) is not
        reused = metrics["nl-p1-s0"]["job"]["reused"]
        assert reused["prepare_samples"] == str(tmp_path / "nl-b0-s0") and "count_uncompressed" not in reused
        made, got = metrics["nl-b0-s0"]["one_off_seconds"], metrics["nl-p1-s0"]["one_off_seconds"]
        assert got["prepare_samples"] == made["prepare_samples"] and got["template"] == made["template"]
        assert "prepare_samples" not in metrics["nl-b0-s0"]["job"]["reused"]
    if "nl-off-s1" in runs:  # without compression the seed does not shape the build: seed 1 reuses seed 0's
        assert metrics["nl-off-s1"]["job"]["reused"]["prepare_samples"] == str(tmp_path / "nl-off")
        assert "prepare_samples" not in metrics["nl-off"]["job"]["reused"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "usage: python -m gnnlift.run.group --run DIR"),
        (["model=gcn"], "usage: python -m gnnlift.run.group --run DIR"),
        (["--run"], "--run needs a folder"),
        (["--run", "{out}/a", "model=gcn", "--run", "{out}/a", "model=sage"], "two runs share one folder"),
        (["--run", "{out}/a", "model=gni"], "run {out}/a: unknown model 'gni'"),
        (["--run", "{out}/a", "epochs=0"], "run {out}/a: epochs must be at least 1, not 0"),
        (["--run", "{out}/a", "-m", "seed=1,2"], "run {out}/a: options are not overrides: -m"),
    ],
)
def test_bad_command_lines_get_one_line_and_nothing_is_written(tmp_path, capsys, argv, message):
    out = tmp_path / "out"
    assert group.main([a.replace("{out}", str(out)) for a in argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message.replace("{out}", str(out)) in err[0], err
    assert not out.exists()


def test_a_run_that_fails_stops_the_group_with_one_line(prepared, tmp_path, capsys):
    argv = [
        "--run",
        str(tmp_path / "good"),
        *COMMON,
        f"resources={prepared}",
        "--run",
        str(tmp_path / "bad"),
        *COMMON,
        f"resources={tmp_path / 'nowhere'}",
    ]
    assert group.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"gnnlift.run.group: error: run {tmp_path / 'bad'}: dataset 'mutag'")
    assert (tmp_path / "good" / "metrics.json").is_file() and not (tmp_path / "bad").exists()
