"""``python -m gnnlift.run``: train and time one (model, dataset, variant, protocol, seed).

Writes ``metrics.json`` and ``epochs.csv`` into ``hydra.run.dir``.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import hydra
import torch
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from gnnlift.atomic import write_text
from gnnlift.data.errors import DataError
from gnnlift.data.load import load_dataset
from gnnlift.lifting import LiftConfig
from gnnlift.paths import CONFIG_DIR, REPO_ROOT
from gnnlift.protocol import Protocol
from gnnlift.run.configs import expand_labels, register_datasets
from gnnlift.run.datafile import dataset_label, sha256_of
from gnnlift.run.environment import describe
from gnnlift.run.evaluate import filtered_ranking, predict, scores
from gnnlift.run.folder import protocol_of, register_resolvers
from gnnlift.run.guard import before_of, precheck, remove_hydra_leftovers, validate
from gnnlift.run.neuralogic import run_neuralogic
from gnnlift.run.outcome import Outcome
from gnnlift.run.shared import Reuse, SharedWork
from gnnlift.run.switches import NEURALOGIC, backend_of, settled, variant_label, variant_name
from gnnlift.run.task import Task, build_task
from gnnlift.run.train import Epoch, Trainer
from gnnlift.templates import family, model_config, random_weights
from gnnlift.templates.dims import dims_of
from gnnlift.variants.registry import build

register_datasets()
register_resolvers()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def resources_of(given: str | Path, checkout: Path = REPO_ROOT) -> Path:
    """The folder of prepared data: ``resources=`` as given, a relative one from the working directory or,
    where it is not there, from the checkout the run's code is in (so runs from any folder find the
    workflow's data)."""
    path = Path(given)
    if path.is_absolute() or path.exists() or not (checkout / path).exists():
        return path
    return checkout / path


def load_data(cfg: DictConfig):
    if cfg.dataset.name == "file":
        return load_dataset(cfg.dataset.path)
    try:
        return load_dataset(cfg.dataset.name, resources=resources_of(cfg.resources))
    except DataError as exc:
        if "is not prepared" not in str(exc):
            raise
        raise DataError(f"{exc}; or point the run at prepared data with resources=DIR (or GNNLIFT_RESOURCES)") from None


def run(cfg: DictConfig, out_dir: Path, shared: SharedWork | None = None, job: dict | None = None) -> dict:
    """Everything a run does; returns the metrics it wrote.

    ``shared``: one-off work made by an earlier run of the same process, reused where it is
    identical (the dataset; NeuraLogic's build). ``job``: where this run sits in a job of
    several runs, recorded in ``metrics.json``.
    """
    validate(cfg)
    cfg = settled(cfg)  # lifting.enabled: whether this run lifts
    shared = SharedWork() if shared is None else shared
    started = _now()
    os.environ["OMP_NUM_THREADS"] = str(cfg.threads)  # read by DGL's kernels when first imported
    torch.set_num_threads(cfg.threads)
    model_name = cfg.model.name
    model_cfg = model_config(model_name, **{k: v for k, v in cfg.model.items() if k != "name"})
    protocol = Protocol(**cfg.protocol)
    dataset = dataset_label(cfg.dataset)
    tag = f"[{model_name}/{dataset}/{variant_label(cfg)}/{protocol_of(cfg.protocol)}/seed{cfg.seed}]"

    loaded = shared.get(("data", _data_key(cfg)), lambda: load_data(cfg), str(out_dir))
    data = loaded.value
    if data.kind != family(model_name).data:
        raise ValueError(f"model {model_name} needs a dataset of {family(model_name).data}; {dataset} is {data.kind}")
    task = build_task(data, cfg.folds, cfg.fold, cfg.seed)
    dims = dims_of(task.data)
    progress = _progress(cfg, tag)
    if cfg.variant.name == NEURALOGIC:
        outcome = run_neuralogic(cfg, task, model_cfg, dims, protocol, progress, shared, str(out_dir))
    else:
        outcome = _run_torch(cfg, task, model_name, model_cfg, dims, protocol, progress)

    metrics = build_metrics(cfg, dataset, protocol, task, loaded, outcome, job, started)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_text(
        out_dir / "epochs.csv",
        "epoch,seconds,loss,warmup\n"
        + "".join(f"{e.epoch},{e.seconds:.6f},{e.loss:.8f},{int(e.warmup)}\n" for e in outcome.epochs),
    )
    write_text(out_dir / "metrics.json", json.dumps(metrics, indent=2) + "\n")
    print(f"{out_dir / 'metrics.json'}" if cfg.quiet else f"{tag} {_summary(metrics)}; -> {out_dir}")
    return metrics


def build_metrics(
    cfg: DictConfig,
    dataset: str,
    protocol: Protocol,
    task: Task,
    loaded: Reuse,
    outcome: Outcome,
    job: dict | None,
    started: str,
) -> dict:
    """The contents of ``metrics.json``: the run's coordinates, timings, results and environment.

    ``dataset``: its label; ``loaded``: the dataset as the run got it (its load, or a reuse).
    """
    epochs = outcome.epochs
    timed = [e.seconds for e in epochs if not e.warmup]
    reused = {"load": loaded.made_by} if loaded.reused else {}
    return {
        "model": cfg.model.name,
        "dataset": dataset,
        "dataset_file": _file_record(cfg.dataset),
        "variant": variant_name(cfg),
        "backend": backend_of(cfg),
        "protocol": protocol.name,
        "labels": labels(cfg, variant_label(cfg), protocol_of(cfg.protocol)),
        "seed": cfg.seed,
        "fold": cfg.fold,
        "folds": cfg.folds,
        "samples": {"train": len(task.train), "test": len(task.test)},
        "epochs": len(epochs),
        "warmup": cfg.warmup,
        "timed_epochs": len(timed),
        "epoch_seconds": [e.seconds for e in epochs],
        "epoch_seconds_median": statistics.median(timed) if timed else None,
        "epoch_seconds_mean": statistics.fmean(timed) if timed else None,
        "loss_curve": [e.loss for e in epochs],
        "one_off_seconds": {"load": loaded.seconds, **outcome.one_off},
        # One-off work this run reused from an earlier run of its job (its seconds are what it
        # cost that run), by the folder of the run that made it.
        "job": {**(job or {"runs": 1, "index": 0}), "reused": {**reused, **outcome.reused}},
        "eval_seconds": outcome.eval_seconds,
        "evaluation": outcome.evaluation,
        "graph": outcome.graph,
        "lifting": outcome.lifting,
        **({"neuralogic": outcome.neuralogic} if outcome.neuralogic is not None else {}),
        "environment": describe(cfg.threads, cfg.device, cfg.dtype),
        "clock": {"started": started, "finished": _now()},  # UTC wall clock: which runs overlapped
        "config": OmegaConf.to_container(cfg, resolve=True),
    }


def _progress(cfg: DictConfig, tag: str) -> Callable[[Epoch], None]:
    """The per-epoch progress line (none with ``quiet``)."""

    def progress(epoch: Epoch) -> None:
        if not cfg.quiet:
            flag = "  (warm-up)" if epoch.warmup else ""
            print(
                f"{tag} epoch {epoch.epoch}/{cfg.epochs}  {epoch.seconds:.4f} s  loss {epoch.loss:.5f}{flag}",
                flush=True,
            )

    return progress


def _summary(metrics: dict) -> str:
    """The run's last console line: its median epoch and its test (or train) scores."""
    evaluation = metrics["evaluation"]
    summary = evaluation.get("test") or evaluation.get("test_ranking") or evaluation["train"]
    shown = ", ".join(f"{k} {v:.4f}" for k, v in summary.items() if isinstance(v, float))
    median = metrics["epoch_seconds_median"]
    return f"median epoch {median if median is None else f'{median:.4f} s'}; test {shown}"


def labels(cfg: DictConfig, variant: str, protocol: str) -> dict:
    """The run's experiment, variant and protocol labels: as the workflow set them, else its settings' labels."""
    given = {k: v for k, v in (cfg.get("labels") or {}).items() if v is not None}
    shown = {"experiment": None, "variant": variant, "protocol": protocol}
    return {k: str(given[k]) if k in given else default for k, default in shown.items()}


def _data_key(cfg: DictConfig) -> tuple:
    """What a loaded dataset depends on: its name (or file and content) and the resources folder."""
    if cfg.dataset.name == "file":
        path = Path(cfg.dataset.path).resolve()
        return ("file", str(path), sha256_of(path))
    return (cfg.dataset.name, str(resources_of(cfg.resources).resolve()))


def _file_record(dataset: DictConfig) -> dict | None:
    """For ``dataset=file``: the absolute path and the sha256 of what was read."""
    if dataset.name != "file":
        return None
    path = Path(dataset.path).resolve()
    return {"path": str(path), "sha256": sha256_of(path)}


def _run_torch(cfg, task, model_name, model_cfg, dims, protocol, progress) -> Outcome:
    """Our engine (plain, lifted), PyG or DGL: build, convert, train, evaluate."""
    device = torch.device(cfg.device)
    dtype = getattr(torch, cfg.dtype)
    torch.manual_seed(cfg.seed)
    lifting = None
    if cfg.variant.name == "lifted":
        lifting = LiftConfig(**{k: v for k, v in cfg.lifting.items() if k != "enabled"})
    net = build(cfg.variant.name, model_name, model_cfg, dims, dtype, lifting)
    net.load_canonical(random_weights(model_name, model_cfg, dims, cfg.seed, dtype))
    net.to(device)
    start = time.perf_counter()
    samples = net.prepare_samples(task.data)
    prepare_seconds = time.perf_counter() - start

    graph_stats = {}
    if cfg.variant.name in ("plain", "lifted"):
        start = time.perf_counter()
        whole = net.ground(task.data)
        graph_stats = {"ground_all_seconds": time.perf_counter() - start, "levels": whole.counts()}
        graph_stats["neurons"] = sum(v["neurons"] for v in graph_stats["levels"].values())
        graph_stats["edges"] = sum(v["edges"] for v in graph_stats["levels"].values())
        del whole

    targets = torch.from_numpy(task.targets).to(dtype)
    if cfg.backend.name == "native":
        from gnnlift.run.native_trainer import NativeTrainer  # noqa: PLC0415  (numba loads for backend=native only)

        trainer = NativeTrainer(net, samples, targets, protocol)
    else:
        trainer = Trainer(net, samples, targets, protocol, device)
    epochs, collate_seconds = trainer.run(task.train, cfg.epochs, cfg.warmup, cfg.seed, progress)
    if cfg.variant.name in ("plain", "lifted"):
        graph_stats["executed"] = executed_counts(net, graph_stats)
        if cfg.backend.name == "native":
            graph_stats["native"] = trainer.executed

    start = time.perf_counter()
    target = torch.from_numpy(task.targets)
    evaluation = scores(
        predict(net, samples, task.train, cfg.eval_batch_size, device),
        target[task.train],
        predict(net, samples, task.test, cfg.eval_batch_size, device),
        target[task.test],
    )
    if task.ranking_test is not None:
        evaluation["test_ranking"] = filtered_ranking(net, task.data, task.ranking_test, task.known, device)
    eval_seconds = time.perf_counter() - start
    one_off = {
        "prepare_samples": prepare_seconds,  # grounding (and a one-off lifting) included
        "lift": net.one_off.seconds if getattr(net, "one_off", None) is not None else None,
        "collate_fixed": collate_seconds,
        **{k if k == "jit_compile" else f"native_{k}": v for k, v in getattr(trainer, "one_off", {}).items()},
    }
    return Outcome(
        epochs=epochs,
        evaluation=evaluation,
        eval_seconds=eval_seconds,
        one_off=one_off,
        graph=graph_stats,
        lifting=net.statistics() if lifting is not None else None,
    )


def executed_counts(net, graph_stats: dict) -> dict | None:
    """Neurons and edges of the whole-dataset graph that training executes (plain: as grounded)."""
    one_off = getattr(net, "one_off", None)
    if net.name == "plain":
        return {"neurons": graph_stats["neurons"], "edges": graph_stats["edges"]}
    if one_off is None:  # lifted per batch: no one graph of the dataset
        return None
    counts = one_off.graph.counts().values()
    return {"neurons": sum(c["neurons"] for c in counts), "edges": sum(c["edges"] for c in counts)}


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="run")
def main(cfg: DictConfig) -> None:
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        run(cfg, out_dir)
    except (DataError, ValueError, KeyError) as exc:
        remove_hydra_leftovers(out_dir, before_of(out_dir))
        print(f"gnnlift.run: error: {' '.join(str(exc).split())}", file=sys.stderr)
        sys.exit(2)
    except BaseException:  # a crash, Ctrl-C or SIGTERM: no folder holding only Hydra's files stays behind
        remove_hydra_leftovers(out_dir, before_of(out_dir))
        raise


def _terminated(signum: int, frame) -> None:
    """SIGTERM (``kill``, a scheduler's time limit) ends the run as Ctrl-C does: its cleanup runs."""
    raise SystemExit(128 + signum)


def entry(argv: list[str]) -> int:
    """``python -m gnnlift.run ARGS``: check the command line (nothing is written if it cannot run), then run.

    Workflow labels are taken as they are printed: ``variant=lifted-native`` is ``variant=lifted backend=native``.
    """
    try:
        argv = expand_labels(argv)
    except ValueError as exc:
        print(f"gnnlift.run: error: {exc}", file=sys.stderr)
        return 2
    problem = precheck(argv, folder=True)
    if problem:
        print(f"gnnlift.run: error: {problem}", file=sys.stderr)
        return 2
    sys.argv = [sys.argv[0], *argv]
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        main()
    except SystemExit as exc:
        if exc.code is None:
            return 0
        return exc.code if isinstance(exc.code, int) else 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0
