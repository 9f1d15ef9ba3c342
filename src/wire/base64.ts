/**
 * Canonical base64 (RFC 4648 §4: standard alphabet, `=` padding, zero unused bits), the only
 * form whose bytes give back the exact same string; partial images travel as bytes only then.
 * A Node path (`Buffer`'s natives, decoding straight into the output) and a portable one.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;
/** The number of bytes of a canonical base64 string, or -1 when it is not canonical base64 (plain JS). */
export function canonicalBase64Length(s: string): number {
  const n = s.length;
  if (n % 4 !== 0) return -1;
  if (n === 0) return 0;
  const pad = s.charCodeAt(n - 1) !== 0x3d ? 0 : s.charCodeAt(n - 2) !== 0x3d ? 1 : 2;
  for (let i = 0; i < n - pad; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || VALUES[c]! < 0) return -1;
  }
  // the bits after the last byte must be zero, or another string would give the same bytes
  if (s.charCodeAt(n - 1) === 0x3d) {
    if (s.charCodeAt(n - 2) === 0x3d) {
      if ((VALUES[s.charCodeAt(n - 3)]! & 0x0f) !== 0) return -1;
      return (n / 4) * 3 - 2;
    }
    if ((VALUES[s.charCodeAt(n - 2)]! & 0x03) !== 0) return -1;
    return (n / 4) * 3 - 1;
  }
  return (n / 4) * 3;
}

/** One base64 implementation over canonical strings. */
export interface Base64 {
  /** The number of bytes of a canonical base64 string, or -1 when it is not canonical base64. */
  canonicalLength(s: string): number;
  /** Writes the bytes of a canonical base64 string (`length` of them) at `pos`; returns the position after. */
  write(s: string, length: number, buf: Uint8Array, pos: number): number;
  /** The canonical base64 of `buf[start, end)`. */
  read(buf: Uint8Array, start: number, end: number): string;
}

/** Base64 in plain JS. */
export const portableBase64: Base64 = {
  canonicalLength: canonicalBase64Length,
  write(s, length, buf, pos) {
    const end = pos + length;
    for (let i = 0; pos < end; i += 4) {
      const v =
        (VALUES[s.charCodeAt(i)]! << 18) |
        (VALUES[s.charCodeAt(i + 1)]! << 12) |
        ((VALUES[s.charCodeAt(i + 2)]! & 0x3f) << 6) |
        (VALUES[s.charCodeAt(i + 3)]! & 0x3f);
      buf[pos++] = v >>> 16;
      if (pos < end) buf[pos++] = (v >>> 8) & 0xff;
      if (pos < end) buf[pos++] = v & 0xff;
    }
    return end;
  },
  read(buf, start, end) {
    const parts: string[] = [];
    let chunk = "";
    let i = start;
    for (; i + 3 <= end; i += 3) {
      const v = (buf[i]! << 16) | (buf[i + 1]! << 8) | buf[i + 2]!;
      chunk += ALPHABET[v >>> 18]! + ALPHABET[(v >>> 12) & 63]! + ALPHABET[(v >>> 6) & 63]! + ALPHABET[v & 63]!;
      if (chunk.length >= 8192) {
        parts.push(chunk);
        chunk = "";
      }
    }
    if (end - i === 1) {
      const v = buf[i]! << 16;
      chunk += `${ALPHABET[v >>> 18]!}${ALPHABET[(v >>> 12) & 63]!}==`;
    } else if (end - i === 2) {
      const v = (buf[i]! << 16) | (buf[i + 1]! << 8);
      chunk += `${ALPHABET[v >>> 18]!}${ALPHABET[(v >>> 12) & 63]!}${ALPHABET[(v >>> 6) & 63]!}=`;
    }
    parts.push(chunk);
    return parts.join("");
  },
};

type BufferNatives = {
  prototype: {
    base64Write(this: Uint8Array, s: string, offset: number, length: number): number;
    base64Slice(this: Uint8Array, start: number, end: number): string;
  };
};

/**
 * Node's natives. `base64Write` is lenient (it skips characters outside the alphabet and reads
 * base64url), so canonical form is checked by decoding and encoding again: canonical base64 is
 * exactly the text that survives that round trip.
 */
function nodeBase64(natives: BufferNatives["prototype"]): Base64 {
  let scratch = new Uint8Array(0);
  return {
    canonicalLength(s) {
      const n = s.length;
      if (n % 4 !== 0) return -1;
      const bytes = (n / 4) * 3 - (s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0);
      if (scratch.length < bytes) scratch = new Uint8Array(Math.max(bytes, scratch.length * 2));
      if (natives.base64Write.call(scratch, s, 0, bytes) !== bytes) return -1;
      return natives.base64Slice.call(scratch, 0, bytes) === s ? bytes : -1;
    },
    write: (s, length, buf, pos) => pos + natives.base64Write.call(buf, s, pos, length),
    read: (buf, start, end) => natives.base64Slice.call(buf, start, end),
  };
}

const natives = (globalThis as { Buffer?: BufferNatives }).Buffer?.prototype;

/** The implementation in use: Node's natives when `Buffer` exists, the portable one otherwise. */
export const base64: Base64 =
  typeof natives?.base64Write === "function" && typeof natives.base64Slice === "function" ? nodeBase64(natives) : portableBase64;
