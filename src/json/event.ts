import type { JsonObject, JsonValue } from "@bufbuild/protobuf";

export type { JsonObject, JsonValue };

/** The `type` literal of the completed event, the same in both JSON shapes. */
export const IMAGE_GEN_CALL_COMPLETED = "response.image_generation_call.completed";
/** The `type` literal of the in-progress event. */
export const IMAGE_GEN_CALL_IN_PROGRESS = "response.image_generation_call.in_progress";
/** The `type` literal of the generating event. */
export const IMAGE_GEN_CALL_GENERATING = "response.image_generation_call.generating";
/** The `type` literal of the partial image event. */
export const IMAGE_GEN_CALL_PARTIAL_IMAGE = "response.image_generation_call.partial_image";

/** The completed event's `type` literal as a type. */
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

/** The SDK object of `response.image_generation_call.in_progress`. */
export interface ImageGenCallInProgressEvent {
  type: typeof IMAGE_GEN_CALL_IN_PROGRESS;
  itemId: string;
  outputIndex: number;
  sequenceNumber: number;
  [unknownMember: string]: JsonValue;
}

/** The SDK object of `response.image_generation_call.generating`. */
export interface ImageGenCallGeneratingEvent {
  type: typeof IMAGE_GEN_CALL_GENERATING;
  itemId: string;
  outputIndex: number;
  sequenceNumber: number;
  [unknownMember: string]: JsonValue;
}

/** The SDK object of `response.image_generation_call.partial_image`: a base64 preview image. */
export interface ImageGenCallPartialImageEvent {
  type: typeof IMAGE_GEN_CALL_PARTIAL_IMAGE;
  itemId: string;
  outputIndex: number;
  sequenceNumber: number;
  partialImageB64: string;
  partialImageIndex: number;
  [unknownMember: string]: JsonValue;
}

/** Any event of an image generation call's lifecycle, in SDK shape. */
export type ImageGenCallLifecycleEvent = ImageGenCallInProgressEvent | ImageGenCallGeneratingEvent | ImageGenCallPartialImageEvent | ImageGenCallCompletedEvent;

/** Any lifecycle event in the API's wire JSON shape. */
export type ImageGenCallLifecycleWireJson = { type: ImageGenCallLifecycleEvent["type"]; [member: string]: JsonValue };

/** Sets an own enumerable data member, even one named `__proto__`. */
export function setMember(target: object, key: string, value: JsonValue): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    (target as Record<string, JsonValue>)[key] = value;
  }
}
