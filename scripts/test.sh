#!/usr/bin/env bash
# The whole suite: schema lint, generated-code drift, breaking-change gate, format and lint (Biome),
# typecheck, build, tests.
# Ends with one summary line: "Tests: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .run
step() { echo "== $*"; "$@" || { echo "FAILED: $*" >&2; echo "Tests: 0 passed, 1 failed, 0 skipped"; exit 1; }; }
step node_modules/.bin/buf lint
step bash scripts/check-drift.sh
step node_modules/.bin/buf breaking --against proto/releases/v0.1.0.binpb
step node_modules/.bin/biome ci .
step node_modules/.bin/tsc -p tsconfig.json --noEmit
step npm run --silent build
rm -f .run/vitest-report.json
node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json=.run/vitest-report.json "$@"
status=$?
node scripts/test-summary.mjs .run/vitest-report.json
exit $status
