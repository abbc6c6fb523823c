"""Parsers of knowledge bases: ConvE triple splits and the paper's logic form."""

from __future__ import annotations

import io
import math
import os
import re
import tarfile
import zlib
from pathlib import Path

import numpy as np

from gnnlift.data.errors import DataFormatError
from gnnlift.data.textio import GZIP_MAGIC, decode, gunzip, one_line, read_text
from gnnlift.data.types import KnowledgeBase

SPLITS = ("train", "valid", "test")
# Unary type facts whose constants play the relation's role in r(...) and predict(...).
RELATION_TYPES = ("rel", "att")

_ATOM = re.compile(r"^([a-z_][A-Za-z0-9_]*)\(([^()]*)\)\s*[,.]?$")
_QUERY = re.compile(r"^([-+0-9.eE]+)\s+([a-z_][A-Za-z0-9_]*)\(([^()]*)\)\s*\.?$")


def parse_kb_triples(path: str | os.PathLike[str], name: str | None = None) -> KnowledgeBase:
    """Parse a ``.tar.gz`` holding ``train.txt``, ``valid.txt``, ``test.txt`` (head, rel, tail)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataFormatError(path, f"cannot read ({exc.strerror or exc})") from None
    if data.startswith(GZIP_MAGIC):
        data = gunzip(data, path)  # the whole stream, so that its checksum is verified
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            texts = {}
            for member in archive.getmembers():
                base = os.path.basename(member.name)
                if member.isfile() and base in {f"{s}.txt" for s in SPLITS}:
                    texts[base[:-4]] = decode(archive.extractfile(member).read(), f"{path}!{member.name}")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise DataFormatError(path, f"not a readable tar archive ({one_line(exc)})") from None
    missing = [f"{s}.txt" for s in SPLITS if s not in texts]
    if missing:
        raise DataFormatError(path, f"archive lacks member(s) {', '.join(missing)}")

    rows: dict[str, list[tuple[str, str, str]]] = {}
    first_line: dict[str, dict[tuple[str, str, str], int]] = {}
    dups: list[tuple[str, int, int]] = []  # (split, line, line of its first occurrence)
    for split in SPLITS:
        rows[split] = []
        seen = first_line[split] = {}
        for lineno, line in enumerate(texts[split].splitlines(), start=1):
            if not line.strip():
                continue
            fields = line.strip().split("\t")
            if len(fields) != 3 or not all(fields):
                raise DataFormatError(f"{path}!{split}.txt", "expected head<TAB>relation<TAB>tail", lineno)
            row = (fields[0], fields[1], fields[2])
            if row in seen:
                dups.append((split, lineno, seen[row]))
            else:
                seen[row] = lineno
            rows[split].append(row)
    if not any(rows.values()):
        raise DataFormatError(path, "empty dataset: no triples")

    warnings: list[str] = []
    notes: dict = {"warnings": warnings}
    if dups:
        split, line, first = dups[0]
        notes["duplicates"] = {"triples": len(dups)}
        warnings.append(
            f"{path}!{split}.txt:{line}: triple repeats line {first}; {len(dups)} duplicated triple(s) "
            "within splits, each counted as often as it appears"
        )
    shared = []  # (split, line, an earlier split holding the same triple, its line there)
    for i, split in enumerate(SPLITS):
        for row, line in first_line[split].items():
            earlier = next((e for e in SPLITS[:i] if row in first_line[e]), None)
            if earlier is not None:
                shared.append((split, line, earlier, first_line[earlier][row]))
    if shared:
        split, line, earlier, first = shared[0]
        notes.setdefault("duplicates", {})["triples_across_splits"] = len(shared)
        warnings.append(
            f"{path}!{split}.txt:{line}: triple also in {earlier}.txt:{first}; "
            f"{len(shared)} triple(s) in more than one split"
        )
    trained = {r for _, r, _ in rows["train"]}
    untrained = sorted({r for s in SPLITS[1:] for _, r, _ in rows[s]} - trained)
    if untrained:
        notes["relations_not_in_train"] = untrained
        shown = ", ".join(repr(r) for r in untrained[:5]) + (", ..." if len(untrained) > 5 else "")
        warnings.append(
            f"{path}: {len(untrained)} relation(s) in valid/test never occur in train ({shown}); "
            "their embeddings are never trained"
        )

    entities = sorted({e for r in rows.values() for h, _, t in r for e in (h, t)})
    relations = sorted({rel for r in rows.values() for _, rel, _ in r})
    ent, rel = _index(entities), _index(relations)
    splits = {
        s: np.asarray([(ent[h], rel[r], ent[t]) for h, r, t in rows[s]], dtype=np.int64).reshape(-1, 3) for s in SPLITS
    }
    return KnowledgeBase(
        name=name or path.name.split(".")[0],
        entities=tuple(entities),
        relations=tuple(relations),
        splits=splits,
        notes={k: v for k, v in notes.items() if v},
    )


def parse_kb_logic(
    examples: str | os.PathLike[str], queries: str | os.PathLike[str], name: str | None = None
) -> KnowledgeBase:
    """Parse the paper's form: typed facts ``r(...)`` and labelled ``predict(...)`` queries.

    Unary facts type the constants (``person(person0)``, ``rel(term0)``, ``att(rainfall)``);
    in each ``r``/``predict`` atom the argument typed ``rel``/``att`` is the relation, the
    others are head and (optional) tail, whatever the argument order of the source file.
    """
    types: dict[str, str] = {}
    raw_facts: list[tuple[int, list[str]]] = []
    for lineno, line in _lines(examples):
        m = _ATOM.match(line)
        if not m:
            raise DataFormatError(examples, f"expected a fact like r(a,b,c), got {line[:40]!r}", lineno)
        pred, args = m.group(1), _args(m.group(2))
        if len(args) == 1:
            types[args[0]] = pred
        elif 2 <= len(args) <= 3:
            raw_facts.append((lineno, args))
        else:
            raise DataFormatError(examples, f"fact of arity {len(args)}; expected 1, 2 or 3", lineno)
    raw_queries: list[tuple[int, float, list[str]]] = []
    for lineno, line in _lines(queries):
        m = _QUERY.match(line)
        if not m:
            raise DataFormatError(queries, f"expected '<label> predict(...).', got {line[:40]!r}", lineno)
        try:
            label = float(m.group(1))
        except ValueError:
            raise DataFormatError(queries, f"label {m.group(1)!r} is not a number", lineno) from None
        if not (math.isfinite(label) and 0.0 <= label <= 1.0):
            raise DataFormatError(queries, f"label {m.group(1)} is outside [0, 1]", lineno)
        raw_queries.append((lineno, label, _args(m.group(3))))
    if not raw_facts:
        raise DataFormatError(examples, "empty dataset: no facts")
    if not raw_queries:
        raise DataFormatError(queries, "empty dataset: no queries")

    relations = sorted(c for c, t in types.items() if t in RELATION_TYPES)
    entities = sorted(c for c, t in types.items() if t not in RELATION_TYPES)
    ent, rel = _index(entities), _index(relations)

    def triple(args: list[str], source, lineno: int) -> tuple[int, int, int]:
        roles = [a for a in args if a in rel]
        others = [a for a in args if a not in rel]
        if len(roles) != 1:
            raise DataFormatError(source, f"need exactly one argument typed {'/'.join(RELATION_TYPES)}", lineno)
        unknown = [a for a in others if a not in ent]
        if unknown:
            raise DataFormatError(source, f"constant {unknown[0]!r} has no type fact", lineno)
        head = ent[others[0]]
        tail = ent[others[1]] if len(others) > 1 else -1
        return head, rel[roles[0]], tail

    facts = np.asarray([triple(a, examples, n) for n, a in raw_facts], dtype=np.int64)
    query_triples = np.asarray([triple(a, queries, n) for n, _, a in raw_queries], dtype=np.int64)
    labels = np.asarray([label for _, label, _ in raw_queries], dtype=np.float64)

    warnings: list[str] = []
    duplicates: dict[str, int] = {}
    fact_dups = _repeats(facts, [n for n, _ in raw_facts])
    if fact_dups:
        duplicates["facts"] = len(fact_dups)
        line, first = fact_dups[0]
        warnings.append(
            f"{examples}:{line}: fact repeats line {first}; {len(fact_dups)} duplicated fact(s), "
            "each counted as often as it appears"
        )
    query_lines = [n for n, _, _ in raw_queries]
    query_dups = _repeats(query_triples, query_lines)
    if query_dups:
        row = {n: i for i, n in enumerate(query_lines)}
        for line, first in query_dups:
            if labels[row[line]] != labels[row[first]]:
                raise DataFormatError(
                    queries, f"query repeats line {first} with another label ({labels[row[first]]:g})", line
                )
        duplicates["queries"] = len(query_dups)
        line, first = query_dups[0]
        warnings.append(
            f"{queries}:{line}: query repeats line {first}; {len(query_dups)} repeated query line(s), "
            "each counted as often as it appears"
        )
    notes = {"warnings": warnings, "duplicates": duplicates}
    return KnowledgeBase(
        name=name or Path(examples).parent.name,
        entities=tuple(entities),
        relations=tuple(relations),
        facts=facts,
        queries=query_triples,
        query_labels=labels,
        notes={k: v for k, v in notes.items() if v},
    )


def _repeats(rows: np.ndarray, lines: list[int]) -> list[tuple[int, int]]:
    """``(line, line of its first occurrence)`` for every row that repeats an earlier one."""
    if len(rows) == 0:
        return []
    _, first, inverse = np.unique(rows, axis=0, return_index=True, return_inverse=True)
    first_of_row = first[inverse.reshape(-1)]
    again = np.flatnonzero(first_of_row != np.arange(len(rows)))
    return [(lines[i], lines[first_of_row[i]]) for i in again]


def _lines(path: str | os.PathLike[str]):
    for lineno, line in enumerate(read_text(path).splitlines(), start=1):
        line = line.strip()
        if line:
            yield lineno, line


def _args(text: str) -> list[str]:
    return [a.strip() for a in text.split(",")]


def _index(values: list[str]) -> dict[str, int]:
    return {v: i for i, v in enumerate(values)}
