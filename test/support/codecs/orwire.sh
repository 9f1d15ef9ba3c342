#!/bin/sh
# This bridge as a contract codec: `decode` is `orwire decode --shape wire`, `encode` is
# `orwire encode` (both raw: one message, exit 1 and nothing on stdout for a refusal).
# test/conformance.test.ts runs the kit against it: the reference passes its own kit.
orwire="$(cd "$(dirname "$0")/../../.." && pwd)/dist/src/cli/main.js"
case "$1" in
  decode) exec node "$orwire" decode --shape wire ;;
  encode) exec node "$orwire" encode ;;
  *) echo "usage: orwire.sh decode|encode" >&2; exit 2 ;;
esac
