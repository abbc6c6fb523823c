"""Binary cache of parsed datasets: one uncompressed ``.npz`` that loads in milliseconds."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np

from gnnlift.atomic import atomic_path
from gnnlift.data.errors import DataFormatError
from gnnlift.data.types import Dataset, GraphSet, KnowledgeBase

FORMAT = "gnnlift-cache-1"
_GRAPH_ARRAYS = ("node_labels", "edge_index", "edge_labels", "node_ptr", "edge_ptr", "y")
_GRAPH_VOCABS = ("node_vocab", "edge_vocab", "class_vocab")


def save(dataset: Dataset, path: str | os.PathLike[str]) -> Path:
    """Write ``dataset`` to ``path`` atomically."""
    arrays: dict[str, np.ndarray] = {"format": np.array(FORMAT), "name": np.array(dataset.name)}
    if dataset.notes:
        arrays["notes"] = np.array(json.dumps(dataset.notes))
    if isinstance(dataset, GraphSet):
        arrays["kind"] = np.array("graphs")
        arrays.update({k: getattr(dataset, k) for k in _GRAPH_ARRAYS})
        arrays.update({k: np.array(getattr(dataset, k), dtype=str) for k in _GRAPH_VOCABS})
    else:
        arrays["kind"] = np.array("kb")
        arrays["entities"] = np.array(dataset.entities, dtype=str)
        arrays["relations"] = np.array(dataset.relations, dtype=str)
        arrays.update({f"split_{k}": v for k, v in dataset.splits.items()})
        for key in ("facts", "queries", "query_labels"):
            if getattr(dataset, key) is not None:
                arrays[key] = getattr(dataset, key)
    with atomic_path(path, suffix=".npz") as tmp:
        np.savez(tmp, **arrays)
    return Path(path)


def load(path: str | os.PathLike[str]) -> Dataset:
    """Read a cache written by :func:`save`; a damaged file is a one-line error."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            data = {k: npz[k] for k in npz.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise DataFormatError(path, f"corrupt dataset cache ({exc}); delete it and prepare again") from None
    if str(data.get("format", "")) != FORMAT:
        raise DataFormatError(path, f"not a {FORMAT} dataset cache; delete it and prepare again")
    try:
        notes = json.loads(str(data["notes"])) if "notes" in data else {}
    except json.JSONDecodeError:
        raise DataFormatError(path, "dataset cache has unreadable notes; delete it and prepare again") from None
    try:
        if str(data["kind"]) == "graphs":
            return GraphSet(
                name=str(data["name"]),
                notes=notes,
                **{k: data[k].astype(np.int64) for k in _GRAPH_ARRAYS},
                **{k: tuple(data[k].tolist()) for k in _GRAPH_VOCABS},
            )
        return KnowledgeBase(
            name=str(data["name"]),
            entities=tuple(data["entities"].tolist()),
            relations=tuple(data["relations"].tolist()),
            splits={k[len("split_") :]: v for k, v in data.items() if k.startswith("split_")},
            facts=data.get("facts"),
            queries=data.get("queries"),
            query_labels=data.get("query_labels"),
            notes=notes,
        )
    except KeyError as exc:
        raise DataFormatError(path, f"dataset cache lacks {exc}; delete it and prepare again") from None
