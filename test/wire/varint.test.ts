import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readVarint32, VARINT_INCOMPLETE, VARINT_OVERFLOW, varint32End, varint32Size, writeVarint32 } from "../../src/wire/varint.js";
import { runs, seed } from "../support/arbitraries.js";

const read = (bytes: number[], start = 0) => {
  const value = readVarint32(Uint8Array.from(bytes), start, bytes.length);
  return value < 0 ? value : { value, end: varint32End };
};

describe("readVarint32", () => {
  it("reads back what writeVarint32 wrote, for every 32-bit value, ending after it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.nat(3), (n, at) => {
        const buf = new Uint8Array(at + 6).fill(0xff);
        const end = writeVarint32(n, buf, at);
        expect(end - at).toBe(varint32Size(n));
        expect(readVarint32(buf, at, end)).toBe(n);
        expect(varint32End).toBe(end);
      }),
      { numRuns: runs(10_000, 1_000_000), seed },
    );
  });

  it.each([
    ["one byte", [0x07], { value: 7, end: 1 }],
    ["two bytes", [0xac, 0x02], { value: 300, end: 2 }],
    ["the largest value", [0xff, 0xff, 0xff, 0xff, 0x0f], { value: 0xffffffff, end: 5 }],
    ["a padded zero (non-canonical, still read)", [0x80, 0x80, 0x00], { value: 0, end: 3 }],
    ["no bytes", [], VARINT_INCOMPLETE],
    ["a continuation byte at the end", [0x80], VARINT_INCOMPLETE],
    ["four continuation bytes at the end", [0xff, 0xff, 0xff, 0xff], VARINT_INCOMPLETE],
    ["a fifth byte above 0x0f", [0xff, 0xff, 0xff, 0xff, 0x10], VARINT_OVERFLOW],
    ["eleven bytes of 0xff", Array(11).fill(0xff), VARINT_OVERFLOW],
  ])("%s", (_, bytes, expected) => {
    expect(read(bytes)).toEqual(expected);
  });

  it("stops at the end it is given, not the end of the buffer", () => {
    expect(readVarint32(Uint8Array.of(0x80, 0x01), 0, 1)).toBe(VARINT_INCOMPLETE);
    expect(read([0x00, 0x96, 0x01], 1)).toEqual({ value: 150, end: 3 });
  });
});
