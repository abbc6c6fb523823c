"""gnn_embed and graphlet in DGL: edge-wise rules with ``apply_edges``, means with ``update_all``.

The graphlet's two-bond paths are the edges of DGL's line graph (back-tracking kept).
"""

from __future__ import annotations

import dgl
import dgl.function as fn
import torch
from torch import nn

from gnnlift.data.types import GraphSet
from gnnlift.modelspec import ACTIVATIONS
from gnnlift.templates.common import edge_features, node_features
from gnnlift.templates.dims import Dims
from gnnlift.templates.molecule import MoleculeConfig
from gnnlift.variants.base import Variant


class DglMolecule(Variant):
    name = "dgl"

    def __init__(self, cfg: MoleculeConfig, dims: Dims, dtype: torch.dtype = torch.float32):
        super().__init__()
        self.cfg, self.dtype, d = cfg, dtype, cfg.dim
        self.act = ACTIVATIONS[cfg.activation]
        self.atom = nn.Linear(dims.node_types, d)
        self.bond = nn.Linear(dims.edge_types, d, bias=cfg.kind == "graphlet")
        if cfg.kind == "gnn_embed":
            self.rules = nn.ModuleDict(
                {
                    name: nn.ModuleDict({"inp": nn.Linear(d, d, bias=False), "bond": nn.Linear(d, d, bias=False)})
                    for name in ("l1", "predict_rule")
                }
            )
            self.bond_facts = nn.ParameterDict({name: nn.Parameter(torch.empty(d)) for name in ("l1", "predict_rule")})
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
            for name, rule in self.rules.items():
                out[f"{name}.in.weight"] = (rule["inp"].weight, False)
                out[f"{name}.bond.weight"] = (rule["bond"].weight, False)
                out[f"{name}.bond_fact"] = (self.bond_facts[name], False)
        else:
            out["bond_embed.bias"] = (self.bond.bias, False)
        return out

    def prepare(self, graphs: GraphSet):
        return self.collate_graphs(self.graph_samples(graphs))

    def collate_graphs(self, samples: list) -> tuple:
        molecules = dgl.batch([m for m, _ in samples])
        lines = dgl.batch([line for _, line in samples]) if self.cfg.kind == "graphlet" else None
        return molecules, lines

    def graph_samples(self, graphs: GraphSet) -> list[tuple]:
        x, e = node_features(graphs, self.dtype), edge_features(graphs, self.dtype)
        ei = torch.from_numpy(graphs.edge_index)
        samples = []
        for g in range(graphs.num_graphs):
            n0, n1 = int(graphs.node_ptr[g]), int(graphs.node_ptr[g + 1])
            e0, e1 = graphs.edge_ptr[g], graphs.edge_ptr[g + 1]
            src, dst = ei[:, e0:e1] - n0
            mol = dgl.graph((src, dst), num_nodes=n1 - n0)
            mol.ndata["x"], mol.edata["bond"] = x[n0:n1], e[e0:e1]
            line = dgl.line_graph(mol, backtracking=True) if self.cfg.kind == "graphlet" else None
            samples.append((mol, line))
        return samples

    def _rule(self, name: str, inp: torch.Tensor, bond: torch.Tensor) -> torch.Tensor:
        rule = self.rules[name]
        return self.act(rule["inp"](inp) + rule["bond"](bond) + self.bond_facts[name])

    def forward(self, batch) -> torch.Tensor:
        mol, line = batch
        with mol.local_scope():
            mol.ndata["atom"] = self.act(self.atom(mol.ndata["x"]))
            mol.edata["b"] = self.act(self.bond(mol.edata["bond"]))
            if self.cfg.kind == "gnn_embed":
                mol.apply_edges(lambda edges: {"r": self._rule("l1", edges.src["atom"], edges.data["b"])})
                mol.update_all(fn.copy_e("r", "m"), fn.mean("m", "l1"))
                mol.ndata["l1"] = self.act(mol.ndata["l1"])
                mol.apply_edges(lambda edges: {"r": self._rule("predict_rule", edges.src["l1"], edges.data["b"])})
                pooled = dgl.mean_edges(mol, "r")
            else:
                src, dst = mol.edges()
                with line.local_scope():
                    line.ndata["a_src"] = mol.ndata["atom"][src]
                    line.ndata["b"] = mol.edata["b"]
                    line.ndata["a_dst"] = mol.ndata["atom"][dst]
                    line.apply_edges(self._path)
                    pooled = dgl.mean_edges(line, "p")
        return torch.sigmoid(self.out(pooled)).squeeze(1)

    def _path(self, edges) -> dict[str, torch.Tensor]:
        parts = [edges.src["a_src"], edges.src["b"], edges.src["a_dst"], edges.dst["b"], edges.dst["a_dst"]]
        product = parts[0]
        for part in parts[1:]:
            product = (product.unsqueeze(2) * part.unsqueeze(1)).flatten(1)
        return {"p": self.act(self.cfg.path_scale * product)}
