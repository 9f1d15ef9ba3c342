// The codecs measured side by side. Each candidate prepares what its library needs once, then
// `encode` and `decode` do the per-event work a producer and a consumer would do.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ImageGenCallCompletedEvent$inboundSchema } from "@openrouter/sdk/models";
import { decode, encode, ImageGenCallCompletedSchema, toMessage } from "../dist/src/index.js";
import { numberVariant as numbers } from "../dist/src/json/numbers.js";
import { wireOf } from "./events.mjs";

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** Builds the candidates for one event; `pbjs` is the protobufjs static module generated at bench time. */
export function candidates(event, pbjs) {
  const PbjsMessage = pbjs.openresponses.v1.ImageGenCallCompleted;
  const bytes = encode(event);
  const wire = wireOf(event);
  const json = textEncoder.encode(JSON.stringify(wire));
  const { type, itemId, outputIndex, sequenceNumber, ...extra } = event;
  const hasExtra = Object.keys(extra).length > 0;
  const pbjsExtra = hasExtra ? pbjs.google.protobuf.Struct.fromObject({ fields: structFields(extra) }) : undefined;
  const sdkAccepts = ImageGenCallCompletedEvent$inboundSchema.safeParse(JSON.parse(textDecoder.decode(json))).success;
  return [
    {
      name: "openresponses-wire",
      encode: () => encode(event),
      decode: () => decode(bytes),
    },
    {
      name: "protobuf-es 2.17 (create + toBinary / fromBinary)",
      encode: () =>
        toBinary(
          ImageGenCallCompletedSchema,
          create(ImageGenCallCompletedSchema, {
            itemId,
            outputIndexValue:
              numbers(outputIndex) === "int64"
                ? { case: "outputIndex", value: BigInt(outputIndex) }
                : { case: "outputIndexDouble", value: outputIndex },
            sequenceNumberValue:
              numbers(sequenceNumber) === "int64"
                ? { case: "sequenceNumber", value: BigInt(sequenceNumber) }
                : { case: "sequenceNumberDouble", value: sequenceNumber },
            extra: hasExtra ? extra : undefined,
          }),
        ),
      decode: () => fromBinary(ImageGenCallCompletedSchema, bytes),
    },
    {
      name: "protobufjs 8 static code",
      encode: () =>
        PbjsMessage.encode({
          itemId,
          ...(numbers(outputIndex) === "int64" ? { outputIndex } : { outputIndexDouble: outputIndex }),
          ...(numbers(sequenceNumber) === "int64" ? { sequenceNumber } : { sequenceNumberDouble: sequenceNumber }),
          extra: pbjsExtra,
        }).finish(),
      decode: () => PbjsMessage.decode(bytes),
    },
    {
      name: "JSON.stringify + TextEncoder / TextDecoder + JSON.parse",
      encode: () => textEncoder.encode(JSON.stringify(wireOf(event))),
      decode: () => JSON.parse(textDecoder.decode(json)),
    },
    {
      name: "JSON.parse + @openrouter/sdk zod validation",
      decode: sdkAccepts ? () => ImageGenCallCompletedEvent$inboundSchema.parse(JSON.parse(textDecoder.decode(json))) : undefined,
      note: sdkAccepts ? undefined : "the SDK 1.x schema (z.int) refuses this event",
    },
  ];
}

/** Sanity: toMessage + toBinary equals encode for the events measured (same bytes for everyone). */
export function sameBytes(event) {
  return Buffer.compare(Buffer.from(encode(event)), Buffer.from(toBinary(ImageGenCallCompletedSchema, toMessage(event)))) === 0;
}

function structFields(object) {
  const fields = {};
  for (const [k, v] of Object.entries(object)) fields[k] = structValue(v);
  return fields;
}

function structValue(v) {
  if (v === null) return { nullValue: 0 };
  if (typeof v === "number") return { numberValue: v };
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(structValue) } };
  return { structValue: { fields: structFields(v) } };
}
