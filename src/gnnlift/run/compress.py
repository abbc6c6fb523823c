"""Lifting statistics of a (model, dataset) pair: what ``gnnlift compress`` prints."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from gnnlift.data.types import Dataset, GraphSet
from gnnlift.lifting.lift import LiftConfig, lift, statistics, weight_draws
from gnnlift.templates import family, model_config
from gnnlift.templates.dims import dims_of


def compress(model: str, data: Dataset, config: LiftConfig, batch_size: int = 128, **overrides: Any) -> dict:
    """Ground ``data`` for ``model``, lift it at ``config.scope`` and report counts, ratios and times.

    Scope ``batch`` lifts consecutive batches of ``batch_size`` samples (graphs or queries) one
    by one and adds up their counts; ``sample`` and ``dataset`` lift the whole grounding once.
    """
    cfg = model_config(model, **overrides)
    template = family(model).template_module()
    draws = weight_draws(template.parameter_shapes(cfg, dims_of(data)), config)
    parts = [data] if config.scope != "batch" else list(_batches(data, batch_size))
    ground_seconds, results = 0.0, []
    for part in parts:
        start = time.perf_counter()
        graph = template.ground(cfg, part)
        ground_seconds += time.perf_counter() - start
        results.append(statistics(lift(graph, config, draws=draws)))  # scope sample: merge within samples
    out = _add(results)
    samples = data.num_graphs if isinstance(data, GraphSet) else data.num_queries
    out.update(
        {
            "model": model,
            "dataset": data.name,
            "samples": samples,
            "lifting": vars(config).copy(),
            "batches": len(parts),
            "ground_seconds": ground_seconds,
        }
    )
    return out


def _batches(data: Dataset, size: int):
    if isinstance(data, GraphSet):
        for chunk in np.array_split(np.arange(data.num_graphs), max(1, -(-data.num_graphs // size))):
            yield data.subset(chunk)
    else:
        for chunk in np.array_split(np.arange(data.num_queries), max(1, -(-data.num_queries // size))):
            yield data.with_queries(chunk)


def _add(results: list[dict]) -> dict:
    """Counts summed over parts (batches); ratios recomputed from the sums."""
    if len(results) == 1:
        return results[0]

    def total(items):
        first = items[0]
        if isinstance(first, dict):
            return {k: total([it[k] for it in items]) for k in first}
        return sum(items) if isinstance(first, (int, float)) and first is not None else first

    out = total([{k: v for k, v in r.items() if k != "ratio"} for r in results])
    paper = out["paper"]
    out["ratio"] = {
        "neurons": out["neurons"]["raw"] / max(out["neurons"]["lifted"], 1),
        "edges": out["edges"]["raw"] / max(out["edges"]["lifted"], 1),
        "paper_neurons": paper["raw"]["total"] / max(paper["lifted"]["total"], 1),
    }
    return out
