"""Vocabulary sizes a model's parameter shapes depend on, read off a dataset."""

from __future__ import annotations

from dataclasses import dataclass

from gnnlift.data.types import Dataset, GraphSet


@dataclass(frozen=True)
class Dims:
    node_types: int = 0
    edge_types: int = 0
    entities: int = 0
    relations: int = 0


def dims_of(data: Dataset) -> Dims:
    if isinstance(data, GraphSet):
        return Dims(node_types=len(data.node_vocab), edge_types=len(data.edge_vocab))
    return Dims(entities=len(data.entities), relations=len(data.relations))
