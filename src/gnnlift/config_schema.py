"""The workflow's config against its JSON schema: the first problem as one short message.

Snakemake's own ``validate`` prints the whole schema on an error; :func:`check` names the key
(or the value) at fault and, for an unknown key, the keys that are valid there.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import jsonschema
import yaml


class ConfigError(ValueError):
    """A config that does not match the workflow's schema."""


# More values than any experiment matrix needs: a config past it is refused before it is walked,
# printed or validated (YAML aliases nested in aliases expand without bound, "billion laughs").
MAX_VALUES = 200_000


def count_values(value, limit: int = MAX_VALUES) -> int:
    """The values (mappings, lists and scalars) in ``value`` as expanded, shared ones counted each time they
    occur; counting stops past ``limit``."""
    seen, stack = 0, [value]
    while stack and seen <= limit:
        node = stack.pop()
        seen += 1
        if isinstance(node, Mapping):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
    return seen


def check(config: Mapping, schema_file: Path | str) -> None:
    """Raise :class:`ConfigError` with a few lines on the first way ``config`` breaks the schema."""
    if count_values(config) > MAX_VALUES:
        raise ConfigError(
            f"config: more than {MAX_VALUES:,} values once YAML aliases are expanded; refused (a config file with "
            "aliases nested in aliases?)"
        )
    schema = yaml.safe_load(Path(schema_file).read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: (list(e.absolute_path), e.validator))
    unknown = [e for e in errors if e.validator == "additionalProperties" and isinstance(e.instance, Mapping)]
    if unknown:
        raise ConfigError(_unknown_keys(unknown[0]))
    if errors:
        error = jsonschema.exceptions.best_match(errors)
        raise ConfigError(f"config: {_where(error.absolute_path)}: {_short(error.message)}")


def _unknown_keys(error: jsonschema.ValidationError) -> str:
    valid = sorted(error.schema.get("properties", {}))
    extra = sorted(k for k in error.instance if k not in valid)
    where = f"in {_where(error.absolute_path)}" if error.absolute_path else "at the top level"
    return (
        f"config: unknown key{'s' if len(extra) > 1 else ''} {', '.join(map(repr, extra))} {where}\n"
        f"  valid keys there: {', '.join(valid)}"
    )


def _where(path) -> str:
    parts = [str(p) for p in path]
    return ".".join(parts) if parts else "the top level"


def _short(message: str, limit: int = 200) -> str:
    line = " ".join(message.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."
