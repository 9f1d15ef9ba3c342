import { BridgeError, isBridgeError } from "./errors.js";
import type { ImageGenCallCompletedEvent } from "./event.js";
import { decode, encode } from "./codec.js";
import { varint32Size, writeVarint32 } from "./varint.js";

/** Options of the size-delimited stream readers. */
export interface DelimitedOptions {
  /** The largest message a frame may announce; a larger length prefix is refused. Default 1 MiB. */
  maxMessageBytes: number;
}

/** The defaults of `DelimitedOptions`. */
export const defaultDelimitedOptions: Readonly<DelimitedOptions> = Object.freeze({ maxMessageBytes: 1 << 20 });

type Source<T> = AsyncIterable<T> | Iterable<T>;

/** Prefixes one message with its varint length: protobuf's `writeDelimitedTo` format. */
export function delimit(message: Uint8Array): Uint8Array {
  const frame = new Uint8Array(varint32Size(message.length) + message.length);
  frame.set(message, writeVarint32(message.length, frame, 0));
  return frame;
}

/**
 * Splits a byte stream in the size-delimited format into message payloads (views into the
 * chunks where possible). Refuses, with the 1-based record number, a length prefix above
 * `maxMessageBytes`, an over-long prefix, and a stream that ends inside a frame.
 */
export async function* undelimit(chunks: Source<Uint8Array>, options: Partial<DelimitedOptions> = {}): AsyncGenerator<Uint8Array> {
  const { maxMessageBytes } = { ...defaultDelimitedOptions, ...options };
  let pending: Uint8Array | undefined;
  let record = 0;
  let offset = 0; // stream offset of the first byte of the current buffer
  for await (const chunk of chunks) {
    let buf: Uint8Array = chunk;
    if (pending !== undefined) {
      buf = new Uint8Array(pending.length + chunk.length);
      buf.set(pending);
      buf.set(chunk, pending.length);
      pending = undefined;
    }
    let pos = 0;
    for (;;) {
      // read the length prefix, which may be cut by the chunk's end
      let length = 0;
      let p = pos;
      let complete = false;
      for (let shift = 0; p < buf.length; shift += 7) {
        if (shift === 28 && buf[p]! > 0x0f) {
          throw new BridgeError("varint_overflow", [], "length prefix is longer than 32 bits", { record: record + 1, offset: offset + pos });
        }
        const b = buf[p++]!;
        length += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) {
          complete = true;
          break;
        }
      }
      if (!complete) break;
      if (length > maxMessageBytes) {
        throw new BridgeError("too_large", [], `frame announces ${length} bytes, above the maximum of ${maxMessageBytes}`, { record: record + 1, offset: offset + pos, value: length });
      }
      if (buf.length - p < length) break;
      record++;
      yield buf.subarray(p, p + length);
      pos = p + length;
    }
    if (pos < buf.length) pending = buf.slice(pos);
    offset += pos;
  }
  if (pending !== undefined) {
    throw new BridgeError("truncated", [], `stream ends inside a frame (${pending.length} bytes left)`, { record: record + 1, offset });
  }
}

/** Encodes events to a size-delimited byte stream, one frame per event. */
export async function* encodeDelimited(events: Source<ImageGenCallCompletedEvent>): AsyncGenerator<Uint8Array> {
  let record = 0;
  for await (const event of events) {
    record++;
    yield delimit(atRecord(record, () => encode(event)));
  }
}

/** Decodes a size-delimited byte stream to events; an error names its 1-based record. */
export async function* decodeDelimited(chunks: Source<Uint8Array>, options: Partial<DelimitedOptions> = {}): AsyncGenerator<ImageGenCallCompletedEvent> {
  let record = 0;
  for await (const message of undelimit(chunks, options)) {
    record++;
    yield atRecord(record, () => decode(message));
  }
}

function atRecord<T>(record: number, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw isBridgeError(err) ? err.atRecord(record) : err;
  }
}
