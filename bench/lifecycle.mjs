// The lifecycle events: bytes of each type against its JSON (from the shipped SSE sample), and the
// cost of a large partial image through the envelope against protobuf-es and JSON.

import { readFileSync } from "node:fs";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  decodeEvent,
  encodeEvent,
  encodeEventMessage,
  fromWireJson,
  ImageGenCallEventSchema,
  ImageGenCallPartialImageSchema,
} from "../dist/src/index.js";

/** Per event type of the SSE sample: count, wire JSON bytes, own-message bytes, envelope bytes. */
export function lifecycleSizes() {
  const text = readFileSync(new URL("../examples/image-generation.sse", import.meta.url), "utf8");
  const rows = new Map();
  for (const line of text.split("\n")) {
    if (!line.startsWith("data: {")) continue;
    const json = line.slice(6);
    const data = JSON.parse(json);
    if (!data.type.startsWith("response.image_generation_call.")) continue;
    const event = fromWireJson(data);
    const row = rows.get(data.type) ?? { type: data.type, events: 0, json: 0, message: 0, envelope: 0 };
    row.events++;
    row.json += Buffer.byteLength(json);
    row.message += encodeEventMessage(event).length;
    row.envelope += encodeEvent(event).length;
    rows.set(data.type, row);
  }
  return [...rows.values()];
}

/** A partial image event of `bytes` random (incompressible, like PNG data) bytes. */
export function largePartialImage(bytes) {
  let x = 0x2962b070;
  const image = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) image[i] = (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) >>> 24;
  return {
    type: "response.image_generation_call.partial_image",
    itemId: "ig_68b1c2f3e58c8191a0d6b2c4e1f7a9b30c24cad2e1cb592",
    outputIndex: 0,
    sequenceNumber: 8,
    partialImageB64: image.toString("base64"),
    partialImageIndex: 1,
  };
}

/** Candidates for the large partial image: ours (envelope), protobuf-es reflection, JSON. */
export function partialImageCandidates(event) {
  const bytes = encodeEvent(event);
  const wire = {
    type: event.type,
    item_id: event.itemId,
    output_index: event.outputIndex,
    sequence_number: event.sequenceNumber,
    partial_image_index: event.partialImageIndex,
    partial_image_b64: event.partialImageB64,
  };
  const json = new TextEncoder().encode(JSON.stringify(wire));
  const textEncoder = new TextEncoder();
  const textDecoder = new TextDecoder();
  return [
    { name: "openresponses-wire (encodeEvent / decodeEvent)", encode: () => encodeEvent(event), decode: () => decodeEvent(bytes) },
    {
      name: "protobuf-es 2.17 (base64 by Buffer, create + toBinary / fromBinary)",
      encode: () =>
        toBinary(
          ImageGenCallEventSchema,
          create(ImageGenCallEventSchema, {
            event: {
              case: "partialImage",
              value: create(ImageGenCallPartialImageSchema, {
                itemId: event.itemId,
                outputIndexValue: { case: "outputIndex", value: BigInt(event.outputIndex) },
                sequenceNumberValue: { case: "sequenceNumber", value: BigInt(event.sequenceNumber) },
                partialImageValue: { case: "partialImage", value: Buffer.from(event.partialImageB64, "base64") },
                partialImageIndexValue: { case: "partialImageIndex", value: BigInt(event.partialImageIndex) },
              }),
            },
          }),
        ),
      decode: () => {
        const m = fromBinary(ImageGenCallEventSchema, bytes);
        return Buffer.from(m.event.value.partialImageValue.value).toString("base64");
      },
    },
    {
      name: "JSON.stringify + TextEncoder / TextDecoder + JSON.parse",
      encode: () => textEncoder.encode(JSON.stringify(wire)),
      decode: () => JSON.parse(textDecoder.decode(json)),
    },
  ];
}
