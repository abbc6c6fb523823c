"""Config groups of the run app: the files in config/, plus one dataset entry per registry name."""

from __future__ import annotations

from hydra.core.config_store import ConfigStore

from gnnlift import labels
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


# The groups whose workflow labels a run by hand also takes (``variant=lifted-native``), and how a
# label reads as Hydra overrides.
LABELLED = {"variant": labels.variant_overrides, "protocol": labels.protocol_overrides}
LABEL_EXAMPLES = {"variant": "lifted-native or lifted-dataset", "protocol": "batched-b32"}


def check_group(key: str, value: str) -> str | None:
    """A one-line error when ``key`` is a config group and ``value`` is none of its options, else None."""
    if key not in GROUPS or value in options(key):
        return None
    choices = options(key)
    shown = ", ".join(choices) if len(choices) <= 12 else ", ".join(choices[:12]) + ", ..."
    label = f", or a workflow label such as {LABEL_EXAMPLES[key]}" if key in LABELLED else ""
    return f"unknown {key} {value!r}; choose one of: {shown}{label}"


def expand_labels(argv: list[str]) -> list[str]:
    """The command line with every ``variant=LABEL`` and ``protocol=LABEL`` that is a workflow label rather than
    a config option (``variant=lifted-native``, ``protocol=batched-b32``) replaced by its Hydra overrides.

    Raises ValueError (one line) for a label that no run can take, such as ``batched-b0``."""
    out = []
    for arg in argv:
        key, sep, value = arg.partition("=")
        if sep and key in LABELLED and value not in options(key):
            try:
                out += LABELLED[key](value)
                continue
            except ValueError as exc:
                if not str(exc).startswith("unknown"):
                    raise  # a label, but one no run can take (batched-b0, lifted-value-d99)
                # not a label either: check_group names the choices
        out.append(arg)
    return out
