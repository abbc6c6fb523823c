"""gnn_embed and graphlet in PyG: small ``MessagePassing`` modules over bond-typed graphs."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch_geometric.data import Batch, Data
from torch_geometric.nn import MessagePassing, global_mean_pool

from gnnlift.data.types import GraphSet
from gnnlift.modelspec import ACTIVATIONS
from gnnlift.templates.common import edge_features, node_features
from gnnlift.templates.dims import Dims
from gnnlift.templates.molecule import MoleculeConfig, paths_of_length_two
from gnnlift.variants.base import Variant


class BondRule(MessagePassing):
    """l1(x) = act(mean over bonds (x, y, β) of act(W in(y) + w + V bond(β)))."""

    def __init__(self, dim: int, act):
        super().__init__(aggr="mean")
        self.lin_in = nn.Linear(dim, dim, bias=False)
        self.lin_bond = nn.Linear(dim, dim, bias=False)
        self.bond_fact = nn.Parameter(torch.empty(dim))
        self.act = act

    def message(self, x_j, bond):
        return self.rule(x_j, bond)

    def rule(self, x_j, bond):
        return self.act(self.lin_in(x_j) + self.lin_bond(bond) + self.bond_fact)

    def forward(self, x, edge_index, bond):
        return self.act(self.propagate(edge_index, x=x, bond=bond))


class PathData(Data):
    """A molecule with its two-bond paths as pairs of edge ids (shifted by edges on batching)."""

    def __inc__(self, key, value, *args, **kwargs):
        if key == "paths":
            return self.edge_index.size(1)
        return super().__inc__(key, value, *args, **kwargs)

    def __cat_dim__(self, key, value, *args, **kwargs):
        if key == "paths":
            return 1
        return super().__cat_dim__(key, value, *args, **kwargs)


class PygMolecule(Variant):
    name = "pyg"

    def __init__(self, cfg: MoleculeConfig, dims: Dims, dtype: torch.dtype = torch.float32):
        super().__init__()
        self.cfg, self.dtype, d = cfg, dtype, cfg.dim
        self.act = ACTIVATIONS[cfg.activation]
        self.atom = nn.Linear(dims.node_types, d)
        self.bond = nn.Linear(dims.edge_types, d, bias=cfg.kind == "graphlet")
        if cfg.kind == "gnn_embed":
            self.l1, self.predict_rule = BondRule(d, self.act), BondRule(d, self.act)
            self.out = nn.Linear(d, 1)
        else:
            self.out = nn.Linear(d**5, 1)
        self.to(dtype)

    def canonical(self):
        out = {
            "atom_embed.weight": (self.atom.weight, False),
            "atom_embed.bias": (self.atom.bias, False),
            "bond_embed.weight": (self.bond.weight, False),
            "predict.weight": (self.out.weight, False),
            "predict.bias": (self.out.bias, False),
        }
        if self.cfg.kind == "gnn_embed":
            for name, rule in (("l1", self.l1), ("predict_rule", self.predict_rule)):
                out[f"{name}.in.weight"] = (rule.lin_in.weight, False)
                out[f"{name}.bond.weight"] = (rule.lin_bond.weight, False)
                out[f"{name}.bond_fact"] = (rule.bond_fact, False)
        else:
            out["bond_embed.bias"] = (self.bond.bias, False)
        return out

    def prepare(self, graphs: GraphSet) -> Batch:
        return Batch.from_data_list(self.graph_samples(graphs))

    def collate_graphs(self, samples: list[PathData]) -> Batch:
        return Batch.from_data_list(samples)

    def graph_samples(self, graphs: GraphSet) -> list[PathData]:
        x, e = node_features(graphs, self.dtype), edge_features(graphs, self.dtype)
        ei = torch.from_numpy(graphs.edge_index)
        first, second = paths_of_length_two(graphs) if self.cfg.kind == "graphlet" else (None, None)
        path_ptr = np.searchsorted(first, graphs.edge_ptr) if first is not None else None  # first is sorted
        data = []
        for g in range(graphs.num_graphs):
            n0, n1 = graphs.node_ptr[g], graphs.node_ptr[g + 1]
            e0, e1 = graphs.edge_ptr[g], graphs.edge_ptr[g + 1]
            item = PathData(x=x[n0:n1], edge_index=ei[:, e0:e1] - n0, bond=e[e0:e1])
            if first is not None:
                p0, p1 = path_ptr[g], path_ptr[g + 1]
                item.paths = torch.from_numpy(np.stack([first[p0:p1], second[p0:p1]]) - e0)
            data.append(item)
        return data

    def forward(self, batch: Batch) -> torch.Tensor:
        atom, bond = self.act(self.atom(batch.x)), self.act(self.bond(batch.bond))
        src, dst = batch.edge_index
        if self.cfg.kind == "gnn_embed":
            l1 = self.l1(atom, batch.edge_index, bond)
            rules = self.predict_rule.rule(l1[src], bond)
            rule_graph = batch.batch[src]
        else:
            first, second = batch.paths
            parts = [atom[src[first]], bond[first], atom[dst[first]], bond[second], atom[dst[second]]]
            product = parts[0]
            for part in parts[1:]:
                product = (product.unsqueeze(2) * part.unsqueeze(1)).flatten(1)
            rules = self.act(self.cfg.path_scale * product)
            rule_graph = batch.batch[src[first]]
        pooled = global_mean_pool(rules, rule_graph, size=batch.num_graphs)
        return torch.sigmoid(self.out(pooled)).squeeze(1)
