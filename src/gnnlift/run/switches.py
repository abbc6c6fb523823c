"""What a run's variant, ``lifting`` and ``backend`` settings mean, said in one place.

- The variant chooses what executes: ``plain`` is our engine on the grounded graph as it is,
  ``lifted`` our engine on the lifted graph (its settings: ``lifting.detect``, ``lifting.scope``,
  ...), ``pyg`` and ``dgl`` the frameworks, ``neuralogic`` PyNeuraLogic.
- ``lifting=on|off`` (``lifting.enabled``) is NeuraLogic's compression switch. For the other
  variants the variant says it: ``lifted`` lifts, ``plain``, ``pyg`` and ``dgl`` never do, and
  ``variant=lifted lifting=off`` is refused (that run is ``variant=plain``). A run records
  ``lifting.enabled`` as what it did.
- ``backend=torch|native`` says how our engine (``plain``, ``lifted``) executes its graph.
"""

from __future__ import annotations

import copy

from omegaconf import DictConfig

from gnnlift import labels

NEURALOGIC = "neuralogic"
ENGINE = ("plain", "lifted")  # our engine's variants: the ones with a backend
BACKENDS = ("torch", "native")


def check(cfg: DictConfig) -> None:
    """Raise ValueError (one line) for a variant, lifting and backend that do not go together."""
    variant, backend = cfg.variant.name, cfg.backend.name
    if variant == "lifted" and not cfg.lifting.enabled:
        raise ValueError(
            "variant=lifted with lifting=off is variant=plain (lifting=on|off switches NeuraLogic's compression)"
        )
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    if backend == "native" and variant not in ENGINE:
        raise ValueError(f"backend=native runs variant plain or lifted, not {variant}")
    if backend == "native" and cfg.device != "cpu":
        raise ValueError(f"backend=native runs on the CPU, not device={cfg.device}")


def lifts(cfg: DictConfig) -> bool:
    """Whether the run lifts: ``lifted`` does, ``neuralogic`` as ``lifting=on|off`` says, the others never."""
    if cfg.variant.name == NEURALOGIC:
        return bool(cfg.lifting.enabled)
    return cfg.variant.name == "lifted"


def settled(cfg: DictConfig) -> DictConfig:
    """A copy of ``cfg`` whose ``lifting.enabled`` is what the run does (:func:`lifts`)."""
    out = copy.deepcopy(cfg)
    out.lifting.enabled = lifts(cfg)
    return out


def variant_name(cfg: DictConfig) -> str:
    """The variant as ``metrics.json`` names it: ``plain``, ``lifted``, ..., ``neuralogic-off``."""
    off = cfg.variant.name == NEURALOGIC and not cfg.lifting.enabled
    return cfg.variant.name + (labels.OFF if off else "")


def backend_of(cfg: DictConfig) -> str | None:
    """The backend of our engine's variants; None for the others, which have none."""
    return cfg.backend.name if cfg.variant.name in ENGINE else None


def variant_label(cfg: DictConfig) -> str:
    """The variant label of a run by hand, as the workflow spells it: ``lifted-dataset-native``, ``neuralogic-off``."""
    lifting = cfg.lifting
    return labels.variant_label(
        cfg.variant.name, cfg.backend.name, lifts(cfg), lifting.scope, lifting.detect, lifting.digits
    )
