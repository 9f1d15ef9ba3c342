/**
 * `google.protobuf.Struct` bytes to plain JSON objects, for the unknown members in field `extra`,
 * and the order its keys are written in (`struct-plan.ts` writes them): by code point (UTF-8 byte
 * order), recursively, the order of the deterministic mode of the Go, C++, Python and Rust runtimes.
 */
import { BridgeError } from "../errors.js";
import { type EventKind, isKnownName, type JsonObject, type JsonValue, setMember } from "../json/event.js";
import { MAX_JSON_DEPTH } from "../json/validate.js";
import { type Reader, Wire } from "./reader.js";
import { utf8 } from "./utf8.js";
import { readDouble } from "./varint.js";

/** Compares two well-formed strings by code point, which is UTF-8 byte order. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // a surrogate starts a code point above U+FFFF: it sorts after U+E000..U+FFFF
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** The keys of an object in code point order. */
export function sortedKeys(object: object): string[] {
  return sortCodePoints(Object.keys(object));
}

/** Up to this many keys are sorted by insertion, which beats `Array.prototype.sort`'s call overhead on the few keys of real objects. */
export const INSERTION_SORT_MAX = 16;

/** Sorts strings in place by code point and returns them. */
export function sortCodePoints(keys: string[]): string[] {
  if (keys.length > INSERTION_SORT_MAX) return keys.sort(compareCodePoints);
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && compareCodePoints(keys[j]!, key) > 0; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = key;
  }
  return keys;
}

/** The tags of a Struct's entries (and a ListValue's values), and of a map entry's key and value. */
const TAG_ITEM = 0x0a;
const TAG_KEY = 0x0a;
const TAG_VALUE = 0x12;

/** The wire type of each field of `google.protobuf.Value`, by field number. */
const VALUE_WIRE_TYPES: readonly (Wire | undefined)[] = [undefined, Wire.Varint, Wire.I64, Wire.Len, Wire.Varint, Wire.Len, Wire.Len];

/**
 * Reads a Struct payload `[r.pos, end)` into `target`, strictly: invalid UTF-8, a Value with no
 * kind, a non-finite number or the name of one of the event kind's known members are refused.
 * Later duplicates win, as in protobuf's map merge.
 */
export function readExtra(r: Reader, end: number, target: JsonObject, kind: EventKind): void {
  readStruct(r, end, target, ["extra"], 0, kind);
}

/**
 * The path of what is being read, one per `readExtra` call: a key or index is pushed on the way
 * down and popped on the way back, so that no path is built unless a refusal names it
 * (`BridgeError` keeps a copy).
 */
type PathStack = (string | number)[];

/**
 * Starts reading the repeated message field 1 of `[r.pos, end)` (a Struct's entries, a
 * ListValue's values), bounded by depth and by `end`; returns the reader's previous end, for the
 * caller to restore when done.
 */
function enter(r: Reader, end: number, path: PathStack, depth: number): number {
  if (depth > MAX_JSON_DEPTH)
    throw new BridgeError("too_deep", path, `nested deeper than ${MAX_JSON_DEPTH} arrays and objects`, { offset: r.pos });
  const outerEnd = r.end;
  r.end = end;
  return outerEnd;
}

/** Skips other fields up to the next item of field 1 before `end` and returns its end, or -1 at `end`. */
function nextItem(r: Reader, end: number, path: PathStack): number {
  r.end = end;
  const buf = r.buf;
  const p = r.pos;
  if (buf[p] === TAG_ITEM && p + 1 < end) {
    // the common item: one byte of length
    const itemEnd = p + 2 + buf[p + 1]!;
    if (buf[p + 1]! < 0x80 && itemEnd <= end) {
      r.pos = p + 2;
      r.end = itemEnd;
      return itemEnd;
    }
  }
  while (r.pos < end) {
    const tag = r.tag(path);
    if (tag >>> 3 !== 1) {
      r.skip(tag, path);
      continue;
    }
    if ((tag & 7) !== Wire.Len) throw r.mismatch(tag, Wire.Len, path);
    const itemEnd = r.len(path);
    r.end = itemEnd;
    return itemEnd;
  }
  return -1;
}

function readStruct(r: Reader, end: number, target: JsonObject, path: PathStack, depth: number, top: EventKind | undefined): void {
  const outerEnd = enter(r, end, path, depth);
  for (let entryEnd = nextItem(r, end, path); entryEnd >= 0; entryEnd = nextItem(r, end, path)) {
    let key = "";
    let value: JsonValue | undefined;
    let valueAt = r.pos;
    const buf = r.buf;
    const p = r.pos;
    if (buf[p] === TAG_KEY && p + 1 < entryEnd) {
      // the common entry: the key, then the value, each with one byte of length (the rest is read below)
      const keyEnd = p + 2 + buf[p + 1]!;
      if (buf[p + 1]! < 0x80 && buf[keyEnd] === TAG_VALUE && keyEnd + 2 + buf[keyEnd + 1]! === entryEnd && buf[keyEnd + 1]! < 0x80) {
        const s = utf8.read(buf, p + 2, keyEnd);
        if (s !== undefined) {
          key = s;
          r.pos = keyEnd + 2;
          path.push(key);
          value = readValue(r, entryEnd, undefined, path, depth);
          path.pop();
        }
      }
    }
    while (r.pos < entryEnd) {
      const t = r.tag(path);
      if (t >>> 3 === 1) {
        if ((t & 7) !== Wire.Len) throw r.mismatch(t, Wire.Len, path);
        key = r.string(path);
      } else if (t >>> 3 === 2) {
        if ((t & 7) !== Wire.Len) throw r.mismatch(t, Wire.Len, path);
        valueAt = r.pos;
        const valueEnd = r.len(path);
        path.push(key);
        value = readValue(r, valueEnd, value, path, depth);
        path.pop();
      } else r.skip(t, path);
    }
    if (value === undefined) throw new BridgeError("invalid_value", [...path, key], "map entry has no value", { offset: valueAt });
    if (top !== undefined && isKnownName(key, top)) {
      throw new BridgeError("ambiguous_key", [...path, key], `an unknown member cannot be named "${key}", the name of a known member`);
    }
    setMember(target, key, value);
  }
  r.end = outerEnd;
}

function readValue(r: Reader, end: number, previous: JsonValue | undefined, path: PathStack, depth: number): JsonValue {
  const start = r.pos;
  const common = commonValue(r.buf, start, end);
  if (common !== undefined) {
    r.pos = end;
    return common;
  }
  const outerEnd = r.end;
  r.end = end;
  let value: JsonValue | undefined;
  while (r.pos < end) {
    const tag = r.tag(path);
    switch (tag) {
      case (1 << 3) | Wire.Varint: {
        const at = r.pos;
        if (r.bool(path)) throw new BridgeError("invalid_value", path, "null_value is not NULL_VALUE (0)", { offset: at });
        value = null;
        break;
      }
      case (2 << 3) | Wire.I64: {
        const at = r.pos;
        const x = r.double(path);
        if (!Number.isFinite(x)) throw new BridgeError("not_finite", path, `${x} has no JSON form`, { offset: at });
        value = x;
        break;
      }
      case (3 << 3) | Wire.Len:
        value = r.string(path);
        break;
      case (4 << 3) | Wire.Varint:
        value = r.bool(path);
        break;
      case (5 << 3) | Wire.Len: {
        const structEnd = r.len(path);
        // a repeated message field merges into the one before it, as protobuf parsers do
        const object = isObject(value) ? value : isObject(previous) && value === undefined ? previous : {};
        readStruct(r, structEnd, object, path, depth + 1, undefined);
        value = object;
        break;
      }
      case (6 << 3) | Wire.Len: {
        const listEnd = r.len(path);
        const list = Array.isArray(value) ? value : Array.isArray(previous) && value === undefined ? previous : [];
        readList(r, listEnd, list, path, depth + 1);
        value = list;
        break;
      }
      default: {
        const expected = VALUE_WIRE_TYPES[tag >>> 3];
        if (expected !== undefined) throw r.mismatch(tag, expected, path);
        r.skip(tag, path);
      }
    }
  }
  r.end = outerEnd;
  if (value === undefined) {
    if (previous !== undefined) return previous;
    throw new BridgeError("invalid_value", path, "google.protobuf.Value has no kind set", { offset: start });
  }
  return value;
}

/**
 * Reads the Values every encoder writes for a number, a string of up to 127 bytes, a boolean and
 * `null`: one field, whole and valid. Returns `undefined` for anything else, which `readValue`
 * reads the general way (or refuses).
 */
function commonValue(buf: Uint8Array, start: number, end: number): JsonValue | undefined {
  const n = end - start;
  switch (buf[start]) {
    case 0x11: // number_value
      if (n === 9) {
        const x = readDouble(buf, start + 1);
        if (Number.isFinite(x)) return x;
      }
      return undefined;
    case 0x1a: // string_value
      return n >= 2 && n - 2 < 0x80 && buf[start + 1] === n - 2 ? utf8.read(buf, start + 2, end) : undefined;
    case 0x20: // bool_value
      return n === 2 && buf[start + 1]! < 0x80 ? buf[start + 1] !== 0 : undefined;
    case 0x08: // null_value
      return n === 2 && buf[start + 1] === 0 ? null : undefined;
    default:
      return undefined;
  }
}

function readList(r: Reader, end: number, list: JsonValue[], path: PathStack, depth: number): void {
  const outerEnd = enter(r, end, path, depth);
  for (let valueEnd = nextItem(r, end, path); valueEnd >= 0; valueEnd = nextItem(r, end, path)) {
    path.push(list.length);
    list.push(readValue(r, valueEnd, undefined, path, depth));
    path.pop();
  }
  r.end = outerEnd;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
