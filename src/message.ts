/** The generated protobuf-es messages and the adapters between them and the SDK object. */
import { create, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { type ImageGenCallCompleted, ImageGenCallCompletedSchema } from "../gen/openresponses/v1/image_gen_call_pb.js";

export {
  type ImageGenCallEvent,
  ImageGenCallEventSchema,
  type ImageGenCallGenerating,
  ImageGenCallGeneratingSchema,
  type ImageGenCallInProgress,
  ImageGenCallInProgressSchema,
  type ImageGenCallPartialImage,
  ImageGenCallPartialImageSchema,
} from "../gen/openresponses/v1/image_gen_call_pb.js";

import { BridgeError, type BridgePath } from "./errors.js";
import {
  COMPLETED,
  IMAGE_GEN_CALL_COMPLETED,
  type ImageGenCallCompletedEvent,
  type ImageGenCallLifecycleEvent,
  isKnownName,
  setMember,
} from "./json/event.js";
import { int64ToNumber, numberVariant } from "./json/numbers.js";
import { checkUnknownKey, readEvent } from "./json/validate.js";
import { sortedKeys } from "./wire/struct-codec.js";

export { type ImageGenCallCompleted, ImageGenCallCompletedSchema };

/**
 * Converts a completed event's SDK object to the generated protobuf-es message, for users of
 * protobuf-es APIs.
 * Numbers go to the `int64` (as `bigint`) or `double` variant by the bridge's number rule;
 * unknown members go to `extra`, keys sorted by code point.
 */
export function toMessage(event: ImageGenCallCompletedEvent | ImageGenCallLifecycleEvent): ImageGenCallCompleted {
  const e = readEvent(event, "sdk", COMPLETED);
  let extra: JsonObject | undefined;
  if (e.extra !== undefined) {
    extra = {};
    for (const key of sortedKeys(e.extra)) setMember(extra, key, sortedCopy(e.extra[key]!));
  }
  return create(ImageGenCallCompletedSchema, {
    itemId: e.itemId,
    outputIndexValue:
      numberVariant(e.outputIndex) === "int64"
        ? { case: "outputIndex", value: BigInt(e.outputIndex) }
        : { case: "outputIndexDouble", value: e.outputIndex },
    sequenceNumberValue:
      numberVariant(e.sequenceNumber) === "int64"
        ? { case: "sequenceNumber", value: BigInt(e.sequenceNumber) }
        : { case: "sequenceNumberDouble", value: e.sequenceNumber },
    extra,
  });
}

/**
 * Converts a generated protobuf-es message to the SDK object, refusing what the SDK object
 * cannot hold exactly: an absent field, an `int64` outside ±(2^53-1), a non-JSON `extra`.
 */
export function fromMessage(message: ImageGenCallCompleted): ImageGenCallCompletedEvent {
  if (message?.$typeName !== ImageGenCallCompletedSchema.typeName) {
    throw new BridgeError("invalid_type", [], `expected a ${ImageGenCallCompletedSchema.typeName} message`);
  }
  if (message.itemId === undefined) throw new BridgeError("missing_field", ["itemId"], "item_id is not set");
  const event = {
    type: IMAGE_GEN_CALL_COMPLETED,
    itemId: message.itemId,
    outputIndex: variantToNumber(message.outputIndexValue, ["outputIndex"]),
    sequenceNumber: variantToNumber(message.sequenceNumberValue, ["sequenceNumber"]),
  } as ImageGenCallCompletedEvent;
  const extra = message.extra;
  if (extra !== undefined) {
    for (const key of Object.keys(extra)) {
      if (isKnownName(key))
        throw new BridgeError("ambiguous_key", ["extra", key], `an unknown member cannot be named "${key}", the name of a known member`);
      checkUnknownKey(key, COMPLETED, "sdk", ["extra"]);
      setMember(event, key, extra[key]!);
    }
  }
  readEvent(event, "sdk", COMPLETED);
  return event;
}

type Variant = { case: string; value: bigint | number } | { case: undefined; value?: undefined };

function variantToNumber(variant: Variant, path: BridgePath): number {
  const value = variant.value;
  if (value === undefined) throw new BridgeError("missing_field", path, "neither variant of the oneof is set");
  if (typeof value === "number") return value;
  const n = int64ToNumber(value);
  if (n === undefined)
    throw new BridgeError("unsafe_integer", path, "int64 is outside ±(2^53-1), so no JS number holds it exactly", { value: String(value) });
  return n;
}

/** A deep copy of a JSON value whose objects have their keys in code point order. */
function sortedCopy(value: JsonValue): JsonValue {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(sortedCopy);
  const copy: JsonObject = {};
  for (const key of sortedKeys(value)) setMember(copy, key, sortedCopy(value[key]!));
  return copy;
}
