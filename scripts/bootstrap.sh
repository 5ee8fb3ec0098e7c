# Sourced by the other scripts: make sure uv is there, then install the locked environment.
set -eu
cd "$(dirname "$0")/.."
export PATH="$HOME/.local/bin:$PATH"
if ! command -v uv >/dev/null 2>&1; then
    echo "ducha: installing uv with pip" >&2
    python3 -m pip install --quiet --user uv 2>/dev/null \
        || python3 -m pip install --quiet --user --break-system-packages uv 2>/dev/null \
        || python3 -m pip install --quiet uv
fi
uv sync --frozen --quiet --compile-bytecode
