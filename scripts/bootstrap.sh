#!/usr/bin/env bash
# Creates .venv with Python 3.10 and installs the locked dependencies and the project.
# Sourced by scripts/run and scripts/test; safe to run again (it skips what is done).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

find_python310() {
  local candidates=()
  [ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
  candidates+=(python3.10)
  if command -v pyenv >/dev/null 2>&1; then
    candidates+=("$(pyenv root)"/versions/3.10.*/bin/python)
  fi
  candidates+=("$HOME"/.pyenv/versions/3.10.*/bin/python /usr/bin/python3.10 /usr/local/bin/python3.10 python3)
  for py in "${candidates[@]}"; do
    if command -v "$py" >/dev/null 2>&1 && \
       "$py" -c 'import sys, venv; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; then
      command -v "$py"; return 0
    fi
  done
  return 1
}

if [ ! -x "$VENV/bin/python" ]; then
  if ! PY="$(find_python310)"; then
    cat >&2 <<'MSG'
error: Python 3.10 was not found (Rasa 3.6 runs on Python 3.8-3.10; this project uses 3.10).
Install it, then run this command again, for example:
  pyenv install 3.10.13            (with pyenv)
  apt-get install python3.10 python3.10-venv   (Debian/Ubuntu with a 3.10 package)
or point PYTHON at a Python 3.10 interpreter: PYTHON=/path/to/python3.10 scripts/run
MSG
    exit 1
  fi
  echo "setup: creating .venv with $PY" >&2
  "$PY" -m venv "$VENV"
fi

STAMP="$VENV/.installed"
WANT="$(cat "$ROOT/requirements.lock" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  echo "setup: installing dependencies (a few minutes the first time)" >&2
  "$VENV/bin/python" -m pip install -q --upgrade "pip<25" >&2
  "$VENV/bin/python" -m pip install -q -r "$ROOT/requirements.lock" >&2
  "$VENV/bin/python" -m pip install -q --no-deps --no-build-isolation -e "$ROOT" >&2
  echo "$WANT" > "$STAMP"
fi
