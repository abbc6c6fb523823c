"""Config groups of the run app: the files in config/, plus one dataset entry per registry name."""

from __future__ import annotations

from hydra.core.config_store import ConfigStore

from gnnlift.data.registry import registry
from gnnlift.paths import CONFIG_DIR

GROUPS = ("model", "dataset", "variant", "protocol")


def register_datasets() -> None:
    """``dataset=<name>`` for every registry entry (a file in config/dataset/ takes precedence)."""
    store = ConfigStore.instance()
    for name in registry():
        if not (CONFIG_DIR / "dataset" / f"{name}.yaml").exists():
            store.store(group="dataset", name=name, node={"name": name})


def options(group: str) -> list[str]:
    """The choices of a config group."""
    names = {p.stem for p in (CONFIG_DIR / group).glob("*.yaml")}
    if group == "dataset":
        names |= set(registry())
    return sorted(names)


def check_overrides(argv: list[str]) -> str | None:
    """A one-line error for a group override naming no existing option, else None."""
    for arg in argv:
        key, sep, value = arg.partition("=")
        if sep and key in GROUPS and value not in options(key):
            choices = options(key)
            shown = ", ".join(choices) if len(choices) <= 12 else ", ".join(choices[:12]) + ", ..."
            return f"unknown {key} {value!r}; choose one of: {shown}"
    return None
