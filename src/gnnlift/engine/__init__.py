"""The computation-graph engine: grounded graphs of vector neurons, executed in torch."""

from gnnlift.engine.execute import evaluate
from gnnlift.engine.graph import CompGraph, Inputs, Level

__all__ = ["CompGraph", "Inputs", "Level", "evaluate"]
