import { create, type DescMessage, type JsonObject, type JsonValue, type Message } from "@bufbuild/protobuf";
import {
  ImageGenCallCompletedSchema,
  type ImageGenCallEvent,
  ImageGenCallEventSchema,
  ImageGenCallGeneratingSchema,
  ImageGenCallInProgressSchema,
  type ImageGenCallLifecycleEvent,
  ImageGenCallPartialImageSchema,
} from "../../src/index.js";
import { numberVariant } from "../../src/json/numbers.js";
import { compareCodePoints } from "../../src/wire/struct-codec.js";

/**
 * An independent path to the same bytes: protobuf-es messages built by hand from an event, and
 * read back to an event, with Buffer's base64 as the oracle of canonical partial images.
 */

const KINDS = {
  "response.image_generation_call.in_progress": { schema: ImageGenCallInProgressSchema, case: "inProgress" },
  "response.image_generation_call.generating": { schema: ImageGenCallGeneratingSchema, case: "generating" },
  "response.image_generation_call.partial_image": { schema: ImageGenCallPartialImageSchema, case: "partialImage" },
  "response.image_generation_call.completed": { schema: ImageGenCallCompletedSchema, case: "completed" },
} as const;

const KNOWN = new Set(["type", "itemId", "outputIndex", "sequenceNumber", "partialImageB64", "partialImageIndex"]);

const isCanonicalBase64 = (s: string) => Buffer.from(s, "base64").toString("base64") === s;

function sorted(value: JsonValue): JsonValue {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(sorted);
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort(compareCodePoints))
    Object.defineProperty(out, key, { value: sorted(value[key]!), enumerable: true, writable: true, configurable: true });
  return out;
}

function variant(n: number, int: string, double: string) {
  return numberVariant(n) === "int64" ? { case: int, value: BigInt(n) } : { case: double, value: n };
}

/** The event's own message, built with protobuf-es. */
export function reflectionMessage(event: ImageGenCallLifecycleEvent): { schema: DescMessage; message: Message } {
  const { schema } = KINDS[event.type];
  const e = event as Record<string, JsonValue>;
  let extra: JsonObject | undefined;
  for (const key of Object.keys(e).sort(compareCodePoints)) {
    if (!KNOWN.has(key))
      Object.defineProperty((extra ??= {}), key, { value: sorted(e[key]!), enumerable: true, writable: true, configurable: true });
  }
  const init: Record<string, unknown> = {
    itemId: event.itemId,
    outputIndexValue: variant(event.outputIndex, "outputIndex", "outputIndexDouble"),
    sequenceNumberValue: variant(event.sequenceNumber, "sequenceNumber", "sequenceNumberDouble"),
    extra,
  };
  if (event.type === "response.image_generation_call.partial_image") {
    const image = event.partialImageB64;
    init.partialImageValue = isCanonicalBase64(image)
      ? { case: "partialImage", value: new Uint8Array(Buffer.from(image, "base64")) }
      : { case: "partialImageB64", value: image };
    init.partialImageIndexValue = variant(event.partialImageIndex, "partialImageIndex", "partialImageIndexDouble");
  }
  return { schema, message: create(schema, init as never) };
}

/** The envelope holding the event, built with protobuf-es. */
export function reflectionEnvelope(event: ImageGenCallLifecycleEvent): ImageGenCallEvent {
  return create(ImageGenCallEventSchema, { event: { case: KINDS[event.type].case, value: reflectionMessage(event).message } as never });
}

/** Reads a protobuf-es message of a lifecycle type back to the SDK object. */
export function eventOfMessage(type: ImageGenCallLifecycleEvent["type"], message: Message): Record<string, unknown> {
  const m = message as unknown as Record<string, { case?: string; value?: unknown } | string | JsonObject | undefined>;
  const num = (v: { value?: unknown }) => (typeof v.value === "bigint" ? Number(v.value) : v.value);
  const event: Record<string, unknown> = {
    type,
    itemId: m.itemId,
    outputIndex: num(m.outputIndexValue as { value?: unknown }),
    sequenceNumber: num(m.sequenceNumberValue as { value?: unknown }),
  };
  if (type === "response.image_generation_call.partial_image") {
    const image = m.partialImageValue as { case?: string; value?: unknown };
    event.partialImageB64 = image.case === "partialImage" ? Buffer.from(image.value as Uint8Array).toString("base64") : image.value;
    event.partialImageIndex = num(m.partialImageIndexValue as { value?: unknown });
  }
  const extra = m.extra as JsonObject | undefined;
  if (extra)
    for (const key of Object.keys(extra))
      Object.defineProperty(event, key, { value: extra[key], enumerable: true, writable: true, configurable: true });
  return event;
}

/** Whether every object keeps its keys in code point order when built in that order (see differential.test.ts). */
export function keepsSortedOrder(value: JsonValue): boolean {
  if (typeof value !== "object" || value === null) return true;
  if (Array.isArray(value)) return value.every(keepsSortedOrder);
  const sortedKeys = Object.keys(value).sort(compareCodePoints);
  const built = Object.keys(Object.fromEntries(sortedKeys.map((k) => [k, 0])));
  return built.every((k, i) => k === sortedKeys[i]) && Object.values(value).every(keepsSortedOrder);
}
