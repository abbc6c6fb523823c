"""The models as NeuraLogic templates (its text syntax), weights named after the canonical ones.

Every learnable weight carries a name, ``$conv1__weight={10,7}``, made from its canonical name
(``conv1.weight``; a column ``i`` of an embedding matrix is ``atom_embed__weight__i``), so that the
same weights can be written into both engines. Activations and aggregations are stated on every
rule and predicate, as in the templates of GustikS/NeuraLifting and GustikS/GNNwLRNNs:

- a rule's ``transformation`` acts on the weighted sum of one grounding's body,
  its ``aggregation`` over the groundings that share a head;
- a predicate's ``transformation`` acts on its atom neuron: the sum of its rules' aggregations
  plus its offset (``pred/1 $bias={d,1}``). NeuraLogic applies an offset only to an atom whose
  rules carry a head weight, so a biased layer puts its matrix on the head.

Graph edges enter as ``*edge(Y, X)``: a starred body literal grounds the rule but adds no neuron
and no term, so a message is ``W h(y)``. (An unstarred ``edge`` would add its value, 1, to every
message; ``<0> edge`` would cancel that but count a fact neuron per edge.) ``h0`` is a fact whose
value is the one-hot atom type.
"""

from __future__ import annotations

from gnnlift.templates.dims import Dims

SUPPORTED = ("gcn", "sage", "gin", "gnn_embed", "kbe")
UNSUPPORTED = {
    "graphlet": (
        "graphlet's path rule multiplies five embeddings into their outer product (NeuraLifting's "
        "crossproduct activation); NeuraLogic 0.9.2 has no such function (its combinations are sum, "
        "average, max, min, product, element product, cross sum, concat, softmax, cosine)"
    )
}


def weight(name: str, shape: tuple[int, ...], column: int | None = None) -> str:
    """``$name={shape}``: a named learnable weight of the template."""
    label = name.replace(".", "__") + ("" if column is None else f"__{column}")
    return f"${label}={{{','.join(str(s) for s in shape)}}}"


def canonical_of(label: str) -> tuple[str, int | None]:
    """The canonical name (and column, for one column of a matrix) behind a template weight's name."""
    base, _, last = label.rpartition("__")
    if base and last.isdigit():
        return base.replace("__", "."), int(last)
    return label.replace("__", "."), None


def rule_meta(transformation: str, aggregation: str | None = None) -> str:
    parts = [f"transformation={transformation}"] + ([f"aggregation={aggregation}"] if aggregation else [])
    return f"[{', '.join(parts)}]"


def _activation(name: str) -> str:
    """Our activation names as NeuraLogic's."""
    return {"identity": "identity", "relu": "relu", "sigmoid": "sigmoid", "tanh": "tanh"}[name]


def template(model: str, cfg, dims: Dims) -> str:
    """The NeuraLogic template text of ``model`` configured by ``cfg``."""
    if model in UNSUPPORTED:
        raise ValueError(f"variant=neuralogic cannot express {model}: {UNSUPPORTED[model]}")
    builders = {"gcn": _gnn, "sage": _gnn, "gin": _gnn, "gnn_embed": _gnn_embed, "kbe": _kbe}
    if model not in builders:
        raise ValueError(f"variant=neuralogic has no template for model {model!r}")
    return "\n".join(builders[model](cfg, dims)) + "\n"


def _gnn(cfg, dims: Dims) -> list[str]:
    """gcn, sage, gin: ``h<l>(X)`` per layer, read out into ``predict``."""
    lines = []
    neigh = cfg.aggregation if cfg.aggregation == "sum" else "avg"
    message, plain = rule_meta("identity", neigh), rule_meta("identity")
    for layer in range(1, cfg.layers + 1):
        d_in = dims.node_types if layer == 1 else cfg.hidden
        h, prev, conv, act = f"h{layer}", f"h{layer - 1}", f"conv{layer}", _activation(cfg.layer_activation(layer))
        shape = (cfg.hidden, d_in)
        if cfg.kind == "gcn":
            lines.append(f"{h}(X) :- {weight(f'{conv}.weight', shape)} {prev}(Y), *edge(Y, X). {message}")
        elif cfg.kind == "sage":
            lines.append(f"{h}(X) :- {weight(f'{conv}.self.weight', shape)} {prev}(X). {plain}")
            lines.append(f"{h}(X) :- {weight(f'{conv}.neigh.weight', shape)} {prev}(Y), *edge(Y, X). {message}")
        else:
            total, hidden, square = f"sum{layer}", f"mlp{layer}", (cfg.hidden, cfg.hidden)
            lines += [
                f"{total}(X) :- {prev}(X). {plain}",
                f"{total}(X) :- {prev}(Y), *edge(Y, X). {message}",
                f"{total}/1 [transformation=identity]",
                f"{weight(f'{conv}.mlp1.weight', shape)} {hidden}(X) :- {total}(X). {plain}",
                f"{hidden}/1 {weight(f'{conv}.mlp1.bias', (cfg.hidden, 1))}",
                f"{hidden}/1 [transformation=relu]",
                f"{weight(f'{conv}.mlp2.weight', square)} {h}(X) :- {hidden}(X). {plain}",
                f"{h}/1 {weight(f'{conv}.mlp2.bias', (cfg.hidden, 1))}",
            ]
        lines.append(f"{h}/1 [transformation={act}]")
    readout = "avg" if cfg.readout == "mean" else "sum"
    for layer in cfg.readout_layers():
        score = weight(f"readout{layer}.weight", (1, cfg.hidden))
        lines.append(f"predict :- {score} h{layer}(X). {rule_meta('identity', readout)}")
    lines.append(f"predict/0 [transformation={_activation(cfg.output_activation)}]")
    return lines


def _gnn_embed(cfg, dims: Dims) -> list[str]:
    """NeuraLifting's ``GNN_template_embeddings``: atom types ``at<i>(A)``, bond types ``bt<i>(B)``."""
    d, act = cfg.dim, _activation(cfg.activation)
    lines = [
        f"{weight('atom_embed.weight', (d, 1), i)} atom_embed(A) :- at{i}(A). {rule_meta('identity')}"
        for i in range(dims.node_types)
    ]
    lines += [f"atom_embed/1 {weight('atom_embed.bias', (d, 1))}", f"atom_embed/1 [transformation={act}]"]
    lines += [
        f"{weight('bond_embed.weight', (d, 1), i)} bond_embed(B) :- bt{i}(B). {rule_meta('identity')}"
        for i in range(dims.edge_types)
    ]
    lines.append(f"bond_embed/1 [transformation={act}]")
    for head, rule, source, body_var in (
        ("l1_embed(X)", "l1", "atom_embed", "Y"),
        ("predict", "predict_rule", "l1_embed", "Y"),
    ):
        head_weight = f"{weight('predict.weight', (1, d))} " if head == "predict" else ""
        lines.append(
            f"{head_weight}{head} :- {weight(f'{rule}.in.weight', (d, d))} {source}({body_var}), "
            f"{weight(f'{rule}.bond_fact', (d,))} bond(X, Y, B), "
            f"{weight(f'{rule}.bond.weight', (d, d))} bond_embed(B). {rule_meta(act, 'avg')}"
        )
    lines += ["l1_embed/1 [transformation=" + act + "]"]
    lines += [f"predict/0 {weight('predict.bias', (1,))}", "predict/0 [transformation=sigmoid]"]
    return lines


def _kbe(cfg, dims: Dims) -> list[str]:
    """NeuraLifting's KB ``template_embeddings``: constants ``e<i>``, relations ``r<i>``, facts ``r(R, S, O)``."""
    d, act = cfg.dim, _activation(cfg.activation)
    lines = [
        f"{weight('entity_embed.weight', (d,), i)} ent(e{i}) :- entity(e{i}). {rule_meta('identity')}"
        for i in range(dims.entities)
    ]
    lines += [
        f"{weight('relation_embed.weight', (d,), i)} rel(r{i}) :- relation(r{i}). {rule_meta('identity')}"
        for i in range(dims.relations)
    ]
    lines += [f"ent/1 [transformation={act}]", f"rel/1 [transformation={act}]"]
    for role, head, other in (("subject", "X", "Y"), ("object", "Y", "X")):
        atom = f"{role}_embed"
        lines.append(
            f"{atom}({head}) :- {weight(f'{role}_rule.relation.weight', (d, d))} rel(R), "
            f"{weight(f'{role}_rule.entity.weight', (d, d))} ent({other}), "
            f"{weight(f'{role}_rule.fact', (d,))} r(R, X, Y). {rule_meta(act, 'avg')}"
        )
        if cfg.self_rule:
            lines.append(f"{atom}({head}) :- {weight(f'{role}_self.weight', (d, d))} ent({head}). {rule_meta(act)}")
        lines.append(f"{atom}/1 [transformation={act}]")
    lines += [
        f"{weight('predict.weight', (1, d))} predict(X, R, Y) :- "
        f"{weight('predict_rule.subject.weight', (d, d))} subject_embed(X), "
        f"{weight('predict_rule.object.weight', (d, d))} object_embed(Y), "
        f"{weight('predict_rule.relation.weight', (d, d))} rel(R). {rule_meta(act)}",
        "predict/3 [transformation=sigmoid]",
        f"{weight('attribute.weight', (1, d))} predict(X, A) :- "
        f"{weight('attribute_rule.entity.weight', (d, d))} ent(X), "
        f"{weight('attribute_rule.attribute.weight', (d, d))} rel(A). {rule_meta(act)}",
        "predict/2 [transformation=sigmoid]",
    ]
    return lines
