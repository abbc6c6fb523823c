"""Binary cache round trip, loading by name or by path, and subsets."""

import numpy as np
import pytest

from gnnlift.data import DataError, DataFormatError, cache, load_dataset
from gnnlift.data.nci import parse_nci

TEXT = (
    "+ car(3), c3(1), 1_bond(3, 1), 1_bond(1, 3)\n"
    "- n3(5), cl(2), o2(9), 1_bond(5, 2), 1_bond(2, 5), 2_bond(9, 5), 2_bond(5, 9)\n"
    "+ c3(1)\n"
)


@pytest.fixture
def graphs(tmp_path):
    path = tmp_path / "toy.txt"
    path.write_text(TEXT)
    return parse_nci(path)


def test_cache_round_trip(graphs, tmp_path):
    path = cache.save(graphs, tmp_path / "toy.npz")
    again = cache.load(path)
    for field in ("node_labels", "edge_index", "edge_labels", "node_ptr", "edge_ptr", "y"):
        assert np.array_equal(getattr(again, field), getattr(graphs, field))
    assert again.node_vocab == graphs.node_vocab and again.stats() == graphs.stats()


def test_corrupt_cache_is_one_line_error(tmp_path):
    path = tmp_path / "bad.npz"
    path.write_bytes(b"PK\x03\x04 garbage")
    with pytest.raises(DataFormatError, match=r"bad\.npz: corrupt dataset cache"):
        cache.load(path)


def test_subset_renumbers_nodes(graphs):
    sub = graphs.subset(np.array([1, 2]))
    assert sub.num_graphs == 2 and sub.node_ptr.tolist() == [0, 3, 4]
    assert sub.edge_index.min() >= 0 and sub.edge_index.max() < 3
    assert sub.stats()["edges"] == 2


def test_load_by_path_and_unknown_name(graphs, tmp_path):
    assert load_dataset(tmp_path / "toy.txt").num_graphs == 3
    with pytest.raises(DataError, match="unknown dataset 'no_such_set'"):
        load_dataset("no_such_set")


def test_registered_but_not_prepared(resources):
    with pytest.raises(DataError, match="is not prepared"):
        load_dataset("mutag")


def test_failed_prepare_writes_nothing(tmp_path):
    from gnnlift.data.load import prepare

    bad = tmp_path / "gi50_screen_786_0.txt"
    bad.write_text("+ car(1), c3(2), 1_bond(1, 2)\n")
    out = tmp_path / "prepared" / "nci_gi50_786_0.npz"
    with pytest.raises(DataFormatError, match="not symmetric"):
        prepare("nci_gi50_786_0", files=[bad], out=out)
    assert not out.exists() and not out.with_suffix(".stats.json").exists()
