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
    act, n_ent, n_rel = cfg.activation, len(kb.entities), len(kb.relations)
    facts = torch.from_numpy(ternary_facts(kb))
    s, r, o = facts.T
    queries = torch.from_numpy(kb.queries)
    ternary = queries[:, 2] >= 0
    q3, q2 = torch.nonzero(ternary).squeeze(1), torch.nonzero(~ternary).squeeze(1)
    levels = [
        Level("entity_facts", n_ent, values=one_hot(np.arange(n_ent), n_ent)),
        Level("relation_facts", n_rel, values=one_hot(np.arange(n_rel), n_rel)),
        Level("entity_embed", n_ent, [Inputs(0, "entity_embed.weight", None, None)], activation=act),
        Level("relation_embed", n_rel, [Inputs(1, "relation_embed.weight", None, None)], activation=act),
    ]
    ent, rel = 2, 3
    roles = {}
    for role, head, other in (("subject", s, o), ("object", o, s)):
        levels.append(
            Level(
                f"{role}_rule",
                len(facts),
                [
                    Inputs(rel, f"{role}_rule.relation.weight", None, r),
                    Inputs(ent, f"{role}_rule.entity.weight", None, other),
                ],
                f"{role}_rule.fact",
                act,
            )
        )
        inputs = [Inputs(len(levels) - 1, None, head, torch.arange(len(facts)), mean_coefficients(head, n_ent))]
        if cfg.self_rule:
            levels.append(
                Level(f"{role}_self", n_ent, [Inputs(ent, f"{role}_self.weight", None, None)], activation=act)
            )
            inputs.append(Inputs(len(levels) - 1, None, None, None))
        levels.append(Level(f"{role}_embed", n_ent, inputs, activation=act))
        roles[role] = len(levels) - 1

    qs, qr, qo = queries[q3].T
    levels.append(
        Level(
            "predict_rule",
            len(q3),
            [
                Inputs(roles["subject"], "predict_rule.subject.weight", None, qs),
                Inputs(roles["object"], "predict_rule.object.weight", None, qo),
                Inputs(rel, "predict_rule.relation.weight", None, qr),
            ],
            activation=act,
        )
    )
    levels.append(
        Level("predict", len(q3), [Inputs(len(levels) - 1, "predict.weight", None, None)], activation="sigmoid")
    )
    gather = [Inputs(len(levels) - 1, None, q3, torch.arange(len(q3)))]
    if len(q2):
        an, aa = queries[q2, 0], queries[q2, 1]
        levels.append(
            Level(
                "attribute_rule",
                len(q2),
                [
                    Inputs(ent, "attribute_rule.entity.weight", None, an),
                    Inputs(rel, "attribute_rule.attribute.weight", None, aa),
                ],
                activation=act,
            )
        )
        levels.append(
            Level("attribute", len(q2), [Inputs(len(levels) - 1, "attribute.weight", None, None)], activation="sigmoid")
        )
        gather.append(Inputs(len(levels) - 1, None, q2, torch.arange(len(q2))))
    # Route both kinds of query back into query order (a gather, not a neuron of the model).
    levels.append(Level("queries", len(queries), gather))
    return CompGraph(levels, len(levels) - 1, torch.arange(len(queries)))
