/**
 * openresponses-wire: a lossless Protobuf bridge for the Responses API event
 * `response.image_generation_call.completed`.
 */
export { decode, encode, encodeInto } from "./codec.js";
export {
  decodeDelimited,
  defaultDelimitedOptions,
  Deframer,
  delimit,
  DelimitedWriter,
  encodeDelimited,
  undelimit,
  type DelimitedOptions,
} from "./transport/delimited.js";
export { equalJson } from "./json/equal.js";
export { BridgeError, formatPath, isBridgeError, type BridgeErrorCode, type BridgeErrorOptions, type BridgePath } from "./errors.js";
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
} from "./json/event.js";
export { decodeAny, decodeEvent, decodeEventMessage, encodeEvent, encodeEventInto, encodeEventMessage, messageNameOf } from "./lifecycle.js";
export { lifecycleEvents, readSse, SseParser, type SseEvent } from "./transport/sse.js";
export { stringifyJson } from "./json/json-text.js";
export {
  fromMessage,
  ImageGenCallCompletedSchema,
  ImageGenCallEventSchema,
  ImageGenCallGeneratingSchema,
  ImageGenCallInProgressSchema,
  ImageGenCallPartialImageSchema,
  toMessage,
  type ImageGenCallCompleted,
  type ImageGenCallEvent,
  type ImageGenCallGenerating,
  type ImageGenCallInProgress,
  type ImageGenCallPartialImage,
} from "./message.js";
export { numberVariant, type NumberVariant } from "./json/numbers.js";
export { MAX_JSON_DEPTH, validateEvent, type Shape } from "./json/validate.js";
export { detectShape, fromJson, fromWireJson, toJson, toWireJson } from "./json/wire-json.js";
export {
  CLOUDEVENTS_SPECVERSION,
  defaultCloudEventsOptions,
  defaultDataschema,
  eventId,
  fromCloudEventHeaders,
  MESSAGE_NAME,
  percentDecode,
  percentEncode,
  PROTOBUF_MEDIA_TYPE,
  PROTOBUF_MEDIA_TYPES,
  toCloudEventAttributes,
  toCloudEventHeaders,
  type Binding,
  type CloudEventAttributes,
  type CloudEventsOptions,
  type LifecycleType,
} from "./transport/cloudevents.js";
export {
  CONFLUENT_MAGIC_BYTE,
  confluentMessageIndexes,
  defaultConfluentOptions,
  fromConfluent,
  toConfluent,
  type ConfluentFrame,
  type ConfluentOptions,
} from "./transport/confluent.js";
