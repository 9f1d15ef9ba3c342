import { BridgeError } from "../errors.js";

/** One line of an NDJSON or text input, with its 1-based line number. */
export interface Line {
  /** The line's text, without its `\n` or `\r\n`. */
  text: string;
  /** The line's bytes as given, for dead-letter records. */
  bytes: Uint8Array;
  /** 1-based line number. */
  number: number;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Splits a byte stream into lines. Text is decoded strictly: a line that is not valid UTF-8
 * yields an `invalid_utf8` error in place of its text, so that no byte is silently replaced.
 */
export async function* readLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Line | { error: BridgeError; bytes: Uint8Array; number: number }> {
  let rest: Buffer | undefined;
  let number = 0;
  for await (const chunk of chunks) {
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (rest !== undefined) {
      buf = Buffer.concat([rest, buf]);
      rest = undefined;
    }
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      yield toLine(buf.subarray(start, nl), ++number);
      start = nl + 1;
    }
    if (start < buf.length) rest = Buffer.from(buf.subarray(start));
  }
  if (rest !== undefined) yield toLine(rest, ++number);
}

function toLine(bytes: Buffer, number: number): Line | { error: BridgeError; bytes: Uint8Array; number: number } {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.length - 1 : bytes.length;
  let text = bytes.toString("utf8", 0, end);
  if (text.includes("\uFFFD")) {
    try {
      text = strictUtf8.decode(bytes.subarray(0, end));
    } catch (cause) {
      return { error: new BridgeError("invalid_utf8", [], "line is not valid UTF-8", { cause }), bytes, number };
    }
  }
  return { text, bytes, number };
}

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
