import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  equalJson,
  fromJson,
  fromMessage,
  fromWireJson,
  ImageGenCallCompletedSchema,
  ImageGenCallEventSchema,
  isBridgeError,
  toMessage,
  toWireJson,
} from "../src/index.js";
import { goDecode, sdkFromEnvelopeJson, sdkFromProtoJson } from "./support/buf.js";
import { implementations } from "./support/implementations.js";
import { eventOfMessage, reflectionEnvelope } from "./support/reflection.js";
import { fromHex, toHex, vectors } from "./support/vectors.js";

const impls = await implementations();

function refusal(fn: () => unknown): { code: string; path: readonly (string | number)[] } {
  try {
    fn();
  } catch (err) {
    if (isBridgeError(err)) return { code: err.code, path: err.path };
    throw err;
  }
  throw new Error("expected a refusal, got a result");
}

describe("golden vectors: valid cases", () => {
  it("cover every edge the contract names", () => {
    expect(vectors.valid.length).toBeGreaterThanOrEqual(20);
  });

  describe.each(vectors.valid)("$name", (v) => {
    const bytes = fromHex(v.hex);

    it.each(impls)("this codec, %s: encodes both shapes to the bytes and decodes the bytes to both shapes", (_, { encode, decode }) => {
      if (!v.decode_only) {
        expect(toHex(encode(v.sdk))).toBe(v.hex);
        expect(toHex(encode(fromWireJson(v.wire)))).toBe(v.hex);
      }
      expect(equalJson(decode(bytes), v.sdk)).toBe(true);
      expect(equalJson(toWireJson(decode(bytes)), v.wire)).toBe(true);
      expect(equalJson(fromJson(v.wire), v.sdk)).toBe(true);
    });

    it("protobuf-es reflection reads the bytes to the same event", () => {
      expect(equalJson(fromMessage(fromBinary(ImageGenCallCompletedSchema, bytes)), v.sdk)).toBe(true);
      if (!v.decode_only && v.name !== "index_like_member_names") {
        expect(toHex(toBinary(ImageGenCallCompletedSchema, toMessage(v.sdk)))).toBe(v.hex);
      }
    });

    it("Go's protobuf (buf convert) reads the bytes to the same event", () => {
      const go = goDecode(bytes);
      if ("error" in go) throw new Error(go.error);
      expect(equalJson(sdkFromProtoJson(go.json), v.sdk)).toBe(true);
    });
  });
});

describe("golden vectors: bytes to refuse", () => {
  describe.each(vectors.invalidBinary)("$name ($layer)", (v) => {
    it.each(impls)(`this codec, %s, refuses it with ${v.code} at ${JSON.stringify(v.path)}`, (_, { decode }) => {
      expect(refusal(() => decode(fromHex(v.hex)))).toEqual({ code: v.code, path: v.path });
    });
  });

  it.each(vectors.invalidBinary.filter((v) => v.layer === "protobuf"))("$name: Go's protobuf refuses it too", (v) => {
    const go = goDecode(fromHex(v.hex));
    expect("error" in go, JSON.stringify(go)).toBe(true);
  });
});

describe("golden vectors: JSON to refuse", () => {
  describe.each(impls)("%s", (_, { encode }) => {
    it.each(vectors.invalidJson)("$name: $code at $path", (v) => {
      expect(refusal(() => encode(fromJson(JSON.parse(v.json))))).toEqual({ code: v.code, path: v.path });
    });
  });
});

describe("golden vectors: the lifecycle envelope", () => {
  it("cover every event type", () => {
    expect(new Set(vectors.events.map((v) => v.sdk.type)).size).toBe(4);
  });

  describe.each(vectors.events)("$name", (v) => {
    const bytes = fromHex(v.hex);

    it.each(impls)("this codec, %s: encodes both shapes to the bytes and decodes them back", (_, { decodeEvent, encodeEvent }) => {
      expect(toHex(encodeEvent(v.sdk))).toBe(v.hex);
      expect(toHex(encodeEvent(fromWireJson(v.wire)))).toBe(v.hex);
      expect(equalJson(decodeEvent(bytes), v.sdk)).toBe(true);
      expect(equalJson(toWireJson(decodeEvent(bytes)), v.wire)).toBe(true);
    });

    it("protobuf-es reflection writes and reads the same envelope", () => {
      expect(toHex(toBinary(ImageGenCallEventSchema, reflectionEnvelope(v.sdk)))).toBe(v.hex);
      const envelope = fromBinary(ImageGenCallEventSchema, bytes);
      expect(equalJson(eventOfMessage(v.sdk.type, envelope.event.value!), v.sdk)).toBe(true);
    });

    it("Go's protobuf (buf convert) reads the envelope to the same event", () => {
      const go = goDecode(bytes, "openresponses.v1.ImageGenCallEvent");
      if ("error" in go) throw new Error(go.error);
      expect(equalJson(sdkFromEnvelopeJson(go.json), v.sdk)).toBe(true);
    });
  });

  describe.each(impls)("%s", (_, { decodeEvent }) => {
    it.each(vectors.invalidEvents)("refuses $name with $code at $path", (v) => {
      expect(refusal(() => decodeEvent(fromHex(v.hex)))).toEqual({ code: v.code, path: v.path });
    });
  });
});
