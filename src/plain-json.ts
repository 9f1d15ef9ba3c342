/**
 * A fast path from JSON text straight to message bytes, for the lines every real stream is made
 * of: one object with exactly the four members (either spelling, any order), an id of printable
 * ASCII without escapes, and integers from 0 to 2^53-1 written plainly. Anything else is left
 * to the general path (`JSON.parse`, `fromJson`, `encode`), which writes the same bytes.
 */
import { IMAGE_GEN_CALL_COMPLETED } from "./json/event.js";
import { int64Size, varint32Size, writeInt64, writeVarint32 } from "./wire/varint.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const TYPE_VALUE = Array.from(`"${IMAGE_GEN_CALL_COMPLETED}"`, (c) => c.charCodeAt(0));

/** Member names, with the bit each sets and the shape it belongs to (1 wire, 2 SDK, 3 both). */
const MEMBERS: readonly { name: number[]; bit: number; shape: number }[] = [
  ["type", 1, 3],
  ["item_id", 2, 1],
  ["itemId", 2, 2],
  ["output_index", 4, 1],
  ["outputIndex", 4, 2],
  ["sequence_number", 8, 1],
  ["sequenceNumber", 8, 2],
].map(([name, bit, shape]) => ({ name: Array.from(name as string, (c) => c.charCodeAt(0)), bit: bit as number, shape: shape as number }));

function skipSpace(src: Uint8Array, p: number, end: number): number {
  while (p < end) {
    const c = src[p]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    p++;
  }
  return p;
}

/** Matches the member name in `src[p, q)` (between quotes) and returns its entry. */
function member(src: Uint8Array, p: number, q: number): (typeof MEMBERS)[number] | undefined {
  next: for (const m of MEMBERS) {
    if (m.name.length !== q - p) continue;
    for (let i = 0; i < m.name.length; i++) if (src[p + i] !== m.name[i]) continue next;
    return m;
  }
  return undefined;
}

// the last scan's findings, read by the writer right after it
let idStart = 0;
let idEnd = 0;
let outputIndex = 0;
let sequenceNumber = 0;

/** Scans `src[start, end)` as a plain event; returns false for anything else. */
function scan(src: Uint8Array, start: number, end: number): boolean {
  let p = skipSpace(src, start, end);
  if (src[p] !== 0x7b) return false; // {
  p = skipSpace(src, p + 1, end);
  let seen = 0;
  let shapes = 3;
  for (;;) {
    if (src[p] !== QUOTE) return false;
    const nameStart = p + 1;
    let q = nameStart;
    while (q < end && src[q] !== QUOTE) q++;
    const m = member(src, nameStart, q);
    if (m === undefined || seen & m.bit || (shapes & m.shape) === 0) return false;
    seen |= m.bit;
    shapes &= m.shape;
    p = skipSpace(src, q + 1, end);
    if (src[p] !== 0x3a) return false; // :
    p = skipSpace(src, p + 1, end);
    if (m.bit === 1) {
      for (let i = 0; i < TYPE_VALUE.length; i++) if (src[p + i] !== TYPE_VALUE[i]) return false;
      p += TYPE_VALUE.length;
    } else if (m.bit === 2) {
      if (src[p] !== QUOTE) return false;
      idStart = ++p;
      for (;;) {
        if (p >= end) return false;
        const c = src[p]!;
        if (c === QUOTE) break;
        if (c < 0x20 || c > 0x7e || c === BACKSLASH) return false;
        p++;
      }
      idEnd = p++;
    } else {
      let n = 0;
      let digits = 0;
      while (p < end) {
        const c = src[p]! - 0x30;
        if (c < 0 || c > 9) break;
        if (digits === 1 && n === 0) return false; // a leading zero is not JSON
        n = n * 10 + c;
        digits++;
        p++;
      }
      // up to 15 digits is always below 2^53; a fraction or exponent goes the general way
      if (digits === 0 || digits > 15) return false;
      const c = src[p];
      if (c === 0x2e || c === 0x65 || c === 0x45) return false;
      if (m.bit === 4) outputIndex = n;
      else sequenceNumber = n;
    }
    p = skipSpace(src, p, end);
    if (src[p] === 0x2c) {
      p = skipSpace(src, p + 1, end);
      continue;
    }
    if (src[p] !== 0x7d) return false; // }
    return seen === 15 && skipSpace(src, p + 1, end) === end;
  }
}

/**
 * Encodes the JSON text `src[start, end)` if it is a plain event (see above), into `out` at
 * `pos`, with a varint length prefix when `delimited`, and returns the position after it.
 * Returns `undefined` when the text is not a plain event, and minus the bytes it needs when it
 * does not fit; nothing is written in either case.
 */
export function encodePlainJson(
  src: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  pos: number,
  delimited = false,
): number | undefined {
  if (!scan(src, start, end)) return undefined;
  const idBytes = idEnd - idStart;
  const size = 1 + varint32Size(idBytes) + idBytes + 1 + int64Size(outputIndex) + 1 + int64Size(sequenceNumber);
  const total = delimited ? varint32Size(size) + size : size;
  if (out.length - pos < total) return -total;
  if (delimited) pos = writeVarint32(size, out, pos);
  out[pos++] = 0x0a; // 1: item_id
  pos = writeVarint32(idBytes, out, pos);
  for (let i = idStart; i < idEnd; i++) out[pos++] = src[i]!;
  out[pos++] = 0x10; // 2: output_index
  pos = writeInt64(outputIndex, out, pos);
  out[pos++] = 0x18; // 3: sequence_number
  return writeInt64(sequenceNumber, out, pos);
}
