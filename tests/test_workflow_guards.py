"""The workflow never lies: mistyped config, missing or broken results, the profile, unknown names."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def dry_run(configfile: Path, *extra: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """``snakemake -n`` with one extra config file; its stdout and stderr together in ``stdout``."""
    command = [*SNAKEMAKE, "-n", "--cores", "1", "--configfile", str(configfile), *extra]
    return subprocess.run(command, cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data))
    return path


def test_item1_unknown_top_level_key(tmp_path):
    for key in ("experimnts", "compresion"):
        result = dry_run(write_yaml(tmp_path / f"{key}.yaml", {key: {}}))
        assert result.returncode != 0, result.stdout[-2000:]
        assert f"unknown key '{key}' at the top level" in result.stdout
        assert "valid keys there: clashes, compression, datasets, experiments," in result.stdout
        assert "$schema" not in result.stdout and "properties" not in result.stdout
        assert len(result.stdout.strip().splitlines()) <= 8, result.stdout


def test_item1_unknown_key_inside_an_experiment(tmp_path):
    config = {"experiments": {"table1": {"variantss": ["plain"]}}}
    result = dry_run(write_yaml(tmp_path / "typo.yaml", config))
    assert result.returncode != 0
    assert "unknown key 'variantss' in experiments.table1" in result.stdout
    assert "valid keys there: enabled, folds, groups, num_folds, overrides, protocols, seeds, variants" in result.stdout
    assert len(result.stdout.strip().splitlines()) <= 8, result.stdout


def test_item1_check_names_the_bad_value():
    from gnnlift.config_schema import ConfigError, check

    schema = REPO / "workflow/schemas/config.schema.yaml"
    check({"datasets": ["mutag"], "threads": 2}, schema)
    with pytest.raises(ConfigError, match=r"^config: threads: 0 is less than the minimum of 1$"):
        check({"datasets": ["mutag"], "threads": 0}, schema)
    with pytest.raises(ConfigError, match="unknown key 'modle' in run_overrides"):
        check({"datasets": ["mutag"], "run_overrides": {"modle": {}}}, schema)
    group = {"models": ["gcn"], "dataset": ["mutag"]}
    with pytest.raises(ConfigError, match=r"unknown key 'dataset' in compression\.groups\.0"):
        check({"datasets": ["mutag"], "compression": {"groups": [group]}}, schema)
