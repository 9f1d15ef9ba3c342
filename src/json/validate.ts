import { BridgeError, type BridgePath } from "../errors.js";
import {
  IMAGE_GEN_CALL_COMPLETED,
  IMAGE_GEN_CALL_GENERATING,
  IMAGE_GEN_CALL_IN_PROGRESS,
  IMAGE_GEN_CALL_PARTIAL_IMAGE,
  type ImageGenCallLifecycleEvent,
} from "./event.js";

/**
 * The deepest nesting of arrays and objects an unknown member may have. Each JSON level costs
 * up to three nested messages in `google.protobuf.Struct`; 32 levels stay inside the default
 * recursion limit (100) of the C++, Java and Python protobuf runtimes.
 */
export const MAX_JSON_DEPTH = 32;

/** Which JSON spelling an object uses: the SDK's camelCase or the API's snake_case. */
export type Shape = "sdk" | "wire";

/** A known member: its two spellings and its JSON type. */
export interface Member {
  sdk: string;
  wire: string;
  kind: "string" | "number";
}

/** One event type of the lifecycle: its `type` literal, message, envelope case and known members. */
export interface EventKind {
  type: ImageGenCallLifecycleEvent["type"];
  /** The full name of its protobuf message. */
  message: string;
  /** Its field number in the `ImageGenCallEvent` envelope. */
  field: number;
  members: readonly Member[];
  /** `type` and the known members, by shape. */
  keys: Readonly<Record<Shape, ReadonlySet<string>>>;
  /** The other shape's spelling of each known member, by shape. */
  otherSpelling: Readonly<Record<Shape, ReadonlyMap<string, string>>>;
}

function eventKind(type: ImageGenCallLifecycleEvent["type"], message: string, field: number, members: Member[]): EventKind {
  return Object.freeze({
    type,
    message: `openresponses.v1.${message}`,
    field,
    members,
    keys: { sdk: new Set(["type", ...members.map((m) => m.sdk)]), wire: new Set(["type", ...members.map((m) => m.wire)]) },
    otherSpelling: { sdk: new Map(members.map((m) => [m.sdk, m.wire])), wire: new Map(members.map((m) => [m.wire, m.sdk])) },
  });
}

const BASE: Member[] = [
  { sdk: "itemId", wire: "item_id", kind: "string" },
  { sdk: "outputIndex", wire: "output_index", kind: "number" },
  { sdk: "sequenceNumber", wire: "sequence_number", kind: "number" },
];

/** `response.image_generation_call.completed`. */
export const COMPLETED = eventKind(IMAGE_GEN_CALL_COMPLETED, "ImageGenCallCompleted", 4, BASE);
/** `response.image_generation_call.in_progress`. */
export const IN_PROGRESS = eventKind(IMAGE_GEN_CALL_IN_PROGRESS, "ImageGenCallInProgress", 1, BASE);
/** `response.image_generation_call.generating`. */
export const GENERATING = eventKind(IMAGE_GEN_CALL_GENERATING, "ImageGenCallGenerating", 2, BASE);
/** `response.image_generation_call.partial_image`. */
export const PARTIAL_IMAGE = eventKind(IMAGE_GEN_CALL_PARTIAL_IMAGE, "ImageGenCallPartialImage", 3, [
  ...BASE,
  { sdk: "partialImageB64", wire: "partial_image_b64", kind: "string" },
  { sdk: "partialImageIndex", wire: "partial_image_index", kind: "number" },
]);

/** Every lifecycle event type, by its `type` literal. */
export const EVENT_KINDS: ReadonlyMap<string, EventKind> = new Map([IN_PROGRESS, GENERATING, PARTIAL_IMAGE, COMPLETED].map((k) => [k.type, k]));

/** Tells whether a name is `type` or one of the kind's known members, in either spelling. */
export function isKnownName(key: string, kind: EventKind = COMPLETED): boolean {
  return kind.keys.sdk.has(key) || kind.keys.wire.has(key);
}

/**
 * Checks an SDK object of any lifecycle type against the contract both SDK generations accept,
 * and that every unknown member is plain JSON the schema can carry exactly. Returns it typed, or
 * throws a `BridgeError` naming the field.
 */
export function validateEvent(value: unknown): ImageGenCallLifecycleEvent {
  checkEvent(value, kindOf(checkObject(value, [])));
  return value as ImageGenCallLifecycleEvent;
}

/** Checks an SDK object of the given kind and returns the names of its unknown members, if any. */
export function checkEvent(value: unknown, kind: EventKind): string[] | undefined {
  const event = checkObject(value, []);
  checkType(event, kind);
  for (const m of kind.members) {
    if (m.kind === "string") checkString(event[m.sdk], [m.sdk]);
    else checkNumber(event[m.sdk], [m.sdk]);
  }
  return checkUnknownMembers(event, kind, "sdk");
}

/** The kind an object's `type` names, or a refusal: missing, not a string, or not a lifecycle event. */
export function kindOf(object: Record<string, unknown>): EventKind {
  const kind = EVENT_KINDS.get(object.type as string);
  if (kind === undefined) throw typeRefusal(object.type, undefined);
  return kind;
}

/** Checks the `type` literal against the kind's. */
export function checkType(object: Record<string, unknown>, kind: EventKind): void {
  if (object.type !== kind.type) throw typeRefusal(object.type, kind);
}

function typeRefusal(type: unknown, kind: EventKind | undefined): BridgeError {
  const expected = kind === undefined ? `one of ${[...EVENT_KINDS.keys()].map((t) => `"${t}"`).join(", ")}` : `"${kind.type}"`;
  if (type === undefined) return new BridgeError("missing_field", ["type"], `required, expected ${expected}`);
  if (typeof type !== "string") return new BridgeError("invalid_type", ["type"], `expected a string, got ${typeName(type)}`, { value: type });
  return new BridgeError("invalid_literal", ["type"], `expected ${expected}`, { value: type });
}

/** Checks the members that are neither `type` nor known to the kind, and returns their names, if any. */
export function checkUnknownMembers(object: Record<string, unknown>, kind: EventKind, shape: Shape): string[] | undefined {
  const known = kind.keys[shape];
  let names: string[] | undefined;
  for (const key in object) {
    if (known.has(key) || !Object.hasOwn(object, key)) continue;
    checkUnknownKey(key, kind, shape, []);
    checkJson(object[key], [key], 0);
    (names ??= []).push(key);
  }
  return names;
}

/** Refuses a member key that is the other shape's spelling of a known member, or not well-formed. */
export function checkUnknownKey(key: string, kind: EventKind, shape: Shape, path: BridgePath): void {
  if (kind.otherSpelling[shape === "sdk" ? "wire" : "sdk"].has(key)) {
    throw new BridgeError("ambiguous_key", [...path, key], `"${key}" is the ${shape === "sdk" ? "wire" : "SDK"} spelling of a known member; one object cannot mix both`);
  }
  checkWellFormed(key, [...path, key], "member name");
}

/** Checks a required string member. */
export function checkString(value: unknown, path: BridgePath): asserts value is string {
  if (typeof value !== "string") {
    if (value === undefined) throw new BridgeError("missing_field", path, "required, expected a string");
    throw new BridgeError("invalid_type", path, `expected a string, got ${typeName(value)}`, { value: safeValue(value) });
  }
  checkWellFormed(value, path, "string");
}

/** Checks a required number member: any finite number. */
export function checkNumber(value: unknown, path: BridgePath): asserts value is number {
  if (typeof value !== "number") {
    if (value === undefined) throw new BridgeError("missing_field", path, "required, expected a number");
    throw new BridgeError("invalid_type", path, `expected a number, got ${typeName(value)}`, { value: safeValue(value) });
  }
  if (!Number.isFinite(value)) throw new BridgeError("not_finite", path, `${value} has no exact protobuf or JSON form`, { value });
}

/** Checks that a value is plain JSON (`null`, boolean, finite number, well-formed string, array, plain object). */
export function checkJson(value: unknown, path: BridgePath, depth: number): void {
  switch (typeof value) {
    case "string":
      checkWellFormed(value, path, "string");
      return;
    case "number":
      if (!Number.isFinite(value)) throw new BridgeError("not_finite", path, `${value} has no exact protobuf or JSON form`, { value });
      return;
    case "boolean":
      return;
    case "object":
      if (value === null) return;
      if (depth >= MAX_JSON_DEPTH) throw new BridgeError("too_deep", path, `nested deeper than ${MAX_JSON_DEPTH} arrays and objects`);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) throw new BridgeError("unsupported_value", [...path, i], "an array hole is not JSON");
          checkJson(value[i], [...path, i], depth + 1);
        }
        return;
      }
      if (!isPlainObject(value)) throw new BridgeError("unsupported_value", path, `${typeName(value)} is not JSON`);
      for (const key of Object.keys(value)) {
        checkWellFormed(key, [...path, key], "member name");
        checkJson((value as Record<string, unknown>)[key], [...path, key], depth + 1);
      }
      return;
    default:
      throw new BridgeError("unsupported_value", path, `${typeName(value)} is not JSON`);
  }
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

function checkWellFormed(s: string, path: BridgePath, what: string): void {
  if (!isWellFormed(s)) {
    throw new BridgeError("lone_surrogate", path, `${what} has a lone UTF-16 surrogate, which UTF-8 cannot carry`);
  }
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
