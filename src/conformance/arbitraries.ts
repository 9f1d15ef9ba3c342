/**
 * fast-check generators of the whole domain of `response.image_generation_call.completed`: every
 * value either SDK generation accepts (any well-formed string, any finite number, unknown members
 * of every JSON type). The conformance kit draws its random events from `anyEvent` with a seed.
 */
import fc from "fast-check";
import {
  IMAGE_GEN_CALL_COMPLETED,
  IMAGE_GEN_CALL_GENERATING,
  IMAGE_GEN_CALL_IN_PROGRESS,
  IMAGE_GEN_CALL_PARTIAL_IMAGE,
  type ImageGenCallCompletedEvent,
  type ImageGenCallLifecycleEvent,
  type JsonValue,
} from "../json/event.js";

/** Edge values of the number domain both SDK generations accept. */
export const edgeNumbers: readonly number[] = [
  0,
  -0,
  1,
  -1,
  3469.55,
  5e-324,
  -5e-324,
  1e308,
  -1e308,
  2 ** 53 - 1,
  -(2 ** 53 - 1),
  2 ** 53,
  -(2 ** 53),
  2 ** 63,
  0.1,
  127,
  128,
  2 ** 31,
  2 ** 32,
  -(2 ** 32),
];

/** Any finite number, biased to edge values, integers and doubles. */
export const anyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(...edgeNumbers),
  fc.integer({ min: 0, max: 1000 }),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any well-formed string (astral characters, U+FEFF and NUL included), biased to realistic ids. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.string(),
  fc.stringMatching(/^ig_[0-9a-f]{45}$/),
  fc.constantFrom("", "\uFEFFig_1", "\u0000", "😀", "\uFFFF\u{10000}", "<id>"),
);

// the partial image's members too: an unknown member of another event may not be named like them either, so one key set serves every kind
const KNOWN = new Set([
  "type",
  "itemId",
  "outputIndex",
  "sequenceNumber",
  "item_id",
  "output_index",
  "sequence_number",
  "partialImageB64",
  "partial_image_b64",
  "partialImageIndex",
  "partial_image_index",
]);

/** A member name: any well-formed string but a known member's, with the names JS objects treat specially. */
export const anyKey: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ unit: "binary", maxLength: 8 }),
    fc.constantFrom("__proto__", "constructor", "toString", "1", "10", "9", "-1", "01", "", "😀", "\uFFFF", "a", "ab", "b"),
  )
  .filter((k) => !KNOWN.has(k));

/** Any JSON value, -0 included, nested a few levels. */
export const anyJson: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    anyNumber,
    anyString,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(anyKey, tie("value"), { maxKeys: 4 }),
  ),
})).value;

/** Unknown members: usually none, as in real events. */
export const anyExtras: fc.Arbitrary<Record<string, JsonValue>> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({}) },
  { weight: 2, arbitrary: fc.dictionary(anyKey, anyJson, { maxKeys: 5 }) },
);

/** Any SDK object either SDK generation accepts, plus unknown members (`__proto__` as an own member). */
export const anyEvent: fc.Arbitrary<ImageGenCallCompletedEvent> = fc
  .record({ itemId: anyString, outputIndex: anyNumber, sequenceNumber: anyNumber, extras: anyExtras })
  .map(({ itemId, outputIndex, sequenceNumber, extras }) =>
    withExtras({ type: IMAGE_GEN_CALL_COMPLETED, itemId, outputIndex, sequenceNumber } as ImageGenCallCompletedEvent, extras),
  );

/** A partial image as the API sends it (canonical base64 of random bytes), sometimes any other string. */
export const anyImage: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString("base64")) },
  { weight: 1, arbitrary: anyString },
  { weight: 1, arbitrary: fc.constantFrom("QQ==", "QR==", "QUI=", "QUJ=", "QUJD", "QUJD\n", "-_8=", "AA=", "====", "") },
);

/** Adds unknown members as own data members, `__proto__` included. */
function withExtras<T extends object>(event: T, extras: Record<string, JsonValue>): T {
  for (const key of Object.keys(extras))
    Object.defineProperty(event, key, { value: extras[key], enumerable: true, writable: true, configurable: true });
  return event;
}

/** Any event of the lifecycle (in_progress, generating, partial_image, completed), in SDK shape, with unknown members. */
export const anyLifecycleEvent: fc.Arbitrary<ImageGenCallLifecycleEvent> = fc.oneof(
  fc
    .record({
      type: fc.constantFrom(IMAGE_GEN_CALL_IN_PROGRESS, IMAGE_GEN_CALL_GENERATING, IMAGE_GEN_CALL_COMPLETED),
      itemId: anyString,
      outputIndex: anyNumber,
      sequenceNumber: anyNumber,
      extras: anyExtras,
    })
    .map(({ extras, ...event }) => withExtras(event as ImageGenCallLifecycleEvent, extras)),
  fc
    .record({
      itemId: anyString,
      outputIndex: anyNumber,
      sequenceNumber: anyNumber,
      partialImageB64: anyImage,
      partialImageIndex: anyNumber,
      extras: anyExtras,
    })
    .map(({ extras, ...event }) => withExtras({ type: IMAGE_GEN_CALL_PARTIAL_IMAGE, ...event } as ImageGenCallLifecycleEvent, extras)),
);
