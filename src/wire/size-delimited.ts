/**
 * Size-delimited streams, protobuf's `writeDelimitedTo` / `parseDelimitedFrom` format: each
 * message is preceded by its length as a varint. Generic framing, with no knowledge of the codec.
 */
import { BridgeError } from "../errors.js";
import { withDefaults } from "../options.js";
import type { Source } from "../source.js";
import { readVarint32, VARINT_INCOMPLETE, VARINT_OVERFLOW, varint32End, varint32Size, writeVarint32 } from "./varint.js";

/** Options of size-delimited framing, on both the writing and the reading side. */
export interface DelimitedOptions {
  /**
   * The largest message a frame may hold: writers refuse a larger message and readers a larger
   * length prefix (`too_large`). Default 16 MiB, room for a large partial image as base64.
   */
  maxMessageBytes: number;
}

/** The defaults of `DelimitedOptions`. */
export const defaultDelimitedOptions: Readonly<DelimitedOptions> = Object.freeze({ maxMessageBytes: 16 << 20 });

/** Prefixes one message with its varint length: protobuf's `writeDelimitedTo` format. */
export function delimit(message: Uint8Array): Uint8Array {
  const frame = new Uint8Array(varint32Size(message.length) + message.length);
  frame.set(message, writeVarint32(message.length, frame, 0));
  return frame;
}

/** The refusal of a message above `maxMessageBytes`, for writers; `record` is 1-based. */
export function tooLargeToFrame(bytes: number, maxMessageBytes: number, record?: number): BridgeError {
  return new BridgeError("too_large", [], `message is ${bytes} bytes, above the maximum frame of ${maxMessageBytes} (maxMessageBytes)`, {
    value: bytes,
    ...(record === undefined ? {} : { record }),
  });
}

/**
 * Splits a byte stream in the size-delimited format into message payloads, chunk by chunk and
 * synchronously: `push` returns the frames a chunk completes (views into it where possible),
 * `end` checks that the stream did not stop inside a frame. At a bad length prefix `push`
 * returns the frames before it, and the next `push` or `end` throws the refusal, naming the
 * 1-based record. A frame cut by chunks is copied once, when it completes.
 */
export class Deframer {
  private readonly maxMessageBytes: number;
  /** Bytes of the frame that the chunks so far left open, in order. */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** The whole open frame's size (prefix and message) once its prefix is known, else 0. */
  private need = 0;
  private record = 0;
  private offset = 0; // stream offset of the first pending byte
  private failed: BridgeError | undefined;

  constructor(options?: Partial<DelimitedOptions>) {
    this.maxMessageBytes = withDefaults(defaultDelimitedOptions, options).maxMessageBytes;
  }

  /** Takes the next chunk and returns the frames it completes. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failed !== undefined) throw this.failed;
    if (chunk.length === 0) return [];
    let buf = chunk;
    if (this.pending.length > 0) {
      if (this.need > 0 && this.pendingBytes + chunk.length < this.need) {
        this.pending.push(chunk.slice());
        this.pendingBytes += chunk.length;
        return [];
      }
      buf = new Uint8Array(this.pendingBytes + chunk.length);
      let at = 0;
      for (const part of this.pending) {
        buf.set(part, at);
        at += part.length;
      }
      buf.set(chunk, at);
      this.pending = [];
      this.pendingBytes = 0;
    }
    this.need = 0;
    const frames: Uint8Array[] = [];
    let pos = 0;
    while (pos < buf.length) {
      const length = readVarint32(buf, pos, buf.length);
      if (length === VARINT_INCOMPLETE) break;
      if (length === VARINT_OVERFLOW) {
        this.failed = new BridgeError("varint_overflow", [], "length prefix is longer than 32 bits", {
          record: this.record + 1,
          offset: this.offset + pos,
        });
        break;
      }
      if (length > this.maxMessageBytes) {
        this.failed = new BridgeError(
          "too_large",
          [],
          `frame announces ${length} bytes, above the maximum of ${this.maxMessageBytes} (maxMessageBytes)`,
          {
            record: this.record + 1,
            offset: this.offset + pos,
            value: length,
          },
        );
        break;
      }
      const start = varint32End;
      if (buf.length - start < length) {
        this.need = start - pos + length;
        break;
      }
      this.record++;
      frames.push(buf.subarray(start, start + length));
      pos = start + length;
    }
    this.offset += pos;
    if (this.failed === undefined && pos < buf.length) {
      this.pending.push(buf.slice(pos));
      this.pendingBytes = buf.length - pos;
    }
    return frames;
  }

  /** Refuses a stream that ended inside a frame, or at a bad length prefix. */
  end(): void {
    if (this.failed !== undefined) throw this.failed;
    if (this.pendingBytes > 0) {
      throw new BridgeError("truncated", [], `stream ends inside a frame (${this.pendingBytes} bytes left)`, {
        record: this.record + 1,
        offset: this.offset,
      });
    }
  }
}

/**
 * Splits a byte stream in the size-delimited format into message payloads (views into the
 * chunks where possible). Yields every frame before a refusal, then refuses, with the 1-based
 * record number, a length prefix above `maxMessageBytes`, an over-long prefix, and a stream that
 * ends inside a frame.
 */
export async function* undelimit(chunks: Source<Uint8Array>, options?: Partial<DelimitedOptions>): AsyncGenerator<Uint8Array> {
  const deframer = new Deframer(options);
  for await (const chunk of chunks) yield* deframer.push(chunk);
  deframer.end();
}
