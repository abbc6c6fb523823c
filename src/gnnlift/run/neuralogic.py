"""What a run does with ``variant=neuralogic``: build, count, train, evaluate in PyNeuraLogic.

Its timed training loop is step for step the one of :mod:`gnnlift.run.train`: the same batch
plan, the same seeded order of samples, the same warm-up; the clock covers one call of
NeuraLogic's ``train`` over the epoch's samples (forward, backward and optimizer steps, all in
its Java engine). Grounding and neuralizing happen once, before any timing.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable
from importlib import metadata

import numpy as np
import torch
from omegaconf import DictConfig

from gnnlift.data.types import GraphSet
from gnnlift.protocol import Protocol
from gnnlift.run.evaluate import scores
from gnnlift.run.outcome import Outcome
from gnnlift.run.schedule import BatchPlan
from gnnlift.run.shared import SharedWork
from gnnlift.run.task import Task
from gnnlift.run.train import Epoch
from gnnlift.templates import random_weights
from gnnlift.variants import neuralogic
from gnnlift.variants.neuralogic.engine import NeuralogicConfig, NeuralogicModel, count_neurons


def run_neuralogic(
    cfg: DictConfig,
    task: Task,
    model_cfg,
    dims,
    protocol: Protocol,
    progress: Callable[[Epoch], None] | None = None,
    shared: SharedWork | None = None,
    run_dir: str = "",
) -> Outcome:
    """Train and evaluate one model in PyNeuraLogic under ``cfg`` (``lifting=on|off``).

    With ``shared``, the built network (template, grounding, neuralization) of an earlier run of
    this process is reused when everything it depends on is the same; its training state is then
    restarted before this run's weights are written in.
    """
    reason = neuralogic.missing()
    if reason:
        raise ValueError(f"variant=neuralogic cannot run: {reason}")
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
    canonical = cfg.variant.get("init", "canonical") == "canonical"
    shared = SharedWork() if shared is None else shared
    count = lifting and cfg.variant.get("count_uncompressed", True)
    # Everything the build depends on. NeuraLogic's own initial weights (init=own) are drawn in
    # the build, so such a build is never shared. The seed shapes a build only through the random
    # values of the value-based compression: without compression, every seed shares one build.
    key = (
        "neuralogic",
        cfg.model.name,
        repr(model_cfg),
        repr(dims),
        config if lifting else dataclasses.replace(config, seed=None),
        id(task.data),
        count,
        True if canonical else run_dir,
    )
    weights = random_weights(cfg.model.name, model_cfg, dims, cfg.seed, torch.float64) if canonical else None
    make = functools.partial(_build, cfg.model.name, model_cfg, dims, config, task.data, count, weights)
    # One network at a time: the JVM's heap does not hold several of a large dataset. A job orders
    # its runs so that those sharing a build come one after another.
    built = shared.get(key, make, run_dir, slot="neuralogic")
    net, samples, built_counts, uncompressed, seconds = built.value
    if built.reused:
        net.restart_training()
        net.load_canonical(weights)
    if not count:
        uncompressed = None if lifting else built_counts

    epochs = train(net, samples, task.train, protocol, cfg.epochs, cfg.warmup, cfg.seed, progress)

    start = time.perf_counter()
    target = torch.from_numpy(task.targets)
    evaluation = scores(
        net.predict([samples[j] for j in task.train]),
        target[task.train],
        net.predict([samples[j] for j in task.test]) if len(task.test) else torch.zeros(0),
        target[task.test],
    )
    eval_seconds = time.perf_counter() - start

    return Outcome(
        epochs=epochs,
        evaluation=evaluation,
        eval_seconds=eval_seconds,
        one_off={
            **seconds,
            "lift": None,  # our lifting: none
            "collate_fixed": 0.0,  # NeuraLogic takes its samples as they are
        },
        reused={step: built.made_by for step, spent in seconds.items() if built.reused and spent is not None},
        graph={"neurons": (uncompressed or built_counts)["total"]},
        neuralogic={
            "lifting": lifting,
            "settings": {
                "iso_value_compression": lifting,
                "chain_pruning": lifting,
                "prune_only_identities": config.prune_only_identities,
            },
            "dtype": "float64",  # NeuraLogic computes in Java doubles whatever `dtype` says
            "init": cfg.variant.get("init", "canonical"),
            "neurons": {"uncompressed": uncompressed, "built": built_counts},
            "jvm_processors": cfg.threads,
            "version": _version(),
        },
    )


def _build(model: str, model_cfg, dims, config, data, count: bool, weights: dict | None) -> tuple:
    """A built network and its samples: (model, samples, counts, uncompressed counts, seconds).

    ``weights`` (canonical ones, or None for NeuraLogic's own) are written in before grounding.

    The seconds, by step: ``template`` (the JVM's start included, for the first build of a
    process), ``prepare_samples`` (facts, grounding, neuralization, and compression when on),
    ``count_built`` (the built network's neurons, by role) and ``count_uncompressed`` (None if not
    counted).
    """
    start = time.perf_counter()
    net = NeuralogicModel(model, model_cfg, dims, config)
    if weights is not None:
        net.load_canonical(weights)
    template_seconds = time.perf_counter() - start
    start = time.perf_counter()
    samples = net.build_samples(data)
    build_seconds = time.perf_counter() - start
    start = time.perf_counter()
    counts = count_neurons(samples, not isinstance(data, GraphSet))
    built_count_seconds = time.perf_counter() - start
    uncompressed, count_seconds = net.uncompressed_counts(data) if count else (None, None)
    seconds = {
        "template": template_seconds,
        "prepare_samples": build_seconds,
        "count_built": built_count_seconds,
        "count_uncompressed": count_seconds,
    }
    return net, samples, counts, uncompressed, seconds


def epoch_orders(train: np.ndarray, protocol: Protocol, epochs: int, seed: int) -> tuple[list[np.ndarray], int]:
    """The sample order of every epoch, as :class:`gnnlift.run.train.Trainer` draws it, and the batch size."""
    plan = BatchPlan.of(train, protocol.batch_size, protocol.shuffle)
    orders = plan.epochs(train, seed)
    return [plan.samples(next(orders)) for _ in range(epochs)], plan.size


def train(
    net: NeuralogicModel,
    samples: list,
    train_index: np.ndarray,
    protocol: Protocol,
    epochs: int,
    warmup: int,
    seed: int,
    progress: Callable[[Epoch], None] | None = None,
) -> list[Epoch]:
    """Train for ``epochs``; the per-epoch records."""
    orders, size = epoch_orders(train_index, protocol, epochs, seed)
    records = []
    for epoch, order in enumerate(orders, start=1):
        batch = [samples[j] for j in order]
        start = time.perf_counter()
        loss = net.train_epoch(batch, size)
        record = Epoch(epoch, time.perf_counter() - start, loss, epoch <= warmup)
        records.append(record)
        if progress:
            progress(record)
    return records


def _version() -> str:
    return metadata.version("neuralogic")
