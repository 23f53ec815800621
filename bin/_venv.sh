# shellcheck shell=bash
# Shared by bin/start and bin/test (sourced, not executed).
#
# ensure_venv: make sure $ROOT/.venv exists, runs Python 3.11 and has exactly what
# requirements.lock pins. Creates the venv if missing (or broken), and reinstalls only when
# requirements.lock changed since the last successful install (hash kept in .venv), so re-runs
# are fast. Afterwards $VENV_PY is the venv's python and the venv's bin/ is first on PATH.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
VENV_PY="$VENV/bin/python"
LOCK="$ROOT/requirements.lock"

_pick_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "bin/_venv.sh: no Python 3.11 with venv/ensurepip found (tried \$PYTHON, python3.11, python3)." >&2
    echo "  On Debian: apt-get install python3-venv (needs python3 = 3.11), or set PYTHON=/path/to/python3.11." >&2
    return 1
}

ensure_venv() {
    # A venv copied from another machine or left half-made won't run: start over.
    if [ -e "$VENV" ] && ! "$VENV_PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
        echo ">> $VENV is broken or not Python 3.11: recreating it" >&2
        rm -rf "$VENV"
    fi
    if [ ! -x "$VENV_PY" ]; then
        local py
        py="$(_pick_python)" || return 1
        echo ">> creating $VENV with $(command -v "$py") ($("$py" --version 2>&1))" >&2
        "$py" -m venv "$VENV"
    fi

    local want have
    want="$(sha256sum "$LOCK" | cut -d' ' -f1)"
    have="$(cat "$VENV/.requirements.lock.sha256" 2>/dev/null || true)"
    if [ "$want" != "$have" ]; then
        echo ">> installing requirements.lock into $VENV" >&2
        "$VENV_PY" -m pip install --disable-pip-version-check --quiet -r "$LOCK"
        echo "$want" > "$VENV/.requirements.lock.sha256"
    fi

    export PATH="$VENV/bin:$PATH"
    export VIRTUAL_ENV="$VENV"
}
