#!/usr/bin/env bash
# `npm start`: today, the call simulator demo of the libraries (the gateway app is not built yet).
# Usage: npm start [-- caller.wav [agent-out.wav]]
set -euo pipefail
cd "$(dirname "$0")/.."
exec node -r @swc-node/register tools/demo/src/main.ts "$@"
