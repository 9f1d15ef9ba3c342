/**
 * Base-128 varints of protobuf's wire format, for the `int64` and length fields the bridge
 * writes. An `int64` is written as its 64-bit two's complement, so a negative value takes 10 bytes.
 */

const TWO_32 = 4294967296;

/** What `readVarint32` returns when the input ends before the varint does. */
export const VARINT_INCOMPLETE = -1;
/** What `readVarint32` returns for a varint wider than 32 bits (a fifth byte above 0x0f, or a sixth byte). */
export const VARINT_OVERFLOW = -2;

/** The position after the varint that the last successful `readVarint32` read. */
export let varint32End = 0;

/**
 * Reads a varint of at most 32 bits unsigned (tags, lengths, Confluent indexes) from
 * `buf[pos, end)`: returns its value and sets `varint32End` after it, or returns
 * `VARINT_INCOMPLETE` when the bytes end first, or `VARINT_OVERFLOW`. Non-canonical (padded)
 * varints are read, as protobuf's parsers do.
 */
export function readVarint32(buf: Uint8Array, pos: number, end: number): number {
  if (pos >= end) return VARINT_INCOMPLETE;
  let b = buf[pos]!;
  if (b < 0x80) {
    varint32End = pos + 1;
    return b;
  }
  let result = b & 0x7f;
  for (let shift = 7; shift < 35; shift += 7) {
    if (++pos >= end) return VARINT_INCOMPLETE;
    b = buf[pos]!;
    if (shift === 28 && b > 0x0f) return VARINT_OVERFLOW;
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) {
      varint32End = pos + 1;
      return result;
    }
  }
  return VARINT_OVERFLOW;
}

/** The number of bytes of a non-negative integer below 2^32 as a varint. */
export function varint32Size(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/** Writes a non-negative integer below 2^32 as a varint and returns the position after it. */
export function writeVarint32(n: number, buf: Uint8Array, pos: number): number {
  while (n > 0x7f) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[pos++] = n;
  return pos;
}

/** The number of bytes of a safe integer written as an `int64` varint. */
export function int64Size(n: number): number {
  if (n < 0) return 10;
  if (n < TWO_32) return varint32Size(n);
  let size = 5;
  for (let rest = Math.floor(n / 34359738368); rest > 0; rest = Math.floor(rest / 128)) size++; // 2^35
  return size;
}

/** Writes a safe integer as an `int64` varint and returns the position after it. */
export function writeInt64(n: number, buf: Uint8Array, pos: number): number {
  if (n >= 0 && n < 0x80) {
    buf[pos] = n;
    return pos + 1;
  }
  const m = n < 0 ? -n : n;
  let lo = m >>> 0;
  let hi = (m - lo) / TWO_32;
  if (n < 0) {
    // two's complement of the 64-bit magnitude
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  while (hi > 0 || lo > 0x7f) {
    buf[pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  buf[pos++] = lo;
  return pos;
}

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Writes a double as 8 little-endian bytes (protobuf's `fixed64` layout). */
export function writeDouble(x: number, buf: Uint8Array, pos: number): number {
  f64[0] = x;
  if (littleEndian) for (let i = 0; i < 8; i++) buf[pos + i] = f64Bytes[i]!;
  else for (let i = 0; i < 8; i++) buf[pos + i] = f64Bytes[7 - i]!;
  return pos + 8;
}

/** Reads 8 little-endian bytes at `pos` as a double. */
export function readDouble(buf: Uint8Array, pos: number): number {
  if (littleEndian) for (let i = 0; i < 8; i++) f64Bytes[i] = buf[pos + i]!;
  else for (let i = 0; i < 8; i++) f64Bytes[7 - i] = buf[pos + i]!;
  return f64[0]!;
}
