"""tests/tools/compare_runs.py: two results folders agree but for timings, or it says where not."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "tools"))
import compare_runs  # noqa: E402


def write(root: Path, rel: str, metrics: dict) -> None:
    path = root / rel / "metrics.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(metrics))


def test_timings_differ_numbers_do_not(tmp_path):
    run = {"loss_curve": [0.7, 0.6], "epoch_seconds": [1.0], "one_off_seconds": {"load": 0.1}, "graph": {"neurons": 5}}
    write(tmp_path / "a", "x/fold0", run)
    write(tmp_path / "b", "x/fold0", {**run, "epoch_seconds": [2.0], "one_off_seconds": {"load": 9}, "labels": {}})
    assert compare_runs.differences(tmp_path / "a", tmp_path / "b", ("labels",)) == []
    assert compare_runs.main([str(tmp_path / "a"), str(tmp_path / "b"), "--new", "labels"]) == 0


def test_a_changed_number_or_a_missing_run_is_named(tmp_path):
    write(tmp_path / "a", "x/fold0", {"loss_curve": [0.7, 0.6], "graph": {"neurons": 5}})
    write(tmp_path / "a", "x/fold1", {"loss_curve": [0.7]})
    write(tmp_path / "b", "x/fold0", {"loss_curve": [0.7, 0.6], "graph": {"neurons": 6}})
    lines = compare_runs.differences(tmp_path / "a", tmp_path / "b")
    assert lines == [f"only in {tmp_path / 'a'}: x/fold1/metrics.json", "differs: x/fold0/metrics.json: graph"]
    assert compare_runs.main([str(tmp_path / "a"), str(tmp_path / "b")]) == 1
