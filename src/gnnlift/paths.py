"""Where gnnlift finds its configuration and keeps its files."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = REPO_ROOT / "config"


def registry_path() -> Path:
    """The dataset registry (``GNNLIFT_REGISTRY`` overrides the repository's copy)."""
    return Path(os.environ.get("GNNLIFT_REGISTRY", CONFIG_DIR / "datasets.yaml"))


def resources_dir() -> Path:
    """Downloaded and prepared data (``GNNLIFT_RESOURCES``, else ``./resources``)."""
    return Path(os.environ.get("GNNLIFT_RESOURCES", "resources"))


def mirror_dir() -> Path | None:
    """The offline mirror named by ``GNNLIFT_MIRROR``, if any."""
    value = os.environ.get("GNNLIFT_MIRROR", "").strip()
    return Path(value) if value else None
