"""Shared fixtures: the offline mirror, and small data files written by the tests.

Tests that read the mirror are skipped where it is absent, except in CI (``CI`` set, as CI
services do) or with ``GNNLIFT_REQUIRE_MIRROR=1``, where a missing mirror fails them;
``GNNLIFT_REQUIRE_MIRROR=0`` skips them even in CI. Tests marked ``gpu`` skip without a GPU.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MIRROR = Path(os.environ.get("GNNLIFT_MIRROR") or REPO.parent / "shared" / "datasets")


def mirror_required(environ: Mapping[str, str]) -> bool:
    """Whether a missing mirror is a failure: in CI, or with GNNLIFT_REQUIRE_MIRROR=1."""
    asked = environ.get("GNNLIFT_REQUIRE_MIRROR")
    if asked is not None:
        return asked == "1"
    return environ.get("CI", "").lower() not in ("", "0", "false", "no")


def require_mirror(path: Path, environ: Mapping[str, str]) -> Path:
    """``path`` if it holds a mirror (its SHA256SUMS); else skip the test, or fail it where required."""
    if (path / "SHA256SUMS").is_file():
        return path
    reason = f"no dataset mirror at {path} (set GNNLIFT_MIRROR)"
    if mirror_required(environ):
        pytest.fail(f"{reason}; CI or GNNLIFT_REQUIRE_MIRROR=1 requires it", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The offline dataset mirror (see the module docstring for where its absence fails)."""
    return require_mirror(MIRROR, os.environ)


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
