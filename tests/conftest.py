"""Shared fixtures: the offline mirror, and small data files written by the tests.

Tests marked ``gpu`` skip without a GPU.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MIRROR = Path(os.environ.get("GNNLIFT_MIRROR") or REPO.parent / "shared" / "datasets")


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The offline dataset mirror; tests that read it are skipped where it is absent."""
    if not (MIRROR / "SHA256SUMS").is_file():
        pytest.skip(f"no dataset mirror at {MIRROR} (set GNNLIFT_MIRROR)")
    return MIRROR


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("gpu") is not None:
        import torch

        if not torch.cuda.is_available():
            pytest.skip("needs a GPU")


@pytest.fixture
def resources(tmp_path, monkeypatch) -> Path:
    """An empty resources folder, made the default for the code under test."""
    path = tmp_path / "resources"
    monkeypatch.setenv("GNNLIFT_RESOURCES", str(path))
    return path
