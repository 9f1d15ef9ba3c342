/** The SDK contract: an event read once into a checked copy, field paths in every refusal, unknown members as plain JSON. */
import { BridgeError, type BridgePath } from "../errors.js";
import {
  COMPLETED,
  EVENT_KINDS,
  type EventKind,
  type ImageGenCallLifecycleEvent,
  type JsonObject,
  type JsonValue,
  PARTIAL_IMAGE,
  type Shape,
  setMember,
} from "./event.js";

/**
 * The deepest nesting of arrays and objects an unknown member may have. Each JSON level costs
 * up to three nested messages in `google.protobuf.Struct`; 32 levels stay inside the default
 * recursion limit (100) of the C++, Java and Python protobuf runtimes.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Checks an SDK object of any lifecycle type against the contract both SDK generations accept,
 * and that every unknown member is plain JSON the schema can carry exactly. Returns it typed, or
 * throws a `BridgeError` naming the field.
 */
export function validateEvent(value: unknown): ImageGenCallLifecycleEvent {
  readEvent(value, "sdk");
  return value as ImageGenCallLifecycleEvent;
}

/**
 * An event read once and checked: what the shape converters and `toMessage` build from, copied
 * out of the input so that a getter or Proxy cannot show them another value.
 */
export interface CheckedEvent {
  readonly kind: EventKind;
  readonly itemId: string;
  readonly outputIndex: number;
  readonly sequenceNumber: number;
  /** The partial image's base64 text (`""` for the other kinds). */
  readonly partialImageB64: string;
  /** The partial image's index (`0` for the other kinds). */
  readonly partialImageIndex: number;
  /** The unknown members, copies of plain JSON in input order, or `undefined` when there are none. */
  readonly extra: Record<string, JsonValue> | undefined;
}

/**
 * An event read once, its known members checked and its unknown members as read: whoever takes
 * the unknown members checks them while reading them (a copy for the JSON shapes, a `Struct`
 * plan for the encoders), with `checkUnknownKey` on each key first.
 */
export interface EventParts {
  readonly kind: EventKind;
  /** The spelling of the known members. */
  readonly shape: Shape;
  readonly itemId: string;
  readonly outputIndex: number;
  readonly sequenceNumber: number;
  /** The partial image's base64 text (`""` for the other kinds). */
  readonly partialImageB64: string;
  /** The partial image's index (`0` for the other kinds). */
  readonly partialImageIndex: number;
  /** The unknown members in input order, key then value, not checked yet; `undefined` when there are none. */
  readonly unknown: readonly unknown[] | undefined;
}

/**
 * Reads an event in the given JSON shape (detected from its member names when `shape` is not
 * given) and, when `expected` is given, of that kind only (see `readEventParts`), and copies its
 * unknown members, each checked as plain JSON.
 */
export function readEvent(value: unknown, shape?: Shape, expected?: EventKind): CheckedEvent {
  const parts = readEventParts(value, shape, expected);
  const unknown = parts.unknown;
  let extra: Record<string, JsonValue> | undefined;
  if (unknown !== undefined) {
    extra = {};
    const path: PathStack = [];
    for (let i = 0; i < unknown.length; i += 2) {
      const key = unknown[i] as string;
      checkUnknownKey(key, parts.kind, parts.shape, ROOT);
      path.push(key);
      setMember(extra, key, copyValue(unknown[i + 1], path, 0));
      path.pop();
    }
  }
  const { kind, itemId, outputIndex, sequenceNumber, partialImageB64, partialImageIndex } = parts;
  return { kind, itemId, outputIndex, sequenceNumber, partialImageB64, partialImageIndex, extra };
}

/**
 * Reads an event in the given JSON shape (detected from its member names when `shape` is not
 * given) and, when `expected` is given, of that kind only, and checks its known members. Each
 * member of the input is read once, as `JSON.stringify` sees it: own enumerable string keys,
 * arrays by index and length.
 */
export function readEventParts(value: unknown, shape?: Shape, expected?: EventKind): EventParts {
  const object = checkObject(value, []);
  const keys = Object.keys(object);
  const spelling = shape ?? shapeOf(keys);
  const type = Object.hasOwn(object, "type") ? object.type : undefined;
  let kind: EventKind;
  if (expected === undefined) kind = kindOf({ type });
  else {
    checkType({ type }, expected);
    kind = expected;
  }
  const slots = SLOTS[spelling];
  const known = kind.members.length;
  let itemId: unknown;
  let outputIndex: unknown;
  let sequenceNumber: unknown;
  let image: unknown;
  let imageIndex: unknown;
  let unknown: unknown[] | undefined; // key, value, key, value, …
  for (const key of keys) {
    if (key === "type") continue;
    const slot = slots.get(key);
    const v = object[key];
    if (slot === undefined || slot >= known) (unknown ??= []).push(key, v);
    else if (slot === 0) itemId = v;
    else if (slot === 1) outputIndex = v;
    else if (slot === 2) sequenceNumber = v;
    else if (slot === 3) image = v;
    else imageIndex = v;
  }
  const paths = PATHS[spelling];
  checkString(itemId, paths[0]!);
  checkNumber(outputIndex, paths[1]!);
  checkNumber(sequenceNumber, paths[2]!);
  if (known > 3) {
    checkString(image, paths[3]!);
    checkNumber(imageIndex, paths[4]!);
  }
  return {
    kind,
    shape: spelling,
    itemId,
    outputIndex,
    sequenceNumber,
    partialImageB64: known > 3 ? (image as string) : "",
    partialImageIndex: known > 3 ? (imageIndex as number) : 0,
    unknown,
  };
}

/** The known members of the partial image (a superset of the others'), in slot order: sdk and wire spellings. */
const MEMBER_NAMES = PARTIAL_IMAGE.members;
const SLOTS: Readonly<Record<Shape, ReadonlyMap<string, number>>> = {
  sdk: new Map(MEMBER_NAMES.map((m, i) => [m.sdk, i])),
  wire: new Map(MEMBER_NAMES.map((m, i) => [m.wire, i])),
};
const PATHS: Readonly<Record<Shape, readonly BridgePath[]>> = {
  sdk: MEMBER_NAMES.map((m) => Object.freeze([m.sdk])),
  wire: MEMBER_NAMES.map((m) => Object.freeze([m.wire])),
};

/** The members every lifecycle event has, by spelling. */
const SPELLINGS = new Map<string, Shape>(COMPLETED.members.flatMap((m) => [[m.sdk, "sdk"] as const, [m.wire, "wire"] as const]));

/**
 * Tells which shape an object's member names are in: `wire` if one is a snake_case known member,
 * `sdk` otherwise. Names in both spellings are refused as ambiguous.
 */
export function shapeOf(keys: readonly string[]): Shape {
  let shape: Shape | undefined;
  for (const key of keys) {
    const keyShape = SPELLINGS.get(key);
    if (keyShape === undefined) continue;
    if (shape !== undefined && shape !== keyShape) {
      throw new BridgeError("ambiguous_key", [key], `"${key}" mixes the SDK and wire spellings of the known members`);
    }
    shape = keyShape;
  }
  return shape ?? "sdk";
}

/** The kind an object's `type` names, or a refusal: missing, not a string, or not a lifecycle event. */
export function kindOf(object: { type?: unknown }): EventKind {
  const kind = typeof object.type === "string" ? EVENT_KINDS.get(object.type) : undefined;
  if (kind === undefined) throw typeRefusal(object.type, undefined);
  return kind;
}

/** Checks the `type` literal against the kind's. */
export function checkType(object: { type?: unknown }, kind: EventKind): void {
  if (object.type !== kind.type) throw typeRefusal(object.type, kind);
}

function typeRefusal(type: unknown, kind: EventKind | undefined): BridgeError {
  const expected = kind === undefined ? `one of ${[...EVENT_KINDS.keys()].map((t) => `"${t}"`).join(", ")}` : `"${kind.type}"`;
  if (type === undefined) return new BridgeError("missing_field", ["type"], `required, expected ${expected}`);
  if (typeof type !== "string")
    return new BridgeError("invalid_type", ["type"], `expected a string, got ${typeName(type)}`, { value: safeValue(type) });
  return new BridgeError("invalid_literal", ["type"], `expected ${expected}`, { value: type });
}

/** Refuses a member key that is the other shape's spelling of a known member, or not well-formed. */
export function checkUnknownKey(key: string, kind: EventKind, shape: Shape, path: BridgePath): void {
  if (kind.otherSpelling[shape === "sdk" ? "wire" : "sdk"].has(key)) {
    throw new BridgeError(
      "ambiguous_key",
      [...path, key],
      `"${key}" is the ${shape === "sdk" ? "wire" : "SDK"} spelling of a known member; one object cannot mix both`,
    );
  }
  if (!isWellFormed(key)) throw loneSurrogate([...path, key], "member name");
}

/** Checks a required string member. */
function checkString(value: unknown, path: BridgePath): asserts value is string {
  if (typeof value !== "string") {
    if (value === undefined) throw new BridgeError("missing_field", path, "required, expected a string");
    throw new BridgeError("invalid_type", path, `expected a string, got ${typeName(value)}`, { value: safeValue(value) });
  }
  checkWellFormed(value, path, "string");
}

/** Checks a required number member: any finite number. */
function checkNumber(value: unknown, path: BridgePath): asserts value is number {
  if (typeof value !== "number") {
    if (value === undefined) throw new BridgeError("missing_field", path, "required, expected a number");
    throw new BridgeError("invalid_type", path, `expected a number, got ${typeName(value)}`, { value: safeValue(value) });
  }
  if (!Number.isFinite(value)) throw new BridgeError("not_finite", path, `${value} has no exact protobuf or JSON form`, { value });
}

/**
 * The path of the value being read: a key or index is pushed on the way down and popped on the
 * way back, so that no path is built unless a refusal names it (`BridgeError` keeps a copy).
 */
export type PathStack = (string | number)[];

const ROOT: BridgePath = [];

/**
 * Copies a value that must be plain JSON (`null`, boolean, finite number, well-formed string,
 * array, plain object), reading each member once. An array is read by its length and indexes:
 * a hole or a property that is not an index is refused, and no iterator is called.
 */
function copyValue(value: unknown, path: PathStack, depth: number): JsonValue {
  switch (typeof value) {
    case "string":
      checkWellFormed(value, path, "string");
      return value;
    case "number":
      if (!Number.isFinite(value)) throw notFinite(value, path);
      return value;
    case "boolean":
      return value;
    case "object": {
      if (value === null) return null;
      if (checkContainer(value, path, depth)) return copyArray(value, path, depth);
      const out: JsonObject = {};
      for (const key of Object.keys(value)) {
        path.push(key);
        checkWellFormed(key, path, "member name");
        setMember(out, key, copyValue((value as Record<string, unknown>)[key], path, depth + 1));
        path.pop();
      }
      return out;
    }
    default:
      throw notJson(value, path);
  }
}

function copyArray(array: unknown[], path: PathStack, depth: number): JsonValue[] {
  const length = array.length;
  const keys = Object.keys(array);
  const out: JsonValue[] = new Array(length);
  for (let i = 0; i < length; i++) {
    path.push(i);
    if (keys[i] !== String(i)) throw arrayHole(path);
    out[i] = copyValue(array[i], path, depth + 1);
    path.pop();
  }
  checkNoOtherMembers(keys, length, path);
  return out;
}

/** The refusal of a number with no JSON form (`NaN`, `±Infinity`). */
export function notFinite(value: number, path: BridgePath): BridgeError {
  return new BridgeError("not_finite", path, `${value} has no exact protobuf or JSON form`, { value });
}

/**
 * Checks an object value (not `null`) at `depth` (0 for an unknown member): refuses nesting past
 * `MAX_JSON_DEPTH` and objects that are not plain, and tells whether it is an array.
 */
export function checkContainer(value: object, path: BridgePath, depth: number): value is unknown[] {
  if (depth >= MAX_JSON_DEPTH) throw new BridgeError("too_deep", path, `nested deeper than ${MAX_JSON_DEPTH} arrays and objects`);
  if (Array.isArray(value)) return true;
  if (!isPlainObject(value)) throw notJson(value, path);
  return false;
}

/** The refusal of a hole in an array (`path` ends with its index). */
export function arrayHole(path: BridgePath): BridgeError {
  return new BridgeError("unsupported_value", path, "an array hole is not JSON");
}

/**
 * Refuses an array of `length` whose `Object.keys` are `keys` for a member that is not an index,
 * once its items are read (a hole among them was refused first).
 */
export function checkNoOtherMembers(keys: readonly string[], length: number, path: BridgePath): void {
  if (keys.length > length)
    throw new BridgeError("unsupported_value", [...path, keys[length]!], "an array member that is not an index is not JSON");
}

/** The refusal of a value JSON has no form for (`undefined`, a function, a symbol, a bigint, a class instance). */
export function notJson(value: unknown, path: BridgePath): BridgeError {
  return new BridgeError("unsupported_value", path, `${typeName(value)} is not JSON`);
}

/** Checks that an object is a plain JSON object, or throws `invalid_type`. */
export function checkObject(value: unknown, path: BridgePath): Record<string, unknown> {
  if (!isPlainObject(value)) {
    throw new BridgeError("invalid_type", path, `expected an object, got ${typeName(value)}`, { value: safeValue(value) });
  }
  return value;
}

/** Tells whether a value is a plain object (prototype `Object.prototype` or `null`). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const hasIsWellFormed = typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === "function";

/** Tells whether a string has no lone UTF-16 surrogate, so that it has an exact UTF-8 form. */
export function isWellFormed(s: string): boolean {
  if (hasIsWellFormed) return (s as string & { isWellFormed(): boolean }).isWellFormed();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff || i + 1 === s.length) return false;
    const d = s.charCodeAt(i + 1);
    if (d < 0xdc00 || d > 0xdfff) return false;
    i++;
  }
  return true;
}

/** Refuses a string (`what`: "string", "member name") with a lone surrogate. */
function checkWellFormed(s: string, path: BridgePath, what: string): void {
  if (!isWellFormed(s)) throw loneSurrogate(path, what);
}

/** The refusal of a string (`what`: "string", "member name") with a lone surrogate. */
export function loneSurrogate(path: BridgePath, what: string): BridgeError {
  return new BridgeError("lone_surrogate", path, `${what} has a lone UTF-16 surrogate, which UTF-8 cannot carry`);
}

/** A short name of a value's type, for messages. */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
    return name && name !== "Object" ? `a ${name}` : "an object";
  }
  return typeof value === "undefined" ? "undefined" : `a ${typeof value}`;
}

function safeValue(value: unknown): unknown {
  return typeof value === "object" || typeof value === "function" ? typeName(value) : value;
}
