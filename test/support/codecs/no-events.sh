#!/bin/sh
# A codec written before the lifecycle envelope: `decode` and `encode` are this bridge's
# (orwire.sh), `decode-event` / `encode-event` are unknown commands (exit 2, a usage line).
# test/conformance.test.ts proves the kit reports it: one failing envelope case with the reason,
# the completed message's cases unaffected, and `--no-events` passes it.
case "$1" in
  decode | encode) exec sh "$(dirname "$0")/orwire.sh" "$1" ;;
  *) cat > /dev/null; echo "usage: no-events.sh decode|encode" >&2; exit 2 ;;
esac
