#!/usr/bin/env bash
# Create services/csm-gpu/.venv and install the pinned requirements, idempotently.
# - The pip step is skipped when .venv/.requirements.sha256 matches the requirement files.
# - torch is installed first and alone, so no later resolution can pull a CUDA build of it.
# Nx run-commands puts the node binary's folder ahead of PATH (a bare python3 may be the system one), so the
# interpreter is chosen explicitly: $PYTHON, else python3.11, else python3.
set -euo pipefail
cd "$(dirname "$0")/.."

pick_python() {
  for cand in "${PYTHON:-}" python3.11 python3; do
    if [ -n "$cand" ] && command -v "$cand" >/dev/null 2>&1 &&
      "$cand" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$cand"
      return 0
    fi
  done
  echo "setup-venv: need Python >= 3.11 with the venv module (set PYTHON=...)" >&2
  return 1
}

if [ ! -x .venv/bin/python ]; then
  py="$(pick_python)"
  "$py" -m venv .venv
fi

want="$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)"
stamp=.venv/.requirements.sha256
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "setup-venv: .venv is up to date"
  exit 0
fi

torch_pin="$(grep -E '^torch==' requirements.txt)"
.venv/bin/python -m pip install --disable-pip-version-check -q "$torch_pin"
.venv/bin/python -m pip install --disable-pip-version-check -q -r requirements.txt -r requirements-dev.txt
echo "$want" > "$stamp"
echo "setup-venv: installed $(.venv/bin/python -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__)')"
