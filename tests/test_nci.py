"""NCI GI50 parser: a small file by hand, and every malformed case the issue names."""

import gzip

import numpy as np
import pytest

from gnnlift.data import DataFormatError
from gnnlift.data.nci import parse_nci

GOOD = (
    "+ car(3), c3(1), 1_bond(3, 1), 1_bond(1, 3), o2(7), 2_bond(1, 7), 2_bond(7, 1)\n"
    "- n3(5), cl(2), 1_bond(5, 2), 1_bond(2, 5)\n"
)


def write(tmp_path, text, name="set.txt"):
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def test_parses_graphs_labels_and_edges(tmp_path):
    graphs = parse_nci(write(tmp_path, GOOD))
    assert graphs.num_graphs == 2
    assert graphs.node_ptr.tolist() == [0, 3, 5]
    assert graphs.edge_ptr.tolist() == [0, 4, 6]
    assert [graphs.class_vocab[c] for c in graphs.y] == ["+", "-"]
    # nodes are ordered by atom id: molecule 1 is c3(1), car(3), o2(7)
    assert [graphs.node_vocab[c] for c in graphs.node_labels] == ["c3", "car", "o2", "cl", "n3"]
    edges = {
        (int(u), int(v), graphs.edge_vocab[lab])
        for (u, v), lab in zip(graphs.edge_index.T, graphs.edge_labels, strict=True)
    }
    assert (1, 0, "1_bond") in edges and (0, 2, "2_bond") in edges and (4, 3, "1_bond") in edges
    assert graphs.stats()["edges"] == 3


def test_crlf_and_gzip_are_accepted(tmp_path):
    crlf = parse_nci(write(tmp_path, GOOD.replace("\n", "\r\n")))
    gz = tmp_path / "set.txt.gz"
    gz.write_bytes(gzip.compress(GOOD.encode()))
    plain = parse_nci(write(tmp_path, GOOD))
    for other in (crlf, parse_nci(gz)):
        assert np.array_equal(other.edge_index, plain.edge_index)
        assert np.array_equal(other.node_labels, plain.node_labels)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("+ car(1), car(2), 1_bond(1, 2), 1_bond(2, 1)\n+ car(1), 1_bo", 2, "unknown or truncated"),
        ("+ car(1), c3(2), 1_bond(1, 2), 1_bond(2, 1)\n- car(1), c3(2), 1_bond(1, 2\n", 2, "unknown or truncated"),
        ("+ car(1), c3(2), 1_bond(1, 2), 1_bond(2, 1)\n* car(1)\n", 2, "expected '+' or '-'"),
        ("+ car(1), 1_bond(1, 9), 1_bond(9, 1)\n", 1, "bond to atom 9, which has no type"),
        ("+ car(1), c3(2), 7_bond(1, 2), 7_bond(2, 1)\n", 1, "unknown bond type '7_bond'"),
        ("+ car(1), c3(2), hello world\n", 1, "unknown or truncated token 'hello world'"),
        ("+ car(1), c3(2), 1_bond(1, 2)\n", 1, "not symmetric"),
        ("+ car(1), c3(2), 1_bond(1, 2), 2_bond(2, 1)\n", 1, "not symmetric"),
        ("+ car(1), c3(1)\n", 1, "declared twice"),
        ("+ \n", 1, "molecule without atoms"),
    ],
)
def test_bad_input_is_one_line_error_with_file_and_line(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(DataFormatError) as err:
        parse_nci(path)
    text = str(err.value)
    assert text.startswith(f"{path}:{line}: ")
    assert message in text
    assert "\n" not in text


def test_empty_dataset(tmp_path):
    path = write(tmp_path, "\n\n")
    with pytest.raises(DataFormatError, match="empty dataset"):
        parse_nci(path)
