/**
 * openresponses-wire: a lossless Protobuf bridge for the Responses API's image generation call
 * events. The root holds what most users call: the codec, the lifecycle, the JSON shapes, the
 * errors and the types. Framing, CloudEvents, Confluent and SSE are in `openresponses-wire/transport`;
 * the brokers and the conformance kit have subpaths of their own.
 */
export { decode, encode, encodeInto } from "./codec.js";
export { BridgeError, type BridgeErrorCode, type BridgeErrorOptions, type BridgePath, formatPath, isBridgeError } from "./errors.js";
export { equalJson } from "./json/equal.js";
export {
  IMAGE_GEN_CALL_COMPLETED,
  IMAGE_GEN_CALL_GENERATING,
  IMAGE_GEN_CALL_IN_PROGRESS,
  IMAGE_GEN_CALL_PARTIAL_IMAGE,
  type ImageGenCallCompletedEvent,
  type ImageGenCallCompletedType,
  type ImageGenCallCompletedWireJson,
  type ImageGenCallGeneratingEvent,
  type ImageGenCallInProgressEvent,
  type ImageGenCallLifecycleEvent,
  type ImageGenCallLifecycleWireJson,
  type ImageGenCallPartialImageEvent,
  type JsonObject,
  type JsonValue,
  type Shape,
} from "./json/event.js";
export { parseJson, stringifyJson } from "./json/json-text.js";
export { MAX_JSON_DEPTH, validateEvent } from "./json/validate.js";
export { detectShape, fromJson, fromWireJson, toJson, toWireJson } from "./json/wire-json.js";
export {
  decodeAny,
  decodeEvent,
  decodeEventMessage,
  encodeEvent,
  encodeEventInto,
  encodeEventMessage,
  messageNameOf,
} from "./lifecycle.js";
export {
  fromMessage,
  type ImageGenCallCompleted,
  ImageGenCallCompletedSchema,
  type ImageGenCallEvent,
  ImageGenCallEventSchema,
  type ImageGenCallGenerating,
  ImageGenCallGeneratingSchema,
  type ImageGenCallInProgress,
  ImageGenCallInProgressSchema,
  type ImageGenCallPartialImage,
  ImageGenCallPartialImageSchema,
  toMessage,
} from "./message.js";
