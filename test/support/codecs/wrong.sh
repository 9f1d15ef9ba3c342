#!/bin/sh
# A codec that follows the contract's form but is always wrong: `decode` prints one fixed event
# (output_index 0 where -0 is expected, and so on), `encode` writes one fixed message, and it
# never refuses anything; `decode-event` / `encode-event` do the same with one fixed partial image
# (index 0, "QUJD") and its envelope. test/conformance.test.ts proves the kit fails it with a diff.
cat > /dev/null
case "$1" in
  decode) printf '%s\n' '{"type":"response.image_generation_call.completed","item_id":"ig_1","output_index":0,"sequence_number":0}' ;;
  encode) printf '\n\004ig_1\020\000\030\000' ;;
  decode-event) printf '%s\n' '{"type":"response.image_generation_call.partial_image","item_id":"ig_1","output_index":0,"sequence_number":0,"partial_image_b64":"QUJD","partial_image_index":0}' ;;
  encode-event) printf '\032\021\n\004ig_1\020\000\030\0002\003ABC@\000' ;;
  *) echo "usage: wrong.sh decode|encode|decode-event|encode-event" >&2; exit 2 ;;
esac
