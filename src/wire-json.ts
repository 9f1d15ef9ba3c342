import { BridgeError } from "./errors.js";
import {
  IMAGE_GEN_CALL_COMPLETED,
  type ImageGenCallCompletedEvent,
  type ImageGenCallCompletedWireJson,
  setMember,
  type JsonValue,
} from "./event.js";
import {
  checkNumber,
  checkObject,
  checkString,
  checkType,
  checkUnknownMembers,
  knownKeys,
  otherSpelling,
  validateEvent,
  type Shape,
} from "./validate.js";

/**
 * Converts the API's snake_case wire JSON (`item_id`, `output_index`, `sequence_number`) to the
 * SDK object. Unknown members keep their name and value unchanged; a camelCase spelling of a
 * known member is refused as ambiguous.
 */
export function fromWireJson(value: unknown): ImageGenCallCompletedEvent {
  const wire = checkObject(value, []);
  checkType(wire);
  checkString(wire.item_id, ["item_id"]);
  checkNumber(wire.output_index, ["output_index"]);
  checkNumber(wire.sequence_number, ["sequence_number"]);
  checkUnknownMembers(wire, "wire");
  const event = {
    type: IMAGE_GEN_CALL_COMPLETED,
    itemId: wire.item_id,
    outputIndex: wire.output_index,
    sequenceNumber: wire.sequence_number,
  } as ImageGenCallCompletedEvent;
  copyUnknownMembers(wire, event, "wire");
  return event;
}

/** Converts an SDK object to the API's snake_case wire JSON, unknown members unchanged. */
export function toWireJson(event: ImageGenCallCompletedEvent): ImageGenCallCompletedWireJson {
  const sdk = validateEvent(event);
  const wire = {
    type: IMAGE_GEN_CALL_COMPLETED,
    item_id: sdk.itemId,
    output_index: sdk.outputIndex,
    sequence_number: sdk.sequenceNumber,
  } as ImageGenCallCompletedWireJson;
  copyUnknownMembers(sdk, wire, "sdk");
  return wire;
}

/**
 * Tells which shape a JSON object is in: `wire` if it has a snake_case known member, `sdk`
 * otherwise. An object with known members in both spellings is refused as ambiguous.
 */
export function detectShape(value: Record<string, unknown>): Shape {
  let shape: Shape | undefined;
  for (const key in value) {
    const other = otherSpelling(key, "sdk") ?? otherSpelling(key, "wire");
    if (other === undefined) continue;
    const keyShape: Shape = knownKeys("sdk").has(key) ? "sdk" : "wire";
    if (shape !== undefined && shape !== keyShape) {
      throw new BridgeError("ambiguous_key", [key], `"${key}" mixes the SDK and wire spellings of the known members`);
    }
    shape = keyShape;
  }
  return shape ?? "sdk";
}

/** Converts either JSON shape, detected per object, to the SDK object. */
export function fromJson(value: unknown): ImageGenCallCompletedEvent {
  const object = checkObject(value, []);
  return detectShape(object) === "wire" ? fromWireJson(object) : validateEvent(object);
}

/** Converts an SDK object to the JSON shape asked for. */
export function toJson(event: ImageGenCallCompletedEvent, shape: Shape): ImageGenCallCompletedEvent | ImageGenCallCompletedWireJson {
  return shape === "wire" ? toWireJson(event) : validateEvent(event);
}

/** Copies the unknown members of `from` (in `shape`) onto `to`, `__proto__` included. */
function copyUnknownMembers(from: Record<string, unknown>, to: object, shape: Shape): void {
  const known = knownKeys(shape);
  for (const key in from) {
    if (known.has(key) || !Object.hasOwn(from, key)) continue;
    setMember(to, key, from[key] as JsonValue);
  }
}
