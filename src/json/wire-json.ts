import { BridgeError } from "../errors.js";
import { setMember, type ImageGenCallLifecycleEvent, type ImageGenCallLifecycleWireJson, type JsonValue } from "./event.js";
import { checkNumber, checkObject, checkString, checkUnknownMembers, kindOf, validateEvent, type EventKind, type Shape } from "./validate.js";

/**
 * Converts the API's snake_case wire JSON (`item_id`, `output_index`, `sequence_number`, and
 * `partial_image_b64`, `partial_image_index` for partial images) of any lifecycle event to the
 * SDK object. Unknown members keep their name and value; a camelCase spelling of a known member
 * is refused as ambiguous.
 */
export function fromWireJson(value: unknown): ImageGenCallLifecycleEvent {
  const wire = checkObject(value, []);
  const kind = kindOf(wire);
  for (const m of kind.members) {
    if (m.kind === "string") checkString(wire[m.wire], [m.wire]);
    else checkNumber(wire[m.wire], [m.wire]);
  }
  checkUnknownMembers(wire, kind, "wire");
  return convert(wire, kind, "wire", "sdk") as ImageGenCallLifecycleEvent;
}

/** Converts an SDK object of any lifecycle event to the API's snake_case wire JSON, unknown members unchanged. */
export function toWireJson(event: ImageGenCallLifecycleEvent): ImageGenCallLifecycleWireJson {
  const sdk = validateEvent(event);
  return convert(sdk, kindOf(sdk), "sdk", "wire") as ImageGenCallLifecycleWireJson;
}

/**
 * Tells which shape a JSON object is in: `wire` if it has a snake_case known member, `sdk`
 * otherwise. An object with known members in both spellings is refused as ambiguous.
 */
export function detectShape(value: Record<string, unknown>): Shape {
  let shape: Shape | undefined;
  for (const key in value) {
    const keyShape: Shape | undefined = SPELLINGS.get(key);
    if (keyShape === undefined) continue;
    if (shape !== undefined && shape !== keyShape) {
      throw new BridgeError("ambiguous_key", [key], `"${key}" mixes the SDK and wire spellings of the known members`);
    }
    shape = keyShape;
  }
  return shape ?? "sdk";
}

/** The members every lifecycle event has, by spelling. */
const SPELLINGS = new Map<string, Shape>([
  ["itemId", "sdk"],
  ["outputIndex", "sdk"],
  ["sequenceNumber", "sdk"],
  ["item_id", "wire"],
  ["output_index", "wire"],
  ["sequence_number", "wire"],
]);

/** Converts either JSON shape of any lifecycle event, detected per object, to the SDK object. */
export function fromJson(value: unknown): ImageGenCallLifecycleEvent {
  const object = checkObject(value, []);
  return detectShape(object) === "wire" ? fromWireJson(object) : validateEvent(object);
}

/** Converts an SDK object to the JSON shape asked for. */
export function toJson(event: ImageGenCallLifecycleEvent, shape: Shape): ImageGenCallLifecycleEvent | ImageGenCallLifecycleWireJson {
  return shape === "wire" ? toWireJson(event) : validateEvent(event);
}

/** Builds the object in the other shape: `type`, the known members renamed, unknown members as they are. */
function convert(from: Record<string, unknown>, kind: EventKind, shape: Shape, to: Shape): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = { type: kind.type };
  for (const m of kind.members) out[m[to]] = from[m[shape]] as JsonValue;
  const known = kind.keys[shape];
  for (const key in from) {
    if (known.has(key) || !Object.hasOwn(from, key)) continue;
    setMember(out, key, from[key] as JsonValue);
  }
  return out;
}
