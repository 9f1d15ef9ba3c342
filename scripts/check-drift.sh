#!/usr/bin/env bash
# Fails when gen/ is not exactly what `buf generate` writes from proto/ (generated code is never edited).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
node_modules/.bin/buf generate -o "$out"
if ! diff -r "$out/gen" gen; then
  echo "gen/ differs from what 'buf generate' writes: run 'npm run generate' and commit" >&2
  exit 1
fi
echo "gen/ is in step with proto/"
