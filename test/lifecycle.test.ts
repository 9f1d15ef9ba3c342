import { readFileSync } from "node:fs";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BridgeErrorCode, ImageGenCallEventSchema, type ImageGenCallLifecycleEvent, type JsonValue } from "../src/index.js";
import { base64, portableBase64 } from "../src/wire/base64.js";
import { anyImage, anyLifecycleEvent, runs, seed } from "./support/arbitraries.js";
import { implementations } from "./support/implementations.js";
import { eventOfMessage, keepsSortedOrder, reflectionEnvelope, reflectionMessage } from "./support/reflection.js";
import { codeAndPath } from "./support/refusal.js";

const P = "response.image_generation_call.partial_image" as const;
const png = readFileSync(new URL("../examples/partial-image.png", import.meta.url));
const partial = {
  type: P,
  itemId: "ig_1",
  outputIndex: 0,
  sequenceNumber: 4,
  partialImageB64: png.toString("base64"),
  partialImageIndex: 0,
} as const;

describe.each(await implementations())("the lifecycle, %s", (_, lib) => {
  const { decodeEvent, decodeEventMessage, encode, encodeEvent, encodeEventMessage, equalJson, isBridgeError } = lib;

  it("round-trips every lifecycle event through the envelope and through its own message", () => {
    fc.assert(
      fc.property(anyLifecycleEvent, (event) => {
        expect(equalJson(decodeEvent(encodeEvent(event)), event)).toBe(true);
        expect(equalJson(decodeEventMessage(encodeEventMessage(event), event.type), event)).toBe(true);
      }),
      { numRuns: runs(20_000, 1_000_000), seed },
    );
  });

  it("writes exactly the bytes of protobuf-es for the message and the envelope, and reads what it writes", () => {
    fc.assert(
      fc.property(anyLifecycleEvent, (event) => {
        const { schema, message } = reflectionMessage(event);
        const ours = encodeEventMessage(event);
        if (keepsSortedOrder(event as unknown as JsonValue)) {
          expect(ours).toEqual(toBinary(schema, message));
          expect(encodeEvent(event)).toEqual(toBinary(ImageGenCallEventSchema, reflectionEnvelope(event)));
        }
        expect(equalJson(eventOfMessage(event.type, fromBinary(schema, ours)), event)).toBe(true);
      }),
      { numRuns: runs(20_000, 1_000_000), seed: seed + 2 },
    );
  });

  it("keeps the completed message's bytes: the envelope wraps exactly encode()'s output", () => {
    const completed = { type: "response.image_generation_call.completed", itemId: "ig_1", outputIndex: 0, sequenceNumber: 7 } as const;
    const inner = encode(completed);
    expect(Array.from(encodeEvent(completed))).toEqual([0x22, inner.length, ...inner]);
  });

  it("decodes random and mutated envelopes to an event or a BridgeError, never anything else", () => {
    const base = encodeEvent({ ...partial, partialImageB64: "QUJD", note: [1, "x"] });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length), fc.integer({ min: 0, max: 255 }), fc.boolean()), { maxLength: 4 }),
        fc.uint8Array({ maxLength: 40 }),
        (edits, random) => {
          const bytes = Array.from(base);
          for (const [at, byte, insert] of edits) insert ? bytes.splice(at, 0, byte) : (bytes[at % bytes.length] = byte);
          for (const input of [Uint8Array.from(bytes), random]) {
            try {
              const event = decodeEvent(input);
              expect(equalJson(decodeEvent(encodeEvent(event)), event)).toBe(true);
            } catch (err) {
              if (!isBridgeError(err)) throw err;
            }
          }
        },
      ),
      { numRuns: runs(50_000, 1_000_000), seed },
    );
  });
});

describe("partial images", () => {
  it("travel as bytes when the base64 is canonical, decoded straight into the message", async () => {
    const { encodeEventMessage, ImageGenCallPartialImageSchema } = await import("../src/index.js");
    const message = fromBinary(ImageGenCallPartialImageSchema, encodeEventMessage(partial));
    expect(message.partialImageValue.case).toBe("partialImage");
    expect(Buffer.from(message.partialImageValue.value as Uint8Array)).toEqual(png);
  });

  it.each([
    ["", 0],
    ["QQ==", 1],
    ["QUI=", 2],
    ["QUJD", 3],
    ["QR==", -1],
    ["QUJ=", -1],
    ["QUJD\n", -1],
    ["-_8=", -1],
    ["AA=", -1],
    ["====", -1],
    ["QU JD", -1],
    ["QUJD====", -1],
    ["QU=D", -1],
    ["QUJDé===", -1],
  ])("the canonical length of %j is %i, on both paths", (text, length) => {
    expect(base64.canonicalLength(text)).toBe(length);
    expect(portableBase64.canonicalLength(text)).toBe(length);
    if (length >= 0) expect(Buffer.from(text, "base64").toString("base64")).toBe(text);
  });

  it("are told canonical by both paths alike, and canonical text is exactly what survives a round trip", () => {
    const alphabetish = fc.string({ unit: fc.constantFrom(..."ABCQRUWabz019+/-_=é \n".split("")), maxLength: 16 });
    fc.assert(
      fc.property(fc.oneof(anyImage, alphabetish), (text) => {
        const length = base64.canonicalLength(text);
        expect(portableBase64.canonicalLength(text)).toBe(length);
        expect(length >= 0).toBe(Buffer.from(text, "base64").toString("base64") === text);
      }),
      { numRuns: runs(20_000, 200_000), seed },
    );
  });

  it("are at most 76% of their wire JSON bytes, for the shipped sample image", async () => {
    const { encodeEvent, toWireJson } = await import("../src/index.js");
    const json = Buffer.byteLength(JSON.stringify(toWireJson(partial)));
    expect(encodeEvent(partial).length / json).toBeLessThanOrEqual(0.76);
  });
});

describe("lifecycle refusals", () => {
  const refusals: [string, unknown, BridgeErrorCode, (string | number)[]][] = [
    ["an unknown type", { ...partial, type: "response.image_generation_call.failed" }, "invalid_literal", ["type"]],
    ["a missing partial image", { ...partial, partialImageB64: undefined }, "missing_field", ["partialImageB64"]],
    ["a partial image that is bytes", { ...partial, partialImageB64: new Uint8Array(2) }, "invalid_type", ["partialImageB64"]],
    ["a NaN image index", { ...partial, partialImageIndex: Number.NaN }, "not_finite", ["partialImageIndex"]],
    ["the wire spelling of the image", { ...partial, partial_image_b64: "QQ==" }, "ambiguous_key", ["partial_image_b64"]],
  ];
  it.each(refusals)("encodeEvent refuses %s", async (_, value, code, path) => {
    const { encodeEvent } = await import("../src/index.js");
    expect(codeAndPath(() => encodeEvent(value as ImageGenCallLifecycleEvent))).toEqual({ code, path });
  });

  const hex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/ /g, ""), "hex"));
  const bad: [string, string, BridgeErrorCode, (string | number)[]][] = [
    ["an empty envelope", "", "missing_field", []],
    ["two events in one envelope", "0a 07 0a01 61 1000 1800 12 07 0a01 62 1000 1800", "invalid_value", []],
    ["an event field with another wire type", "08 01", "wire_type_mismatch", []],
    ["a partial image without its index", "1a 0b 0a01 61 1000 1800 3202 4142", "missing_field", ["partialImageIndex"]],
    ["a partial image without the image", "1a 09 0a01 61 1000 1800 4000", "missing_field", ["partialImageB64"]],
    ["an image string that is not UTF-8", "1a 0d 0a01 61 1000 1800 3a02 fffe 4000", "invalid_utf8", ["partialImageB64"]],
  ];
  it.each(bad)("decodeEvent refuses %s", async (_, bytes, code, path) => {
    const { decodeEvent } = await import("../src/index.js");
    expect(codeAndPath(() => decodeEvent(hex(bytes)))).toEqual({ code, path });
  });

  it("decodeEvent refuses an unknown member named like the partial image's known members", async () => {
    const { decodeEvent, ImageGenCallPartialImageSchema } = await import("../src/index.js");
    const { create, toBinary } = await import("@bufbuild/protobuf");
    const inner = toBinary(
      ImageGenCallPartialImageSchema,
      create(ImageGenCallPartialImageSchema, {
        itemId: "a",
        outputIndexValue: { case: "outputIndex", value: 0n },
        sequenceNumberValue: { case: "sequenceNumber", value: 0n },
        partialImageValue: { case: "partialImage", value: new Uint8Array(0) },
        partialImageIndexValue: { case: "partialImageIndex", value: 0n },
        extra: { partial_image_b64: "x" },
      }),
    );
    expect(codeAndPath(() => decodeEvent(Uint8Array.from([0x1a, inner.length, ...inner])))).toEqual({
      code: "ambiguous_key",
      path: ["extra", "partial_image_b64"],
    });
  });

  it("skips envelope fields of unknown numbers (a newer producer's event types)", async () => {
    const { decodeEvent, encodeEvent } = await import("../src/index.js");
    const event = { ...partial, partialImageB64: "QUJD" };
    expect(decodeEvent(Uint8Array.from([...encodeEvent(event), 0x2a, 0x00]))).toEqual(event);
  });
});
