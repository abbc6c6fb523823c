"""GCN, GraphSAGE and GIN as in GustikS/GNNwLRNNs, grounded into computation graphs.

The math every variant computes (no biases except inside GIN's MLPs, as in the paper's code):

- gcn:  h_l(x) = act_l( W_l · AGG_{y in N(x)} h_{l-1}(y) )
- sage: h_l(x) = act_l( W_l^self · h_{l-1}(x) + W_l^neigh · AGG_{y in N(x)} h_{l-1}(y) )
- gin:  h_l(x) = act_l( MLP_l( h_{l-1}(x) + AGG_{y in N(x)} h_{l-1}(y) ) ),  MLP = Lin-ReLU-Lin
- out = sigmoid( sum over readout layers r of  w_r · READOUT_x h_r(x) )

``h_0`` is the one-hot atom type. GCN and SAGE read out their last layer; GIN (``jumping``)
reads out every layer and sums the scores.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch

from gnnlift.data.types import GraphSet
from gnnlift.engine.graph import CompGraph, Inputs, Level
from gnnlift.templates.common import mean_coefficients, one_hot
from gnnlift.templates.dims import Dims

AGGREGATIONS = ("sum", "mean")
KINDS = ("gcn", "sage", "gin")


@dataclass(frozen=True)
class GNNConfig:
    """Hyperparameters of a message-passing model; every field can be overridden."""

    kind: str = "gcn"
    layers: int = 2
    hidden: int = 10
    aggregation: str = "sum"  # neighbour aggregation
    activation: str = "relu"  # after every layer but the last
    last_activation: str = "identity"  # after the last layer
    readout: str = "mean"  # mean | sum over the nodes of a graph
    jumping: bool = False  # read out every layer and sum the scores (GIN)
    output_activation: str = "sigmoid"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown model kind {self.kind!r}; expected one of {', '.join(KINDS)}")
        for value in (self.aggregation, self.readout):
            if value not in AGGREGATIONS:
                raise ValueError(f"unknown aggregation {value!r}; expected one of {', '.join(AGGREGATIONS)}")
        if self.layers < 1 or self.hidden < 1:
            raise ValueError("layers and hidden must be positive")

    def layer_activation(self, layer: int) -> str:
        return self.last_activation if layer == self.layers else self.activation

    def readout_layers(self) -> list[int]:
        return list(range(1, self.layers + 1)) if self.jumping else [self.layers]


# config/model/<kind>.yaml states the same settings (tests/test_model_presets.py checks they agree).
PRESETS = {
    "gcn": GNNConfig("gcn", layers=2, aggregation="sum"),
    "sage": GNNConfig("sage", layers=2, aggregation="mean"),
    "gin": GNNConfig("gin", layers=5, aggregation="sum", last_activation="relu", jumping=True),
}


def preset(kind: str, **overrides) -> GNNConfig:
    """The paper's configuration of ``kind`` with ``overrides`` applied."""
    return replace(PRESETS[kind], **overrides)


def parameter_shapes(cfg: GNNConfig, dims: Dims) -> dict[str, tuple[int, ...]]:
    """Canonical parameter names and shapes (``(out, in)`` like ``torch.nn.Linear``)."""
    in_dim = dims.node_types
    shapes: dict[str, tuple[int, ...]] = {}
    for layer in range(1, cfg.layers + 1):
        d_in = in_dim if layer == 1 else cfg.hidden
        if cfg.kind == "gcn":
            shapes[f"conv{layer}.weight"] = (cfg.hidden, d_in)
        elif cfg.kind == "sage":
            shapes[f"conv{layer}.self.weight"] = (cfg.hidden, d_in)
            shapes[f"conv{layer}.neigh.weight"] = (cfg.hidden, d_in)
        else:
            shapes[f"conv{layer}.mlp1.weight"] = (cfg.hidden, d_in)
            shapes[f"conv{layer}.mlp1.bias"] = (cfg.hidden,)
            shapes[f"conv{layer}.mlp2.weight"] = (cfg.hidden, cfg.hidden)
            shapes[f"conv{layer}.mlp2.bias"] = (cfg.hidden,)
    for layer in cfg.readout_layers():
        shapes[f"readout{layer}.weight"] = (1, cfg.hidden)
    return shapes


def ground(cfg: GNNConfig, graphs: GraphSet) -> CompGraph:
    """The computation graph of all ``graphs`` at once (their disjoint union), vectorised.

    Values and coefficients are built in float64; ``CompGraph.to`` casts them down. For counting
    in the paper's sense, each message edge and each self input is a ground rule neuron, and
    each rule has an aggregation neuron per head (GNNwLRNNs ``templates/*.txt``).
    """
    n = graphs.num_nodes
    src, dst = (torch.from_numpy(a) for a in graphs.edge_index)
    neigh_coef = mean_coefficients(dst, n) if cfg.aggregation == "mean" else None

    def neighbours(source: int, weight: str | None) -> Inputs:
        return Inputs(source, weight, dst, src, neigh_coef, rules=True, aggregation=True)

    def itself(source: int, weight: str | None) -> Inputs:
        return Inputs(source, weight, None, None, rules=True, aggregation=True)

    node_owner = torch.from_numpy(graphs.graph_of_node())
    facts = one_hot(graphs.node_labels, len(graphs.node_vocab))
    levels = [Level("atom_facts", n, values=facts, roles=("fact",), owner=node_owner)]
    conv_level: dict[int, int] = {}
    for layer in range(1, cfg.layers + 1):
        prev, act, name = len(levels) - 1, cfg.layer_activation(layer), f"conv{layer}"
        if cfg.kind == "gcn":
            levels.append(Level(name, n, [neighbours(prev, f"{name}.weight")], activation=act, owner=node_owner))
        elif cfg.kind == "sage":
            inputs = [itself(prev, f"{name}.self.weight"), neighbours(prev, f"{name}.neigh.weight")]
            levels.append(Level(name, n, inputs, activation=act, owner=node_owner))
        else:
            levels.append(Level(f"{name}.sum", n, [itself(prev, None), neighbours(prev, None)], owner=node_owner))
            mlp_in = Inputs(len(levels) - 1, f"{name}.mlp1.weight", None, None)
            levels.append(
                Level(f"{name}.mlp1", n, [mlp_in], f"{name}.mlp1.bias", "relu", roles=("rule",), owner=node_owner)
            )
            mlp_out = Inputs(len(levels) - 1, f"{name}.mlp2.weight", None, None, aggregation=True)
            levels.append(Level(name, n, [mlp_out], f"{name}.mlp2.bias", act, owner=node_owner))
        conv_level[layer] = len(levels) - 1

    coef = mean_coefficients(node_owner, graphs.num_graphs) if cfg.readout == "mean" else None
    readout = [
        Inputs(
            conv_level[layer],
            f"readout{layer}.weight",
            node_owner,
            torch.arange(n),
            coef,
            rules=True,
            aggregation=True,
            transform_first=False,
        )
        for layer in cfg.readout_layers()
    ]
    outputs = torch.arange(graphs.num_graphs)
    levels.append(Level("predict", graphs.num_graphs, readout, activation=cfg.output_activation, owner=outputs))
    return CompGraph(levels, len(levels) - 1, torch.arange(graphs.num_graphs))
