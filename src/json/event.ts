/** The event types of the image generation call's lifecycle, their `type` literals and their known members (the event kinds). */
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
export type ImageGenCallLifecycleEvent =
  | ImageGenCallInProgressEvent
  | ImageGenCallGeneratingEvent
  | ImageGenCallPartialImageEvent
  | ImageGenCallCompletedEvent;

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
  /** `type` and the known members, in both spellings. */
  names: ReadonlySet<string>;
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
    names: new Set(["type", ...members.flatMap((m) => [m.sdk, m.wire])]),
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
export const EVENT_KINDS: ReadonlyMap<string, EventKind> = new Map(
  [IN_PROGRESS, GENERATING, PARTIAL_IMAGE, COMPLETED].map((k) => [k.type, k]),
);

/** Tells whether a name is `type` or one of the kind's known members, in either spelling. */
export function isKnownName(key: string, kind: EventKind = COMPLETED): boolean {
  return kind.names.has(key);
}
