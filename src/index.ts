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
} from "./delimited.js";
export { equalJson } from "./equal.js";
export { BridgeError, formatPath, isBridgeError, type BridgeErrorCode, type BridgeErrorOptions, type BridgePath } from "./errors.js";
export {
  IMAGE_GEN_CALL_COMPLETED,
  type ImageGenCallCompletedEvent,
  type ImageGenCallCompletedType,
  type ImageGenCallCompletedWireJson,
  type JsonObject,
  type JsonValue,
} from "./event.js";
export { stringifyJson } from "./json-text.js";
export { fromMessage, ImageGenCallCompletedSchema, toMessage, type ImageGenCallCompleted } from "./message.js";
export { numberVariant, type NumberVariant } from "./numbers.js";
export { MAX_JSON_DEPTH, validateEvent, type Shape } from "./validate.js";
export { detectShape, fromJson, fromWireJson, toJson, toWireJson } from "./wire-json.js";
