"""Parser of TUDataset zips (Morris et al. 2020): ``<NAME>/<NAME>_A.txt`` and friends."""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from pathlib import Path

import numpy as np

from gnnlift.data.errors import DataFormatError
from gnnlift.data.symmetry import first_asymmetric_edge
from gnnlift.data.textio import decode, one_line
from gnnlift.data.types import GraphSet, group_offsets

REQUIRED = ("A", "graph_indicator", "graph_labels")
OPTIONAL = ("node_labels", "edge_labels")
# Members of the TU format that this parser does not read; their presence is a warning.
UNUSED = ("node_attributes", "edge_attributes", "graph_attributes")
WIDTH = {"A": 2}  # integers a line; 1 for the other members

_SEP = re.compile(r"[ \t]*,[ \t]*|[ \t]+")  # a comma or a run of spaces and tabs
_NOT_INT = re.compile(r"[^0-9,+\- \t\r\n]")
_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_INT64 = 1 << 63


def parse_tu(path: str | os.PathLike[str], name: str | None = None) -> GraphSet:
    """Parse a TU dataset zip into a :class:`GraphSet` (labels kept as their strings)."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataFormatError(path, f"not a readable zip archive ({exc})") from None
    with archive:
        members, unused = _find_members(archive, path)
        tables = {key: _read_ints(archive, member, path, WIDTH.get(key, 1)) for key, member in members.items()}
    tu_name = members["A"].rsplit("/", 1)[-1][: -len("_A.txt")]

    where = {key: f"{path}!{member}" for key, member in members.items()}
    indicator, indicator_lines = tables["graph_indicator"]
    graph_labels = tables["graph_labels"][0]
    n_nodes, n_graphs = len(indicator), len(graph_labels)
    if n_graphs == 0 or n_nodes == 0:
        raise DataFormatError(path, "empty dataset: no graphs")
    edges = tables["A"][0]
    _check_indicator(indicator, indicator_lines, where["graph_indicator"])
    n_indicated = int(indicator[-1])
    if n_graphs != n_indicated:
        label_lines = tables["graph_labels"][1]
        line = int(label_lines[n_indicated]) if n_graphs > n_indicated else None
        indicator_name = members["graph_indicator"].rsplit("/", 1)[-1]
        raise DataFormatError(
            where["graph_labels"], f"{n_graphs} graph labels, but {indicator_name} has {n_indicated} graphs", line
        )

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

    warnings = [f"{path}!{member}: not read; the graphs are parsed without these values" for member in unused]
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
        notes={"warnings": warnings} if warnings else {},
    )


def _check_indicator(indicator: np.ndarray, lines: np.ndarray, where: str) -> None:
    """Graph ids must start at 1 and step by 0 or 1: each graph has at least one node."""
    if indicator[0] != 1:
        raise DataFormatError(where, f"graph ids must start at 1, got {indicator[0]}", int(lines[0]))
    step = np.diff(indicator)
    bad = np.flatnonzero((step < 0) | (step > 1))
    if len(bad):
        i = int(bad[0])
        prev, this = int(indicator[i]), int(indicator[i + 1])
        if this < prev:
            reason = f"graph ids must not decrease, got {this} after {prev}"
        else:
            missing = f"graph {prev + 1} has" if this == prev + 2 else f"graphs {prev + 1}..{this - 1} have"
            reason = f"{missing} no nodes (graph id {this} follows {prev})"
        raise DataFormatError(where, reason, int(lines[i + 1]))


def _find_members(archive: zipfile.ZipFile, path: Path) -> tuple[dict[str, str], list[str]]:
    names = archive.namelist()
    a_files = [n for n in names if n.endswith("_A.txt")]
    if len(a_files) != 1:
        raise DataFormatError(path, f"zip must hold exactly one <NAME>_A.txt member, found {len(a_files)}")
    prefix = a_files[0][: -len("A.txt")]
    members = {key: f"{prefix}{key}.txt" for key in REQUIRED + OPTIONAL if f"{prefix}{key}.txt" in names}
    missing = [f"{prefix}{key}.txt" for key in REQUIRED if key not in members]
    if missing:
        raise DataFormatError(path, f"zip lacks member(s) {', '.join(missing)}")
    return members, [f"{prefix}{key}.txt" for key in UNUSED if f"{prefix}{key}.txt" in names]


def _read_ints(archive: zipfile.ZipFile, member: str, path: Path, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Integer rows of a member (comma or blank separated) and the file line number of each row."""
    where = f"{path}!{member}"
    try:
        data = archive.read(member)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise DataFormatError(where, f"damaged zip member ({one_line(exc)})") from None
    text = decode(data, where)
    lines = text.splitlines()
    numbers, kept = [], []
    for lineno, line in enumerate(lines, start=1):
        if line := line.strip():
            numbers.append(lineno)
            kept.append(line)
    if not kept:
        return np.zeros((0, width) if width > 1 else 0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    flat = _SEP.sub(",", "\n".join(kept))
    if not _NOT_INT.search(flat):
        chars = np.frombuffer(flat.encode() + b"\n", dtype=np.uint8)
        commas = np.cumsum(chars == ord(","))[chars == ord("\n")]
        if np.all(np.diff(commas, prepend=0) == width - 1):
            try:
                values = np.asarray(flat.replace("\n", ",").split(","), dtype=np.int64)
            except (ValueError, OverflowError):
                values = None
            if values is not None:
                table = values.reshape(len(kept), width) if width > 1 else values
                return table, np.asarray(numbers, dtype=np.int64)
    rows = [_SEP.split(line) for line in kept]
    for lineno, fields in zip(numbers, rows, strict=True):
        found = lines[lineno - 1].strip()[:40]
        if len(fields) != width:
            reason = f"expected {width} integer(s), got {len(fields)} field(s) in {found!r}"
            raise DataFormatError(where, reason, lineno)
        for f in fields:
            if not _INT.fullmatch(f):
                raise DataFormatError(where, f"expected {width} integer(s), got {found!r}", lineno)
            if not -_INT64 <= int(f) < _INT64:
                raise DataFormatError(where, f"integer {f[:30]} is too large for 64 bits", lineno)
    raise DataFormatError(where, "cannot read as integers")


def _labels(tables, where, key: str, expected: int) -> tuple[np.ndarray, tuple[str, ...]]:
    if key not in tables:
        return np.zeros(expected, dtype=np.int64), ("-",)
    values = tables[key][0]
    if len(values) != expected:
        raise DataFormatError(where[key], f"{len(values)} labels for {expected} items")
    vocab, codes = np.unique(values, return_inverse=True)
    return codes.astype(np.int64), tuple(str(v) for v in vocab.tolist())
