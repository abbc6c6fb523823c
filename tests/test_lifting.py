"""Lifting: lossless on random graphs (hypothesis), exact vs value detection, edge cases, commands."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gnnlift.cli import main
from gnnlift.data.types import GraphSet
from gnnlift.engine.execute import evaluate
from gnnlift.lifting import LiftConfig, lift
from gnnlift.lifting.detect import exact_classes, value_classes
from gnnlift.lifting.lift import weight_draws
from gnnlift.templates import family, model_config, random_weights
from gnnlift.templates.dims import dims_of
from gnnlift.verify import compare

GRAPH_MODELS = ["gcn", "sage", "gin", "gnn_embed", "graphlet"]
SCOPES = ["sample", "batch", "dataset"]
HYPOTHESIS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def graph_set(graphs: list[tuple[list[int], list[tuple[int, int, int]]]], atom_types=3, bond_types=2) -> GraphSet:
    """A GraphSet from (node labels, undirected (a, b, label) bonds) per graph; bonds stored both ways."""
    labels, src, dst, edge_labels, node_ptr, edge_ptr = [], [], [], [], [0], [0]
    for nodes, bonds in graphs:
        base = len(labels)
        labels += nodes
        for a, b, lab in bonds:
            pairs = [(a, b)] if a == b else [(a, b), (b, a)]
            for x, y in pairs:
                src.append(base + x)
                dst.append(base + y)
                edge_labels.append(lab)
        node_ptr.append(len(labels))
        edge_ptr.append(len(src))
    return GraphSet(
        name="random",
        node_labels=np.array(labels, dtype=np.int64),
        edge_index=np.array([src, dst], dtype=np.int64).reshape(2, -1),
        edge_labels=np.array(edge_labels, dtype=np.int64),
        node_ptr=np.array(node_ptr, dtype=np.int64),
        edge_ptr=np.array(edge_ptr, dtype=np.int64),
        y=np.arange(len(graphs), dtype=np.int64) % 2,
        node_vocab=tuple(f"a{i}" for i in range(atom_types)),
        edge_vocab=tuple(f"b{i}" for i in range(bond_types)),
        class_vocab=("neg", "pos"),
    )


@st.composite
def random_graphs(draw, max_graphs: int = 4, max_nodes: int = 6):
    """Small labelled molecules-like graphs: few atom and bond types, so that neurons repeat."""
    graphs = []
    for _ in range(draw(st.integers(1, max_graphs))):
        n = draw(st.integers(1, max_nodes))
        nodes = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
        pairs = draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=2 * n))
        bonds = sorted({(min(a, b), max(a, b)) for a, b in pairs if a != b})
        labels = draw(st.lists(st.integers(0, 1), min_size=len(bonds), max_size=len(bonds)))
        graphs.append((nodes, [(a, b, lab) for (a, b), lab in zip(bonds, labels, strict=True)]))
    return graph_set(graphs)


def assert_agree(rows):
    bad = [r for r in rows if not r.passes(torch.float64)]
    assert rows and not bad, bad


def ground(model: str, data, **overrides):
    cfg = model_config(model, **overrides)
    return family(model).template_module().ground(cfg, data), cfg


def same_partition(a: torch.Tensor, b: torch.Tensor) -> bool:
    pairs = len(torch.unique(torch.stack([a, b]), dim=1)[0]) if len(a) else 0
    return pairs == len(torch.unique(a)) == len(torch.unique(b))


@pytest.mark.parametrize("model", GRAPH_MODELS)
@HYPOTHESIS
@given(data=random_graphs())
def test_lifted_equals_plain_at_every_scope(model, data):
    """Outputs and every gradient, for 2 weight draws, plain against lifting at each scope."""
    rows = compare(model, model_config(model), data, ["plain", "lifted"], torch.float64, seed=3, draws=2)
    assert_agree(rows)


@pytest.mark.parametrize("model", GRAPH_MODELS)
@pytest.mark.parametrize("by_owner", [True, False])
@HYPOTHESIS
@given(data=random_graphs())
def test_exact_never_merges_different_values(model, by_owner, data):
    graph, cfg = ground(model, data)
    classes = exact_classes(graph, by_owner)
    for seed in (0, 1):
        values = evaluate(graph, random_weights(model, cfg, dims_of(data), seed, torch.float64), all_levels=True)
        for level, cls, v in zip(graph.levels, classes, values, strict=True):
            if level.size:
                first = torch.full((int(cls.max()) + 1,), level.size).scatter_reduce_(
                    0, cls, torch.arange(level.size), reduce="amin"
                )
                torch.testing.assert_close(v, v[first[cls]], rtol=0, atol=1e-12)
                if by_owner and level.owner is not None:
                    assert torch.equal(level.owner, level.owner[first[cls]])


SYMMETRIC = graph_set(  # atoms 2 and 5 are equivalent; their float sums once differed in the last bit
    [([2, 1, 0, 2, 0, 0], [(0, 2, 0), (0, 3, 0), (0, 5, 0), (1, 4, 0), (2, 3, 0), (2, 5, 0), (3, 4, 0), (3, 5, 0)])]
)


@pytest.mark.parametrize("model", GRAPH_MODELS)
@HYPOTHESIS
@given(data=random_graphs(), digits=st.integers(12, 14))
@example(data=SYMMETRIC, digits=12)
def test_value_detection_with_isocheck_finds_the_exact_partition(model, data, digits):
    graph, cfg = ground(model, data)
    config = LiftConfig(detect="value", digits=digits, inits=2, isocheck=True)
    value, _ = value_classes(graph, weight_draws(_shapes(model, cfg, data), config), digits, isocheck=True)
    for a, b in zip(exact_classes(graph), value, strict=True):
        assert same_partition(a, b)


SMOOTH = {
    "gcn": {"activation": "tanh"},
    "sage": {"activation": "tanh"},
    "gnn_embed": {},
    "graphlet": {},
}


@pytest.mark.parametrize("model", sorted(SMOOTH))
@HYPOTHESIS
@given(data=random_graphs(), digits=st.integers(12, 14))
def test_value_detection_finds_the_exact_partition(model, data, digits):
    """Without ReLU (whose zeros tie by value), 2 draws at >= 12 digits separate what exact separates."""
    graph, cfg = ground(model, data, **SMOOTH[model])
    config = LiftConfig(detect="value", digits=digits, inits=2)
    value, clashes = value_classes(graph, weight_draws(_shapes(model, cfg, data), config), digits)
    assert clashes == 0
    for a, b in zip(exact_classes(graph), value, strict=True):
        assert same_partition(a, b)


def test_relu_ties_merge_by_value_but_not_exactly():
    """Few digits merge neurons exact detection keeps apart; the isocheck counts those merges as clashes."""
    data = graph_set([([0, 1, 2, 0, 1], [(0, 1, 0), (1, 2, 1), (2, 3, 0), (3, 4, 1)])] * 2 + [([2, 2], [(0, 1, 1)])])
    graph, cfg = ground("gin", data)
    config = LiftConfig(detect="value", digits=1, inits=1)
    draws = weight_draws(_shapes("gin", cfg, data), config)
    loose, clashes = value_classes(graph, draws, 1)
    exact = exact_classes(graph)
    assert clashes > 0
    assert sum(len(torch.unique(c)) for c in loose) < sum(len(torch.unique(c)) for c in exact)
    checked, _ = value_classes(graph, draws, 1, isocheck=True)
    for e, c in zip(exact, checked, strict=True):  # refused merges: never coarser than exact
        assert len(torch.unique(torch.stack([e, c]), dim=1)[0]) == len(torch.unique(c))


def _shapes(model, cfg, data):
    return family(model).template_module().parameter_shapes(cfg, dims_of(data))


EDGE_CASES = {
    "empty graph": graph_set([([], []), ([0, 1], [(0, 1, 0)])]),
    "isolated nodes": graph_set([([0, 1, 2], []), ([1, 1], [])]),
    "self-loop": graph_set([([0, 1], [(0, 0, 1), (0, 1, 0)]), ([1], [(0, 0, 0)])]),
    "one node": graph_set([([2], [])]),
}


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
@pytest.mark.parametrize("model", GRAPH_MODELS)
def test_edge_cases_lift_losslessly(case, model):
    data = EDGE_CASES[case]
    assert_agree(compare(model, model_config(model), data, ["plain", "lifted"], torch.float64, seed=5))


@pytest.mark.parametrize("model", GRAPH_MODELS)
def test_identical_molecules_merge_into_one(model):
    molecule = ([0, 1, 2, 1], [(0, 1, 0), (1, 2, 1), (2, 3, 0)])
    data = graph_set([molecule] * 5)
    graph, _ = ground(model, data)
    whole = lift(graph, LiftConfig(scope="dataset"))
    single = lift(ground(model, graph_set([molecule]))[0], LiftConfig(scope="dataset"))
    assert [lv.size for lv in whole.graph.levels] == [lv.size for lv in single.graph.levels]
    assert whole.graph.levels[whole.graph.output_level].size == 1
    assert whole.graph.output_index.tolist() == [0] * 5
    per_sample = lift(graph, LiftConfig(scope="sample"))
    assert per_sample.graph.levels[-1].size == 5 and per_sample.graph.output_index.tolist() == list(range(5))


def test_mean_over_repeated_inputs_keeps_the_original_count():
    """A mean over two equal neighbours and a mean over one: the same value, merged, exact."""
    data = graph_set([([0, 1, 1], [(0, 1, 0), (0, 2, 0)]), ([0, 1], [(0, 1, 0)])])
    graph, cfg = ground("sage", data)
    lifted = lift(graph, LiftConfig(scope="dataset"))
    conv1 = [lv.name for lv in graph.levels].index("conv1")
    assert lifted.graph.levels[conv1].size == 2  # atom 0 in both graphs is one class; atoms 1, 2, 1: another
    weights = random_weights("sage", cfg, dims_of(data), 0, torch.float64)
    torch.testing.assert_close(evaluate(lifted.graph, weights), evaluate(graph, weights), rtol=0, atol=1e-12)


@pytest.fixture(scope="module")
def kb(mirror, tmp_path_factory):
    from gnnlift.data import load_dataset
    from gnnlift.verify import first_samples

    data = load_dataset("nations", resources=tmp_path_factory.mktemp("resources"), mirror=mirror, download=True)
    return first_samples(data, 400)


def test_kbe_lifts_losslessly(kb):
    assert_agree(compare("kbe", model_config("kbe"), kb, ["plain", "lifted"], torch.float64, draws=3))


def test_compress_command_prints_counts(tmp_path, capsys):
    path = tmp_path / "mols.txt"
    path.write_text("+ c3(1), o2(2), 2_bond(1, 2), 2_bond(2, 1)\n- c3(1), o2(2), 2_bond(1, 2), 2_bond(2, 1)\n")
    out = tmp_path / "stats.json"
    code = main(["compress", "--model", "gnn_embed", "--data", str(path), "--scope", "dataset", "--out", str(out)])
    assert code == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats == json.loads(out.read_text())
    assert stats["neurons"]["lifted"] * 2 == stats["neurons"]["raw"]  # two identical molecules
    assert stats["paper"]["raw"]["total"] == 48 and stats["ratio"]["neurons"] == 2
    assert {"levels", "edges", "clashes", "lift_seconds", "ground_seconds", "lifting"} <= set(stats)


def test_compress_batch_scope_adds_up(tmp_path, capsys):
    path = tmp_path / "mols.txt"
    path.write_text("\n".join(["+ c3(1), o2(2), 2_bond(1, 2), 2_bond(2, 1)"] * 4) + "\n")
    args = ["compress", "--model", "gcn", "--data", str(path), "--scope", "batch", "--batch-size", "2"]
    assert main(args) == 0
    stats = json.loads(capsys.readouterr().out)
    # 4 molecules of 2 atoms: 8 facts + 8 + 8 conv neurons + 4 outputs; a batch of two lifts to one molecule
    assert stats["batches"] == 2 and stats["neurons"] == {"raw": 28, "lifted": 14}


def test_compress_rejects_a_bad_setting(tmp_path, capsys):
    path = tmp_path / "mols.txt"
    path.write_text("+ c3(1)\n")
    assert main(["compress", "--model", "gcn", "--data", str(path), "--set", "hidden=0"]) != 0
    assert "hidden" in capsys.readouterr().err
