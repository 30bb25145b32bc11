#!/usr/bin/env bash
# Idempotent setup for a fresh clone: npm packages, the Debian packages the offline providers and browser tests need,
# and the Python venv of services/csm-gpu. Safe to run again; each step skips itself when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

export NX_NO_CLOUD=true NX_DAEMON=false NX_TUI=false

# npm: `npm ci` when node_modules is missing or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
else
  echo "setup: npm packages up to date"
fi

# Debian packages (listed in tools/apt-packages.txt). Installed only when missing; needs root or sudo.
if [ -s tools/apt-packages.txt ]; then
  missing=()
  while read -r pkg; do
    [ -z "$pkg" ] || [ "${pkg#\#}" != "$pkg" ] && continue
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done < tools/apt-packages.txt
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

# Python venv for services/csm-gpu (torch 2.13.0 CPU build first, so nothing pulls CUDA wheels).
if [ -f services/csm-gpu/project.json ]; then
  npx nx run csm-gpu:setup --outputStyle=stream
fi
echo "setup: done"
