"""Parser of TUDataset zips (Morris et al. 2020): ``<NAME>/<NAME>_A.txt`` and friends."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

from gnnlift.data.errors import DataFormatError
from gnnlift.data.symmetry import first_asymmetric_edge
from gnnlift.data.textio import decode
from gnnlift.data.types import GraphSet, group_offsets

REQUIRED = ("A", "graph_indicator", "graph_labels")
OPTIONAL = ("node_labels", "edge_labels")


def parse_tu(path: str | os.PathLike[str], name: str | None = None) -> GraphSet:
    """Parse a TU dataset zip into a :class:`GraphSet` (labels kept as their strings)."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataFormatError(path, f"not a readable zip archive ({exc})") from None
    with archive:
        members = _find_members(archive, path)
        tables = {key: _read_ints(archive, member, path) for key, member in members.items()}
    tu_name = members["A"].rsplit("/", 1)[-1][: -len("_A.txt")]

    where = {key: f"{path}!{member}" for key, member in members.items()}
    indicator = _column(tables["graph_indicator"], where["graph_indicator"])
    graph_labels = _column(tables["graph_labels"], where["graph_labels"])
    n_nodes, n_graphs = len(indicator), len(graph_labels)
    if n_graphs == 0 or n_nodes == 0:
        raise DataFormatError(path, "empty dataset: no graphs")
    edges, _ = tables["A"]
    if edges.size == 0:
        edges = edges.reshape(0, 2)
    if edges.ndim != 2 or edges.shape[1] != 2:
        raise DataFormatError(where["A"], "expected two node ids a line")
    if np.any(np.diff(indicator) < 0) or indicator.min() != 1 or indicator.max() != n_graphs:
        raise DataFormatError(where["graph_indicator"], f"graph ids must run 1..{n_graphs} in order")

    edge_index = edges.T.astype(np.int64) - 1
    bad = np.flatnonzero((edge_index < 0).any(0) | (edge_index >= n_nodes).any(0))
    if len(bad):
        raise DataFormatError(where["A"], f"node id outside 1..{n_nodes}", tables["A"][1][bad[0]])
    graph_of_node = indicator.astype(np.int64) - 1
    cross = np.flatnonzero(graph_of_node[edge_index[0]] != graph_of_node[edge_index[1]])
    if len(cross):
        raise DataFormatError(where["A"], "edge joins two different graphs", tables["A"][1][cross[0]])

    node_labels, node_vocab = _labels(tables, where, "node_labels", n_nodes)
    edge_labels, edge_vocab = _labels(tables, where, "edge_labels", edge_index.shape[1])
    bad_edge = first_asymmetric_edge(edge_index, edge_labels, n_nodes)
    if bad_edge is not None:
        u, v = edges[bad_edge]
        raise DataFormatError(
            where["A"], f"edge list not symmetric: ({u}, {v}) has no reverse", tables["A"][1][bad_edge]
        )

    order = np.argsort(graph_of_node[edge_index[0]], kind="stable")
    class_vocab = tuple(str(v) for v in sorted(set(graph_labels.tolist())))
    code = {label: i for i, label in enumerate(class_vocab)}
    return GraphSet(
        name=name or tu_name,
        node_labels=node_labels,
        edge_index=edge_index[:, order],
        edge_labels=edge_labels[order],
        node_ptr=group_offsets(graph_of_node, n_graphs),
        edge_ptr=group_offsets(graph_of_node[edge_index[0]], n_graphs),
        y=np.asarray([code[str(v)] for v in graph_labels.tolist()], dtype=np.int64),
        node_vocab=node_vocab,
        edge_vocab=edge_vocab,
        class_vocab=class_vocab,
    )


def _find_members(archive: zipfile.ZipFile, path: Path) -> dict[str, str]:
    names = archive.namelist()
    a_files = [n for n in names if n.endswith("_A.txt")]
    if len(a_files) != 1:
        raise DataFormatError(path, f"zip must hold exactly one <NAME>_A.txt member, found {len(a_files)}")
    prefix = a_files[0][: -len("A.txt")]
    members = {key: f"{prefix}{key}.txt" for key in REQUIRED + OPTIONAL if f"{prefix}{key}.txt" in names}
    missing = [f"{prefix}{key}.txt" for key in REQUIRED if key not in members]
    if missing:
        raise DataFormatError(path, f"zip lacks member(s) {', '.join(missing)}")
    return members


def _read_ints(archive: zipfile.ZipFile, member: str, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Integer rows of a member and the file line number of each row."""
    where = f"{path}!{member}"
    text = decode(archive.read(member), where)
    lines = text.splitlines()
    numbers = [i for i, line in enumerate(lines, start=1) if line.strip()]
    rows = [lines[i - 1] for i in numbers]
    width = len(rows[0].split(",")) if rows else 1
    flat = ",".join(rows).split(",")
    try:
        values = np.asarray(flat, dtype=np.int64) if rows else np.zeros(0, np.int64)
        if len(values) != width * len(rows):
            raise ValueError
    except ValueError:
        for lineno, row in zip(numbers, rows, strict=True):
            fields = row.split(",")
            if len(fields) != width or not all(f.strip().lstrip("-").isdigit() for f in fields):
                raise DataFormatError(where, f"expected {width} integer(s), got {row.strip()[:40]!r}", lineno) from None
        raise
    return values.reshape(len(rows), width) if width > 1 else values, np.asarray(numbers)


def _column(table: tuple[np.ndarray, np.ndarray], where: str) -> np.ndarray:
    values, _ = table
    if values.ndim != 1:
        raise DataFormatError(where, "expected one integer a line")
    return values


def _labels(tables, where, key: str, expected: int) -> tuple[np.ndarray, tuple[str, ...]]:
    if key not in tables:
        return np.zeros(expected, dtype=np.int64), ("-",)
    values = _column(tables[key], where[key])
    if len(values) != expected:
        raise DataFormatError(where[key], f"{len(values)} labels for {expected} items")
    vocab, codes = np.unique(values, return_inverse=True)
    return codes.astype(np.int64), tuple(str(v) for v in vocab.tolist())
