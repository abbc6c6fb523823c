"""The pipeline never lies, part 2: a failing run removes only what it made, results folders keep
their own costs and logs, hand runs never overwrite each other, a results folder has one workflow
at a time, malformed benchmark rows are refused, and a device is checked before training."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from test_run_guards import molecules, run_module

REPO = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (None for a folder)."""
    return {str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes() for p in sorted(folder.rglob("*"))}


def short_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:8]


# --- item 11: a failing run deletes only what it made ---------------------------------------


def test_item11_a_failing_run_into_the_working_directory_keeps_the_users_files(monkeypatch, capsys, tmp_path):
    """``hydra.run.dir=.``: the user's ``.hydra/`` files and empty logs stay, Hydra's own go."""
    data = molecules(tmp_path / "data" / "mols.txt")
    (tmp_path / ".hydra").mkdir()
    (tmp_path / ".hydra" / "notes.txt").write_text("mine\n")
    (tmp_path / "empty.log").write_text("")
    (tmp_path / "other" / ".hydra").mkdir(parents=True)
    before = tree(tmp_path)
    code, err = run_module(
        monkeypatch, capsys, tmp_path, "dataset=file", f"dataset.path={data}", "model=kbe", "hydra.run.dir=."
    )
    assert code == 2
    assert err == f"gnnlift.run: error: model kbe needs a dataset of kb; mols-{short_sha(data)} is graphs\n"
    assert tree(tmp_path) == before


def test_item11_a_failing_run_into_a_users_folder_keeps_it(monkeypatch, capsys, tmp_path):
    """A folder that existed (empty, or holding a ``.hydra/`` of the user's) is not removed."""
    data = molecules(tmp_path / "data" / "mols.txt")
    (tmp_path / "empty").mkdir()
    (tmp_path / "mine" / ".hydra").mkdir(parents=True)
    (tmp_path / "mine" / ".hydra" / "config.yaml").write_text("a: 1\n")
    (tmp_path / "mine" / "app.log").write_text("")
    for folder in ("empty", "mine", "new/deep"):
        before = tree(tmp_path)
        argv = ["dataset=file", f"dataset.path={data}", "model=kbe", f"hydra.run.dir={folder}"]
        code, err = run_module(monkeypatch, capsys, tmp_path, *argv)
        assert code == 2 and err.count("\n") == 1 and "model kbe needs a dataset of kb" in err
        changed = {k for k in set(before) | set(tree(tmp_path)) if before.get(k, 0) != tree(tmp_path).get(k, 0)}
        # Hydra rewrites its own config.yaml in a .hydra/ that was there; nothing else changes
        assert changed <= ({"mine/.hydra/config.yaml"} if folder == "mine" else set()), (folder, changed)
        assert (tmp_path / folder).is_dir() != (folder == "new/deep")


def test_item11_sigterm_removes_the_folder_hydra_made(tmp_path):
    """``kill`` (SIGTERM) while training: the run ends as after Ctrl-C, and its new folder is gone."""
    data = molecules(tmp_path / "data" / "mols.txt")
    command = [sys.executable, "-m", "gnnlift.run", "dataset=file", f"dataset.path={data}", "folds=2"]
    command += ["epochs=1000000", "quiet=true", "hydra.run.dir=run"]
    process = subprocess.Popen(command, cwd=tmp_path, env=ENV, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (tmp_path / "run" / ".hydra" / "overrides.yaml").exists() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # into training
    process.send_signal(signal.SIGTERM)
    assert process.wait(60) == 128 + signal.SIGTERM, process.stderr.read()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
