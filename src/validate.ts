import { BridgeError, type BridgePath } from "./errors.js";
import { IMAGE_GEN_CALL_COMPLETED, KNOWN_MEMBERS, type ImageGenCallCompletedEvent } from "./event.js";

/**
 * The deepest nesting of arrays and objects an unknown member may have. Each JSON level costs
 * up to three nested messages in `google.protobuf.Struct`; 32 levels stay inside the default
 * recursion limit (100) of the C++, Java and Python protobuf runtimes.
 */
export const MAX_JSON_DEPTH = 32;

const SDK_KEYS = new Set<string>(["type", ...KNOWN_MEMBERS.map(([sdk]) => sdk)]);
const WIRE_KEYS = new Set<string>(["type", ...KNOWN_MEMBERS.map(([, wire]) => wire)]);
const SDK_OF_WIRE = new Map<string, string>(KNOWN_MEMBERS.map(([sdk, wire]) => [wire, sdk]));
const WIRE_OF_SDK = new Map<string, string>(KNOWN_MEMBERS.map(([sdk, wire]) => [sdk, wire]));

/** Tells whether a name is `type` or a known member in either spelling. */
export function isKnownName(key: string): boolean {
  return SDK_KEYS.has(key) || WIRE_KEYS.has(key);
}

/** Which JSON spelling an object uses: the SDK's camelCase or the API's snake_case. */
export type Shape = "sdk" | "wire";

/** The key names of the known members in one shape. */
export function knownKeys(shape: Shape): ReadonlySet<string> {
  return shape === "sdk" ? SDK_KEYS : WIRE_KEYS;
}

/** The other shape's spelling of a known member, if `key` is one. */
export function otherSpelling(key: string, shape: Shape): string | undefined {
  return (shape === "sdk" ? WIRE_OF_SDK : SDK_OF_WIRE).get(key);
}

/**
 * Checks an SDK object against the contract both SDK generations accept, and that every
 * unknown member is plain JSON the schema can carry exactly. Returns it typed, or throws a
 * `BridgeError` naming the field.
 */
export function validateEvent(value: unknown): ImageGenCallCompletedEvent {
  checkEvent(value);
  return value as ImageGenCallCompletedEvent;
}

/** Checks an SDK object like `validateEvent` and returns the names of its unknown members, if any. */
export function checkEvent(value: unknown): string[] | undefined {
  const event = checkObject(value, []);
  checkType(event);
  checkString(event.itemId, ["itemId"]);
  checkNumber(event.outputIndex, ["outputIndex"]);
  checkNumber(event.sequenceNumber, ["sequenceNumber"]);
  return checkUnknownMembers(event, "sdk");
}

/** Checks the members that are neither `type` nor a known field, and returns their names, if any. */
export function checkUnknownMembers(object: Record<string, unknown>, shape: Shape): string[] | undefined {
  const known = knownKeys(shape);
  let names: string[] | undefined;
  for (const key in object) {
    if (known.has(key) || !Object.hasOwn(object, key)) continue;
    checkUnknownKey(key, shape, []);
    checkJson(object[key], [key], 0);
    (names ??= []).push(key);
  }
  return names;
}

/** Refuses a member key that is the other shape's spelling of a known member, or not well-formed. */
export function checkUnknownKey(key: string, shape: Shape, path: BridgePath): void {
  const other = shape === "sdk" ? SDK_OF_WIRE.get(key) : WIRE_OF_SDK.get(key);
  if (other !== undefined || (shape === "sdk" ? WIRE_KEYS : SDK_KEYS).has(key)) {
    throw new BridgeError("ambiguous_key", [...path, key], `"${key}" is the ${shape === "sdk" ? "wire" : "SDK"} spelling of a known member; one object cannot mix both`);
  }
  checkWellFormed(key, [...path, key], "member name");
}

/** Checks the `type` literal. */
export function checkType(object: Record<string, unknown>): void {
  const type = object.type;
  if (type === IMAGE_GEN_CALL_COMPLETED) return;
  if (type === undefined) throw new BridgeError("missing_field", ["type"], `required, expected "${IMAGE_GEN_CALL_COMPLETED}"`);
  if (typeof type !== "string") throw new BridgeError("invalid_type", ["type"], `expected a string, got ${typeName(type)}`, { value: type });
  throw new BridgeError("invalid_literal", ["type"], `expected "${IMAGE_GEN_CALL_COMPLETED}"`, { value: type });
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
