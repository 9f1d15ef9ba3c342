/** The two JSON shapes: the API's snake_case wire JSON and the SDK object, and the shape of an object detected. */
import { type ImageGenCallLifecycleEvent, type ImageGenCallLifecycleWireJson, type JsonValue, type Shape, setMember } from "./event.js";
import { type CheckedEvent, checkObject, readEvent, shapeOf } from "./validate.js";

/**
 * Converts the API's snake_case wire JSON (`item_id`, `output_index`, `sequence_number`, and
 * `partial_image_b64`, `partial_image_index` for partial images) of any lifecycle event to the
 * SDK object. Unknown members keep their name and value; a camelCase spelling of a known member
 * is refused as ambiguous.
 */
export function fromWireJson(value: unknown): ImageGenCallLifecycleEvent {
  return toShape(readEvent(value, "wire"), "sdk") as ImageGenCallLifecycleEvent;
}

/** Converts an SDK object of any lifecycle event to the API's snake_case wire JSON, unknown members unchanged. */
export function toWireJson(event: ImageGenCallLifecycleEvent): ImageGenCallLifecycleWireJson {
  return toShape(readEvent(event, "sdk"), "wire") as ImageGenCallLifecycleWireJson;
}

/**
 * Tells which shape a JSON object is in: `wire` if it has a snake_case known member, `sdk`
 * otherwise. An object with known members in both spellings is refused as ambiguous.
 */
export function detectShape(value: Record<string, unknown>): Shape {
  return shapeOf(Object.keys(checkObject(value, [])));
}

/** Converts either JSON shape of any lifecycle event, detected per object, to the SDK object. */
export function fromJson(value: unknown): ImageGenCallLifecycleEvent {
  return toShape(readEvent(value), "sdk") as ImageGenCallLifecycleEvent;
}

/** Converts an SDK object to the JSON shape asked for. */
export function toJson(event: ImageGenCallLifecycleEvent, shape: Shape): ImageGenCallLifecycleEvent | ImageGenCallLifecycleWireJson {
  return toShape(readEvent(event, "sdk"), shape);
}

/** Builds a new object in the given shape from a checked event: `type`, the known members, then the unknown members. */
export function toShape(event: CheckedEvent, shape: Shape): ImageGenCallLifecycleEvent | ImageGenCallLifecycleWireJson {
  const out: Record<string, JsonValue> = { type: event.kind.type };
  for (const m of event.kind.members) out[m[shape]] = event[m.sdk as keyof CheckedEvent] as JsonValue;
  if (event.extra !== undefined) for (const key of Object.keys(event.extra)) setMember(out, key, event.extra[key]!);
  return out as ImageGenCallLifecycleEvent | ImageGenCallLifecycleWireJson;
}
