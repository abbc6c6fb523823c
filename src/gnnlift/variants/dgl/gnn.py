"""The models in DGL, with its own layers where their math matches."""

from __future__ import annotations

import dgl
import torch
from dgl.nn import GINConv, GraphConv, SAGEConv
from torch import nn

from gnnlift.data.types import GraphSet
from gnnlift.modelspec import ACTIVATIONS
from gnnlift.templates.common import node_features
from gnnlift.templates.dims import Dims
from gnnlift.templates.gnn import GNNConfig
from gnnlift.variants.base import Variant


class DglGNN(Variant):
    name = "dgl"

    def __init__(self, cfg: GNNConfig, dims: Dims, dtype: torch.dtype = torch.float32):
        super().__init__()
        self.cfg, self.dtype = cfg, dtype
        convs = []
        for layer in range(1, cfg.layers + 1):
            d_in = dims.node_types if layer == 1 else cfg.hidden
            if cfg.kind == "gcn":
                if cfg.aggregation != "sum":
                    raise ValueError("dgl GraphConv aggregates by sum only (norm='none')")
                convs.append(GraphConv(d_in, cfg.hidden, norm="none", bias=False, allow_zero_in_degree=True))
            elif cfg.kind == "sage":
                convs.append(SAGEConv(d_in, cfg.hidden, _sage_aggregator(cfg.aggregation), bias=False))
            else:
                mlp = nn.Sequential(nn.Linear(d_in, cfg.hidden), nn.ReLU(), nn.Linear(cfg.hidden, cfg.hidden))
                convs.append(GINConv(mlp, cfg.aggregation, init_eps=0.0, learn_eps=False))
        self.convs = nn.ModuleList(convs)
        self.readouts = nn.ModuleDict({str(r): nn.Linear(cfg.hidden, 1, bias=False) for r in cfg.readout_layers()})
        self.pool = dgl.mean_nodes if cfg.readout == "mean" else dgl.sum_nodes
        self.to(dtype)

    def canonical(self):
        out = {}
        for layer, conv in enumerate(self.convs, start=1):
            if self.cfg.kind == "gcn":
                out[f"conv{layer}.weight"] = (conv.weight, True)  # stored (in, out)
            elif self.cfg.kind == "sage":
                out[f"conv{layer}.self.weight"] = (conv.fc_self.weight, False)
                out[f"conv{layer}.neigh.weight"] = (conv.fc_neigh.weight, False)
            else:
                for i, name in ((0, "mlp1"), (2, "mlp2")):
                    out[f"conv{layer}.{name}.weight"] = (conv.apply_func[i].weight, False)
                    out[f"conv{layer}.{name}.bias"] = (conv.apply_func[i].bias, False)
        for r, lin in self.readouts.items():
            out[f"readout{r}.weight"] = (lin.weight, False)
        return out

    def prepare(self, graphs: GraphSet) -> dgl.DGLGraph:
        return dgl.batch(to_graph_list(graphs, self.dtype))

    def graph_samples(self, graphs: GraphSet) -> list[dgl.DGLGraph]:
        return to_graph_list(graphs, self.dtype)

    def collate_graphs(self, samples: list[dgl.DGLGraph]) -> dgl.DGLGraph:
        return dgl.batch(samples)

    def forward(self, graph: dgl.DGLGraph) -> torch.Tensor:
        x, score = graph.ndata["x"], 0
        for layer, conv in enumerate(self.convs, start=1):
            x = ACTIVATIONS[self.cfg.layer_activation(layer)](conv(graph, x))
            if str(layer) in self.readouts:
                graph.ndata["h"] = x
                score = score + self.readouts[str(layer)](self.pool(graph, "h"))
        return ACTIVATIONS[self.cfg.output_activation](score).squeeze(1)


def _sage_aggregator(aggregation: str) -> str:
    if aggregation != "mean":
        raise ValueError("dgl SAGEConv has no sum aggregator; use aggregation=mean")
    return "mean"


def to_graph_list(graphs: GraphSet, dtype: torch.dtype) -> list[dgl.DGLGraph]:
    """One ``DGLGraph`` per graph with one-hot node features ``x``."""
    x = node_features(graphs, dtype)
    edge_index = torch.from_numpy(graphs.edge_index)
    out = []
    for g in range(graphs.num_graphs):
        n0, n1 = int(graphs.node_ptr[g]), int(graphs.node_ptr[g + 1])
        e0, e1 = graphs.edge_ptr[g], graphs.edge_ptr[g + 1]
        src, dst = edge_index[:, e0:e1] - n0
        graph = dgl.graph((src, dst), num_nodes=n1 - n0)
        graph.ndata["x"] = x[n0:n1]
        out.append(graph)
    return out
