#!/usr/bin/env bash
# One command from a fresh clone: set up what is missing (PostgreSQL, Mesa and docker-compose too), type-check, run
# every test: `npm test` runs the unit project, then the integration one (vitest.config.ts). Tests of a training backend this host cannot run are skipped, saying why, unless
# HYPERTUNE_REQUIRE_BACKENDS names it (CI names them all).
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_POSTGRES=1 WITH_TEST_TOOLS=1 bash scripts/ensure-deps.sh
npm run --silent typecheck
exec npm test
