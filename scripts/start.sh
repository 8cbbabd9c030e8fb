#!/usr/bin/env bash
# One command from a fresh clone: set up what is missing, then run the API and a worker
# on the embedded defaults (SQLite in ./data, local Redis, Fashion-MNIST from Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
# What `npm start` runs, exec'ed: this script's process becomes the service, so a SIGTERM sent to it
# (kill, a process supervisor) reaches Node's graceful shutdown; npm does not pass it on.
exec node --import tsx workers/start-all.ts
