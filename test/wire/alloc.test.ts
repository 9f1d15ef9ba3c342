import { describe, expect, it } from "vitest";
import { decode, encode, encodeEvent } from "../../src/index.js";
import { newBytes, zeroFrom } from "../../src/wire/alloc.js";

const large = {
  type: "response.image_generation_call.completed" as const,
  itemId: `ig_${"ümläut-画像-😀".repeat(12)}`,
  outputIndex: 3469.55,
  sequenceNumber: -0,
  usage: { input_tokens: 1843, output_tokens: 4160 },
};

describe("newBytes", () => {
  it.each([0, 1, 64, 65, 490, 4095, 4096, 100_000])("gives a plain Uint8Array of %i bytes", (size) => {
    const bytes = newBytes(size);
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
    expect(bytes.length).toBe(size);
    expect(bytes.byteLength).toBe(size);
  });

  it("gives zeroed arrays up to 64 bytes", () => {
    expect(newBytes(64).every((b) => b === 0)).toBe(true);
  });

  it("gives arrays that do not overlap, also when they share a buffer", () => {
    const a = newBytes(100).fill(1);
    const b = newBytes(100).fill(2);
    expect(a.every((x) => x === 1)).toBe(true);
    expect(b.every((x) => x === 2)).toBe(true);
  });
});

describe("zeroFrom", () => {
  it("zeroes what a writer left, and nothing when it wrote every byte", () => {
    const bytes = new Uint8Array([1, 2, 3, 4]);
    zeroFrom(bytes, 4);
    expect([...bytes]).toEqual([1, 2, 3, 4]);
    zeroFrom(bytes, 2);
    expect([...bytes]).toEqual([1, 2, 0, 0]);
  });
});

describe("encoded messages above 64 bytes", () => {
  it("are plain Uint8Arrays of exactly their bytes, each its own", () => {
    const a = encode(large);
    const b = encode({ ...large, outputIndex: 1 });
    expect(Object.getPrototypeOf(a)).toBe(Uint8Array.prototype);
    expect(a.length).toBeGreaterThan(64);
    expect(decode(a)).toEqual(large);
    expect(decode(b)).toEqual({ ...large, outputIndex: 1 });
    expect(decode(encode(large))).toEqual(large);
    expect(encodeEvent(large).length).toBe(a.length + 3);
  });
});
