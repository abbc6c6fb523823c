"""Same weights, same function: plain, PyG and DGL agree on outputs and every gradient."""

import pytest
import torch

from gnnlift.cli import main
from gnnlift.data import load_dataset
from gnnlift.templates import model_config
from gnnlift.variants.plain import EngineModel
from gnnlift.verify import compare, first_samples

GRAPH_MODELS = ["gcn", "sage", "gin", "gnn_embed", "graphlet"]


@pytest.fixture(scope="module")
def datasets(mirror, tmp_path_factory):
    root = tmp_path_factory.mktemp("resources")
    names = ["mutag", "nci_gi50_786_0", "nations", "umls"]
    return {n: load_dataset(n, resources=root, mirror=mirror, download=True) for n in names}


def assert_agree(rows, dtype):
    bad = [r for r in rows if not r.passes(dtype)]
    assert rows and not bad, bad


@pytest.mark.parametrize("model", GRAPH_MODELS)
@pytest.mark.parametrize("data", ["mutag", "nci_gi50_786_0"])
def test_graph_models_agree_float64(datasets, model, data):
    samples = first_samples(datasets[data], 40)
    assert_agree(
        compare(model, model_config(model), samples, ["plain", "lifted", "pyg", "dgl"], torch.float64, seed=1),
        torch.float64,
    )


@pytest.mark.parametrize("model", GRAPH_MODELS)
def test_graph_models_agree_float32(datasets, model):
    samples = first_samples(datasets["mutag"], 40)
    assert_agree(compare(model, model_config(model), samples, ["plain", "pyg", "dgl"], torch.float32), torch.float32)


@pytest.mark.parametrize(("data", "overrides"), [("nations", {}), ("umls", {"self_rule": True})])
def test_kbe_agrees(datasets, data, overrides):
    samples = first_samples(datasets[data], 600)
    cfg = model_config("kbe", **overrides)
    assert_agree(compare("kbe", cfg, samples, ["plain", "lifted", "pyg", "dgl"], torch.float64), torch.float64)


def test_overrides_reach_every_variant(datasets):
    cfg = model_config("gcn", hidden=7, layers=3, aggregation="mean")
    samples = first_samples(datasets["mutag"], 20)
    assert_agree(compare("gcn", cfg, samples, ["plain", "pyg"], torch.float64), torch.float64)


def test_a_real_difference_is_caught(datasets, monkeypatch, mirror, resources):
    forward = EngineModel.forward
    monkeypatch.setattr(EngineModel, "forward", lambda self, batch: forward(self, batch) * (1 + 1e-6))
    rows = compare("gcn", model_config("gcn"), first_samples(datasets["mutag"], 20), ["plain", "pyg"], torch.float64)
    assert any(not r.passes(torch.float64) for r in rows)
    code = main(
        [
            "verify",
            "--model",
            "gcn",
            "--data",
            "mutag",
            "--limit",
            "20",
            "--variants",
            "plain,pyg",
            "--mirror",
            str(mirror),
        ]
    )
    assert code == 1


def test_cli_verify_passes(mirror, resources, capsys):
    assert main(["verify", "--model", "sage", "--data", "mutag", "--limit", "30", "--mirror", str(mirror)]) == 0
    assert "0 mismatch" in capsys.readouterr().out


def test_cli_rejects_kb_for_graph_model(mirror, resources, capsys):
    assert main(["verify", "--model", "gcn", "--data", "nations", "--mirror", str(mirror)]) == 2
    assert "needs a dataset of graphs" in capsys.readouterr().err
