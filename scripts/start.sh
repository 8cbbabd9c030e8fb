#!/usr/bin/env bash
# One command from a fresh clone: set up what is missing, then run the API and a worker
# on the embedded defaults (SQLite in ./data, local Redis, Fashion-MNIST from Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
exec npm start
