"""Compare the runs of two results folders: every recorded number but the timings must agree.

    python tests/tools/compare_runs.py BEFORE/results/runs AFTER/results/runs [--new KEY ...]

Keys whose name holds ``seconds``, ``clock``, ``environment``, ``job`` or ``config`` are masked at
any depth (timings, machine, the job a run was part of, and the composed config, whose layout may
change); ``--new`` names top-level keys that only the newer runs write. Exit status 1 when a run
is missing on one side or differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

MASKED = ("seconds", "clock", "environment", "job", "config")


def masked(value: object) -> object:
    """``value`` with every entry whose key holds a masked word dropped, at any depth."""
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items() if not any(word in k for word in MASKED)}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


def differences(before: Path, after: Path, new: tuple[str, ...] = ()) -> list[str]:
    """One line per run that is missing on one side or whose masked metrics differ."""
    runs_a = {p.relative_to(before) for p in before.rglob("metrics.json")}
    runs_b = {p.relative_to(after) for p in after.rglob("metrics.json")}
    out = [f"only in {before}: {rel}" for rel in sorted(runs_a - runs_b)]
    out += [f"only in {after}: {rel}" for rel in sorted(runs_b - runs_a)]
    for rel in sorted(runs_a & runs_b):
        a = masked(json.loads((before / rel).read_text()))
        b = masked(json.loads((after / rel).read_text()))
        b = {k: v for k, v in b.items() if k not in new}
        keys = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        if keys:
            out.append(f"differs: {rel}: {', '.join(keys)}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--new", nargs="*", default=[], help="top-level keys only the newer runs write")
    args = parser.parse_args(argv)
    lines = differences(args.before, args.after, tuple(args.new))
    count = sum(1 for _ in args.before.rglob("metrics.json"))
    print("\n".join(lines) if lines else f"{count} runs compared: identical (masked: {', '.join(MASKED)})")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
