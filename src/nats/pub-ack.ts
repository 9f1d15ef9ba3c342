/** JetStream's usual `PubAck` read from its bytes, without decoding or parsing it. */

const encoder = new TextEncoder();
const STREAM = encoder.encode('{"stream":"');
const SEQ = encoder.encode('"seq":');
const DUPLICATE = encoder.encode('"duplicate":');
const TRUE = encoder.encode("true");
const QUOTE = 0x22;
const COMMA = 0x2c;
const CLOSE = 0x7d;

/**
 * Whether a `PubAck` of the shape nats-server writes, `{"stream":"<name>", "seq":<n>}` or with
 * `,"duplicate": true` before the brace (spaces after a comma or colon optional; a non-empty name
 * without backslash or control byte), is a duplicate; `undefined` for anything else (an error, a
 * domain, another field or spacing), which JSON.parse must read.
 */
export function scanPubAck(b: Uint8Array): boolean | undefined {
  const n = b.length;
  if (!startsAt(b, 0, STREAM)) return undefined;
  let i = STREAM.length;
  for (let c: number; i < n && (c = b[i]!) !== QUOTE; i++) if (c === 0x5c || c < 0x20) return undefined;
  if (i === STREAM.length || i === n) return undefined;
  i++; // the closing quote
  if (b[i++] !== COMMA) return undefined;
  i = spaces(b, i);
  if (!startsAt(b, i, SEQ)) return undefined;
  i = spaces(b, i + SEQ.length);
  const digits = i;
  while (i < n && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
  if (i === digits) return undefined;
  if (i === n - 1 && b[i] === CLOSE) return false;
  if (b[i++] !== COMMA) return undefined;
  i = spaces(b, i);
  if (!startsAt(b, i, DUPLICATE)) return undefined;
  i = spaces(b, i + DUPLICATE.length);
  if (!startsAt(b, i, TRUE)) return undefined;
  i += TRUE.length;
  return i === n - 1 && b[i] === CLOSE ? true : undefined;
}

function spaces(b: Uint8Array, i: number): number {
  while (b[i] === 0x20) i++;
  return i;
}

function startsAt(b: Uint8Array, at: number, s: Uint8Array): boolean {
  if (at + s.length > b.length) return false;
  for (let k = 0; k < s.length; k++) if (b[at + k] !== s[k]) return false;
  return true;
}
