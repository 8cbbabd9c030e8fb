#!/usr/bin/env bash
# One command from a fresh clone: set up what is missing (PostgreSQL too), type-check, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_POSTGRES=1 bash scripts/ensure-deps.sh
npm run --silent typecheck
exec npm test
