/**
 * The whole image generation call lifecycle: `in_progress`, `generating`, `partial_image` and
 * `completed`, each with its own message, and the `ImageGenCallEvent` envelope whose `oneof`
 * carries any of them, so that one topic, subject or file holds them all.
 */
import { checkTarget, decode, decodeMessage, type MessagePlan, planMessage, writeMessage } from "./codec.js";
import { BridgeError, type BridgePath, isBridgeError } from "./errors.js";
import type { ImageGenCallLifecycleEvent } from "./json/event.js";
import { EVENT_KINDS, type EventKind } from "./json/event.js";
import { kindOf, readEventParts } from "./json/validate.js";
import { newBytes, zeroFrom } from "./wire/alloc.js";
import { Reader, tag, Wire } from "./wire/reader.js";
import { varint32Size, writeVarint32 } from "./wire/varint.js";

const ROOT: BridgePath = [];
const KIND_OF_FIELD = new Map<number, EventKind>([...EVENT_KINDS.values()].map((k) => [k.field, k]));

/** Encodes any lifecycle event as an `openresponses.v1.ImageGenCallEvent` envelope, dispatching on `type`. */
export function encodeEvent(event: ImageGenCallLifecycleEvent): Uint8Array {
  const plan = planMessage(readEventParts(event, "sdk"));
  const buf = newBytes(1 + varint32Size(plan.size) + plan.size);
  buf[0] = tag(plan.event.kind.field, Wire.Len);
  zeroFrom(buf, writeMessage(plan, buf, writeVarint32(plan.size, buf, 1)));
  return buf;
}

/**
 * Decodes an `openresponses.v1.ImageGenCallEvent` envelope to the SDK object of the event it
 * holds. Refuses an envelope with no event, or with more than one (their `type` would be in doubt).
 */
export function decodeEvent(bytes: Uint8Array): ImageGenCallLifecycleEvent {
  if (!(bytes instanceof Uint8Array)) throw new BridgeError("invalid_type", ROOT, "expected a Uint8Array of protobuf bytes");
  const r = new Reader(bytes, 0, bytes.length);
  let found: { kind: EventKind; start: number; end: number } | undefined;
  while (r.pos < r.end) {
    const at = r.pos;
    const tag = r.tag(ROOT);
    const kind = KIND_OF_FIELD.get(tag >>> 3);
    if (kind === undefined) {
      r.skip(tag, ROOT);
      continue;
    }
    if ((tag & 7) !== Wire.Len) throw r.mismatch(tag, Wire.Len, ROOT);
    const end = r.len(ROOT);
    if (found !== undefined) {
      throw new BridgeError("invalid_value", ROOT, `the envelope holds more than one event (${found.kind.type}, then ${kind.type})`, {
        offset: at,
      });
    }
    found = { kind, start: r.pos, end };
    r.pos = end;
  }
  if (found === undefined) throw new BridgeError("missing_field", ROOT, "the envelope holds no event");
  return decodeMessage(bytes, found.start, found.end, found.kind);
}

/**
 * Encodes any lifecycle event as an envelope into `buf` at `pos`, with a varint length prefix
 * when `delimited`, and returns the position after it; when it does not fit, writes nothing and
 * returns minus the bytes it needs.
 */
export function encodeEventInto(event: ImageGenCallLifecycleEvent, buf: Uint8Array, pos: number, delimited = false): number {
  checkTarget(buf, pos);
  return placeEnvelope(planMessage(readEventParts(event, "sdk")), buf, pos, delimited);
}

/**
 * Writes a planned message inside its envelope into `buf` at `pos`, with a varint length prefix
 * when `delimited`, and returns the position after it; when it does not fit, writes nothing and
 * returns minus the bytes it needs.
 */
export function placeEnvelope(plan: MessagePlan, buf: Uint8Array, pos: number, delimited: boolean): number {
  const envelope = 1 + varint32Size(plan.size) + plan.size;
  const total = delimited ? varint32Size(envelope) + envelope : envelope;
  if (buf.length - pos < total) return -total;
  if (delimited) pos = writeVarint32(envelope, buf, pos);
  buf[pos] = tag(plan.event.kind.field, Wire.Len);
  return writeMessage(plan, buf, writeVarint32(plan.size, buf, pos + 1));
}

/**
 * Decodes either a completed message or an envelope, whichever the bytes are: under strict
 * decoding the two never both succeed, since a completed message's required numbers are varint
 * or 64-bit fields where the envelope has only length-delimited ones.
 */
export function decodeAny(bytes: Uint8Array): ImageGenCallLifecycleEvent {
  if (!(bytes instanceof Uint8Array)) throw new BridgeError("invalid_type", ROOT, "expected a Uint8Array of protobuf bytes");
  try {
    return decode(bytes);
  } catch (err) {
    if (!isBridgeError(err)) throw err;
    try {
      return decodeEvent(bytes);
    } catch (envelopeErr) {
      // report the reading the first byte points to: 0x12, 0x1a, 0x22 start no valid completed message
      const first = bytes[0];
      throw first === 0x12 || first === 0x1a || first === 0x22 ? envelopeErr : err;
    }
  }
}

/** Encodes any lifecycle event as its own message (`ImageGenCallPartialImage`, …), for records whose headers name the type. */
export function encodeEventMessage(event: ImageGenCallLifecycleEvent): Uint8Array {
  const plan = planMessage(readEventParts(event, "sdk"));
  const buf = newBytes(plan.size);
  zeroFrom(buf, writeMessage(plan, buf, 0));
  return buf;
}

/** Decodes the message of the lifecycle event named by `type` (a record's `ce_type`). */
export function decodeEventMessage(bytes: Uint8Array, type: string): ImageGenCallLifecycleEvent {
  if (!(bytes instanceof Uint8Array)) throw new BridgeError("invalid_type", ROOT, "expected a Uint8Array of protobuf bytes");
  return decodeMessage(bytes, 0, bytes.length, kindOf({ type }));
}

/** The full protobuf message name of a lifecycle event type, e.g. `openresponses.v1.ImageGenCallPartialImage`. */
export function messageNameOf(type: ImageGenCallLifecycleEvent["type"]): string {
  return kindOf({ type }).message;
}
