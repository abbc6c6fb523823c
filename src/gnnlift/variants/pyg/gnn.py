"""The models in PyTorch Geometric, with its own layers where their math matches."""

from __future__ import annotations

import torch
from torch import nn
from torch_geometric.data import Batch, Data
from torch_geometric.nn import GCNConv, GINConv, SAGEConv, global_add_pool, global_mean_pool

from gnnlift.data.types import GraphSet
from gnnlift.modelspec import ACTIVATIONS
from gnnlift.templates.common import node_features
from gnnlift.templates.dims import Dims
from gnnlift.templates.gnn import GNNConfig
from gnnlift.variants.base import Variant


class PygGNN(Variant):
    name = "pyg"

    def __init__(self, cfg: GNNConfig, dims: Dims, dtype: torch.dtype = torch.float32):
        super().__init__()
        self.cfg, self.dtype = cfg, dtype
        aggr = "add" if cfg.aggregation == "sum" else "mean"
        convs = []
        for layer in range(1, cfg.layers + 1):
            d_in = dims.node_types if layer == 1 else cfg.hidden
            if cfg.kind == "gcn":
                convs.append(GCNConv(d_in, cfg.hidden, normalize=False, add_self_loops=False, bias=False, aggr=aggr))
            elif cfg.kind == "sage":
                convs.append(SAGEConv(d_in, cfg.hidden, aggr=aggr, bias=False, root_weight=True))
            else:
                mlp = nn.Sequential(nn.Linear(d_in, cfg.hidden), nn.ReLU(), nn.Linear(cfg.hidden, cfg.hidden))
                convs.append(GINConv(mlp, eps=0.0, train_eps=False, aggr=aggr))
        self.convs = nn.ModuleList(convs)
        self.readouts = nn.ModuleDict({str(r): nn.Linear(cfg.hidden, 1, bias=False) for r in cfg.readout_layers()})
        self.pool = global_mean_pool if cfg.readout == "mean" else global_add_pool
        self.to(dtype)

    def canonical(self):
        out = {}
        for layer, conv in enumerate(self.convs, start=1):
            if self.cfg.kind == "gcn":
                out[f"conv{layer}.weight"] = (conv.lin.weight, False)
            elif self.cfg.kind == "sage":
                out[f"conv{layer}.self.weight"] = (conv.lin_r.weight, False)
                out[f"conv{layer}.neigh.weight"] = (conv.lin_l.weight, False)
            else:
                for i, name in ((0, "mlp1"), (2, "mlp2")):
                    out[f"conv{layer}.{name}.weight"] = (conv.nn[i].weight, False)
                    out[f"conv{layer}.{name}.bias"] = (conv.nn[i].bias, False)
        for r, lin in self.readouts.items():
            out[f"readout{r}.weight"] = (lin.weight, False)
        return out

    def prepare(self, graphs: GraphSet) -> Batch:
        return Batch.from_data_list(to_data_list(graphs, self.dtype))

    def graph_samples(self, graphs: GraphSet) -> list[Data]:
        return to_data_list(graphs, self.dtype)

    def collate_graphs(self, samples: list[Data]) -> Batch:
        return Batch.from_data_list(samples)

    def forward(self, batch: Batch) -> torch.Tensor:
        x, score = batch.x, 0
        for layer, conv in enumerate(self.convs, start=1):
            x = ACTIVATIONS[self.cfg.layer_activation(layer)](conv(x, batch.edge_index))
            if str(layer) in self.readouts:
                pooled = self.pool(x, batch.batch, size=batch.num_graphs)
                score = score + self.readouts[str(layer)](pooled)
        return ACTIVATIONS[self.cfg.output_activation](score).squeeze(1)


def to_data_list(graphs: GraphSet, dtype: torch.dtype) -> list[Data]:
    """One PyG ``Data`` per graph (x one-hot, edge_index local, y)."""
    x = node_features(graphs, dtype)
    edge_index = torch.from_numpy(graphs.edge_index)
    out = []
    for g in range(graphs.num_graphs):
        n0, n1 = graphs.node_ptr[g], graphs.node_ptr[g + 1]
        e0, e1 = graphs.edge_ptr[g], graphs.edge_ptr[g + 1]
        out.append(Data(x=x[n0:n1], edge_index=edge_index[:, e0:e1] - n0, y=torch.tensor([graphs.y[g]], dtype=dtype)))
    return out
