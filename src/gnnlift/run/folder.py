"""A run's default folder, and a folder that already holds another run's results.

The default ``hydra.run.dir`` (config/run.yaml) names a run's coordinates with the workflow's
labels (:mod:`gnnlift.labels`): ``results/runs/gcn/mutag/lifted-native/batched-b32/fold0/seed0``,
so runs whose backend, lifting settings or batch size differ never share a folder. Settings that
no label names (``epochs``, ``dtype``, ``model.hidden``, ...) are caught by :func:`clash`: a run
into a folder holding the ``metrics.json`` of a run with another config is refused.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import yaml
from omegaconf import DictConfig, OmegaConf

from gnnlift.labels import protocol_label
from gnnlift.paths import CONFIG_DIR
from gnnlift.run import datafile
from gnnlift.run.switches import settled, variant_label

# Settings that do not change what a run computes or how it is timed.
UNCOMPARED = ("quiet",)


def variant_of(variant: DictConfig, backend: DictConfig, lifting: DictConfig) -> str:
    """``${gnnlift_variant:${variant},${backend},${lifting}}``: the variant label of these settings."""
    return variant_label(OmegaConf.create({"variant": variant, "backend": backend, "lifting": lifting}))


def protocol_of(protocol: DictConfig) -> str:
    """``${gnnlift_protocol:${protocol}}``: the protocol label (``batched-b32`` where the batch size is not 128)."""
    return protocol_label(protocol.name, protocol.batch_size, _default_batch_size(protocol.name))


@functools.cache
def _default_batch_size(name: str) -> int | None:
    """The batch size of config/protocol/<name>.yaml (of an unknown protocol: none to differ from)."""
    path = CONFIG_DIR / "protocol" / f"{name}.yaml"
    return yaml.safe_load(path.read_text()).get("batch_size") if path.is_file() else None


def register_resolvers() -> None:
    """The resolvers the folder names of config/run.yaml use: dataset, variant and protocol labels."""
    datafile.register_resolver()
    for name, resolver in (("gnnlift_variant", variant_of), ("gnnlift_protocol", protocol_of)):
        if not OmegaConf.has_resolver(name):
            OmegaConf.register_new_resolver(name, resolver)


def clash(folder: str | Path, cfg: DictConfig) -> str | None:
    """One line when ``folder`` holds the ``metrics.json`` of a run with another config, else None.

    A rerun of the same config (``quiet`` aside) may replace its own results.
    """
    path = Path(folder) / "metrics.json"
    if not path.is_file():
        return None
    advice = "give this run its own hydra.run.dir=, or move that folder away"
    try:
        there = json.loads(path.read_text()).get("config")
    except (OSError, ValueError, AttributeError):
        there = None
    if not isinstance(there, dict):
        return f"{path} exists and is not a run's metrics; {advice}"
    here = OmegaConf.to_container(settled(cfg), resolve=True)
    found = _difference(there, here)
    if found is None:
        return None
    key, old, new = found
    return f"{path} holds a run with {key}={_shown(old)}, not {_shown(new)}; {advice}"


def _difference(there: object, here: object, prefix: str = "") -> tuple[str, object, object] | None:
    """The first setting (dotted key, value there, value here) in which two configs differ."""
    if isinstance(there, dict) and isinstance(here, dict):
        for key in sorted(set(there) | set(here), key=str):
            if not prefix and key in UNCOMPARED:
                continue
            found = _difference(there.get(key), here.get(key), f"{prefix}{key}.")
            if found is not None:
                return found
        return None
    return None if there == here else (prefix.rstrip("."), there, here)


def _shown(value: object) -> str:
    """A value as an override would write it, cut short where long."""
    text = "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."
