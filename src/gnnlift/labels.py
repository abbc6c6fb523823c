"""Variant and protocol labels, spelled in one place: read into Hydra overrides, written from settings.

The workflow reads labels (:func:`variant_overrides`, :func:`protocol_overrides`); a run by hand
writes them from its settings (:func:`variant_label`, :func:`protocol_label`) into its default
folder and its ``metrics.json``, so a run by hand and the workflow's run of the same settings
carry the same label.

- variants: ``plain``, ``lifted`` (exact detection, scope sample), ``lifted-<scope>``,
  ``lifted-value-d<digits>`` (both: ``lifted-<scope>-value-d<digits>``), ``pyg``, ``dgl``,
  ``neuralogic`` (PyNeuraLogic, compression on) and ``neuralogic-off``; a ``-native`` suffix on
  ``plain`` and ``lifted`` labels runs our engine on the native backend (``backend=native``);
- protocols: ``paper``, ``batched``, ``batched-b<size>``, ``fullbatch``.
"""

from __future__ import annotations

import re

NATIVE = "-native"  # label suffix: the engine variants on the native backend
NATIVE_VARIANTS = ("plain", "lifted")
OFF = "-off"  # NeuraLogic's label suffix with its compression off
# PyNeuraLogic on and off. In the workflow the uncompressed count comes from the off run with the
# same coordinates, so the on run does not build the dataset twice.
NEURALOGIC = {
    "neuralogic": ["variant=neuralogic", "lifting=on", "variant.count_uncompressed=false"],
    "neuralogic" + OFF: ["variant=neuralogic", "lifting=off"],
}
MIN_DIGITS, MAX_DIGITS = 1, 15  # value detection's decimal digits: float64 carries about 15
DEFAULT_SCOPE = "sample"  # lifting.scope of a ``lifted`` label that names none
VALUE = "-value-d"  # value detection, then its digits
_VARIANT = re.compile(rf"^(plain|pyg|dgl|lifted)(?:-(sample|batch|dataset))?(?:{VALUE}(\d+))?$")
_PROTOCOL = re.compile(r"^(paper|batched|fullbatch)(?:-b(\d+))?$")
SIZED = "batched"  # the protocol whose label may name a batch size


def variant_overrides(label: str) -> list[str]:
    """Hydra overrides of a variant label."""
    base, native = split_backend(label)
    if base in NEURALOGIC:
        if native:
            _refuse_native(label, base)
        return list(NEURALOGIC[base])
    match = _VARIANT.match(base)
    if not match or (match.group(1) != "lifted" and (match.group(2) or match.group(3))):
        raise ValueError(f"unknown variant label {label!r}")
    name, scope, digits = match.groups()
    if native and name not in NATIVE_VARIANTS:
        _refuse_native(label, name)
    if digits and not MIN_DIGITS <= int(digits) <= MAX_DIGITS:
        raise ValueError(
            f"variant label {label!r}: value detection keeps {MIN_DIGITS} to {MAX_DIGITS} decimal digits "
            f"(float64 holds no more), not {int(digits)}"
        )
    out = [f"variant={name}"]
    if scope:
        out.append(f"lifting.scope={scope}")
    if digits:
        out += ["lifting.detect=value", f"lifting.digits={int(digits)}"]
    if native:
        out.append("backend=native")
    return out


def _refuse_native(label: str, name: str) -> None:
    raise ValueError(
        f"variant label {label!r}: the {NATIVE} suffix (backend=native) applies only to "
        f"{' and '.join(NATIVE_VARIANTS)}, not to {name}"
    )


def split_backend(label: str) -> tuple[str, bool]:
    """A variant label without its ``-native`` suffix, and whether it had one."""
    if label.endswith(NATIVE):
        return label[: -len(NATIVE)], True
    return label, False


def protocol_overrides(label: str) -> list[str]:
    """Hydra overrides of a protocol label."""
    match = _PROTOCOL.match(label)
    if not match or (match.group(2) and match.group(1) != SIZED):
        raise ValueError(f"unknown protocol label {label!r}")
    name, size = match.groups()
    if size and int(size) < 1:
        raise ValueError(f"protocol label {label!r}: a batch holds at least 1 sample")
    return [f"protocol={name}"] + ([f"protocol.batch_size={int(size)}"] if size else [])


def variant_label(
    variant: str, backend: str, lifts: bool, scope: str = DEFAULT_SCOPE, detect: str = "exact", digits: int = 12
) -> str:
    """The label of a variant's settings: ``lifted-dataset-native``, ``lifted-value-d3``, ``neuralogic-off``.

    ``lifts``: whether the run lifts (NeuraLogic's switch); ``scope``, ``detect`` and ``digits``:
    the lifting settings, which only ``lifted`` reads.
    """
    if variant == "neuralogic":
        return variant + ("" if lifts else OFF)
    label = variant
    if variant == "lifted":
        label += ("" if scope == DEFAULT_SCOPE else f"-{scope}") + (f"{VALUE}{digits}" if detect == "value" else "")
    return label + (NATIVE if backend == "native" and variant in NATIVE_VARIANTS else "")


def protocol_label(name: str, batch_size: int | None, default_batch_size: int | None) -> str:
    """The label of a protocol's settings: its name, ``-b<size>`` where the batch size is not its own.

    ``batched-b32``; another protocol given another batch size (``paper-b4``, ``batched-ball``
    for the full batch) names a folder, not a workflow label.
    """
    if batch_size == default_batch_size:
        return name
    return f"{name}-b{'all' if batch_size is None else batch_size}"
