"""What a run does with ``variant=neuralogic``: build, count, train, evaluate in PyNeuraLogic."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from omegaconf import DictConfig

from gnnlift.data.types import GraphSet
from gnnlift.run.evaluate import classification
from gnnlift.run.task import Task
from gnnlift.run.train import Epoch, Protocol


@dataclass
class Outcome:
    epochs: list[Epoch]
    evaluation: dict
    one_off: dict[str, float | None]
    graph: dict
    neuralogic: dict = field(default_factory=dict)


def run_neuralogic(
    cfg: DictConfig,
    task: Task,
    model_cfg,
    dims,
    protocol: Protocol,
    progress: Callable[[Epoch], None] | None = None,
) -> Outcome:
    """Train and evaluate one model in PyNeuraLogic under ``cfg`` (``lifting=on|off``)."""
    from gnnlift.frameworks.neuralogic import missing

    reason = missing()
    if reason:
        raise ValueError(f"variant=neuralogic cannot run: {reason}")
    from gnnlift.frameworks.neuralogic.engine import NeuralogicConfig, NeuralogicModel, count_neurons
    from gnnlift.frameworks.neuralogic.training import train
    from gnnlift.models import random_weights

    if task.ranking_test is not None:
        raise ValueError("variant=neuralogic trains on labelled queries; ranking the test triples is not supported")
    if cfg.device != "cpu":
        raise ValueError("variant=neuralogic runs on the CPU only (its engine is Java)")
    lifting = bool(cfg.lifting.enabled)
    config = NeuralogicConfig(
        lifting=lifting,
        prune_only_identities=bool(cfg.variant.get("prune_only_identities", True)),
        optimizer=protocol.optimizer,
        lr=protocol.lr,
        loss=protocol.loss,
        log_level=cfg.variant.get("log_level"),
        threads=cfg.threads,
        seed=cfg.seed,
    )
    start = time.perf_counter()
    net = NeuralogicModel(cfg.model.name, model_cfg, dims, config)
    if cfg.variant.get("init", "canonical") == "canonical":
        net.load_canonical(random_weights(cfg.model.name, model_cfg, dims, cfg.seed, torch.float64))
    template_seconds = time.perf_counter() - start

    start = time.perf_counter()
    samples = net.build_samples(task.data)
    build_seconds = time.perf_counter() - start
    shared = not isinstance(task.data, GraphSet)
    built = count_neurons(samples, shared)
    if lifting and cfg.variant.get("count_uncompressed", True):
        uncompressed, count_seconds = net.uncompressed_counts(task.data)
    else:
        uncompressed, count_seconds = (None if lifting else built), None

    epochs = train(net, samples, task.train, protocol, cfg.epochs, cfg.warmup, cfg.seed, progress)

    start = time.perf_counter()
    target = torch.from_numpy(task.targets)
    evaluation = {"train": classification(net.predict([samples[j] for j in task.train]), target[task.train])}
    if len(task.test):
        evaluation["test"] = classification(net.predict([samples[j] for j in task.test]), target[task.test])
    eval_seconds = time.perf_counter() - start

    return Outcome(
        epochs=epochs,
        evaluation=evaluation,
        one_off={
            "template": template_seconds,
            "prepare_samples": build_seconds,  # facts, grounding, neuralization (and compression when on)
            "count_uncompressed": count_seconds,
            "eval": eval_seconds,
        },
        graph={"neurons": (uncompressed or built)["total"]},
        neuralogic={
            "lifting": lifting,
            "settings": {
                "iso_value_compression": lifting,
                "chain_pruning": lifting,
                "prune_only_identities": config.prune_only_identities,
            },
            "dtype": "float64",  # NeuraLogic computes in Java doubles whatever `dtype` says
            "init": cfg.variant.get("init", "canonical"),
            "neurons": {"uncompressed": uncompressed, "built": built},
            "jvm_processors": cfg.threads,
            "version": _version(),
        },
    )


def _version() -> str:
    from importlib import metadata

    return metadata.version("neuralogic")
