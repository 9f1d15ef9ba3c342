/** NDJSON input: lines split in linear time, one leading BOM skipped, strict UTF-8 and strict JSON per line. */
import { isUtf8 } from "node:buffer";
import { BridgeError } from "../errors.js";
import { isStringTooLong } from "../wire/utf8.js";

/** A chunk's complete lines: the buffer that holds them and their `[start, end)` pairs, `\n` excluded. */
export interface Lines {
  buf: Buffer;
  bounds: number[];
}

const BOM = [0xef, 0xbb, 0xbf];

/**
 * Splits a byte stream into lines chunk by chunk, without an object or a string per line. One
 * UTF-8 BOM at the very start of the stream is skipped (RFC 8259, section 8.1). A line cut by
 * chunks is kept as a list of its parts, each byte scanned once, and joined once, when its
 * newline comes: the cost is linear in the line's length however many chunks it spans.
 */
export class LineSplitter {
  /** The chunks (or their tails) of the line that is still open; none holds a newline. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Whether the stream's first bytes were checked for a BOM. */
  private started = false;

  /** Takes the next chunk and returns the lines it completes. */
  push(chunk: Uint8Array): Lines {
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!this.started) {
      buf = this.skipBom(buf);
      if (!this.started) return NO_LINES;
    }
    const first = buf.indexOf(10);
    if (first === -1) {
      if (buf.length > 0) this.keep(buf);
      return NO_LINES;
    }
    let scanFrom = first;
    if (this.pending.length > 0) {
      scanFrom = this.pendingBytes + first;
      this.pending.push(buf);
      buf = Buffer.concat(this.pending, this.pendingBytes + buf.length);
      this.pending = [];
      this.pendingBytes = 0;
    }
    const bounds: number[] = [];
    let start = 0;
    for (let nl = scanFrom; nl !== -1; nl = buf.indexOf(10, start)) {
      bounds.push(start, nl);
      start = nl + 1;
    }
    if (start < buf.length) this.keep(buf.subarray(start));
    return { buf, bounds };
  }

  /** The last line, when the input does not end with a newline. */
  end(): Lines {
    const rest = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.started = true;
    return rest.length === 0 ? NO_LINES : { buf: rest, bounds: [0, rest.length] };
  }

  private keep(part: Buffer): void {
    this.pending.push(part);
    this.pendingBytes += part.length;
  }

  /** Drops a leading BOM; holds back a chunk too short to tell (then `started` stays false). */
  private skipBom(buf: Buffer): Buffer {
    if (this.pending.length > 0) {
      buf = Buffer.concat([...this.pending, buf]);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let i = 0;
    while (i < 3 && i < buf.length && buf[i] === BOM[i]) i++;
    if (i === buf.length && i < 3) {
      if (buf.length > 0) this.keep(Buffer.from(buf));
      return buf;
    }
    this.started = true;
    return i === 3 ? buf.subarray(3) : buf;
  }
}

const NO_LINES: Lines = Object.freeze({ buf: Buffer.alloc(0), bounds: [] as number[] }) as Lines;

/**
 * The text of a line without a trailing `\r`, decoded strictly: a line that is not valid UTF-8
 * gives an `invalid_utf8` error instead, so that no byte is silently replaced.
 */
export function lineText(buf: Buffer, start: number, end: number): string | BridgeError {
  if (end > start && buf[end - 1] === 13) end--;
  let text: string;
  try {
    text = buf.toString("utf8", start, end);
  } catch (err) {
    if (isStringTooLong(err)) return tooLongText(end - start, "line");
    throw err;
  }
  // U+FFFD is how Buffer marks bytes it could not decode; check the bytes only then
  if (text.includes("\uFFFD") && !isUtf8(buf.subarray(start, end))) return new BridgeError("invalid_utf8", [], "line is not valid UTF-8");
  return text;
}

/** Tells whether a line holds nothing but whitespace. */
export function isBlank(text: string): boolean {
  return text.trim().length === 0;
}

// ignoreBOM false: the decoder drops one BOM at the start, and keeps any other
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Decodes a whole input as strict UTF-8 text, refusing invalid UTF-8 (`invalid_utf8`) and text
 * longer than a JS string can hold (`too_large`). One BOM at the start is skipped.
 */
export function decodeText(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch (cause) {
    if (isStringTooLong(cause)) throw tooLongText(bytes.length, "input");
    throw new BridgeError("invalid_utf8", [], "input is not valid UTF-8", { cause });
  }
}

function tooLongText(bytes: number, what: string): BridgeError {
  return new BridgeError("too_large", [], `${what} of ${bytes} bytes is longer than the longest string JavaScript can hold`, {
    value: bytes,
  });
}

/** The strict JSON reader (`parseJson` of `json/json-text.ts`), for the commands that read JSON text. */
export { parseJson } from "../json/json-text.js";
