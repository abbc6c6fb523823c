#!/usr/bin/env bash
# Create (or update) the project's virtual environment in .venv and install gnnlift into it.
#
#   bash envs/install.sh                    # .venv next to this repository's top level
#   bash envs/install.sh --with-neuralogic  # plus the optional PyNeuraLogic variant (needs Java)
#   VENV=/path/to/venv bash envs/install.sh
#
# torch goes first and alone, pinned, so pip takes the CPU build and no CUDA wheels.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VENV:-$root/.venv}"
with_neuralogic=0
for arg in "$@"; do
    case "$arg" in
        --with-neuralogic) with_neuralogic=1 ;;
        *) echo "install.sh: unknown option $arg (expected --with-neuralogic)" >&2; exit 2 ;;
    esac
done
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

if [ "$with_neuralogic" = 1 ]; then
    echo "[install] neuralogic (optional extra)"
    command -v java > /dev/null || echo "[install] warning: no java on PATH; variant=neuralogic will be left out" >&2
    pip_quiet install -r "$root/envs/neuralogic.txt"
fi

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
