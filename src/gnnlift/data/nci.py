"""Parser of the NCI GI50 molecule files (Ralaivola et al. 2005, logic form).

One molecule a line: ``+`` or ``-``, then comma-separated facts, atoms as ``car(29)``
(type, atom id) and bonds in both directions as ``1_bond(14, 11)``. Atom ids are local to
the line; nodes are numbered by increasing atom id.
"""

from __future__ import annotations

import os
import re

import numpy as np

from gnnlift.data.errors import DataFormatError
from gnnlift.data.symmetry import first_asymmetric_edge
from gnnlift.data.textio import read_text
from gnnlift.data.types import GraphSet, group_offsets

BOND_TYPES = ("1_bond", "2_bond", "3_bond", "ar_bond", "am_bond")
CLASS_VOCAB = ("-", "+")

# One match per fact: an atom, a bond, or anything else (reported as unknown).
_FACT = re.compile(
    r"([a-z][a-z0-9]*)\(\s*([0-9]+)\s*\)"
    r"|([a-z0-9]+_bond)\(\s*([0-9]+)\s*,\s*([0-9]+)\s*\)"
    r"|([^,\s][^,]*)",
    re.ASCII,
)
_ID_SHIFT = 32  # key = molecule << 32 | rank of the atom id among all ids (fewer than 2**32 atoms)
_MAX_ID = (1 << 63) - 1


def _check_id(text: str, path, lineno: int) -> None:
    """Atom ids must fit in int64; larger ones are an error at their line."""
    if len(text) > 18 and int(text) > _MAX_ID:
        raise DataFormatError(path, f"atom id {text[:30]} is too large (at most {_MAX_ID})", lineno)


def parse_nci(path: str | os.PathLike[str], name: str | None = None) -> GraphSet:
    """Parse one NCI GI50 file (plain or ``.gz``) into a :class:`GraphSet`."""
    text = read_text(path)
    name = name or os.path.basename(str(path))
    bond_code = {b: i for i, b in enumerate(BOND_TYPES)}
    atom_vocab: dict[str, int] = {}

    labels: list[int] = []
    line_numbers: list[int] = []
    atom_graph: list[int] = []
    atom_id: list[int] = []
    atom_type: list[int] = []
    bond_graph: list[int] = []
    bond_src: list[int] = []
    bond_dst: list[int] = []
    bond_type: list[int] = []

    for lineno, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if line[0] not in "+-":
            raise DataFormatError(path, f"expected '+' or '-' at the start, got {line[:20]!r}", lineno)
        g = len(labels)
        labels.append(CLASS_VOCAB.index(line[0]))
        line_numbers.append(lineno)
        n_atoms = 0
        for atype, aid, btype, b1, b2, other in _FACT.findall(line, 1):
            if atype:
                _check_id(aid, path, lineno)
                atom_graph.append(g)
                atom_id.append(int(aid))
                atom_type.append(atom_vocab.setdefault(atype, len(atom_vocab)))
                n_atoms += 1
            elif btype:
                code = bond_code.get(btype)
                if code is None:
                    raise DataFormatError(path, f"unknown bond type {btype!r}", lineno)
                _check_id(b1, path, lineno)
                _check_id(b2, path, lineno)
                bond_graph.append(g)
                bond_src.append(int(b1))
                bond_dst.append(int(b2))
                bond_type.append(code)
            else:
                raise DataFormatError(path, f"unknown or truncated token {other.strip()[:40]!r}", lineno)
        if n_atoms == 0:
            raise DataFormatError(path, "molecule without atoms", lineno)

    if not labels:
        raise DataFormatError(path, "empty dataset: no molecules")

    lines = np.asarray(line_numbers, dtype=np.int64)
    a_graph = np.asarray(atom_graph, dtype=np.int64)
    a_ids = np.asarray(atom_id, dtype=np.int64)
    if len(a_ids) >= 1 << _ID_SHIFT:
        raise DataFormatError(path, f"too many atoms ({len(a_ids)}); at most {(1 << _ID_SHIFT) - 1}")
    # Ids are ranked among all ids so that a key stays exact whatever the ids' size.
    id_values = np.unique(a_ids)
    a_key = (a_graph << _ID_SHIFT) | np.searchsorted(id_values, a_ids)
    order = np.argsort(a_key, kind="stable")
    sorted_keys = a_key[order]
    dup = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1])
    if len(dup):
        g = int(sorted_keys[dup[0]] >> _ID_SHIFT)
        aid = int(id_values[sorted_keys[dup[0]] & ((1 << _ID_SHIFT) - 1)])
        raise DataFormatError(path, f"atom {aid} is declared twice", int(lines[g]))

    b_graph = np.asarray(bond_graph, dtype=np.int64)
    edge_index = np.empty((2, len(b_graph)), dtype=np.int64)
    for row, ends in enumerate((bond_src, bond_dst)):
        end_ids = np.asarray(ends, dtype=np.int64)
        rank = np.minimum(np.searchsorted(id_values, end_ids), len(id_values) - 1)
        found = id_values[rank] == end_ids
        keys = (b_graph << _ID_SHIFT) | rank
        pos = np.searchsorted(sorted_keys, keys)
        inside = found & (pos < len(sorted_keys))
        inside[inside] = sorted_keys[pos[inside]] == keys[inside]
        if not inside.all():
            bad = int(np.flatnonzero(~inside)[0])
            raise DataFormatError(path, f"bond to atom {ends[bad]}, which has no type", int(lines[b_graph[bad]]))
        edge_index[row] = pos
    edge_labels = np.asarray(bond_type, dtype=np.int64)

    bad_edge = first_asymmetric_edge(edge_index, edge_labels, len(a_key))
    if bad_edge is not None:
        src, dst = bond_src[bad_edge], bond_dst[bad_edge]
        raise DataFormatError(
            path,
            f"edge list not symmetric: {BOND_TYPES[edge_labels[bad_edge]]}({src}, {dst}) has no reverse",
            int(lines[b_graph[bad_edge]]),
        )

    # Atom types in alphabetical order, so the vocabulary does not depend on line order.
    vocab = sorted(atom_vocab)
    recode = np.empty(len(vocab), dtype=np.int64)
    recode[[atom_vocab[t] for t in vocab]] = np.arange(len(vocab))
    n_graphs = len(labels)
    return GraphSet(
        name=name,
        node_labels=recode[np.asarray(atom_type, dtype=np.int64)[order]],
        edge_index=edge_index,
        edge_labels=edge_labels,
        node_ptr=group_offsets(a_graph, n_graphs),
        edge_ptr=group_offsets(b_graph, n_graphs),
        y=np.asarray(labels, dtype=np.int64),
        node_vocab=tuple(vocab),
        edge_vocab=BOND_TYPES,
        class_vocab=CLASS_VOCAB,
    )
