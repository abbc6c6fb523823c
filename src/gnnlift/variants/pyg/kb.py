"""kbe in PyG: two relation-aware ``MessagePassing`` layers over the fact graph."""

from __future__ import annotations

import torch
from torch import nn
from torch_geometric.data import Data
from torch_geometric.nn import MessagePassing

from gnnlift.data.types import KnowledgeBase
from gnnlift.modelspec import ACTIVATIONS
from gnnlift.templates.dims import Dims
from gnnlift.templates.kb import KBConfig, ternary_facts
from gnnlift.variants.base import Variant


class RoleEmbedding(MessagePassing):
    """role(x) = act(mean over facts into x of act(A rel(ρ) + B ent(other) + c) [+ act(S ent(x))])."""

    def __init__(self, dim: int, act, self_rule: bool):
        super().__init__(aggr="mean")
        self.lin_rel = nn.Linear(dim, dim, bias=False)
        self.lin_ent = nn.Linear(dim, dim, bias=False)
        self.fact = nn.Parameter(torch.empty(dim))
        self.lin_self = nn.Linear(dim, dim, bias=False) if self_rule else None
        self.act = act

    def forward(self, ent, rel, edge_index, edge_type):
        out = self.propagate(edge_index, x=ent, rel=rel[edge_type])
        if self.lin_self is not None:
            out = out + self.act(self.lin_self(ent))
        return self.act(out)

    def message(self, x_j, rel):
        return self.act(self.lin_rel(rel) + self.lin_ent(x_j) + self.fact)


class PygKB(Variant):
    name = "pyg"

    def __init__(self, cfg: KBConfig, dims: Dims, dtype: torch.dtype = torch.float32):
        super().__init__()
        self.cfg, self.dtype, d = cfg, dtype, cfg.dim
        self.act = act = ACTIVATIONS[cfg.activation]
        self.entity = nn.Linear(dims.entities, d, bias=False)
        self.relation = nn.Linear(dims.relations, d, bias=False)
        self.roles = nn.ModuleDict({r: RoleEmbedding(d, act, cfg.self_rule) for r in ("subject", "object")})
        self.predict_rule = nn.ModuleDict({p: nn.Linear(d, d, bias=False) for p in ("subject", "object", "relation")})
        self.predict = nn.Linear(d, 1, bias=False)
        self.attribute_rule = nn.ModuleDict({p: nn.Linear(d, d, bias=False) for p in ("entity", "attribute")})
        self.attribute = nn.Linear(d, 1, bias=False)
        self.to(dtype)

    def canonical(self):
        out = {
            "entity_embed.weight": (self.entity.weight, False),
            "relation_embed.weight": (self.relation.weight, False),
            "predict.weight": (self.predict.weight, False),
            "attribute.weight": (self.attribute.weight, False),
        }
        for role, layer in self.roles.items():
            out[f"{role}_rule.relation.weight"] = (layer.lin_rel.weight, False)
            out[f"{role}_rule.entity.weight"] = (layer.lin_ent.weight, False)
            out[f"{role}_rule.fact"] = (layer.fact, False)
            if layer.lin_self is not None:
                out[f"{role}_self.weight"] = (layer.lin_self.weight, False)
        for part, lin in self.predict_rule.items():
            out[f"predict_rule.{part}.weight"] = (lin.weight, False)
        for part, lin in self.attribute_rule.items():
            out[f"attribute_rule.{part}.weight"] = (lin.weight, False)
        return out

    def prepare(self, kb: KnowledgeBase) -> Data:
        s, r, o = torch.from_numpy(ternary_facts(kb)).T
        return Data(
            num_nodes=len(kb.entities),
            subject_edges=torch.stack([o, s]),
            object_edges=torch.stack([s, o]),
            edge_type=r,
            queries=torch.from_numpy(kb.queries),
            entity_onehot=torch.eye(len(kb.entities), dtype=self.dtype),
            relation_onehot=torch.eye(len(kb.relations), dtype=self.dtype),
        )

    def forward(self, data: Data) -> torch.Tensor:
        ent = self.act(self.entity(data.entity_onehot))
        rel = self.act(self.relation(data.relation_onehot))
        subj = self.roles["subject"](ent, rel, data.subject_edges, data.edge_type)
        obj = self.roles["object"](ent, rel, data.object_edges, data.edge_type)
        q = data.queries
        out = ent.new_empty(len(q))
        ternary = q[:, 2] >= 0
        qs, qr, qo = q[ternary].T
        rule = self.act(
            self.predict_rule["subject"](subj[qs])
            + self.predict_rule["object"](obj[qo])
            + self.predict_rule["relation"](rel[qr])
        )
        out = out.index_put((ternary.nonzero().squeeze(1),), torch.sigmoid(self.predict(rule)).squeeze(1))
        if (~ternary).any():
            qn, qa = q[~ternary, 0], q[~ternary, 1]
            rule = self.act(self.attribute_rule["entity"](ent[qn]) + self.attribute_rule["attribute"](rel[qa]))
            out = out.index_put(((~ternary).nonzero().squeeze(1),), torch.sigmoid(self.attribute(rule)).squeeze(1))
        return out
