#!/usr/bin/env bash
# All checks of the project, in the order a reviewer wants them:
# lint, the data workflow for real on a few datasets, then the test suite (its summary last).
#
#   bash tests/run.sh           # uses .venv (made by envs/install.sh) and the mirror if present
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PWD/.venv/bin:$PATH"

mirror="${GNNLIFT_MIRROR:-}"
if [ -z "$mirror" ] && [ -d ../shared/datasets ]; then
    mirror="$(cd ../shared/datasets && pwd)"
fi
mirror_config=()
if [ -n "$mirror" ]; then
    export GNNLIFT_MIRROR="$mirror"
    mirror_config=(--config "mirror=$mirror")
    echo "[test] dataset mirror: $mirror"
else
    echo "[test] no dataset mirror: data comes from the canonical URLs"
fi

echo "[test] ruff"
ruff check src tests
ruff format --check src tests

echo "[test] lint-imports (the layers of pyproject.toml's [tool.importlinter])"
lint-imports

echo "[test] snakemake --lint"
snakemake --lint

echo "[test] workflow on config/quick.yaml, report included"
snakemake --cores 2 --configfile config/quick.yaml "${mirror_config[@]}" --quiet rules
snakemake --cores 2 --configfile config/quick.yaml "${mirror_config[@]}" --report results/report/report.html
head -n 30 results/report/report.md

echo "[test] pytest"
python -m pytest
