import { base64 } from "./wire/base64.js";
import { BridgeError, type BridgePath } from "./errors.js";
import { IMAGE_GEN_CALL_PARTIAL_IMAGE, setMember, type ImageGenCallCompletedEvent, type ImageGenCallLifecycleEvent, type JsonObject } from "./json/event.js";
import { numberVariant } from "./json/numbers.js";
import { Reader, Wire } from "./wire/reader.js";
import { compareCodePoints, readExtra, StructPlan } from "./wire/struct-codec.js";
import { utf8 } from "./wire/utf8.js";
import { checkEvent, COMPLETED, PARTIAL_IMAGE, type EventKind } from "./json/validate.js";
import { int64Size, varint32Size, writeDouble, writeInt64, writeVarint32 } from "./wire/varint.js";

/**
 * Encodes an SDK object as an `openresponses.v1.ImageGenCallCompleted` message. The bytes are
 * exactly those of protobuf-es's `toBinary(ImageGenCallCompletedSchema, toMessage(event))`:
 * fields in number order, unknown members in `extra` with keys sorted by code point.
 * Throws a `BridgeError` for anything the message cannot carry exactly, and for the other
 * lifecycle events (`encodeEvent` carries those).
 */
export function encode(event: ImageGenCallCompletedEvent | ImageGenCallLifecycleEvent): Uint8Array {
  const buf = new Uint8Array(measureMessage(event, COMPLETED));
  writeMeasured(buf, 0);
  return buf;
}

/**
 * Encodes an SDK object into `buf` at `pos`, with a varint length prefix when `delimited`, and
 * returns the position after it. When it does not fit, writes nothing and returns minus the
 * number of bytes it needs. Throws a `BridgeError` like `encode`.
 */
export function encodeInto(event: ImageGenCallCompletedEvent | ImageGenCallLifecycleEvent, buf: Uint8Array, pos: number, delimited = false): number {
  const size = measureMessage(event, COMPLETED);
  const total = delimited ? varint32Size(size) + size : size;
  if (buf.length - pos < total) return -total;
  return writeMeasured(buf, delimited ? writeVarint32(size, buf, pos) : pos);
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

// What `measureMessage` found, for the `writeMeasured` call that always follows it at once:
// module state rather than an object per event, since encoding is synchronous and never re-entered.
let event_: ImageGenCallLifecycleEvent;
let names_: string[] | undefined;
let plan_: StructPlan | undefined;
let idBytes_ = 0;
let extraSize_ = 0;
let outputIndexInt_ = true;
let sequenceNumberInt_ = true;
let imageBytes_ = 0; // decoded length of a canonical base64 image, or -1 for the string variant
let imageTextBytes_ = 0;
let imageIndexInt_ = true;

/** Validates an event of the given kind and returns the size of its message. */
export function measureMessage(event: ImageGenCallLifecycleEvent | ImageGenCallCompletedEvent, kind: EventKind): number {
  names_ = checkEvent(event, kind);
  event_ = event as ImageGenCallLifecycleEvent;
  outputIndexInt_ = numberVariant(event.outputIndex) === "int64";
  sequenceNumberInt_ = numberVariant(event.sequenceNumber) === "int64";
  idBytes_ = utf8.length(event.itemId);
  let size = 1 + varint32Size(idBytes_) + idBytes_;
  size += outputIndexInt_ ? 1 + int64Size(event.outputIndex) : 9;
  size += sequenceNumberInt_ ? 1 + int64Size(event.sequenceNumber) : 9;
  if (kind === PARTIAL_IMAGE) {
    const image = event.partialImageB64 as string;
    imageBytes_ = base64.canonicalLength(image);
    if (imageBytes_ >= 0) size += 1 + varint32Size(imageBytes_) + imageBytes_;
    else {
      imageTextBytes_ = utf8.length(image);
      size += 1 + varint32Size(imageTextBytes_) + imageTextBytes_;
    }
    const index = event.partialImageIndex as number;
    imageIndexInt_ = numberVariant(index) === "int64";
    size += imageIndexInt_ ? 1 + int64Size(index) : 9;
  }
  plan_ = undefined;
  if (names_ !== undefined) {
    names_.sort(compareCodePoints);
    plan_ = new StructPlan();
    extraSize_ = plan_.measure(event, names_);
    size += 1 + varint32Size(extraSize_) + extraSize_;
  }
  return size;
}

/** Writes the event `measureMessage` saw last at `pos` and returns the position after it. */
export function writeMeasured(buf: Uint8Array, pos: number): number {
  const e = event_;
  buf[pos++] = 0x0a; // 1: item_id
  pos = writeVarint32(idBytes_, buf, pos);
  pos = utf8.write(e.itemId, buf, pos);
  if (outputIndexInt_) {
    buf[pos++] = 0x10; // 2: output_index
    pos = writeInt64(e.outputIndex, buf, pos);
  }
  if (sequenceNumberInt_) {
    buf[pos++] = 0x18; // 3: sequence_number
    pos = writeInt64(e.sequenceNumber, buf, pos);
  }
  if (!outputIndexInt_) {
    buf[pos++] = 0x21; // 4: output_index_double
    pos = writeDouble(e.outputIndex, buf, pos);
  }
  if (!sequenceNumberInt_) {
    buf[pos++] = 0x29; // 5: sequence_number_double
    pos = writeDouble(e.sequenceNumber, buf, pos);
  }
  if (e.type === IMAGE_GEN_CALL_PARTIAL_IMAGE) {
    if (imageBytes_ >= 0) {
      buf[pos++] = 0x32; // 6: partial_image
      pos = writeVarint32(imageBytes_, buf, pos);
      pos = base64.write(e.partialImageB64, imageBytes_, buf, pos);
    } else {
      buf[pos++] = 0x3a; // 7: partial_image_b64
      pos = writeVarint32(imageTextBytes_, buf, pos);
      pos = utf8.write(e.partialImageB64, buf, pos);
    }
    if (imageIndexInt_) {
      buf[pos++] = 0x40; // 8: partial_image_index
      pos = writeInt64(e.partialImageIndex, buf, pos);
    } else {
      buf[pos++] = 0x49; // 9: partial_image_index_double
      pos = writeDouble(e.partialImageIndex, buf, pos);
    }
  }
  if (plan_ !== undefined && names_ !== undefined) {
    buf[pos++] = 0x7a; // 15: extra
    pos = writeVarint32(extraSize_, buf, pos);
    pos = plan_.write(e, names_, buf, pos);
  }
  return pos;
}

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
      if (tag === 0x0a) {
        const n = bytes[pos + 1]!;
        const stop = pos + 2 + n;
        if (n < 0x80 && stop <= end) {
          itemId = utf8.read(bytes, pos + 2, stop);
          if (itemId === undefined) throw new BridgeError("invalid_utf8", ITEM_ID, "string is not valid UTF-8", { offset: pos + 2 });
          pos = stop;
          continue;
        }
      } else if (tag === 0x10 || tag === 0x18) {
        const v = bytes[pos + 1]!;
        if (v < 0x80) {
          if (tag === 0x10) outputIndex = v;
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
      case 0x0a:
        itemId = r.string(ITEM_ID);
        break;
      case 0x10:
        outputIndex = readInt64(r, OUTPUT_INDEX);
        break;
      case 0x18:
        sequenceNumber = readInt64(r, SEQUENCE_NUMBER);
        break;
      case 0x21:
        outputIndex = readFiniteDouble(r, OUTPUT_INDEX);
        break;
      case 0x29:
        sequenceNumber = readFiniteDouble(r, SEQUENCE_NUMBER);
        break;
      case 0x7a:
        readExtra(r, r.len(EXTRA), (extra ??= {}), kind);
        break;
      default: {
        if (partial) {
          if (field === 0x32) {
            const stop = r.len(PARTIAL_IMAGE_B64);
            image = base64.read(bytes, r.pos, stop);
            r.pos = stop;
            break;
          }
          if (field === 0x3a) {
            image = r.string(PARTIAL_IMAGE_B64);
            break;
          }
          if (field === 0x40) {
            imageIndex = readInt64(r, PARTIAL_IMAGE_INDEX);
            break;
          }
          if (field === 0x49) {
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
    if (imageIndex === undefined) throw new BridgeError("missing_field", PARTIAL_IMAGE_INDEX, "partial_image_index (field 8 or 9) is absent");
    event = { type: IMAGE_GEN_CALL_PARTIAL_IMAGE, itemId, outputIndex, sequenceNumber, partialImageB64: image, partialImageIndex: imageIndex };
  } else {
    event = { type: kind.type, itemId, outputIndex, sequenceNumber } as ImageGenCallLifecycleEvent;
  }
  if (extra !== undefined) for (const key in extra) setMember(event, key, extra[key]!);
  return event;
}

function readInt64(r: Reader, path: BridgePath): number {
  const at = r.pos;
  const n = r.int64(path);
  if (n === undefined) throw new BridgeError("unsafe_integer", path, "int64 is outside ±(2^53-1), so no JS number holds it exactly", { offset: at });
  return n;
}

function readFiniteDouble(r: Reader, path: BridgePath): number {
  const at = r.pos;
  const x = r.double(path);
  if (!Number.isFinite(x)) throw new BridgeError("not_finite", path, `${x} has no JSON form`, { offset: at, value: x });
  return x;
}
