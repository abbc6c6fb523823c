"""The NeuraLifting knowledge-base template ``kbe`` (``templates/kbs/*/template_embeddings``).

Learned embeddings of entities and relations; one message-passing layer into two role-specific
entity embeddings; one predict neuron per query. With σ for every atom and rule neuron and
means over a rule's groundings, for facts r(s, ρ, o)::

    ent(x)    = σ(E_ent[x])                          {3} embed_person(p) :- person(p).
    rel(ρ)    = σ(E_rel[ρ])                          {3} embed_rel(t) :- rel(t).
    subj(x)   = σ( mean over facts (x, ρ, o) of σ(A1 rel(ρ) + B1 ent(o) + c1) [+ σ(S1 ent(x))] )
    obj(o)    = σ( mean over facts (s, ρ, o) of σ(B2 ent(s) + A2 rel(ρ) + c2) [+ σ(S2 ent(o))] )
    q(x,ρ,o)  = σ( w · σ(C1 subj(x) + C2 obj(o) + C3 rel(ρ)) )          {1,3} predict(X,R,Y)

``subj``/``obj`` are ``embed_person1``/``embed_person2``; ``c1``, ``c2`` the ``{3}`` weights of the
fact ``r``. The bracketed self terms are UMLS's extra rules (``self_rule``). Nations also asks
attribute queries ``predict(n, a)`` answered by ``σ(w_a · σ(D1 ent(n) + D2 rel(a)))``; attribute
facts take no part in the message passing, whose rules match ternary facts only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch

from gnnlift.data.types import KnowledgeBase
from gnnlift.engine.graph import CompGraph, Inputs, Level
from gnnlift.templates.common import mean_coefficients, one_hot
from gnnlift.templates.dims import Dims


@dataclass(frozen=True)
class KBConfig:
    kind: str = "kbe"
    dim: int = 3
    activation: str = "sigmoid"
    self_rule: bool = False  # UMLS's embed_item1(X) :- embed_item(X) (and likewise for the object role)

    def __post_init__(self):
        if self.kind != "kbe":
            raise ValueError(f"unknown model kind {self.kind!r}; expected kbe")
        if self.dim < 1:
            raise ValueError("dim must be positive")


def preset(kind: str, **overrides) -> KBConfig:
    return replace(KBConfig(kind), **overrides)


def parameter_shapes(cfg: KBConfig, dims: Dims) -> dict[str, tuple[int, ...]]:
    d = cfg.dim
    shapes = {"entity_embed.weight": (d, dims.entities), "relation_embed.weight": (d, dims.relations)}
    for role in ("subject", "object"):
        shapes[f"{role}_rule.relation.weight"] = (d, d)
        shapes[f"{role}_rule.entity.weight"] = (d, d)
        shapes[f"{role}_rule.fact"] = (d,)
        if cfg.self_rule:
            shapes[f"{role}_self.weight"] = (d, d)
    for part in ("subject", "object", "relation"):
        shapes[f"predict_rule.{part}.weight"] = (d, d)
    shapes["predict.weight"] = (1, d)
    shapes["attribute_rule.entity.weight"] = (d, d)
    shapes["attribute_rule.attribute.weight"] = (d, d)
    shapes["attribute.weight"] = (1, d)
    return shapes


def ternary_facts(kb: KnowledgeBase) -> np.ndarray:
    """Facts r(s, ρ, o) with an object: the ones the embedding rules match."""
    facts = kb.facts if kb.facts is not None else kb.splits["train"]
    return facts[facts[:, 2] >= 0]


def ground(cfg: KBConfig, kb: KnowledgeBase) -> CompGraph:
    """The computation graph of all facts and of the knowledge base's queries."""
    act, n_ent, n_rel = cfg.activation, len(kb.entities), len(kb.relations)
    facts = torch.from_numpy(ternary_facts(kb))
    s, r, o = facts.T
    queries = torch.from_numpy(kb.queries)
    ternary = queries[:, 2] >= 0
    q3, q2 = torch.nonzero(ternary).squeeze(1), torch.nonzero(~ternary).squeeze(1)
    levels: list[Level] = []

    def add(name: str, size: int, inputs: list[Inputs], roles=("atom",), bias=None, activation=act) -> int:
        levels.append(Level(name, size, inputs, bias, activation, roles=roles))
        return len(levels) - 1

    def gather(source: int, weight: str | None, index) -> Inputs:
        return Inputs(source, weight, None, index)

    levels.append(Level("entity_facts", n_ent, values=one_hot(np.arange(n_ent), n_ent), roles=("fact",)))
    levels.append(Level("relation_facts", n_rel, values=one_hot(np.arange(n_rel), n_rel), roles=("fact",)))
    # embed(c) :- type(c): one ground rule, its aggregation and the atom neuron, per constant
    ent = add("entity_embed", n_ent, [Inputs(0, "entity_embed.weight", None, None, rules=True, aggregation=True)])
    rel = add("relation_embed", n_rel, [Inputs(1, "relation_embed.weight", None, None, rules=True, aggregation=True)])

    role_level = {}
    for role, head, other in (("subject", s, o), ("object", o, s)):
        rule = add(
            f"{role}_rule",
            len(facts),
            [gather(rel, f"{role}_rule.relation.weight", r), gather(ent, f"{role}_rule.entity.weight", other)],
            roles=("rule",),
            bias=f"{role}_rule.fact",
        )
        inputs = [Inputs(rule, None, head, torch.arange(len(facts)), mean_coefficients(head, n_ent), aggregation=True)]
        if cfg.self_rule:
            self_rule = add(f"{role}_self", n_ent, [Inputs(ent, f"{role}_self.weight", None, None)], roles=("rule",))
            inputs.append(Inputs(self_rule, None, None, None, aggregation=True))
        role_level[role] = add(f"{role}_embed", n_ent, inputs)

    qs, qr, qo = queries[q3].T
    rule = add(
        "predict_rule",
        len(q3),
        [
            gather(role_level["subject"], "predict_rule.subject.weight", qs),
            gather(role_level["object"], "predict_rule.object.weight", qo),
            gather(rel, "predict_rule.relation.weight", qr),
        ],
        roles=("rule",),
    )
    predict = add(
        "predict", len(q3), [Inputs(rule, "predict.weight", None, None, aggregation=True)], activation="sigmoid"
    )
    routes = [Inputs(predict, None, q3, torch.arange(len(q3)))]
    if len(q2):
        rule = add(
            "attribute_rule",
            len(q2),
            [
                gather(ent, "attribute_rule.entity.weight", queries[q2, 0]),
                gather(rel, "attribute_rule.attribute.weight", queries[q2, 1]),
            ],
            roles=("rule",),
        )
        attribute = add(
            "attribute", len(q2), [Inputs(rule, "attribute.weight", None, None, aggregation=True)], activation="sigmoid"
        )
        routes.append(Inputs(attribute, None, q2, torch.arange(len(q2))))
    # Both kinds of query back in query order: a gather, not a neuron of the model.
    out = add("queries", len(queries), routes, roles=(), activation="identity")
    # Each fact r(s, ρ, o) is a fact neuron entering both role rules as a weighted constant.
    return CompGraph(levels, out, torch.arange(len(queries)), implicit_facts=len(facts))
