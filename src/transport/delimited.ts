import { BridgeError, isBridgeError } from "../errors.js";
import type { ImageGenCallCompletedEvent, ImageGenCallLifecycleEvent } from "../json/event.js";
import { decode, encode, encodeInto } from "../codec.js";
import { encodeEventInto } from "../lifecycle.js";
import { encodePlainJson } from "../plain-json.js";
import { varint32Size, writeVarint32 } from "../wire/varint.js";

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
 * Splits a byte stream in the size-delimited format into message payloads, chunk by chunk and
 * synchronously: `push` returns the frames a chunk completes (views into it where possible),
 * `end` checks that the stream did not stop inside a frame. Errors name the 1-based record.
 */
export class Deframer {
  private readonly maxMessageBytes: number;
  private pending: Uint8Array | undefined;
  private record = 0;
  private offset = 0; // stream offset of the first byte of the current buffer

  constructor(options: Partial<DelimitedOptions> = {}) {
    this.maxMessageBytes = { ...defaultDelimitedOptions, ...options }.maxMessageBytes;
  }

  /** Takes the next chunk and returns the frames it completes. */
  push(chunk: Uint8Array): Uint8Array[] {
    let buf = chunk;
    if (this.pending !== undefined) {
      buf = new Uint8Array(this.pending.length + chunk.length);
      buf.set(this.pending);
      buf.set(chunk, this.pending.length);
      this.pending = undefined;
    }
    const frames: Uint8Array[] = [];
    let pos = 0;
    for (;;) {
      // the length prefix, which the chunk's end may cut
      let length = 0;
      let p = pos;
      let complete = false;
      for (let shift = 0; p < buf.length; shift += 7) {
        if (shift === 28 && buf[p]! > 0x0f) {
          throw new BridgeError("varint_overflow", [], "length prefix is longer than 32 bits", { record: this.record + 1, offset: this.offset + pos });
        }
        const b = buf[p++]!;
        length += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) {
          complete = true;
          break;
        }
      }
      if (!complete) break;
      if (length > this.maxMessageBytes) {
        throw new BridgeError("too_large", [], `frame announces ${length} bytes, above the maximum of ${this.maxMessageBytes}`, {
          record: this.record + 1,
          offset: this.offset + pos,
          value: length,
        });
      }
      if (buf.length - p < length) break;
      this.record++;
      frames.push(buf.subarray(p, p + length));
      pos = p + length;
    }
    if (pos < buf.length) this.pending = buf.slice(pos);
    this.offset += pos;
    return frames;
  }

  /** Refuses a stream that ended inside a frame. */
  end(): void {
    if (this.pending !== undefined) {
      throw new BridgeError("truncated", [], `stream ends inside a frame (${this.pending.length} bytes left)`, { record: this.record + 1, offset: this.offset });
    }
  }
}

/**
 * Splits a byte stream in the size-delimited format into message payloads (views into the
 * chunks where possible). Refuses, with the 1-based record number, a length prefix above
 * `maxMessageBytes`, an over-long prefix, and a stream that ends inside a frame.
 */
export async function* undelimit(chunks: Source<Uint8Array>, options: Partial<DelimitedOptions> = {}): AsyncGenerator<Uint8Array> {
  const deframer = new Deframer(options);
  for await (const chunk of chunks) yield* deframer.push(chunk);
  deframer.end();
}

/**
 * Collects size-delimited frames of events into large chunks, for file and socket output: one
 * allocation per chunk rather than two per event.
 */
export class DelimitedWriter {
  private buf: Uint8Array;
  private pos = 0;
  private readonly done: Uint8Array[] = [];

  constructor(readonly chunkBytes = 1 << 18) {
    this.buf = new Uint8Array(chunkBytes);
  }

  /** Appends one event as a frame. Throws a `BridgeError` like `encode`; nothing is written then. */
  write(event: ImageGenCallCompletedEvent | ImageGenCallLifecycleEvent): void {
    this.append((buf, pos) => encodeInto(event, buf, pos, true));
  }

  /** Runs an `…Into` encoder at the end of the chunk, on a new chunk, or on its own buffer if larger. */
  private append(encode: (buf: Uint8Array, pos: number) => number): void {
    const end = encode(this.buf, this.pos);
    if (end >= 0) {
      this.pos = end;
      return;
    }
    this.cut();
    if (-end > this.chunkBytes) {
      const own = new Uint8Array(-end);
      encode(own, 0);
      this.done.push(own);
    } else {
      this.pos = encode(this.buf, 0);
    }
  }

  /** Appends one lifecycle event as a frame holding its `ImageGenCallEvent` envelope. */
  writeEvent(event: ImageGenCallLifecycleEvent): void {
    this.append((buf, pos) => encodeEventInto(event, buf, pos, true));
  }

  /**
   * Appends the frame for a line of JSON text if it is a plain event (`encodePlainJson`), and
   * returns whether it did; otherwise parse the text and call `write`.
   */
  writePlainJson(src: Uint8Array, start: number, end: number): boolean {
    let next = encodePlainJson(src, start, end, this.buf, this.pos, true);
    if (next === undefined) return false;
    if (next < 0) {
      this.cut();
      if (-next > this.chunkBytes) return false;
      next = encodePlainJson(src, start, end, this.buf, 0, true)!;
    }
    this.pos = next;
    return true;
  }

  /** Hands over every frame written so far, as chunks. */
  drain(): Uint8Array[] {
    this.cut();
    return this.done.splice(0);
  }

  private cut(): void {
    if (this.pos === 0) return;
    this.done.push(this.buf.subarray(0, this.pos));
    this.buf = new Uint8Array(this.chunkBytes);
    this.pos = 0;
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
