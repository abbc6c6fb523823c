"""PyNeuraLogic as a variant: build a template, ground and neuralize a dataset, train, predict.

It is not a torch module: NeuraLogic's Java engine owns the weights, the forward and backward
passes and the optimizer. What the other variants share with it is the template, the data, the
canonical weights (written in by name), the protocol and the timing loop's boundaries.
"""

from __future__ import annotations

import collections
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from gnnlift.data.types import Dataset, GraphSet
from gnnlift.templates.dims import Dims
from gnnlift.variants.neuralogic.backend import start
from gnnlift.variants.neuralogic.facts import graph_dataset, kb_dataset
from gnnlift.variants.neuralogic.templates import canonical_of, template

# NeuraLogic's neuron classes, by the role they play in the paper's counts.
ROLE_OF_CLASS = {
    "FactNeuron": "fact",
    "AtomNeuron": "atom",
    "WeightedAtomNeuron": "atom",
    "RuleNeuron": "rule",
    "WeightedRuleNeuron": "rule",
    "AggregationNeuron": "aggregation",
    "SplittableAggregationNeuron": "aggregation",
    "NegationNeuron": "other",
}
ROLES = ("fact", "atom", "rule", "aggregation", "other")


@dataclass(frozen=True)
class NeuralogicConfig:
    """How the engine is built. ``lifting`` switches both of its compressions together."""

    lifting: bool = True  # iso_value_compression and chain_pruning
    # NeuraLogic's own default (False) prunes every single-input neuron, whatever its activation:
    # that drops a relu or sigmoid and changes the function (gcn on MUTAG: outputs off by 0.16).
    prune_only_identities: bool = True
    optimizer: str = "adam"
    lr: float = 0.01
    loss: str = "bce"
    log_level: str | None = None  # Java log level shown on stderr (INFO, FINE…); None: silent
    threads: int = 1
    seed: int = 0


def optimizer_classes() -> dict[str, type]:
    """The optimizers of :mod:`gnnlift.protocol`, in NeuraLogic."""
    from neuralogic.nn.optim import SGD, Adam

    return {"adam": Adam, "sgd": SGD}


def loss_functions() -> dict[str, Callable[[], object]]:
    """The losses of :mod:`gnnlift.protocol`, in NeuraLogic: each makes its error function."""
    from neuralogic.nn.loss import MSE, CrossEntropy

    return {"bce": lambda: CrossEntropy(with_logits=False), "mse": MSE}


def count_neurons(samples: Sequence, shared: bool = False) -> dict[str, int]:
    """Neurons of built samples by role.

    Graph samples have a network each, and their counts add up. The queries of a knowledge base
    (``shared``) are grounded in one example and share neurons, each counted once (by its index).
    Their neurons are first gathered in a Java set, a call per sample, so that the shared network
    crosses into Python once rather than once for every query (13,527 on UMLS).
    """
    by_class: collections.Counter = collections.Counter()  # neurons by their Java class (JPype's Python type)
    if shared:
        import jpype

        unique = jpype.java.util.HashSet()
        for sample in samples:
            unique.addAll(_neuron_list(sample))
        by_index = {int(neuron.getIndex()): neuron for neuron in unique}
        by_class.update(map(type, by_index.values()))
    else:
        for sample in samples:
            by_class.update(map(type, sample._java_sample.query.evidence.allNeuronsTopologic))
    counts = collections.Counter({role: 0 for role in ROLES})
    for java_class, n in by_class.items():  # one call into Java per class, not per neuron
        counts[ROLE_OF_CLASS.get(str(java_class.class_.getSimpleName()), "other")] += n
    out = {role: counts[role] for role in ROLES}
    out["total"] = sum(counts.values())
    return out


def _neuron_list(sample):
    """A sample's neurons as a Java collection (NeuraLogic keeps them in a list or an array)."""
    import jpype

    neurons = sample._java_sample.query.evidence.allNeuronsTopologic
    return neurons if isinstance(neurons, jpype.java.util.Collection) else jpype.java.util.Arrays.asList(neurons)


class NeuralogicModel:
    """One model in PyNeuraLogic: its template built with ``config``'s settings."""

    name = "neuralogic"

    def __init__(self, model: str, cfg, dims: Dims, config: NeuralogicConfig):
        start(config.log_level, config.threads, config.seed)
        self.model_name, self.config = model, config
        self._scratch = tempfile.TemporaryDirectory(prefix="gnnlift-neuralogic-")
        self.text = template(model, cfg, dims)
        self.model = self.built_model(config.lifting)

    def built_model(self, lifting: bool):
        """The template parsed and built by NeuraLogic, compressions on or off."""
        from neuralogic.core import Model

        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, f"{self.model_name}.txt")
            with open(path, "w") as fh:
                fh.write(self.text)
            model = Model(model_file=path)
            model.build(self.settings(lifting))
        return model

    def settings(self, lifting: bool):
        from neuralogic.core import Settings

        optimizers, losses = optimizer_classes(), loss_functions()
        if self.config.optimizer not in optimizers or self.config.loss not in losses:
            raise ValueError(f"variant=neuralogic: no {self.config.optimizer} optimizer or {self.config.loss} loss")
        settings = Settings(
            optimizer=optimizers[self.config.optimizer](lr=self.config.lr),
            error_function=losses[self.config.loss](),
            iso_value_compression=lifting,
            chain_pruning=lifting,
            prune_only_identities=self.config.prune_only_identities,
        )
        # It exports its settings and sources on every build; by default into ./target/out.
        settings["outDir"] = self._scratch.name
        settings["exportDir"] = os.path.join(self._scratch.name, "export")
        settings["settingsExportFile"] = os.path.join(self._scratch.name, "settings")
        settings["sourcesExportFile"] = os.path.join(self._scratch.name, "sources")
        return settings

    # -- data ---------------------------------------------------------------------------
    def logic_dataset(self, data: Dataset):
        return graph_dataset(self.model_name, data) if isinstance(data, GraphSet) else kb_dataset(data)

    def build_samples(self, data: Dataset, model=None) -> list:
        """Ground and neuralize every sample (graph or query) of ``data``, in order.

        NeuraLogic's value-based compression draws random weights from one global generator; it
        is reseeded here so that what merges depends on ``config.seed`` alone.
        """
        import neuralogic

        neuralogic.manual_seed(self.config.seed)
        built = (self.model if model is None else model).build_dataset(self.logic_dataset(data))
        samples = list(built)
        expected = data.num_graphs if isinstance(data, GraphSet) else data.num_queries
        if len(samples) != expected:
            raise ValueError(
                f"variant=neuralogic: {len(samples)} samples built from {expected}; some query is not derivable "
                "(a graph without edges, say)"
            )
        return samples

    def uncompressed_counts(self, data: Dataset) -> tuple[dict[str, int], float]:
        """Neurons of ``data`` built with both compressions off, and the seconds it took."""
        begin = time.perf_counter()
        counts = count_neurons(self.build_samples(data, self.built_model(False)), not isinstance(data, GraphSet))
        return counts, time.perf_counter() - begin

    # -- weights ------------------------------------------------------------------------
    def load_canonical(self, weights: dict[str, torch.Tensor]) -> None:
        """Write canonical weights into the template's named weights."""
        state = self.model.state_dict()
        values, used = {}, set()
        for index, label in state["weight_names"].items():
            name, column = canonical_of(label)
            if name not in weights:
                raise KeyError(f"neuralogic: template weight {label} has no canonical weight {name}")
            tensor = weights[name].detach().double()
            tensor = tensor[:, column] if column is not None else tensor
            current = np.asarray(state["weights"][index])
            if current.size != tensor.numel():
                raise ValueError(f"neuralogic: {label} holds {current.size} values, {name} gives {tensor.numel()}")
            values[index] = (
                float(tensor.reshape(-1)[0]) if current.ndim == 0 else tensor.reshape(current.shape).tolist()
            )
            used.add(name)
        missing = set(weights) - used
        if missing:
            raise KeyError(f"neuralogic: canonical weights without a place in the template: {sorted(missing)}")
        self.model.load_state_dict({"weights": values})

    def restart_training(self) -> None:
        """Forget all training: weights re-initialised, Adam's moments zeroed, step counters at 0.

        NeuraLogic's ``reset_parameters`` restarts the weights, the moments and the sequential
        trainer, but not the step counter (Adam's bias correction) of either trainer; those are
        package-private fields, set here through Java reflection. After this and
        :meth:`load_canonical`, training goes exactly as in a freshly built model.
        """
        strategy = self.model._strategy
        strategy.resetParameters()
        for name in ("trainer", "miniBatchTrainer"):
            trainer = _java_field(strategy, name).get(strategy)
            _java_field(trainer, "iterationNumber").setInt(trainer, 0)

    # -- training -----------------------------------------------------------------------
    def train_epoch(self, samples: Sequence, batch_size: int) -> float:
        """One pass over ``samples`` in the given order; the mean loss."""
        from neuralogic.core.builder.dataset import BuiltDataset

        results = self.model.train(BuiltDataset(list(samples), batch_size))
        return float(np.mean([float(np.sum(r[2])) for r in results]))

    def predict(self, samples: Sequence) -> torch.Tensor:
        """Output of each sample, without training."""
        from neuralogic.core.builder.dataset import BuiltDataset

        outputs = self.model.test(BuiltDataset(list(samples), 1))
        return torch.tensor([float(np.ravel(o)[0]) for o in outputs], dtype=torch.float64)


def _java_field(obj, name: str):
    """A declared field of a Java object or of one of its superclasses, made accessible."""
    cls = obj.getClass()
    while cls is not None:
        for field in cls.getDeclaredFields():
            if str(field.getName()) == name:
                field.setAccessible(True)
                return field
        cls = cls.getSuperclass()
    raise AttributeError(f"neuralogic: no Java field {name} in {obj.getClass().getName()}")
