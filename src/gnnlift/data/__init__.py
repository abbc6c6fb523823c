"""Datasets: registry, download, parsers into common types, binary cache."""

from gnnlift.data.errors import DataError, DataFormatError
from gnnlift.data.load import load_dataset
from gnnlift.data.types import GraphSet, KnowledgeBase

__all__ = ["DataError", "DataFormatError", "GraphSet", "KnowledgeBase", "load_dataset"]
