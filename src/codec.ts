/** The completed message's codec: an SDK object, read and checked once, to exact bytes, and strict decoding back. */
import { BridgeError, type BridgePath } from "./errors.js";
import {
  COMPLETED,
  type EventKind,
  IMAGE_GEN_CALL_PARTIAL_IMAGE,
  type ImageGenCallCompletedEvent,
  type ImageGenCallLifecycleEvent,
  type JsonObject,
  PARTIAL_IMAGE,
  setMember,
} from "./json/event.js";
import { numberVariant } from "./json/numbers.js";
import { type EventParts, readEventParts } from "./json/validate.js";
import { newBytes, zeroFrom } from "./wire/alloc.js";
import { base64 } from "./wire/base64.js";
import { Reader, tag, Wire } from "./wire/reader.js";
import { readExtra } from "./wire/struct-codec.js";
import { StructPlan } from "./wire/struct-plan.js";
import { utf8 } from "./wire/utf8.js";
import { int64Size, varint32Size, writeDouble, writeInt64, writeVarint32 } from "./wire/varint.js";

/**
 * Encodes an SDK object as an `openresponses.v1.ImageGenCallCompleted` message. The bytes are
 * exactly those of protobuf-es's `toBinary(ImageGenCallCompletedSchema, toMessage(event))`:
 * fields in number order, unknown members in `extra` with keys sorted by code point.
 * Throws a `BridgeError` for anything the message cannot carry exactly, and for the other
 * lifecycle events (`encodeEvent` carries those). On Node, a message above 64 bytes comes from
 * `Buffer`'s pool, as a plain `Uint8Array` whose `buffer` may hold other bytes: read that
 * through `byteOffset` and `byteLength` (so do `encodeEvent` and `encodeEventMessage`).
 */
export function encode(event: ImageGenCallCompletedEvent | ImageGenCallLifecycleEvent): Uint8Array {
  const plan = planMessage(readEventParts(event, "sdk", COMPLETED));
  const buf = newBytes(plan.size);
  zeroFrom(buf, writeMessage(plan, buf, 0));
  return buf;
}

/**
 * Encodes an SDK object into `buf` at `pos`, with a varint length prefix when `delimited`, and
 * returns the position after it. When it does not fit, writes nothing and returns minus the
 * number of bytes it needs. Throws a `BridgeError` like `encode`.
 */
export function encodeInto(
  event: ImageGenCallCompletedEvent | ImageGenCallLifecycleEvent,
  buf: Uint8Array,
  pos: number,
  delimited = false,
): number {
  checkTarget(buf, pos);
  return placeMessage(planMessage(readEventParts(event, "sdk", COMPLETED)), buf, pos, delimited);
}

/**
 * Writes a planned message into `buf` at `pos`, with a varint length prefix when `delimited`, and
 * returns the position after it; when it does not fit, writes nothing and returns minus the bytes it needs.
 */
export function placeMessage(plan: MessagePlan, buf: Uint8Array, pos: number, delimited: boolean): number {
  const total = delimited ? varint32Size(plan.size) + plan.size : plan.size;
  if (buf.length - pos < total) return -total;
  return writeMessage(plan, buf, delimited ? writeVarint32(plan.size, buf, pos) : pos);
}

/** Refuses an output buffer that is not a `Uint8Array`, or a position that is not an index into it. */
export function checkTarget(buf: Uint8Array, pos: number): void {
  if (!(buf instanceof Uint8Array)) throw new BridgeError("invalid_type", ROOT, "expected a Uint8Array to write into");
  if (!Number.isSafeInteger(pos) || pos < 0 || pos > buf.length) {
    throw new BridgeError("invalid_value", ROOT, `position must be a whole number from 0 to ${buf.length}`, { value: pos });
  }
}

/**
 * Decodes an `openresponses.v1.ImageGenCallCompleted` message to the SDK object, unknown members
 * from `extra` included. Refuses, with a `BridgeError`, bytes that are not a valid and complete
 * message of the schema; fields of unknown numbers (a newer producer) are skipped.
 */
export function decode(bytes: Uint8Array): ImageGenCallCompletedEvent {
  if (!(bytes instanceof Uint8Array)) throw new BridgeError("invalid_type", ROOT, "expected a Uint8Array of protobuf bytes");
  return decodeMessage(bytes, 0, bytes.length, COMPLETED) as ImageGenCallCompletedEvent;
}

/** An event read and checked, with the sizes of its message: one per call, so that user code run while reading the input cannot disturb another call's. */
export interface MessagePlan {
  readonly event: EventParts;
  /** The message's byte length. */
  readonly size: number;
  readonly idBytes: number;
  readonly outputIndexInt: boolean;
  readonly sequenceNumberInt: boolean;
  /** Decoded length of a canonical base64 image, or -1 for the string variant. */
  readonly imageBytes: number;
  readonly imageTextBytes: number;
  readonly imageIndexInt: boolean;
  /** The unknown members, read and checked, for field `extra`. */
  readonly struct: StructPlan | undefined;
}

/** Reads and checks the unknown members of an event whose known members are checked, and measures its message. */
export function planMessage(event: EventParts): MessagePlan {
  const outputIndexInt = numberVariant(event.outputIndex) === "int64";
  const sequenceNumberInt = numberVariant(event.sequenceNumber) === "int64";
  const idBytes = utf8.length(event.itemId);
  let size = 1 + varint32Size(idBytes) + idBytes;
  size += outputIndexInt ? 1 + int64Size(event.outputIndex) : 9;
  size += sequenceNumberInt ? 1 + int64Size(event.sequenceNumber) : 9;
  let imageBytes = -1;
  let imageTextBytes = 0;
  let imageIndexInt = true;
  if (event.kind === PARTIAL_IMAGE) {
    const image = event.partialImageB64;
    imageBytes = base64.canonicalLength(image);
    if (imageBytes >= 0) size += 1 + varint32Size(imageBytes) + imageBytes;
    else {
      imageTextBytes = utf8.length(image);
      size += 1 + varint32Size(imageTextBytes) + imageTextBytes;
    }
    imageIndexInt = numberVariant(event.partialImageIndex) === "int64";
    size += imageIndexInt ? 1 + int64Size(event.partialImageIndex) : 9;
  }
  let struct: StructPlan | undefined;
  if (event.unknown !== undefined) {
    struct = new StructPlan(event.unknown, event.kind, event.shape);
    size += 1 + varint32Size(struct.size) + struct.size;
  }
  return { event, size, idBytes, outputIndexInt, sequenceNumberInt, imageBytes, imageTextBytes, imageIndexInt, struct };
}

/** Writes a planned message at `pos` (`plan.size` bytes must fit) and returns the position after it. */
export function writeMessage(plan: MessagePlan, buf: Uint8Array, pos: number): number {
  const e = plan.event;
  buf[pos++] = TAG_ITEM_ID;
  pos = writeVarint32(plan.idBytes, buf, pos);
  pos = utf8.write(e.itemId, buf, pos);
  if (plan.outputIndexInt) {
    buf[pos++] = TAG_OUTPUT_INDEX;
    pos = writeInt64(e.outputIndex, buf, pos);
  }
  if (plan.sequenceNumberInt) {
    buf[pos++] = TAG_SEQUENCE_NUMBER;
    pos = writeInt64(e.sequenceNumber, buf, pos);
  }
  if (!plan.outputIndexInt) {
    buf[pos++] = TAG_OUTPUT_INDEX_DOUBLE;
    pos = writeDouble(e.outputIndex, buf, pos);
  }
  if (!plan.sequenceNumberInt) {
    buf[pos++] = TAG_SEQUENCE_NUMBER_DOUBLE;
    pos = writeDouble(e.sequenceNumber, buf, pos);
  }
  if (e.kind === PARTIAL_IMAGE) {
    if (plan.imageBytes >= 0) {
      buf[pos++] = TAG_PARTIAL_IMAGE;
      pos = writeVarint32(plan.imageBytes, buf, pos);
      pos = base64.write(e.partialImageB64, plan.imageBytes, buf, pos);
    } else {
      buf[pos++] = TAG_PARTIAL_IMAGE_B64;
      pos = writeVarint32(plan.imageTextBytes, buf, pos);
      pos = utf8.write(e.partialImageB64, buf, pos);
    }
    if (plan.imageIndexInt) {
      buf[pos++] = TAG_PARTIAL_IMAGE_INDEX;
      pos = writeInt64(e.partialImageIndex, buf, pos);
    } else {
      buf[pos++] = TAG_PARTIAL_IMAGE_INDEX_DOUBLE;
      pos = writeDouble(e.partialImageIndex, buf, pos);
    }
  }
  if (plan.struct !== undefined) {
    buf[pos++] = TAG_EXTRA;
    pos = writeVarint32(plan.struct.size, buf, pos);
    pos = plan.struct.write(buf, pos);
  }
  return pos;
}

const TAG_ITEM_ID = tag(1, Wire.Len);
const TAG_OUTPUT_INDEX = tag(2, Wire.Varint);
const TAG_SEQUENCE_NUMBER = tag(3, Wire.Varint);
const TAG_OUTPUT_INDEX_DOUBLE = tag(4, Wire.I64);
const TAG_SEQUENCE_NUMBER_DOUBLE = tag(5, Wire.I64);
const TAG_PARTIAL_IMAGE = tag(6, Wire.Len);
const TAG_PARTIAL_IMAGE_B64 = tag(7, Wire.Len);
const TAG_PARTIAL_IMAGE_INDEX = tag(8, Wire.Varint);
const TAG_PARTIAL_IMAGE_INDEX_DOUBLE = tag(9, Wire.I64);
const TAG_EXTRA = tag(15, Wire.Len);

const ROOT: BridgePath = [];
const ITEM_ID: BridgePath = ["itemId"];
const OUTPUT_INDEX: BridgePath = ["outputIndex"];
const SEQUENCE_NUMBER: BridgePath = ["sequenceNumber"];
const PARTIAL_IMAGE_B64: BridgePath = ["partialImageB64"];
const PARTIAL_IMAGE_INDEX: BridgePath = ["partialImageIndex"];
const EXTRA: BridgePath = ["extra"];

/** The wire type and error path of each known field, by field number. */
const FIELDS = new Map<number, [Wire, BridgePath]>([
  [1, [Wire.Len, ITEM_ID]],
  [2, [Wire.Varint, OUTPUT_INDEX]],
  [3, [Wire.Varint, SEQUENCE_NUMBER]],
  [4, [Wire.I64, OUTPUT_INDEX]],
  [5, [Wire.I64, SEQUENCE_NUMBER]],
  [15, [Wire.Len, EXTRA]],
]);
const PARTIAL_FIELDS = new Map<number, [Wire, BridgePath]>([
  ...FIELDS,
  [6, [Wire.Len, PARTIAL_IMAGE_B64]],
  [7, [Wire.Len, PARTIAL_IMAGE_B64]],
  [8, [Wire.Varint, PARTIAL_IMAGE_INDEX]],
  [9, [Wire.I64, PARTIAL_IMAGE_INDEX]],
]);

/**
 * Decodes the message of one lifecycle kind from `bytes[start, end)`. A partial image travels as
 * bytes and comes back as the same base64 text, read straight from the input.
 */
export function decodeMessage(bytes: Uint8Array, start: number, end: number, kind: EventKind): ImageGenCallLifecycleEvent {
  const partial = kind === PARTIAL_IMAGE;
  let pos = start;
  let r: Reader | undefined;
  let itemId: string | undefined;
  let outputIndex: number | undefined;
  let sequenceNumber: number | undefined;
  let image: string | undefined;
  let imageIndex: number | undefined;
  let extra: JsonObject | undefined;
  while (pos < end) {
    // fast paths for what every real event holds: a short id and small integers
    const tag = bytes[pos]!;
    if (pos + 1 < end) {
      if (tag === TAG_ITEM_ID) {
        const n = bytes[pos + 1]!;
        const stop = pos + 2 + n;
        if (n < 0x80 && stop <= end) {
          itemId = utf8.read(bytes, pos + 2, stop);
          if (itemId === undefined) throw new BridgeError("invalid_utf8", ITEM_ID, "string is not valid UTF-8", { offset: pos + 2 });
          pos = stop;
          continue;
        }
      } else if (tag === TAG_OUTPUT_INDEX || tag === TAG_SEQUENCE_NUMBER) {
        const v = bytes[pos + 1]!;
        if (v < 0x80) {
          if (tag === TAG_OUTPUT_INDEX) outputIndex = v;
          else sequenceNumber = v;
          pos += 2;
          continue;
        }
      }
    }
    r ??= new Reader(bytes, start, end);
    r.pos = pos;
    const field = r.tag(ROOT);
    switch (field) {
      case TAG_ITEM_ID:
        itemId = r.string(ITEM_ID);
        break;
      case TAG_OUTPUT_INDEX:
        outputIndex = readInt64(r, OUTPUT_INDEX);
        break;
      case TAG_SEQUENCE_NUMBER:
        sequenceNumber = readInt64(r, SEQUENCE_NUMBER);
        break;
      case TAG_OUTPUT_INDEX_DOUBLE:
        outputIndex = readFiniteDouble(r, OUTPUT_INDEX);
        break;
      case TAG_SEQUENCE_NUMBER_DOUBLE:
        sequenceNumber = readFiniteDouble(r, SEQUENCE_NUMBER);
        break;
      case TAG_EXTRA:
        readExtra(r, r.len(EXTRA), (extra ??= {}), kind);
        break;
      default: {
        if (partial) {
          if (field === TAG_PARTIAL_IMAGE) {
            const stop = r.len(PARTIAL_IMAGE_B64);
            image = base64.read(bytes, r.pos, stop);
            r.pos = stop;
            break;
          }
          if (field === TAG_PARTIAL_IMAGE_B64) {
            image = r.string(PARTIAL_IMAGE_B64);
            break;
          }
          if (field === TAG_PARTIAL_IMAGE_INDEX) {
            imageIndex = readInt64(r, PARTIAL_IMAGE_INDEX);
            break;
          }
          if (field === TAG_PARTIAL_IMAGE_INDEX_DOUBLE) {
            imageIndex = readFiniteDouble(r, PARTIAL_IMAGE_INDEX);
            break;
          }
        }
        const known = (partial ? PARTIAL_FIELDS : FIELDS).get(field >>> 3);
        if (known !== undefined) throw r.mismatch(field, known[0], known[1]);
        r.skip(field, ROOT);
      }
    }
    pos = r.pos;
  }
  if (itemId === undefined) throw new BridgeError("missing_field", ITEM_ID, "item_id (field 1) is absent");
  if (outputIndex === undefined) throw new BridgeError("missing_field", OUTPUT_INDEX, "output_index (field 2 or 4) is absent");
  if (sequenceNumber === undefined) throw new BridgeError("missing_field", SEQUENCE_NUMBER, "sequence_number (field 3 or 5) is absent");
  let event: ImageGenCallLifecycleEvent;
  if (partial) {
    if (image === undefined) throw new BridgeError("missing_field", PARTIAL_IMAGE_B64, "partial_image (field 6 or 7) is absent");
    if (imageIndex === undefined)
      throw new BridgeError("missing_field", PARTIAL_IMAGE_INDEX, "partial_image_index (field 8 or 9) is absent");
    event = {
      type: IMAGE_GEN_CALL_PARTIAL_IMAGE,
      itemId,
      outputIndex,
      sequenceNumber,
      partialImageB64: image,
      partialImageIndex: imageIndex,
    };
  } else {
    event = { type: kind.type, itemId, outputIndex, sequenceNumber } as ImageGenCallLifecycleEvent;
  }
  if (extra !== undefined) for (const key in extra) setMember(event, key, extra[key]!);
  return event;
}

function readInt64(r: Reader, path: BridgePath): number {
  const at = r.pos;
  const n = r.int64(path);
  if (n === undefined)
    throw new BridgeError("unsafe_integer", path, "int64 is outside ±(2^53-1), so no JS number holds it exactly", { offset: at });
  return n;
}

function readFiniteDouble(r: Reader, path: BridgePath): number {
  const at = r.pos;
  const x = r.double(path);
  if (!Number.isFinite(x)) throw new BridgeError("not_finite", path, `${x} has no JSON form`, { offset: at, value: x });
  return x;
}
