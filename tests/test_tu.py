"""TU zip parser on small archives written by the tests."""

import zipfile

import numpy as np
import pytest

from gnnlift.data import DataFormatError
from gnnlift.data.tu import parse_tu

# Two graphs: a triangle (nodes 1-3) and an edge (nodes 4-5).
FILES = {
    "A": "1, 2\n2, 1\n2, 3\n3, 2\n1, 3\n3, 1\n4, 5\n5, 4\n",
    "graph_indicator": "1\n1\n1\n2\n2\n",
    "graph_labels": "1\n-1\n",
    "node_labels": "0\n1\n0\n2\n2\n",
    "edge_labels": "0\n0\n1\n1\n0\n0\n2\n2\n",
}


def make_zip(tmp_path, files=FILES, name="TOY", crlf=False):
    path = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for key, text in files.items():
            archive.writestr(f"{name}/{name}_{key}.txt", text.replace("\n", "\r\n") if crlf else text)
    return path


def test_parses_small_archive(tmp_path):
    graphs = parse_tu(make_zip(tmp_path))
    assert graphs.num_graphs == 2 and graphs.num_nodes == 5 and graphs.num_edges == 8
    assert graphs.node_ptr.tolist() == [0, 3, 5]
    assert graphs.edge_ptr.tolist() == [0, 6, 8]
    assert graphs.class_vocab == ("-1", "1") and graphs.y.tolist() == [1, 0]
    assert graphs.stats()["edge_labels"] == {"0": 2, "1": 1, "2": 1}


def test_crlf_is_accepted(tmp_path):
    plain = parse_tu(make_zip(tmp_path))
    crlf = parse_tu(make_zip(tmp_path / "..", crlf=True))
    assert np.array_equal(plain.edge_index, crlf.edge_index)
    assert np.array_equal(plain.edge_labels, crlf.edge_labels)


def test_missing_member(tmp_path):
    files = {k: v for k, v in FILES.items() if k != "graph_labels"}
    path = make_zip(tmp_path, files)
    with pytest.raises(DataFormatError, match=r"TOY\.zip: zip lacks member\(s\) TOY/TOY_graph_labels\.txt"):
        parse_tu(path)


def test_not_a_zip(tmp_path):
    path = tmp_path / "broken.zip"
    path.write_bytes(b"not a zip")
    with pytest.raises(DataFormatError, match="not a readable zip"):
        parse_tu(path)


def test_garbled_line_names_member_and_line(tmp_path):
    files = dict(FILES, A=FILES["A"].replace("2, 3\n", "2, x\n"))
    with pytest.raises(DataFormatError, match=r"TOY_A\.txt:3: expected 2 integer"):
        parse_tu(make_zip(tmp_path, files))


def test_asymmetric_edge_list(tmp_path):
    files = dict(FILES, A=FILES["A"].replace("3, 1\n", ""), edge_labels="0\n0\n1\n1\n0\n2\n2\n")
    with pytest.raises(DataFormatError, match=r"TOY_A\.txt:5: edge list not symmetric: \(1, 3\)"):
        parse_tu(make_zip(tmp_path, files))


def test_empty_dataset(tmp_path):
    files = {k: "" for k in FILES}
    with pytest.raises(DataFormatError, match="empty dataset"):
        parse_tu(make_zip(tmp_path, files))
