/**
 * UTF-8 for protobuf strings: exact byte lengths, writing without replacement characters (callers
 * refuse lone surrogates first), and strict reading that refuses invalid UTF-8 and keeps a
 * leading U+FEFF. Two implementations with the same results: one with Node's `Buffer` natives
 * (several times faster on short ids), and a portable one for browsers, Deno and workers.
 */
import { BridgeError } from "../errors.js";

/** One UTF-8 implementation. */
export interface Utf8 {
  /** The number of bytes of a well-formed string in UTF-8. */
  length(s: string): number;
  /** Writes a well-formed string as UTF-8 at `pos` and returns the position after it. */
  write(s: string, buf: Uint8Array, pos: number): number;
  /**
   * Reads `buf[start, end)` as UTF-8, or returns `undefined` if it is not valid UTF-8; throws a
   * `too_large` `BridgeError` when the text is longer than the longest string the engine can hold.
   */
  read(buf: Uint8Array, start: number, end: number): string | undefined;
}

/**
 * Tells whether an error is the engine refusing to make a string that long: V8 holds at most
 * 2^29 - 24 UTF-16 code units (Node says `ERR_STRING_TOO_LONG`, plain V8 `Invalid string length`).
 */
export function isStringTooLong(err: unknown): boolean {
  return (
    (err as { code?: unknown } | null)?.code === "ERR_STRING_TOO_LONG" || (err instanceof RangeError && /string length/i.test(err.message))
  );
}

/** The refusal of bytes whose text is longer than the longest string the engine can hold. */
export function stringTooLong(bytes: number): BridgeError {
  return new BridgeError("too_large", [], `string of ${bytes} bytes is longer than the longest string JavaScript can hold`, {
    value: bytes,
  });
}

/** V8's longest string on 64-bit platforms, in UTF-16 code units. */
const V8_MAX_STRING_LENGTH = 0x1fffffe8;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function decodeStrict(buf: Uint8Array, start: number, end: number): string | undefined {
  try {
    return decoder.decode(buf.subarray(start, end));
  } catch (err) {
    if (isStringTooLong(err)) throw stringTooLong(end - start);
    return undefined;
  }
}

/** UTF-8 with the standard `TextEncoder` / `TextDecoder` only. */
export const portableUtf8: Utf8 = {
  length(s) {
    let n = s.length;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) continue;
      if (c < 0x800) n += 1;
      else if (c >= 0xd800 && c <= 0xdbff) {
        // a pair: 2 code units, 4 bytes
        i++;
        n += 2;
      } else n += 2;
    }
    return n;
  },
  write(s, buf, pos) {
    const n = s.length;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[pos++] = c;
    }
    if (i === n) return pos;
    return pos + encoder.encodeInto(i === 0 ? s : s.slice(i), buf.subarray(pos)).written;
  },
  read: decodeStrict,
};

/** The parts of Node's `Buffer` that `nodeUtf8` uses. */
export type BufferNatives = {
  byteLength(s: string, encoding: "utf8"): number;
  prototype: { latin1Slice(this: Uint8Array, start: number, end: number): string };
};

/**
 * Node's natives where they win: `byteLength`, and `latin1Slice` for all-ASCII bytes. Writing
 * stays in JS: a native write into a small, new `Uint8Array` first moves its memory off the V8
 * heap, which costs more than the whole JS loop. Exported for tests, which hand it stand-ins.
 */
export function nodeUtf8(natives: BufferNatives): Utf8 {
  const { latin1Slice } = natives.prototype;
  return {
    length: (s) => natives.byteLength(s, "utf8"),
    write: portableUtf8.write,
    read(buf, start, end) {
      if (end - start > V8_MAX_STRING_LENGTH) return decodeStrict(buf, start, end); // may fit if multi-byte; the native decoder decides
      for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return decodeStrict(buf, start, end);
      try {
        return latin1Slice.call(buf, start, end); // all ASCII: latin1 is the identity
      } catch (err) {
        if (isStringTooLong(err)) throw stringTooLong(end - start);
        throw err;
      }
    },
  };
}

const natives = (globalThis as { Buffer?: BufferNatives }).Buffer;

/** The implementation in use: Node's natives when `Buffer` exists, the portable one otherwise. */
export const utf8: Utf8 =
  typeof natives?.byteLength === "function" && typeof natives.prototype?.latin1Slice === "function" ? nodeUtf8(natives) : portableUtf8;
