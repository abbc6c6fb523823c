"""The models in PyNeuraLogic, the authors' own engine (optional: ``envs/neuralogic.txt``)."""

from __future__ import annotations

import importlib.util
import os
import shutil


def missing() -> str | None:
    """Why the variant cannot run here, or None when it can."""
    if os.environ.get("GNNLIFT_WITHOUT_NEURALOGIC") == "1":
        return "switched off by GNNLIFT_WITHOUT_NEURALOGIC=1"
    if importlib.util.find_spec("neuralogic") is None:
        return "the package neuralogic is not installed (bash envs/install.sh --with-neuralogic)"
    if shutil.which("java") is None:
        return "no Java runtime on PATH (NeuraLogic's engine needs Java 11 or newer)"
    return None
