"""Neuron counts in the paper's (NeuraLogic's) sense: fact, atom, rule and aggregation neurons."""

import numpy as np

from gnnlift.data import load_dataset
from gnnlift.data.nci import parse_nci
from gnnlift.templates import family, model_config


def ground(model, data):
    return family(model).template_module().ground(model_config(model), data)


def test_gnn_embed_counts_by_hand(tmp_path):
    path = tmp_path / "co.txt"
    path.write_text("+ c3(1), o2(2), 2_bond(1, 2), 2_bond(2, 1)\n")
    counts = ground("gnn_embed", parse_nci(path)).paper_counts()
    # facts: 2 atom types + 1 bond type + 2 directed bond(x,y,b); atoms: 2 atom_embed, 1 bond_embed, 2 l1,
    # 1 predict; rules: 2 + 1 embedding rules, 2 l1 groundings, 2 predict groundings; aggregations: 2+1+2+1
    assert counts == {"fact": 5, "atom": 6, "rule": 7, "aggregation": 6, "total": 24}


def test_gnn_embed_on_786_0_matches_neuralogic(mirror, tmp_path):
    """NeuraLifting's 5 folds of 786_0 report 272564+268582+276818+268540+269412 = 1,355,916 neurons."""
    data = load_dataset("nci_gi50_786_0", resources=tmp_path, mirror=mirror, download=True)
    assert ground("gnn_embed", data).paper_counts()["total"] == 1_355_916


def test_counts_add_up_over_batches(mirror, tmp_path):
    data = load_dataset("mutag", resources=tmp_path, mirror=mirror, download=True)
    for model in ("gcn", "gin", "graphlet"):
        whole = ground(model, data).paper_counts()
        halves = [ground(model, data.subset(idx)).paper_counts() for idx in np.array_split(np.arange(188), 2)]
        assert whole == {k: halves[0][k] + halves[1][k] for k in whole}
