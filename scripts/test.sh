#!/usr/bin/env bash
# One command from a fresh clone: set up what is missing (PostgreSQL, Mesa and docker-compose too),
# type-check, check the import rules and file sizes (npm run check:architecture), run every test: `npm test` runs the unit project, then the integration ones
# (vitest.config.ts). A test needing what this host lacks (PostgreSQL, Chromium, a training backend)
# is skipped, saying why, unless CI or a HYPERTUNE_REQUIRE_* variable requires it (test/helpers/requirements.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_POSTGRES=1 WITH_TEST_TOOLS=1 bash scripts/ensure-deps.sh
npm run --silent typecheck
npm run --silent check:architecture
exec npm test
