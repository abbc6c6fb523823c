"""One interface for every variant: canonical weights in, sample preparation and batching, forward."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from gnnlift.data.types import Dataset, GraphSet, KnowledgeBase
from gnnlift.engine.graph import CompGraph


class SampleStore(Sequence):
    """Every sample of a dataset converted once, before any timing, and how batches of them are made.

    ``store[i]`` is sample ``i`` as the store keeps it (a converted graph, or an index);
    :meth:`collate` makes one batch out of a list of them (or out of the whole store).
    """

    def __init__(self, items: Sequence):
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]

    def collate(self, samples: Sequence) -> Any:
        """One batch from samples of this store: the framework's own batching."""
        raise NotImplementedError

    def sample_graph(self) -> CompGraph | None:
        """The prepared whole-dataset graph stored sample by sample, if batches are cut out of one."""
        return None

    def members(self, samples: Sequence) -> Sequence:
        """The samples of a batch as given (the store itself stands for all of its items)."""
        return self.items if samples is self else samples


class ConvertedGraphs(SampleStore):
    """Graphs converted one by one into the framework's objects, batched by its own collation."""

    def __init__(self, items: list, collate_graphs: Callable[[list], Any]):
        super().__init__(items)
        self.collate_graphs = collate_graphs

    def collate(self, samples: Sequence) -> Any:
        return self.collate_graphs(list(self.members(samples)))


class QuerySamples(SampleStore):
    """The queries of a knowledge base by index: every batch needs all facts, so a batch is
    the knowledge base with the batch's queries, prepared as a whole."""

    def __init__(self, kb: KnowledgeBase, prepare: Callable[[KnowledgeBase], Any]):
        super().__init__(range(kb.num_queries))
        self.kb, self.prepare = kb, prepare

    def collate(self, samples: Sequence) -> Any:
        return self.prepare(self.kb.with_queries(np.asarray(self.members(samples))))


class Variant(torch.nn.Module):
    """A model in one framework; its weights are addressed by canonical names.

    ``canonical()`` maps each canonical name (``conv1.weight``…, shapes as in
    :func:`gnnlift.templates.gnn.parameter_shapes`) to the parameter that holds it and whether
    that parameter stores the transpose.
    """

    name = "variant"
    store: SampleStore | None = None  # what prepare_samples returned last

    def canonical(self) -> dict[str, tuple[torch.nn.Parameter, bool]]:
        raise NotImplementedError

    def prepare(self, data: Dataset) -> Any:
        """Convert a batch (graphs, or a knowledge base with its queries) into this framework's input."""
        raise NotImplementedError

    def prepare_samples(self, data: Dataset) -> SampleStore:
        """Every sample converted on its own, once, before any timing (see :meth:`sample_store`)."""
        self.store = self.sample_store(data)
        return self.store

    def sample_store(self, data: Dataset) -> SampleStore:
        """Graphs become per-graph objects; a knowledge base's samples are its query indices."""
        if isinstance(data, KnowledgeBase):
            return QuerySamples(data, self.prepare)
        return ConvertedGraphs(self.graph_samples(data), self.collate_graphs)

    def collate(self, samples: Sequence) -> Any:
        """One batch from samples of the store :meth:`prepare_samples` returned last."""
        if self.store is None:
            raise RuntimeError(f"{self.name}: prepare_samples comes before collate")
        return self.store.collate(samples)

    def graph_samples(self, graphs: GraphSet) -> list[Any]:
        """One converted object per graph."""
        raise NotImplementedError

    def collate_graphs(self, samples: list[Any]) -> Any:
        raise NotImplementedError

    def forward(self, batch: Any) -> torch.Tensor:
        """Output probability of every graph in the batch, shape (graphs,)."""
        raise NotImplementedError

    @torch.no_grad()
    def load_canonical(self, weights: dict[str, torch.Tensor]) -> None:
        mapping = self.canonical()
        missing = set(mapping) ^ set(weights)
        if missing:
            raise KeyError(f"{self.name}: weights do not match the model: {sorted(missing)}")
        for key, (param, transposed) in mapping.items():
            value = weights[key].T if transposed else weights[key]
            if param.shape != value.shape:
                raise ValueError(f"{self.name}: {key} has shape {tuple(value.shape)}, expected {tuple(param.shape)}")
            param.copy_(value)

    def canonical_grads(self) -> dict[str, torch.Tensor]:
        out = {}
        for key, (param, transposed) in self.canonical().items():
            grad = param.grad if param.grad is not None else torch.zeros_like(param)
            out[key] = grad.T if transposed else grad
        return out
