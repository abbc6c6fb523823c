"""One entry point for every dataset: a registry name or a path to a supported file."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from gnnlift.atomic import write_text
from gnnlift.data import cache
from gnnlift.data.download import fetch
from gnnlift.data.errors import DataError
from gnnlift.data.kb import parse_kb_logic, parse_kb_triples
from gnnlift.data.nci import parse_nci
from gnnlift.data.registry import DatasetEntry, lookup, require
from gnnlift.data.tu import parse_tu
from gnnlift.data.types import Dataset
from gnnlift.paths import mirror_dir, resources_dir

PathLike = str | os.PathLike[str]


def raw_dir(name: str, resources: PathLike | None = None) -> Path:
    """Where the downloaded files of a registered dataset live."""
    return Path(resources or resources_dir()) / "raw" / name.lower()


def prepared_path(name: str, resources: PathLike | None = None) -> Path:
    """The binary cache of a registered dataset."""
    return Path(resources or resources_dir()) / "prepared" / f"{name.lower()}.npz"


def detect_format(path: PathLike) -> str:
    """The kind of a data file from its name: ``tu``, ``kb_triples``, ``kb_logic``, ``cache``, ``nci_gi50``."""
    path = Path(path)
    name = path.name.lower()
    if path.is_dir():
        if (path / "examples").is_file() and (path / "queries").is_file():
            return "kb_logic"
        raise DataError(f"{path}: a dataset folder must hold the files 'examples' and 'queries'")
    if name.endswith(".zip"):
        return "tu"
    if name.endswith((".tar.gz", ".tgz", ".tar")):
        return "kb_triples"
    if name.endswith(".npz"):
        return "cache"
    return "nci_gi50"


def parse_file(path: PathLike, name: str | None = None) -> Dataset:
    """Parse a file (or a ``examples``/``queries`` folder) of any supported format."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file")
    kind = detect_format(path)
    if kind == "cache":
        return cache.load(path)
    if kind == "kb_logic":
        return parse_entry_files(kind, [path / "examples", path / "queries"], name or path.name)
    return parse_entry_files(kind, [path], name or path.name.split(".")[0])


def parse_entry_files(kind: str, files: list[Path], name: str) -> Dataset:
    """Parse the downloaded files of a dataset of the given kind; its warnings go to stderr."""
    if kind == "nci_gi50":
        dataset = parse_nci(files[0], name=name)
    elif kind == "tu":
        dataset = parse_tu(files[0], name=name)
    elif kind == "kb_triples":
        dataset = parse_kb_triples(files[0], name=name)
    elif kind == "kb_logic":
        examples, queries = files
        dataset = parse_kb_logic(examples, queries, name=name)
    else:
        raise DataError(f"no parser for dataset kind {kind!r}")
    report_warnings(dataset)
    return dataset


def report_warnings(dataset: Dataset) -> None:
    """One line on stderr for each warning the parser recorded."""
    for warning in dataset.notes.get("warnings", ()):
        print(f"warning: {warning}", file=sys.stderr)


def ensure_raw(entry: DatasetEntry, resources: PathLike | None = None, mirror: PathLike | None = None) -> list[Path]:
    """The dataset's raw files, fetched (from the mirror, else the URL) where missing."""
    mirror = mirror or mirror_dir()
    paths = []
    for remote in entry.files:
        path = raw_dir(entry.name, resources) / remote.filename
        if not path.exists():
            fetch(remote, path, mirror=mirror, dataset=entry.name)
        paths.append(path)
    return paths


def prepare(
    name: str,
    resources: PathLike | None = None,
    mirror: PathLike | None = None,
    files: list[PathLike] | None = None,
    out: PathLike | None = None,
) -> tuple[Path, dict]:
    """Parse a registered dataset into its binary cache plus a ``.stats.json`` beside it.

    ``files`` are its raw files in registry order (default: fetched into ``resources``);
    ``out`` is the cache path (default: ``resources/prepared/<name>.npz``).
    """
    entry = require(name)
    if files is None:
        files = ensure_raw(entry, resources, mirror)
    elif len(files) != len(entry.files):
        raise DataError(f"dataset {entry.name!r} has {len(entry.files)} file(s), {len(files)} given")
    start = time.perf_counter()
    dataset = parse_entry_files(entry.kind, [Path(f) for f in files], entry.name)
    stats = {**dataset.stats(), "source_kind": entry.kind, "parse_seconds": round(time.perf_counter() - start, 3)}
    target = Path(out) if out else prepared_path(entry.name, resources)
    cache.save(dataset, target)
    write_text(stats_path(target), json.dumps(stats, indent=2) + "\n")
    return target, stats


def stats_path(cache_path: PathLike) -> Path:
    """The ``.stats.json`` written beside a dataset cache."""
    return Path(cache_path).with_suffix(".stats.json")


def load_dataset(
    spec: str | PathLike, resources: PathLike | None = None, mirror: PathLike | None = None, download: bool = False
) -> Dataset:
    """A dataset by registry name (its cache, else its raw files) or by path to a file.

    With ``download``, missing raw files of a registered dataset are fetched first.
    """
    entry = lookup(str(spec))
    if entry is None:
        if Path(spec).exists():
            return parse_file(spec)
        raise DataError(
            f"unknown dataset {str(spec)!r}: neither a registry name (see `gnnlift datasets`) nor an existing file"
        )
    cached = prepared_path(entry.name, resources)
    if cached.exists():
        return cache.load(cached)
    missing = [r.url for r in entry.files if not (raw_dir(entry.name, resources) / r.filename).exists()]
    if missing and not download:
        raise DataError(
            f"dataset {entry.name!r} is not prepared (no {cached}); run `gnnlift prepare {entry.name}` "
            "(with --mirror DIR offline) or the workflow's data rules"
        )
    return parse_entry_files(entry.kind, ensure_raw(entry, resources, mirror), entry.name)
