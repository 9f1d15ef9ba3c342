import type { JsonObject, JsonValue } from "@bufbuild/protobuf";

export type { JsonObject, JsonValue };

/** The `type` literal of the event, the same in both JSON shapes. */
export const IMAGE_GEN_CALL_COMPLETED = "response.image_generation_call.completed";

/** The event's `type` literal as a type. */
export type ImageGenCallCompletedType = typeof IMAGE_GEN_CALL_COMPLETED;

/**
 * The SDK object (`OpenResponsesImageGenCallCompleted` / `ImageGenCallCompletedEvent` of `@openrouter/sdk`),
 * plus any JSON members the schema does not know yet, which the bridge carries unchanged.
 */
export interface ImageGenCallCompletedEvent {
  type: ImageGenCallCompletedType;
  itemId: string;
  outputIndex: number;
  sequenceNumber: number;
  [unknownMember: string]: JsonValue;
}

/** The API's snake_case wire JSON of the same event, unknown members included. */
export interface ImageGenCallCompletedWireJson {
  type: ImageGenCallCompletedType;
  item_id: string;
  output_index: number;
  sequence_number: number;
  [unknownMember: string]: JsonValue;
}

/** The known members in SDK spelling, in wire order, with their wire spelling. */
export const KNOWN_MEMBERS = [
  ["itemId", "item_id"],
  ["outputIndex", "output_index"],
  ["sequenceNumber", "sequence_number"],
] as const;

/** Sets an own enumerable data member, even one named `__proto__`. */
export function setMember(target: object, key: string, value: JsonValue): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    (target as Record<string, JsonValue>)[key] = value;
  }
}
