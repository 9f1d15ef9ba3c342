#!/bin/sh
# This bridge as a contract codec: `decode` is `orwire decode --shape wire`, `encode` is
# `orwire encode` (both raw: one message, exit 1 and nothing on stdout for a refusal);
# `decode-event` / `encode-event` are the same with `--message event` (the ImageGenCallEvent
# envelope). test/conformance.test.ts runs the kit against it: the reference passes its own kit.
orwire="$(cd "$(dirname "$0")/../../.." && pwd)/dist/src/cli/main.js"
case "$1" in
  decode) exec node "$orwire" decode --shape wire ;;
  encode) exec node "$orwire" encode ;;
  decode-event) exec node "$orwire" decode --shape wire --message event ;;
  encode-event) exec node "$orwire" encode --message event ;;
  *) echo "usage: orwire.sh decode|encode|decode-event|encode-event" >&2; exit 2 ;;
esac
