"""Malformed input, case by case: one exact line on stderr, and nothing written.

Each case names the item of "The pipeline never lies" it covers. A case builds its files in
``tmp_path`` and runs ``gnnlift datasets <path>`` and ``gnnlift prepare <name> --files ...``
in-process; both must fail with exit status 2 and the same one-line message.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from gnnlift.cli import main

REPO = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------- small well-formed sources

NCI = "+ car(3), c3(1), 1_bond(3, 1), 1_bond(1, 3)\n- n3(5), cl(2), 1_bond(5, 2), 1_bond(2, 5)\n"
TU = {
    "A": "1, 2\n2, 1\n2, 3\n3, 2\n1, 3\n3, 1\n4, 5\n5, 4\n",
    "graph_indicator": "1\n1\n1\n2\n2\n",
    "graph_labels": "1\n-1\n",
    "node_labels": "0\n1\n0\n2\n2\n",
}
TRIPLES = {"train.txt": "a\tr1\tb\nb\tr2\tc\n", "valid.txt": "a\tr2\tc\n", "test.txt": "c\tr1\ta\n"}
EXAMPLES = "p(x),\np(y),\nrel(t0),\nr(t0,x,y),\nr(t0,y,x).\n"
QUERIES = "1.0 predict(x,t0,y).\n0.0 predict(y,t0,y).\n"

# Registry names whose files a case can stand in for (`gnnlift prepare NAME --files ...`).
REGISTERED = {"nci": "nci_gi50_786_0", "tu": "mutag", "triples": "nations_conve", "logic": "nations"}


@dataclass
class Source:
    """What a case built: the path for `datasets`, the files for `prepare`, and names for messages."""

    kind: str
    path: Path
    files: list[Path]

    def names(self) -> dict[str, str]:
        out = {"p": str(self.path)}
        if self.kind == "logic":
            out |= {"examples": str(self.files[0]), "queries": str(self.files[1])}
        return out


def nci(tmp_path: Path, text: str | bytes = NCI, name: str = "set.txt") -> Source:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return Source("nci", path, [path])


def nci_gz(tmp_path: Path, data: bytes) -> Source:
    return nci(tmp_path, data, "set.txt.gz")


def tu(tmp_path: Path, extra: dict | None = None, compression: int = zipfile.ZIP_DEFLATED, **changes: str) -> Source:
    """A TU zip of TOY: the TU members with ``changes``, plus ``extra`` members."""
    path = tmp_path / "TOY.zip"
    with zipfile.ZipFile(path, "w", compression) as archive:
        for key, text in (TU | changes | (extra or {})).items():
            archive.writestr(f"TOY/TOY_{key}.txt", text)
    return Source("tu", path, [path])


def tar_bytes(members: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as archive:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def triples(tmp_path: Path, members: dict | None = None, data: bytes | None = None) -> Source:
    path = tmp_path / "toy.tar.gz"
    if data is None:
        data = gzip.compress(tar_bytes(TRIPLES if members is None else members), mtime=0)
    path.write_bytes(data)
    return Source("triples", path, [path])


def logic(tmp_path: Path, examples: str | bytes = EXAMPLES, queries: str | bytes = QUERIES) -> Source:
    folder = tmp_path / "toykb"
    folder.mkdir()
    for name, text in (("examples", examples), ("queries", queries)):
        (folder / name).write_bytes(text.encode() if isinstance(text, str) else text)
    return Source("logic", folder, [folder / "examples", folder / "queries"])


def flip(data: bytes, at: int) -> bytes:
    out = bytearray(data)
    out[at] ^= 0x20
    return bytes(out)


def stored_gzip(data: bytes) -> bytes:
    """Gzip with stored (uncompressed) blocks, so a flipped byte mid-file changes only the content."""
    return gzip.compress(data, compresslevel=0, mtime=0)


def damaged_zip_member(tmp_path: Path) -> Source:
    src = tu(tmp_path, compression=zipfile.ZIP_STORED)
    data = src.path.read_bytes()
    at = data.index(b"TOY/TOY_graph_labels.txt") + len("TOY/TOY_graph_labels.txt") + 1  # inside its data
    src.path.write_bytes(flip(data, at))
    return src


TAR_MID = stored_gzip(tar_bytes(TRIPLES))
TRUNCATED_NCI = gzip.compress(NCI.encode() * 50, mtime=0)
BIG = 2**63

# ---------------------------------------------------------------- the corpus

# (id, builder, expected message with {p}, {examples}, {queries} standing for the case's files)
CASES = [
    # 10: gzip, integer and label failures that used to be tracebacks
    (
        "item10-truncated-txt-gz",
        lambda t: nci_gz(t, TRUNCATED_NCI[: len(TRUNCATED_NCI) // 2]),
        "{p}: truncated gzip file (the compressed stream ends early)",
    ),
    (
        "item10-gz-not-gzip",
        lambda t: nci_gz(t, NCI.encode()),
        "{p}: not a gzip file (it does not start with the gzip magic bytes)",
    ),
    (
        "item10-gz-empty",
        lambda t: nci_gz(t, b""),
        "{p}: not a gzip file (it does not start with the gzip magic bytes)",
    ),
    (
        "item10-gz-wrong-length",
        lambda t: nci_gz(t, gzip.compress(NCI.encode(), mtime=0)[:-4] + b"\x00\x00\x00\x00"),
        "{p}: damaged gzip file (Incorrect length of data produced)",
    ),
    (
        "item10-tu-int-overflow-A",
        lambda t: tu(t, A=TU["A"].replace("2, 3\n", "2, 99999999999999999999\n")),
        "{p}!TOY/TOY_A.txt:3: integer 99999999999999999999 is too large for 64 bits",
    ),
    (
        "item10-tu-int-overflow-label",
        lambda t: tu(t, graph_labels="1\n9223372036854775808\n"),
        "{p}!TOY/TOY_graph_labels.txt:2: integer 9223372036854775808 is too large for 64 bits",
    ),
    (
        "item10-tu-int-overflow-negative",
        lambda t: tu(t, node_labels="0\n1\n-9223372036854775809\n2\n2\n"),
        "{p}!TOY/TOY_node_labels.txt:3: integer -9223372036854775809 is too large for 64 bits",
    ),
    (
        "item10-tu-label-superscript",
        lambda t: tu(t, node_labels="0\n²\n0\n2\n2\n"),
        "{p}!TOY/TOY_node_labels.txt:2: expected 1 integer(s), got '²'",
    ),
    (
        "item10-tu-label-arabic-digit",
        lambda t: tu(t, graph_labels="1\n٣\n"),
        "{p}!TOY/TOY_graph_labels.txt:2: expected 1 integer(s), got '٣'",
    ),
    (
        "item10-tu-label-underscore",
        lambda t: tu(t, node_labels="0\n1_0\n0\n2\n2\n"),
        "{p}!TOY/TOY_node_labels.txt:2: expected 1 integer(s), got '1_0'",
    ),
    (
        "item10-nci-atom-id-2^63",
        lambda t: nci(t, NCI + f"+ car({BIG}), c3(1), 1_bond({BIG}, 1), 1_bond(1, {BIG})\n"),
        f"{{p}}:3: atom id {BIG} is too large (at most {BIG - 1})",
    ),
    (
        "item10-nci-bond-id-2^64",
        lambda t: nci(t, f"+ car(1), c3(2), 1_bond(1, {2**64}), 1_bond(2, 1)\n"),
        f"{{p}}:1: atom id {2**64} is too large (at most {BIG - 1})",
    ),
    (
        "item10-nci-unicode-digit-id",
        lambda t: nci(t, "+ car(1), c3(٣), 1_bond(1, 3), 1_bond(3, 1)\n"),
        "{p}:1: unknown or truncated token 'c3(٣)'",
    ),
    # 11: atom ids of 2**32 and more are exact, errors at the right line
    (
        "item11-id-2^32-declared-twice-line2",
        lambda t: nci(t, NCI.replace("- n3(5), cl(2)", f"- n3({2**32}), cl({2**32})")),
        f"{{p}}:2: atom {2**32} is declared twice",
    ),
    (
        "item11-bond-to-untyped-2^32+2",
        lambda t: nci(t, f"+ car(1), c3(3), 1_bond(1, {2**32 + 2}), 1_bond({2**32 + 2}, 1)\n- car(2), c3(1)\n"),
        f"{{p}}:1: bond to atom {2**32 + 2}, which has no type",
    ),
    (
        "item11-bond-to-untyped-2^40",
        lambda t: nci(t, NCI + f"+ car({2**40}), c3(7), 1_bond({2**40 + 7}, 7), 1_bond(7, {2**40 + 7})\n"),
        f"{{p}}:3: bond to atom {2**40 + 7}, which has no type",
    ),
    # 12: a graph without nodes
    (
        "item12-gap-one-graph",
        lambda t: tu(t, graph_indicator="1\n1\n1\n3\n3\n", graph_labels="1\n-1\n1\n"),
        "{p}!TOY/TOY_graph_indicator.txt:4: graph 2 has no nodes (graph id 3 follows 1)",
    ),
    (
        "item12-gap-two-graphs",
        lambda t: tu(t, graph_indicator="1\n1\n1\n4\n4\n", graph_labels="1\n-1\n1\n1\n"),
        "{p}!TOY/TOY_graph_indicator.txt:4: graphs 2..3 have no nodes (graph id 4 follows 1)",
    ),
    (
        "item12-first-graph-empty",
        lambda t: tu(t, graph_indicator="2\n2\n2\n3\n3\n", graph_labels="1\n-1\n1\n"),
        "{p}!TOY/TOY_graph_indicator.txt:1: graph ids must start at 1, got 2",
    ),
    (
        "item12-last-graph-empty",
        lambda t: tu(t, graph_labels="1\n-1\n1\n"),
        "{p}!TOY/TOY_graph_labels.txt:3: 3 graph labels, but TOY_graph_indicator.txt has 2 graphs",
    ),
    (
        "item12-ids-decrease",
        lambda t: tu(t, graph_indicator="1\n1\n2\n1\n2\n", A="4, 5\n5, 4\n"),
        "{p}!TOY/TOY_graph_indicator.txt:4: graph ids must not decrease, got 1 after 2",
    ),
    # 13: the right file, the right line, one line
    (
        "item13-bad-line-1-A",
        lambda t: tu(t, A="1, 2, 3\n" + TU["A"]),
        "{p}!TOY/TOY_A.txt:1: expected 2 integer(s), got 3 field(s) in '1, 2, 3'",
    ),
    (
        "item13-bad-line-1-indicator",
        lambda t: tu(t, graph_indicator="1, 1\n1\n1\n2\n2\n"),
        "{p}!TOY/TOY_graph_indicator.txt:1: expected 1 integer(s), got 2 field(s) in '1, 1'",
    ),
    (
        "item13-one-field-in-A",
        lambda t: tu(t, A=TU["A"].replace("2, 3\n", "2\n")),
        "{p}!TOY/TOY_A.txt:3: expected 2 integer(s), got 1 field(s) in '2'",
    ),
    (
        "item13-semicolon-in-A",
        lambda t: tu(t, A=TU["A"].replace("2, 3\n", "2; 3\n")),
        "{p}!TOY/TOY_A.txt:3: expected 2 integer(s), got '2; 3'",
    ),
    (
        "item13-empty-field-in-A",
        lambda t: tu(t, A=TU["A"].replace("2, 3\n", "2,,3\n")),
        "{p}!TOY/TOY_A.txt:3: expected 2 integer(s), got 3 field(s) in '2,,3'",
    ),
    (
        "item13-extra-graph-label",
        lambda t: tu(t, graph_labels="1\n-1\n-1\n"),
        "{p}!TOY/TOY_graph_labels.txt:3: 3 graph labels, but TOY_graph_indicator.txt has 2 graphs",
    ),
    (
        "item13-missing-graph-label",
        lambda t: tu(t, graph_labels="1\n"),
        "{p}!TOY/TOY_graph_labels.txt: 1 graph labels, but TOY_graph_indicator.txt has 2 graphs",
    ),
    (
        "item13-tar-gz-corrupt-mid-file",
        lambda t: triples(t, data=flip(TAR_MID, len(TAR_MID) // 2)),
        "{p}: damaged gzip file (CRC check failed)",
    ),
    (
        "item13-tar-gz-corrupt-in-member",
        lambda t: triples(t, data=flip(TAR_MID, TAR_MID.index(b"b\tr2\tc"))),
        "{p}: damaged gzip file (CRC check failed)",
    ),
    (
        "item13-tu-zip-member-crc",
        damaged_zip_member,
        "{p}!TOY/TOY_graph_labels.txt: damaged zip member (Bad CRC-32 for file 'TOY/TOY_graph_labels.txt')",
    ),
    (
        "item13-bom-then-bad-line-1",
        lambda t: nci(t, "\ufeff* car(1)\n"),
        "{p}:1: expected '+' or '-' at the start, got '* car(1)'",
    ),
    # 14: accepted without notice before
    (
        "item14-query-label-2.0",
        lambda t: logic(t, queries=QUERIES + "2.0 predict(x,t0,x).\n"),
        "{queries}:3: label 2.0 is outside [0, 1]",
    ),
    (
        "item14-query-label-negative",
        lambda t: logic(t, queries="-1.0 predict(x,t0,y).\n"),
        "{queries}:1: label -1.0 is outside [0, 1]",
    ),
    (
        "item14-query-label-1e5",
        lambda t: logic(t, queries="0.0 predict(y,t0,y).\n1e5 predict(x,t0,y).\n"),
        "{queries}:2: label 1e5 is outside [0, 1]",
    ),
    (
        "item14-query-repeated-other-label",
        lambda t: logic(t, queries=QUERIES + "\n0.0 predict(x,t0,y).\n"),
        "{queries}:4: query repeats line 1 with another label (1)",
    ),
]


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run_cli(capsys, argv: list[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("builder", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, monkeypatch, builder, expected):
    monkeypatch.setenv("GNNLIFT_RESOURCES", str(tmp_path / "resources"))
    src = builder(tmp_path)
    message = expected.format(**src.names())
    before = snapshot(tmp_path)
    out = tmp_path / "out" / "set.npz"
    runs = {
        "datasets": ["datasets", str(src.path)],
        "prepare": ["prepare", REGISTERED[src.kind], "--files", *map(str, src.files), "--out", str(out)],
    }
    for command, argv in runs.items():
        code, stdout, stderr = run_cli(capsys, argv)
        assert (code, stdout, stderr) == (2, "", f"gnnlift {command}: error: {message}\n")
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "out").exists() and not (tmp_path / "resources").exists()


GZIP_BAD_BLOCK = gzip.compress(b"", mtime=0)[:10] + b"\x07" + bytes(20)  # a deflate block of reserved type


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (GZIP_BAD_BLOCK, "Error -3 while decompressing data: invalid block type"),
        (TRUNCATED_NCI[:40], "Compressed file ended before the end-of-stream marker was reached"),
    ],
    ids=["item10-mirror-gz-damaged", "item10-mirror-gz-truncated"],
)
def test_damaged_mirror_file_is_one_line_and_writes_nothing(tmp_path, capsys, data, reason):
    mirror, res = tmp_path / "mirror", tmp_path / "res"
    mirror.mkdir()
    (mirror / "SHA256SUMS").write_text("")
    (mirror / "gi50_screen_786_0.txt.gz").write_bytes(data)
    argv = ["prepare", "nci_gi50_786_0", "--mirror", str(mirror), "--resources", str(res)]
    code, out, err = run_cli(capsys, argv)
    where = mirror / "gi50_screen_786_0.txt.gz"
    expected = f"gnnlift prepare: error: dataset 'nci_gi50_786_0': cannot read {where} ({reason})\n"
    assert (code, out, err) == (2, "", expected)
    assert not [p for p in res.rglob("*") if p.is_file()]


# ---------------------------------------------------------------- inputs now accepted, and exactly


def _graphs(path: Path):
    from gnnlift.data.load import parse_file

    return parse_file(path)


def _edges_inside_own_graph(graphs) -> bool:
    owner = graphs.graph_of_node()
    return bool(
        np.all(owner[graphs.edge_index[0]] == owner[graphs.edge_index[1]])
        and np.all(owner[graphs.edge_index[0]] == np.repeat(np.arange(graphs.num_graphs), np.diff(graphs.edge_ptr)))
    )


def _two_molecules(a: int, b: int) -> str:
    return f"+ car({a}), c3({b}), 1_bond({a}, {b}), 1_bond({b}, {a})\n- n3(1), cl(2), 1_bond(1, 2), 1_bond(2, 1)\n"


@pytest.mark.parametrize(
    ("a", "b"),
    [(2**32, 2**32 + 1), (2**32 + 1, 1), (1, 2**32 + 2), (2**40 + 5, 5), (BIG - 1, BIG - 2), (2**33, 2**32)],
    ids=[
        "item11-ids-2^32-and-2^32+1",
        "item11-ids-2^32+1-and-1",
        "item11-ids-1-and-2^32+2",
        "item11-ids-2^40+5-and-5",
        "item11-ids-2^63-1-and-2^63-2",
        "item11-ids-2^33-and-2^32",
    ],
)
def test_large_atom_ids_are_exact(tmp_path, a, b):
    graphs = _graphs(nci(tmp_path, _two_molecules(a, b)).path)
    small = _graphs(nci(tmp_path, _two_molecules(7, 8) if a < b else _two_molecules(8, 7), "ref.txt").path)
    assert graphs.node_ptr.tolist() == [0, 2, 4] and graphs.edge_ptr.tolist() == [0, 2, 4]
    assert _edges_inside_own_graph(graphs)
    for field in ("node_labels", "edge_index", "edge_labels", "y"):
        assert np.array_equal(getattr(graphs, field), getattr(small, field))


def _same_as(reference, other) -> bool:
    fields = ("node_labels", "edge_index", "edge_labels", "node_ptr", "y", "node_vocab", "class_vocab")
    if reference.kind == "kb":
        fields = ("entities", "relations", "facts", "queries", "query_labels")
        if reference.splits:
            return other.entities == reference.entities and all(
                np.array_equal(other.splits[s], reference.splits[s]) for s in reference.splits
            )
    return all(np.array_equal(np.asarray(getattr(other, f)), np.asarray(getattr(reference, f))) for f in fields)


BOM = "\ufeff"
ACCEPTED = [
    ("item13-tab-separated-A", lambda t: tu(t, A=TU["A"].replace(", ", "\t")), lambda t: tu(t)),
    ("item13-space-separated-A", lambda t: tu(t, A=TU["A"].replace(", ", " ")), lambda t: tu(t)),
    ("item13-comma-no-space-A", lambda t: tu(t, A=TU["A"].replace(", ", ",")), lambda t: tu(t)),
    ("item13-bom-nci", lambda t: nci(t, BOM + NCI), lambda t: nci(t)),
    ("item13-bom-nci-gz", lambda t: nci_gz(t, gzip.compress((BOM + NCI).encode())), lambda t: nci(t)),
    ("item13-bom-tu-member", lambda t: tu(t, graph_indicator=BOM + TU["graph_indicator"]), lambda t: tu(t)),
    (
        "item13-bom-kb-triples",
        lambda t: triples(t, {k: BOM + v for k, v in TRIPLES.items()}),
        lambda t: triples(t),
    ),
    ("item13-bom-kb-logic", lambda t: logic(t, BOM + EXAMPLES, BOM + QUERIES), lambda t: logic(t)),
]


@pytest.mark.parametrize(("builder", "reference"), [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_accepted_variants_parse_like_the_plain_file(tmp_path, builder, reference):
    from gnnlift.data.load import parse_file

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    got = parse_file(builder(tmp_path / "a").path)
    want = parse_file(reference(tmp_path / "b").path)
    assert _same_as(want, got)


# ---------------------------------------------------------------- warnings: on stderr and in the statistics

WARNED = [
    (
        "item14-duplicate-triples",
        lambda t: triples(t, TRIPLES | {"train.txt": "a\tr1\tb\nb\tr2\tc\na\tr1\tb\n\na\tr1\tb\n"}),
        [
            "{p}!train.txt:3: triple repeats line 1; 2 duplicated triple(s) within splits, each counted as often as it "
            "appears"
        ],
        {"duplicates": {"triples": 2}, "train_triples": 4},
    ),
    (
        "item14-duplicate-triple-in-test",
        lambda t: triples(t, TRIPLES | {"test.txt": "c\tr1\ta\nc\tr1\ta\n"}),
        [
            "{p}!test.txt:2: triple repeats line 1; 1 duplicated triple(s) within splits, each counted as often as it "
            "appears"
        ],
        {"duplicates": {"triples": 1}, "test_triples": 2},
    ),
    (
        "item14-triple-in-train-and-test",
        lambda t: triples(t, TRIPLES | {"valid.txt": "a\tr2\tc\nb\tr2\tc\n", "test.txt": "a\tr1\tb\nb\tr2\tc\n"}),
        ["{p}!valid.txt:2: triple also in train.txt:2; 3 triple(s) in more than one split"],
        {"duplicates": {"triples_across_splits": 3}, "test_triples": 2},
    ),
    (
        "item14-test-only-relation",
        lambda t: triples(t, TRIPLES | {"test.txt": "c\tr3\ta\n"}),
        ["{p}: 1 relation(s) in valid/test never occur in train ('r3'); their embeddings are never trained"],
        {"relations_not_in_train": ["r3"], "relations": 3},
    ),
    (
        "item14-valid-and-test-only-relations",
        lambda t: triples(t, TRIPLES | {"valid.txt": "a\tq\tc\n", "test.txt": "c\tr9\ta\n"}),
        ["{p}: 2 relation(s) in valid/test never occur in train ('q', 'r9'); their embeddings are never trained"],
        {"relations_not_in_train": ["q", "r9"]},
    ),
    (
        "item14-duplicate-facts",
        lambda t: logic(t, EXAMPLES + "r(t0,x,y).\nr(t0,x,y),\n"),
        ["{examples}:6: fact repeats line 4; 2 duplicated fact(s), each counted as often as it appears"],
        {"duplicates": {"facts": 2}, "facts": 4},
    ),
    (
        "item14-duplicate-queries",
        lambda t: logic(t, queries=QUERIES + "1.0 predict(x,t0,y).\n"),
        ["{queries}:3: query repeats line 1; 1 repeated query line(s), each counted as often as it appears"],
        {"duplicates": {"queries": 1}, "queries": 3},
    ),
    (
        "item14-duplicate-facts-and-queries",
        lambda t: logic(t, EXAMPLES + "r(t0,y,x).\n", QUERIES + "0.0 predict(y,t0,y).\n"),
        [
            "{examples}:6: fact repeats line 5; 1 duplicated fact(s), each counted as often as it appears",
            "{queries}:3: query repeats line 2; 1 repeated query line(s), each counted as often as it appears",
        ],
        {"duplicates": {"facts": 1, "queries": 1}},
    ),
    (
        "item14-tu-node-attributes",
        lambda t: tu(t, extra={"node_attributes": "0.5, 1.0\n" * 5}),
        ["{p}!TOY/TOY_node_attributes.txt: not read; the graphs are parsed without these values"],
        {"graphs": 2},
    ),
    (
        "item14-tu-edge-and-graph-attributes",
        lambda t: tu(t, extra={"edge_attributes": "1.0\n" * 8, "graph_attributes": "3.5\n1.5\n"}),
        [
            "{p}!TOY/TOY_edge_attributes.txt: not read; the graphs are parsed without these values",
            "{p}!TOY/TOY_graph_attributes.txt: not read; the graphs are parsed without these values",
        ],
        {"graphs": 2},
    ),
]


@pytest.mark.parametrize(("builder", "warnings", "recorded"), [c[1:] for c in WARNED], ids=[c[0] for c in WARNED])
def test_noticed_input_warns_and_is_recorded(tmp_path, capsys, builder, warnings, recorded):
    src = builder(tmp_path)
    names = src.names()
    lines = [w.format(**names) for w in warnings]
    out = tmp_path / "out" / "set.npz"
    code, _, err = run_cli(
        capsys, ["prepare", REGISTERED[src.kind], "--files", *map(str, src.files), "--out", str(out)]
    )
    assert code == 0 and err == "".join(f"warning: {line}\n" for line in lines)
    stats = json.loads(out.with_suffix(".stats.json").read_text())
    assert stats["warnings"] == lines
    assert recorded.items() <= stats.items()
    if "duplicates" not in recorded:
        assert "duplicates" not in stats

    # The cache keeps them, so `datasets --json` on it shows the same; parsing the path warns again.
    code, stdout, err = run_cli(capsys, ["datasets", str(out), "--json"])
    assert code == 0 and err == "" and json.loads(stdout)["warnings"] == lines
    code, stdout, err = run_cli(capsys, ["datasets", str(src.path), "--json"])
    assert code == 0 and err.count("warning: ") == len(lines)
    assert json.loads(stdout)["warnings"] == lines


def test_item14_warnings_shown_by_registry_name_after_prepare(tmp_path, capsys):
    src = triples(tmp_path, TRIPLES | {"test.txt": "c\tr3\ta\nc\tr3\ta\n"})
    res = tmp_path / "res"
    argv = ["prepare", "nations_conve", "--files", str(src.path), "--resources", str(res)]
    assert run_cli(capsys, argv)[0] == 0
    code, stdout, err = run_cli(capsys, ["datasets", "nations_conve", "--json", "--resources", str(res)])
    stats = json.loads(stdout)
    assert code == 0 and err == ""
    assert stats["duplicates"] == {"triples": 1} and stats["relations_not_in_train"] == ["r3"]
    assert len(stats["warnings"]) == 2
    written = json.loads((res / "prepared" / "nations_conve.stats.json").read_text())
    keys = ("warnings", "duplicates", "relations_not_in_train")
    assert {k: written[k] for k in keys} == {k: stats[k] for k in keys}


def test_item14_clean_input_has_no_warning_fields(tmp_path, capsys):
    src = triples(tmp_path)
    code, stdout, err = run_cli(capsys, ["datasets", str(src.path), "--json"])
    stats = json.loads(stdout)
    assert code == 0 and err == "" and "warnings" not in stats and "duplicates" not in stats


# ---------------------------------------------------------------- 8: a closed pipe


@pytest.mark.parametrize(
    ("reader", "statuses"),
    [("head -n 0", {"141"}), ("head -1", {"0", "141"})],
    ids=["item8-pipe-closed-at-once", "item8-pipe-head-1"],
)
def test_datasets_into_a_closed_pipe_exits_quietly(tmp_path, reader, statuses):
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), GNNLIFT_RESOURCES=str(tmp_path / "resources"))
    cmd = f'{sys.executable} -m gnnlift datasets --json | {reader}; echo "status ${{PIPESTATUS[0]}}" >&2'
    proc = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, env=env, timeout=120)
    *lines, status = proc.stderr.splitlines()
    assert lines == [] and status.removeprefix("status ") in statuses


# ---------------------------------------------------------------- 15: file modes follow the umask


@pytest.fixture(params=[0o022, 0o002], ids=["item15-umask022", "item15-umask002"])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_item15_atomic_writes_follow_umask(tmp_path, umask):
    from gnnlift.atomic import write_text

    write_text(tmp_path / "t.txt", "x")
    assert _mode(tmp_path / "t.txt") == 0o666 & ~umask


def test_item15_prepare_outputs_follow_umask(tmp_path, capsys, umask):
    src = nci(tmp_path)
    out = tmp_path / "prepared" / "set.npz"
    assert run_cli(capsys, ["prepare", "nci_gi50_786_0", "--files", str(src.path), "--out", str(out)])[0] == 0
    assert {_mode(out), _mode(out.with_suffix(".stats.json"))} == {0o666 & ~umask}


def test_item15_fetched_file_follows_umask(tmp_path, umask):
    import hashlib

    from gnnlift.data.download import fetch
    from gnnlift.data.registry import RemoteFile

    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "toy.txt").write_text(NCI)
    remote = RemoteFile(url="https://example.org/data/toy.txt", sha256=hashlib.sha256(NCI.encode()).hexdigest())
    dest = fetch(remote, tmp_path / "raw" / "toy.txt", mirror=tmp_path / "mirror")
    assert _mode(dest) == 0o666 & ~umask


# ---------------------------------------------------------------- 16: PyG leaves no rendered modules behind


def test_item16_pyg_forward_leaves_no_temp_module():
    import torch
    from torch_geometric.nn import MessagePassing

    import gnnlift.variants.pyg  # noqa: F401  (installs the clean-up)

    pattern = "*_propagate_*.py"
    before = set(Path(tempfile.gettempdir()).glob(pattern))

    class FreshSumConv(MessagePassing):  # a class PyG has not rendered a module for yet
        def __init__(self):
            super().__init__(aggr="add")

        def forward(self, x, edge_index):
            return self.propagate(edge_index, x=x)

    x = torch.arange(6.0).reshape(3, 2)
    y = FreshSumConv()(x, torch.tensor([[0, 1, 2], [1, 2, 0]]))
    assert y.tolist() == [[4.0, 5.0], [0.0, 1.0], [2.0, 3.0]]
    assert set(Path(tempfile.gettempdir()).glob(pattern)) == before


def test_item14_summary_counts_warnings_and_duplicates(tmp_path, capsys):
    src = triples(tmp_path, TRIPLES | {"train.txt": TRIPLES["train.txt"] * 2})
    out = tmp_path / "prepared" / "nations_conve.npz"
    assert run_cli(capsys, ["prepare", "nations_conve", "--files", str(src.path), "--out", str(out)])[0] == 0
    csv, md = tmp_path / "summary.csv", tmp_path / "summary.md"
    argv = ["summarize", str(out.with_suffix(".stats.json")), "--csv", str(csv), "--markdown", str(md)]
    assert run_cli(capsys, argv)[0] == 0
    header, row = csv.read_text().splitlines()
    values = dict(zip(header.split(","), row.split(","), strict=True))
    assert values["duplicates"] == "2" and values["n_warnings"] == "1"
