/**
 * Size-delimited streams of events: the codec on top of the generic framing of
 * `wire/size-delimited.ts`, with the same `maxMessageBytes` bound on both sides.
 */
import { decode, encode, type MessagePlan, placeMessage, planMessage } from "../codec.js";
import { isBridgeError } from "../errors.js";
import type { ImageGenCallCompletedEvent, ImageGenCallLifecycleEvent } from "../json/event.js";
import { COMPLETED, type Shape } from "../json/event.js";
import { checkType, readEventParts } from "../json/validate.js";
import { placeEnvelope } from "../lifecycle.js";
import { withDefaults } from "../options.js";
import { encodePlainJson } from "../plain-json.js";
import type { Source } from "../source.js";
import { type DelimitedOptions, defaultDelimitedOptions, delimit, tooLargeToFrame, undelimit } from "../wire/size-delimited.js";
import { readVarint32, varint32Size } from "../wire/varint.js";

/** Options of `DelimitedWriter`. */
export interface DelimitedWriterOptions extends DelimitedOptions {
  /** The size of the chunks frames are collected in. Default 256 KiB. */
  chunkBytes: number;
}

/** The defaults of `DelimitedWriterOptions`. */
export const defaultDelimitedWriterOptions: Readonly<DelimitedWriterOptions> = Object.freeze({
  ...defaultDelimitedOptions,
  chunkBytes: 1 << 18,
});

/**
 * Collects size-delimited frames of events into large chunks, for file and socket output: one
 * allocation per chunk rather than two per event.
 */
export class DelimitedWriter {
  /** The size of the chunks frames are collected in. */
  readonly chunkBytes: number;
  /** The largest message a frame may hold. */
  readonly maxMessageBytes: number;
  /** The largest frame, prefix included. */
  private readonly maxFrameBytes: number;
  private buf: Uint8Array;
  private pos = 0;
  private readonly done: Uint8Array[] = [];

  constructor(options?: Partial<DelimitedWriterOptions>) {
    const { chunkBytes, maxMessageBytes } = withDefaults(defaultDelimitedWriterOptions, options);
    this.chunkBytes = Math.max(1, Math.floor(chunkBytes));
    this.maxMessageBytes = maxMessageBytes;
    this.maxFrameBytes = maxMessageBytes + varint32Size(Math.min(maxMessageBytes, 0xffffffff));
    this.buf = new Uint8Array(this.chunkBytes);
  }

  /**
   * Appends one event as a frame. Throws a `BridgeError` like `encode`, or `too_large` for a
   * message above `maxMessageBytes`; nothing is written then.
   */
  write(event: ImageGenCallCompletedEvent | ImageGenCallLifecycleEvent): void {
    this.place(planMessage(readEventParts(event, "sdk", COMPLETED)), placeMessage);
  }

  /** Appends one lifecycle event as a frame holding its `ImageGenCallEvent` envelope. */
  writeEvent(event: ImageGenCallLifecycleEvent): void {
    this.place(planMessage(readEventParts(event, "sdk")), placeEnvelope);
  }

  /**
   * Appends a parsed JSON value as a frame: read and checked once in the given shape (detected
   * when not given), as an envelope of any lifecycle event or as a completed message.
   */
  writeJson(value: unknown, envelope: boolean, shape?: Shape): void {
    const plan = planMessage(readEventParts(value, shape));
    if (!envelope && plan.event.kind !== COMPLETED) checkType({ type: plan.event.kind.type }, COMPLETED);
    this.place(plan, envelope ? placeEnvelope : placeMessage);
  }

  /** Places a planned frame at the end of the chunk, on a new chunk, or on its own buffer if larger. */
  private place(plan: MessagePlan, place: (plan: MessagePlan, buf: Uint8Array, pos: number, delimited: boolean) => number): void {
    const end = place(plan, this.buf, this.pos, true);
    if (end >= 0) {
      if (end - this.pos > this.maxFrameBytes) throw tooLargeToFrame(readVarint32(this.buf, this.pos, end), this.maxMessageBytes);
      this.pos = end;
      return;
    }
    if (-end > this.maxFrameBytes) throw tooLargeToFrame(messageBytesOf(-end), this.maxMessageBytes);
    this.cut();
    if (-end > this.chunkBytes) {
      const own = new Uint8Array(-end);
      place(plan, own, 0, true);
      this.done.push(own);
    } else {
      this.pos = place(plan, this.buf, 0, true);
    }
  }

  /**
   * Appends the frame for a line of JSON text if it is a plain event (`encodePlainJson`), and
   * returns whether it did; otherwise (a frame above `maxMessageBytes` included) parse the text
   * and call `write`, which refuses it.
   */
  writePlainJson(src: Uint8Array, start: number, end: number): boolean {
    let next = encodePlainJson(src, start, end, this.buf, this.pos, true);
    if (next === undefined) return false;
    if (next >= 0 && next - this.pos > this.maxFrameBytes) return false;
    if (next < 0) {
      if (-next > this.chunkBytes || -next > this.maxFrameBytes) return false;
      this.cut();
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

/**
 * Encodes events to a size-delimited byte stream, one frame per event; an error, `too_large` for
 * a message above `maxMessageBytes` included, names its 1-based record.
 */
export async function* encodeDelimited(
  events: Source<ImageGenCallCompletedEvent>,
  options?: Partial<DelimitedOptions>,
): AsyncGenerator<Uint8Array> {
  const { maxMessageBytes } = withDefaults(defaultDelimitedOptions, options);
  let record = 0;
  for await (const event of events) {
    record++;
    const message = atRecord(record, () => encode(event));
    if (message.length > maxMessageBytes) throw tooLargeToFrame(message.length, maxMessageBytes, record);
    yield delimit(message);
  }
}

/**
 * Decodes a size-delimited byte stream to events; yields every event before a refusal, whose
 * error names its 1-based record.
 */
export async function* decodeDelimited(
  chunks: Source<Uint8Array>,
  options?: Partial<DelimitedOptions>,
): AsyncGenerator<ImageGenCallCompletedEvent> {
  let record = 0;
  for await (const message of undelimit(chunks, options)) {
    record++;
    yield atRecord(record, () => decode(message));
  }
}

/** The message size of a frame of `frameBytes` bytes, length prefix included. */
function messageBytesOf(frameBytes: number): number {
  const guess = frameBytes - varint32Size(frameBytes);
  return guess + varint32Size(guess) === frameBytes ? guess : guess + 1;
}

function atRecord<T>(record: number, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw isBridgeError(err) ? err.atRecord(record) : err;
  }
}
