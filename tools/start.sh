#!/usr/bin/env bash
# `npm start`: the voice gateway (apps/voice-gateway), from source, configured by the environment and ./.env.
# With no provider keys it runs fully offline (pocketsphinx STT, the scripted ordering dialog, flite TTS) and prints
# the softphone URL; keys select the vendors (Deepgram, Groq, Cartesia). `npm run setup` first on a fresh clone.
# Same as `npx nx serve @voice/voice-gateway`, without nx's task runner between the terminal and the process, so
# Ctrl-C reaches the gateway directly (it drains calls, then exits).
# The libraries' call-simulator demo that `npm start` used to run is `npm run demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then
  echo "start: node_modules is missing; run 'npm run setup' first" >&2
  exit 1
fi
env_file=()
[ -f .env ] && env_file=(--env-file=.env)
export SWC_NODE_PROJECT=apps/voice-gateway/tsconfig.app.json
exec node "${env_file[@]}" --conditions=@voice/source -r @swc-node/register apps/voice-gateway/src/main.ts "$@"
