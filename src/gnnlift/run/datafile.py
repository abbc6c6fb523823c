"""A dataset given by path (``dataset=file dataset.path=...``): its content hash and folder name.

Runs of different files never share a folder: the name is the file's stem plus the first 8 hex
digits of the sha256 of its content (of a folder: of its files' relative paths and contents).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from omegaconf import DictConfig, OmegaConf


def sha256_of(path: str | Path) -> str:
    """The sha256 of a file's bytes, or of a folder's files (relative path and content, sorted)."""
    path = Path(path).resolve()
    stat = path.stat()
    return _sha256(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _sha256(path: str, mtime_ns: int, size: int) -> str:
    root = Path(path)
    digest = hashlib.sha256()
    if root.is_dir():
        for member in sorted(p for p in root.rglob("*") if p.is_file()):
            digest.update(member.relative_to(root).as_posix().encode() + b"\0")
            digest.update(_file_sha256(member).encode())
        return digest.hexdigest()
    return _file_sha256(root)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_label(path: str | Path) -> str:
    """The folder name of a dataset file: ``<stem>-<sha256[:8]>``, e.g. ``MUTAG-1a2b3c4d``."""
    path = Path(path)
    stem = path.name.split(".")[0] or "data"
    if path.exists():
        short = sha256_of(path)[:8]
    else:  # the run refuses it; a name is still needed where Hydra resolves its folder
        short = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:8]
    return f"{stem}-{short}"


def dataset_label(dataset: DictConfig) -> str:
    """The name a run's folder and metrics give its dataset: the registry name, or the file's label."""
    if dataset.name != "file" or OmegaConf.is_missing(dataset, "path") or dataset.get("path") is None:
        return str(dataset.name)
    return file_label(dataset.path)


def register_resolver() -> None:
    """``${gnnlift_dataset:${dataset}}`` in config/run.yaml: the dataset's folder name."""
    if not OmegaConf.has_resolver("gnnlift_dataset"):
        OmegaConf.register_new_resolver("gnnlift_dataset", dataset_label)
