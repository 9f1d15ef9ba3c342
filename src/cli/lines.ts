import { isUtf8 } from "node:buffer";
import { BridgeError } from "../errors.js";

/** A chunk's complete lines: the buffer that holds them and their `[start, end)` pairs, `\n` excluded. */
export interface Lines {
  buf: Buffer;
  bounds: number[];
}

/** Splits a byte stream into lines chunk by chunk, without an object or a string per line. */
export class LineSplitter {
  private rest: Buffer | undefined;

  /** Takes the next chunk and returns the lines it completes. */
  push(chunk: Uint8Array): Lines {
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.rest !== undefined) {
      buf = Buffer.concat([this.rest, buf]);
      this.rest = undefined;
    }
    const bounds: number[] = [];
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      bounds.push(start, nl);
      start = nl + 1;
    }
    if (start < buf.length) this.rest = Buffer.from(buf.subarray(start));
    return { buf, bounds };
  }

  /** The last line, when the input does not end with a newline. */
  end(): Lines {
    const rest = this.rest;
    this.rest = undefined;
    return rest === undefined ? { buf: Buffer.alloc(0), bounds: [] } : { buf: rest, bounds: [0, rest.length] };
  }
}

/**
 * The text of a line without a trailing `\r`, decoded strictly: a line that is not valid UTF-8
 * gives an `invalid_utf8` error instead, so that no byte is silently replaced.
 */
export function lineText(buf: Buffer, start: number, end: number): string | BridgeError {
  if (end > start && buf[end - 1] === 13) end--;
  const text = buf.toString("utf8", start, end);
  // U+FFFD is how Buffer marks bytes it could not decode; check the bytes only then
  if (text.includes("\uFFFD") && !isUtf8(buf.subarray(start, end))) return new BridgeError("invalid_utf8", [], "line is not valid UTF-8");
  return text;
}

/** Tells whether a line holds nothing but whitespace. */
export function isBlank(text: string): boolean {
  return text.trim().length === 0;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes a whole input as strict UTF-8 text, refusing invalid UTF-8. */
export function decodeText(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch (cause) {
    throw new BridgeError("invalid_utf8", [], "input is not valid UTF-8", { cause });
  }
}

/** Parses JSON text, turning a syntax error into an `invalid_json` refusal. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new BridgeError("invalid_json", [], `not JSON: ${(cause as Error).message}`, { cause });
  }
}
