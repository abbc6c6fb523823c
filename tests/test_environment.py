"""The installed stack works: DGL imports (graphbolt stub) and its layers run, PyG too."""

import torch


def test_dgl_graphconv_forward():
    import dgl
    from dgl.nn import GraphConv

    graph = dgl.graph((torch.tensor([0, 1, 2]), torch.tensor([1, 2, 0])))
    layer = GraphConv(4, 3)
    out = layer(graph, torch.ones(3, 4))
    assert out.shape == (3, 3)
    out.sum().backward()
    assert layer.weight.grad is not None


def test_pyg_gcnconv_forward():
    from torch_geometric.nn import GCNConv

    import gnnlift.variants.pyg  # noqa: F401  (removes the propagate module PyG writes to the temp folder)

    edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    out = GCNConv(4, 3)(torch.ones(3, 4), edge_index)
    assert out.shape == (3, 3)
