"""The dataset registry, ``config/datasets.yaml``: names, kinds, URLs and checksums."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

import yaml

from gnnlift.data.errors import DataError
from gnnlift.paths import registry_path

KINDS = ("nci_gi50", "tu", "kb_triples", "kb_logic")


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset: where it lives and what its bytes hash to."""

    url: str
    sha256: str

    @property
    def filename(self) -> str:
        """The last segment of the URL, the file's name under ``resources/raw/<dataset>/``."""
        return posixpath.basename(urlparse(self.url).path)


@dataclass(frozen=True)
class DatasetEntry:
    name: str
    kind: str
    description: str
    files: tuple[RemoteFile, ...]

    def file(self, filename: str) -> RemoteFile:
        for f in self.files:
            if f.filename == filename:
                return f
        raise DataError(f"dataset {self.name!r} has no file {filename!r}")


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, DatasetEntry]:
    try:
        raw = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"{path}: cannot read the dataset registry ({exc})") from None
    entries: dict[str, DatasetEntry] = {}
    for name, spec in (raw or {}).get("datasets", {}).items():
        kind = spec.get("kind")
        if kind not in KINDS:
            raise DataError(f"{path}: dataset {name!r} has kind {kind!r}; expected one of {', '.join(KINDS)}")
        files = tuple(RemoteFile(url=f["url"], sha256=f["sha256"].lower()) for f in spec.get("files", []))
        entries[name.lower()] = DatasetEntry(name.lower(), kind, spec.get("description", ""), files)
    return entries


def registry() -> dict[str, DatasetEntry]:
    """All registered datasets by (lower-case) name."""
    return _load(registry_path())


def lookup(name: str) -> DatasetEntry | None:
    """The registry entry of ``name`` (case-insensitive), or None."""
    return registry().get(name.lower())


def require(name: str) -> DatasetEntry:
    """The registry entry of ``name``, or a one-line error pointing to the list."""
    entry = lookup(name)
    if entry is None:
        raise DataError(f"unknown dataset {name!r}: not in {registry_path()} (see `gnnlift datasets`)")
    return entry
