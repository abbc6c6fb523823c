#!/usr/bin/env bash
# Create (or update) the project's virtual environment in .venv and install gnnlift into it.
#
#   bash envs/install.sh            # .venv next to this repository's top level
#   VENV=/path/to/venv bash envs/install.sh
#
# torch goes first and alone, pinned, so pip takes the CPU build and no CUDA wheels.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VENV:-$root/.venv}"
python="${PYTHON:-python3}"

echo "[install] virtual environment: $venv"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
pip_quiet() {
    # Some machines' global pip config names index folders that do not exist; drop that noise.
    "$venv/bin/python" -m pip --quiet --disable-pip-version-check "$@" \
        2> >(grep -v "is neither a file nor a directory" >&2)
}

echo "[install] torch (CPU build)"
pip_quiet install "$(grep -E '^torch==' "$root/envs/requirements.txt")"

echo "[install] requirements"
pip_quiet install -r "$root/envs/requirements.txt"

echo "[install] gnnlift (editable)"
pip_quiet install --no-deps --editable "$root"

# dgl 2.1.0 imports dgl.graphbolt, which ships no library for this torch version. The
# graph layers do not need it: an empty stand-in module lets `import dgl` succeed. The backend
# is named so that dgl neither guesses aloud nor writes ~/.dgl/config.json.
site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
cat > "$site/dgl_graphbolt_stub.pth" <<'PTH'
import sys, types; sys.modules.setdefault("dgl.graphbolt", types.ModuleType("dgl.graphbolt"))
import os; os.environ.setdefault("DGLBACKEND", "pytorch")
PTH

pip_quiet check
"$venv/bin/python" -c 'import dgl, torch, torch_geometric; print("[install] ok: torch", torch.__version__, "| torch_geometric", torch_geometric.__version__, "| dgl", dgl.__version__)'
