"""The NeuraLifting molecule templates: ``gnn_embed`` and the path template ``graphlet``.

Both follow GustikS/NeuraLifting ``templates/molecules`` with the engine's settings of those
runs: sigmoid atom and rule neurons, average aggregation over a rule's groundings.

gnn_embed (``GNN_template_embeddings``), with atom types t(·) and bond types τ(·)::

    atom(a)  = σ(E_atom[t(a)] + b_atom)            {3,1} atom_embed(A) :- <type>(A).  atom_embed/1 {3,1}
    bond(β)  = σ(E_bond[τ(β)])                     {3,1} bond_embed(B) :- <btype>(B).
    l1(x)    = σ( mean over bond(x,y,β) of σ(W1 atom(y) + w1 + V1 bond(β)) )
    predict  = σ( w_out · mean over bond(x,y,β) of σ(W2 l1(y) + w2 + V2 bond(β)) + b_out )

(``w1``, ``w2`` are the ``{3}`` weights of the ``bond`` fact, whose value is 1.)

graphlet (``LRNN_template_embeddings``): every path a –β– b –γ– c of two bonds (c = a allowed)
is one rule neuron. Its ``crossproduct-sigmoid`` activation is read as the sigmoid of the
flattened outer product of the five embeddings (3^5 = 243 values), scaled by the rule's
constant literal ``<-7>``::

    bond(β)  = σ(E_bond[τ(β)] + b_bond)            bond_embed/1 {3,1}
    path     = σ( -7 · atom(a) ⊗ bond(β) ⊗ atom(b) ⊗ bond(γ) ⊗ atom(c) )
    predict  = σ( w_out · mean over paths of path + b_out )      {1,243} predict, predict/0 {1}

Bonds are entities: one ``bond_embed`` neuron per undirected bond, shared by both directions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch

from gnnlift.data.types import GraphSet
from gnnlift.engine.graph import CompGraph, Inputs, Level
from gnnlift.templates.common import edge_graph, mean_coefficients, one_hot, undirected_edge_ids
from gnnlift.templates.dims import Dims

KINDS = ("gnn_embed", "graphlet")


@dataclass(frozen=True)
class MoleculeConfig:
    kind: str = "gnn_embed"
    dim: int = 3  # embedding dimension
    activation: str = "sigmoid"  # atom and rule neurons
    path_scale: float = -7.0  # graphlet: the constant literal of the path rule

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown model kind {self.kind!r}; expected one of {', '.join(KINDS)}")
        if self.dim < 1:
            raise ValueError("dim must be positive")


# config/model/<kind>.yaml states the same settings (tests/test_model_presets.py checks they agree).
PRESETS = {"gnn_embed": MoleculeConfig("gnn_embed"), "graphlet": MoleculeConfig("graphlet")}


def preset(kind: str, **overrides) -> MoleculeConfig:
    return replace(PRESETS[kind], **overrides)


def parameter_shapes(cfg: MoleculeConfig, dims: Dims) -> dict[str, tuple[int, ...]]:
    d = cfg.dim
    shapes = {
        "atom_embed.weight": (d, dims.node_types),
        "atom_embed.bias": (d,),
        "bond_embed.weight": (d, dims.edge_types),
    }
    if cfg.kind == "gnn_embed":
        for rule in ("l1", "predict_rule"):
            shapes[f"{rule}.in.weight"] = (d, d)
            shapes[f"{rule}.bond_fact"] = (d,)
            shapes[f"{rule}.bond.weight"] = (d, d)
        shapes["predict.weight"] = (1, d)
    else:
        shapes["bond_embed.bias"] = (d,)
        shapes["predict.weight"] = (1, d**5)
    shapes["predict.bias"] = (1,)
    return shapes


def ground(cfg: MoleculeConfig, graphs: GraphSet) -> CompGraph:
    """The computation graph of all ``graphs`` at once, vectorised; values in float64."""
    n, act = graphs.num_nodes, cfg.activation
    src, dst = (torch.from_numpy(a) for a in graphs.edge_index)
    bond_of_edge, n_bonds = undirected_edge_ids(graphs)
    bond_labels = np.zeros(n_bonds, dtype=np.int64)
    bond_labels[bond_of_edge] = graphs.edge_labels
    edge_owner = torch.from_numpy(edge_graph(graphs))
    node_owner = torch.from_numpy(graphs.graph_of_node())
    bond_owner = torch.zeros(n_bonds, dtype=torch.long)
    bond_of_edge = torch.from_numpy(bond_of_edge)
    bond_owner[bond_of_edge] = edge_owner
    levels: list[Level] = []

    def add(name: str, size: int, inputs: list[Inputs], owner, roles=("atom",), bias=None, activation=act, **kw) -> int:
        levels.append(Level(name, size, inputs, bias, activation, roles=roles, owner=owner, **kw))
        return len(levels) - 1

    def edge_rule(prefix: str, source: int) -> int:
        """One rule neuron per directed bond (x, y, β): act(W in(y) + w_bond + V bond(β))."""
        inputs = [
            Inputs(source, f"{prefix}.in.weight", None, src),
            Inputs(bond, f"{prefix}.bond.weight", None, bond_of_edge),
        ]
        return add(f"{prefix}.rule", len(src), inputs, edge_owner, roles=("rule",), bias=f"{prefix}.bond_fact")

    atom_values, bond_values = (
        one_hot(graphs.node_labels, len(graphs.node_vocab)),
        one_hot(bond_labels, len(graphs.edge_vocab)),
    )
    levels.append(Level("atom_facts", n, values=atom_values, roles=("fact",), owner=node_owner))
    levels.append(Level("bond_facts", n_bonds, values=bond_values, roles=("fact",), owner=bond_owner))
    # embed(A) :- <type>(A): one ground rule, its aggregation and the atom neuron, per atom (bond)
    atom = add(
        "atom_embed",
        n,
        [Inputs(0, "atom_embed.weight", None, None, rules=True, aggregation=True)],
        node_owner,
        bias="atom_embed.bias",
    )
    bond = add(
        "bond_embed",
        n_bonds,
        [Inputs(1, "bond_embed.weight", None, None, rules=True, aggregation=True)],
        bond_owner,
        bias="bond_embed.bias" if cfg.kind == "graphlet" else None,
    )

    if cfg.kind == "gnn_embed":
        rules = edge_rule("l1", atom)
        l1 = add(
            "l1",
            n,
            [Inputs(rules, None, dst, torch.arange(len(src)), mean_coefficients(dst, n), aggregation=True)],
            node_owner,
        )
        rule_level, rule_graph = edge_rule("predict_rule", l1), edge_owner
    else:
        first, second = (torch.from_numpy(a) for a in paths_of_length_two(graphs))
        ends = [
            (atom, src[first]),
            (bond, bond_of_edge[first]),
            (atom, dst[first]),
            (bond, bond_of_edge[second]),
            (atom, dst[second]),
        ]
        rule_level = add(
            "path.rule",
            len(first),
            [Inputs(lv, None, None, idx) for lv, idx in ends],
            edge_owner[first],
            roles=("rule",),
            operation="outer",
            scale=cfg.path_scale,
        )
        rule_graph = edge_owner[first]

    g = graphs.num_graphs
    readout = Inputs(
        rule_level,
        "predict.weight",
        rule_graph,
        torch.arange(len(rule_graph)),
        mean_coefficients(rule_graph, g),
        aggregation=True,
        transform_first=False,  # pool, then score: as global_mean_pool + Linear
    )
    out = add("predict", g, [readout], torch.arange(g), bias="predict.bias", activation="sigmoid")
    # The bond(x, y, β) facts, one per directed bond, enter as a rule's weighted constant: counted, not executed.
    return CompGraph(levels, out, torch.arange(g), implicit_facts=len(src))


def paths_of_length_two(graphs: GraphSet) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of directed edges (a→b, b→c): every walk of two bonds, back-tracking included."""
    src, dst = graphs.edge_index
    order = np.argsort(src, kind="stable")
    out_degree = np.bincount(src, minlength=graphs.num_nodes)
    start = np.concatenate([[0], np.cumsum(out_degree)[:-1]])
    counts = out_degree[dst]
    first = np.repeat(np.arange(len(src)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    second = order[np.repeat(start[dst], counts) + offsets]
    return first.astype(np.int64), second.astype(np.int64)
