import { describe, expect, it } from "vitest";
import { decode, encode, equalJson, type ImageGenCallCompletedEvent } from "../src/index.js";
import { codeAndPath, refusal } from "./support/refusal.js";
import { fromHex, toHex } from "./support/vectors.js";

const T = "response.image_generation_call.completed" as const;
const typical: ImageGenCallCompletedEvent = {
  type: T,
  itemId: "ig_0c24cad2e1cb59201b3d503d387b03578e70c950ca42f",
  outputIndex: 0,
  sequenceNumber: 7,
};

describe("encode", () => {
  it("writes a typical event in 54 bytes, 36% of its 149-byte wire JSON", () => {
    const bytes = encode(typical);
    const json = JSON.stringify({ type: T, item_id: typical.itemId, output_index: 0, sequence_number: 7 });
    expect(bytes.length).toBe(54);
    expect(json.length).toBe(149);
    expect(bytes.length / json.length).toBeLessThanOrEqual(0.4);
  });

  it("picks the int64 variant for safe integers and the double variant otherwise", () => {
    expect(toHex(encode({ ...typical, itemId: "a", outputIndex: 1, sequenceNumber: 2 }))).toBe("0a0161100118 02".replace(" ", ""));
    expect(toHex(encode({ ...typical, itemId: "a", outputIndex: -0, sequenceNumber: 2 }))).toBe("0a01611802210000000000000080");
    expect(toHex(encode({ ...typical, itemId: "a", outputIndex: -1, sequenceNumber: 2 }))).toBe("0a016110ffffffffffffffffff011802");
  });

  it("refuses what it cannot carry, with the field's path", () => {
    expect(codeAndPath(() => encode({ ...typical, outputIndex: Number.NaN }))).toEqual({ code: "not_finite", path: ["outputIndex"] });
    expect(codeAndPath(() => encode({ ...typical, itemId: "\uD800" }))).toEqual({ code: "lone_surrogate", path: ["itemId"] });
  });
});

describe("decode", () => {
  it("skips fields of numbers it does not know (a newer producer)", () => {
    const bytes = new Uint8Array([...encode(typical), 0x80, 0x01, 0x05, 0x92, 0x01, 0x02, 0x68, 0x69]);
    expect(decode(bytes)).toEqual(typical);
  });

  it("refuses input that is not bytes", () => {
    expect(codeAndPath(() => decode("0a01" as unknown as Uint8Array))).toEqual({ code: "invalid_type", path: [] });
  });

  it("reports the byte offset of a bad field", () => {
    expect(refusal(() => decode(fromHex("0a0131100018030f"))).offset).toBe(7);
  });

  it("refuses input cut at any byte, but at the one boundary protobuf cannot see", () => {
    const event = { ...typical, outputIndex: 3469.55, meta: { a: [1, "x"] } };
    const bytes = encode(event);
    const withoutExtra = encode({ ...typical, outputIndex: 3469.55 }).length;
    for (let n = 0; n < bytes.length; n++) {
      if (n === withoutExtra) {
        // a message cut just before an optional field is a valid shorter message: frames
        // (size-delimited streams, Kafka records, NATS messages) carry the length that catches it
        expect(decode(bytes.subarray(0, n))).toEqual({ ...typical, outputIndex: 3469.55 });
      } else {
        expect(() => decode(bytes.subarray(0, n)), `cut at ${n}`).toThrow();
      }
    }
    expect(equalJson(decode(bytes), event)).toBe(true);
  });

  it("reads a leading U+FEFF as data", () => {
    expect(decode(encode({ ...typical, itemId: "\uFEFFig_1" })).itemId).toBe("\uFEFFig_1");
  });

  it("reads a long non-ASCII id", () => {
    const itemId = "ig_".concat("é😀".repeat(100));
    expect(decode(encode({ ...typical, itemId })).itemId).toBe(itemId);
  });
});
