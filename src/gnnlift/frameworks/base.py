"""One interface for every variant: canonical weights in, batch conversion, forward."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from gnnlift.data.types import Dataset, GraphSet, KnowledgeBase


class Variant(torch.nn.Module):
    """A model in one framework; its weights are addressed by canonical names.

    ``canonical()`` maps each canonical name (``conv1.weight``…, shapes as in
    :func:`gnnlift.templates.gnn.parameter_shapes`) to the parameter that holds it and whether
    that parameter stores the transpose.
    """

    name = "variant"

    def canonical(self) -> dict[str, tuple[torch.nn.Parameter, bool]]:
        raise NotImplementedError

    def prepare(self, data: Dataset) -> Any:
        """Convert a batch (graphs, or a knowledge base with its queries) into this framework's input."""
        raise NotImplementedError

    def prepare_samples(self, data: Dataset) -> list[Any]:
        """Every sample converted on its own, once, before any timing.

        Graphs become per-graph objects; a knowledge base's samples are its query indices
        (every batch needs all facts, which :meth:`collate` takes from the dataset).
        """
        if isinstance(data, KnowledgeBase):
            self._kb = data
            return list(range(data.num_queries))
        return self.graph_samples(data)

    def collate(self, samples: list[Any]) -> Any:
        """One batch from prepared samples: the framework's own batching."""
        if isinstance(samples[0], int):
            return self.prepare(self._kb.with_queries(np.asarray(samples)))
        return self.collate_graphs(samples)

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
