"""kbe in DGL: relation-aware messages with ``apply_edges`` and a mean ``update_all``."""

from __future__ import annotations

import dgl
import dgl.function as fn
import torch
from torch import nn

from gnnlift.data.types import KnowledgeBase
from gnnlift.modelspec import ACTIVATIONS
from gnnlift.templates.dims import Dims
from gnnlift.templates.kb import KBConfig, ternary_facts
from gnnlift.variants.base import Variant


class DglKB(Variant):
    name = "dgl"

    def __init__(self, cfg: KBConfig, dims: Dims, dtype: torch.dtype = torch.float32):
        super().__init__()
        self.cfg, self.dtype, d = cfg, dtype, cfg.dim
        self.act = ACTIVATIONS[cfg.activation]
        self.entity = nn.Parameter(torch.empty(d, dims.entities))
        self.relation = nn.Parameter(torch.empty(d, dims.relations))
        names = ["relation", "entity"] + (["self"] if cfg.self_rule else [])
        self.role_weights = nn.ParameterDict(
            {f"{role}_{n}": nn.Parameter(torch.empty(d, d)) for role in ("subject", "object") for n in names}
        )
        self.role_facts = nn.ParameterDict({role: nn.Parameter(torch.empty(d)) for role in ("subject", "object")})
        self.query_weights = nn.ParameterDict(
            {
                "predict_subject": nn.Parameter(torch.empty(d, d)),
                "predict_object": nn.Parameter(torch.empty(d, d)),
                "predict_relation": nn.Parameter(torch.empty(d, d)),
                "predict": nn.Parameter(torch.empty(1, d)),
                "attribute_entity": nn.Parameter(torch.empty(d, d)),
                "attribute_attribute": nn.Parameter(torch.empty(d, d)),
                "attribute": nn.Parameter(torch.empty(1, d)),
            }
        )
        self.to(dtype)

    def canonical(self):
        out = {"entity_embed.weight": (self.entity, False), "relation_embed.weight": (self.relation, False)}
        for key, param in self.role_weights.items():
            role, part = key.split("_", 1)
            name = f"{role}_self.weight" if part == "self" else f"{role}_rule.{part}.weight"
            out[name] = (param, False)
        for role, param in self.role_facts.items():
            out[f"{role}_rule.fact"] = (param, False)
        q = self.query_weights
        out.update(
            {
                "predict_rule.subject.weight": (q["predict_subject"], False),
                "predict_rule.object.weight": (q["predict_object"], False),
                "predict_rule.relation.weight": (q["predict_relation"], False),
                "predict.weight": (q["predict"], False),
                "attribute_rule.entity.weight": (q["attribute_entity"], False),
                "attribute_rule.attribute.weight": (q["attribute_attribute"], False),
                "attribute.weight": (q["attribute"], False),
            }
        )
        return out

    def prepare(self, kb: KnowledgeBase):
        s, r, o = torch.from_numpy(ternary_facts(kb)).T
        graph = dgl.graph((s, o), num_nodes=len(kb.entities))  # fact r(s, ρ, o) as the edge s -> o
        graph.edata["rel"] = r
        return graph, torch.from_numpy(kb.queries)

    def _role(self, graph, ent, rel, role: str, message_from: str) -> torch.Tensor:
        w, act = self.role_weights, self.act

        def rule(edges):
            other = edges.dst["ent"] if message_from == "dst" else edges.src["ent"]
            value = rel[edges.data["rel"]] @ w[f"{role}_relation"].T + other @ w[f"{role}_entity"].T
            return {"m": act(value + self.role_facts[role])}

        with graph.local_scope():
            graph.ndata["ent"] = ent
            graph.apply_edges(rule)
            if message_from == "dst":  # subject role: facts aggregate at their subject, the edge's source
                graph = dgl.reverse(graph, copy_edata=True)
            graph.update_all(fn.copy_e("m", "m"), fn.mean("m", "h"))
            out = graph.ndata["h"]
        if self.cfg.self_rule:
            out = out + act(ent @ w[f"{role}_self"].T)
        return act(out)

    def forward(self, batch) -> torch.Tensor:
        graph, q = batch
        act, w = self.act, self.query_weights
        ent, rel = act(self.entity.T), act(self.relation.T)
        subj = self._role(graph, ent, rel, "subject", message_from="dst")
        obj = self._role(graph, ent, rel, "object", message_from="src")
        ternary = q[:, 2] >= 0
        qs, qr, qo = q[ternary].T
        rule = act(
            subj[qs] @ w["predict_subject"].T + obj[qo] @ w["predict_object"].T + rel[qr] @ w["predict_relation"].T
        )
        out = ent.new_empty(len(q)).index_put(
            (ternary.nonzero().squeeze(1),), torch.sigmoid(rule @ w["predict"].T).squeeze(1)
        )
        if (~ternary).any():
            qn, qa = q[~ternary, 0], q[~ternary, 1]
            rule = act(ent[qn] @ w["attribute_entity"].T + rel[qa] @ w["attribute_attribute"].T)
            idx = (~ternary).nonzero().squeeze(1)
            out = out.index_put((idx,), torch.sigmoid(rule @ w["attribute"].T).squeeze(1))
        return out
