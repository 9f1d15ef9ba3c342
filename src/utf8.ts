/**
 * UTF-8 for protobuf strings: exact byte lengths, writing without replacement characters (callers
 * refuse lone surrogates first), and strict reading that refuses invalid UTF-8 and keeps a
 * leading U+FEFF.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The number of bytes of a well-formed string in UTF-8. */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) i++, (n += 2); // a pair: 2 code units, 4 bytes
    else n += 2;
  }
  return n;
}

/** Writes a well-formed string as UTF-8 at `pos` and returns the position after it. */
export function writeUtf8(s: string, buf: Uint8Array, pos: number): number {
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    buf[pos++] = c;
  }
  if (i === n) return pos;
  return pos + encoder.encodeInto(i === 0 ? s : s.slice(i), buf.subarray(pos)).written;
}

/** Reads `buf[start, end)` as UTF-8, or returns `undefined` if it is not valid UTF-8. */
export function readUtf8(buf: Uint8Array, start: number, end: number): string | undefined {
  if (end - start <= 64) {
    let s = "";
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c >= 0x80) return decodeStrict(buf, start, end);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decodeStrict(buf, start, end);
}

function decodeStrict(buf: Uint8Array, start: number, end: number): string | undefined {
  try {
    return decoder.decode(buf.subarray(start, end));
  } catch {
    return undefined;
  }
}
