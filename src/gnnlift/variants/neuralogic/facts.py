"""Datasets as NeuraLogic examples and queries, in the vocabulary of :mod:`.templates`.

- gcn, sage, gin: per graph, ``h0(a<i>)`` valued with the one-hot atom type and ``edge(a<i>, a<j>)``
  for every directed edge; the query ``predict`` valued with the label.
- gnn_embed: per graph, ``at<t>(a<i>)`` per atom, ``bt<t>(b<i>_<j>)`` per bond and
  ``bond(a<i>, a<j>, b<i>_<j>)`` per direction; the query ``predict``.
- kbe: one example holding ``entity(e<i>)``, ``relation(r<k>)`` and ``r(r<k>, e<s>, e<o>)`` per
  ternary fact; a query ``predict(e<s>, r<k>, e<o>)`` (or ``predict(e<n>, r<a>)`` for an attribute)
  valued with its label.
"""

from __future__ import annotations

import numpy as np

from gnnlift.data.types import GraphSet, KnowledgeBase
from gnnlift.templates.kb import ternary_facts


def isolated_nodes(graphs: GraphSet) -> tuple[int, int]:
    """(nodes without an edge, graphs holding one)."""
    lonely = np.bincount(graphs.edge_index[0], minlength=graphs.num_nodes) == 0
    return int(lonely.sum()), len(np.unique(graphs.graph_of_node()[lonely]))


def graph_dataset(model: str, graphs: GraphSet):
    """One NeuraLogic sample per graph, in graph order.

    NeuraLogic builds a neuron only for an atom some rule grounds: a node without edges would be
    left out of every readout, where the other variants average over all nodes. Such data is refused.
    """
    nodes, holders = isolated_nodes(graphs)
    if nodes:
        raise ValueError(
            f"variant=neuralogic: {graphs.name} has {nodes} nodes without edges in {holders} graphs; NeuraLogic "
            "builds no neuron for them, so its readouts would compute another function than the other variants'"
        )
    from neuralogic.core import R
    from neuralogic.dataset import Dataset

    out = Dataset()
    src, dst = graphs.edge_index
    node_labels, edge_labels = graphs.node_labels.tolist(), graphs.edge_labels.tolist()
    src_l, dst_l = src.tolist(), dst.tolist()
    width = len(graphs.node_vocab)
    one_hot = [[1.0 if k == t else 0.0 for k in range(width)] for t in range(width)]
    edge, bond = R.edge, R.bond
    for g in range(graphs.num_graphs):
        nodes = range(int(graphs.node_ptr[g]), int(graphs.node_ptr[g + 1]))
        edges = range(int(graphs.edge_ptr[g]), int(graphs.edge_ptr[g + 1]))
        if model == "gnn_embed":
            facts = [R.get(f"at{node_labels[a]}")(f"a{a}") for a in nodes]
            for e in edges:
                s, t = src_l[e], dst_l[e]
                name = f"b{min(s, t)}_{max(s, t)}"
                facts.append(bond(f"a{s}", f"a{t}", name))
                if s < t:
                    facts.append(R.get(f"bt{edge_labels[e]}")(name))
        else:
            facts = [R.h0(f"a{a}")[one_hot[node_labels[a]]] for a in nodes]
            facts += [edge(f"a{src_l[e]}", f"a{dst_l[e]}") for e in edges]
        out.add(R.predict[float(graphs.y[g])], facts)
    return out


def kb_dataset(kb: KnowledgeBase):
    """One example (every fact) with one query per row of ``kb.queries``, in order."""
    from neuralogic.core import R
    from neuralogic.dataset import Dataset

    facts = [R.entity(f"e{i}") for i in range(len(kb.entities))]
    facts += [R.relation(f"r{k}") for k in range(len(kb.relations))]
    facts += [R.r(f"r{k}", f"e{s}", f"e{o}") for s, k, o in ternary_facts(kb).tolist()]
    queries = []
    for (s, k, o), label in zip(kb.queries.tolist(), np.asarray(kb.query_labels, dtype=float).tolist(), strict=True):
        atom = R.predict(f"e{s}", f"r{k}", f"e{o}") if o >= 0 else R.predict(f"e{s}", f"r{k}")
        queries.append(atom[label])
    out = Dataset()
    out.add_example(facts)
    out.add_queries(queries)
    return out
