#!/usr/bin/env bash
# The one test command (README): system prerequisites, typecheck + lint, dashboard build, every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
npm run --silent check
npm run --silent build:dashboard
npx vitest run "$@"
