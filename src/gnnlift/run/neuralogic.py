"""What a run does with ``variant=neuralogic``: build, count, train, evaluate in PyNeuraLogic."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from omegaconf import DictConfig

from gnnlift.data.types import GraphSet
from gnnlift.run.evaluate import classification
from gnnlift.run.shared import SharedWork
from gnnlift.run.task import Task
from gnnlift.run.train import Epoch, Protocol


@dataclass
class Outcome:
    epochs: list[Epoch]
    evaluation: dict
    one_off: dict[str, float | None]
    graph: dict
    neuralogic: dict = field(default_factory=dict)
    reused: dict[str, str] = field(default_factory=dict)  # one-off step -> the run that made it


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
    from gnnlift.frameworks.neuralogic import missing

    reason = missing()
    if reason:
        raise ValueError(f"variant=neuralogic cannot run: {reason}")
    from gnnlift.frameworks.neuralogic.engine import NeuralogicConfig
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
    canonical = cfg.variant.get("init", "canonical") == "canonical"
    shared = SharedWork() if shared is None else shared
    count = lifting and cfg.variant.get("count_uncompressed", True)
    # Everything the build depends on. NeuraLogic's own initial weights (init=own) are drawn in
    # the build, so such a build is never shared.
    key = (
        "neuralogic",
        cfg.model.name,
        repr(model_cfg),
        repr(dims),
        config,
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
    template_seconds, build_seconds, count_seconds = seconds
    if not count:
        uncompressed = None if lifting else built_counts

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
        reused={
            step: built.made_by
            for step, spent in zip(("template", "prepare_samples", "count_uncompressed"), seconds, strict=True)
            if built.reused and spent is not None
        },
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

    The seconds are those of the template (the JVM's start included, for the first build of a
    process), of building the samples, and of counting the uncompressed network (None if not).
    """
    from gnnlift.frameworks.neuralogic.engine import NeuralogicModel, count_neurons

    start = time.perf_counter()
    net = NeuralogicModel(model, model_cfg, dims, config)
    if weights is not None:
        net.load_canonical(weights)
    template_seconds = time.perf_counter() - start
    start = time.perf_counter()
    samples = net.build_samples(data)
    build_seconds = time.perf_counter() - start
    counts = count_neurons(samples, not isinstance(data, GraphSet))
    uncompressed, count_seconds = net.uncompressed_counts(data) if count else (None, None)
    return net, samples, counts, uncompressed, (template_seconds, build_seconds, count_seconds)


def _version() -> str:
    from importlib import metadata

    return metadata.version("neuralogic")
