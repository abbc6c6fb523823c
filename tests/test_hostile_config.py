"""A config file built to explode ("billion laughs": YAML aliases nested in aliases) is refused in one line,
by the workflow's dry run and by ``gnnlift plan``, in bounded memory and time."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from gnnlift import config_schema

REPO = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
MESSAGE = "config: more than 200,000 values once YAML aliases are expanded; refused"


def laughs(path: Path, depth: int = 10, width: int = 10) -> Path:
    """``datasets`` expanding to width**depth strings, in a few hundred bytes."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"l{d}: &l{d} [{', '.join([f'*l{d - 1}'] * width)}]" for d in range(1, depth)]
    lines.append(f"datasets: *l{depth - 1}")
    path.write_text("\n".join(lines) + "\n")
    return path


def bounded() -> None:
    """At most 3 GiB of address space for the child: an expansion fails fast instead of filling the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile"],
        [sys.executable, "-m", "gnnlift", "plan", "--configfile"],
    ],
    ids=["snakemake", "plan"],
)
def test_an_alias_bomb_is_refused_in_one_line(tmp_path, command):
    bomb = laughs(tmp_path / "bomb.yaml")
    result = subprocess.run(
        [*command, str(bomb)], cwd=REPO, env=ENV, capture_output=True, text=True, timeout=300, preexec_fn=bounded
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert MESSAGE in output, output[-2000:]
    assert "lol, lol" not in output and "MemoryError" not in output


def test_a_config_of_ordinary_size_is_counted_in_full():
    assert config_schema.count_values({"a": [1, 2, [3]], "b": {"c": "d"}}) == 8
    assert config_schema.count_values([[0] * 10] * 10, limit=50) == 51  # stops just past the limit
