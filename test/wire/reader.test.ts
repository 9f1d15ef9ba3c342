import { describe, expect, it } from "vitest";
import { Reader } from "../../src/wire/reader.js";
import { refusal } from "../support/refusal.js";

const reader = (bytes: number[], start = 0) => new Reader(Uint8Array.from(bytes), start, bytes.length);
const refused = (fn: () => unknown) => {
  const { code, path, offset } = refusal(fn);
  return { code, path, offset };
};

describe("Reader", () => {
  it("reads 32-bit varints, padded ones included, and moves past them", () => {
    const r = reader([0x96, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x80, 0x00]);
    expect([r.varint32([]), r.pos]).toEqual([150, 2]);
    expect([r.varint32([]), r.pos]).toEqual([0xffffffff, 7]);
    expect([r.varint32([]), r.pos]).toEqual([0, 9]);
  });

  it.each([
    ["a varint cut by the end", [0x01, 0x80, 0x80], 1, { code: "truncated", path: ["itemId"], offset: 1 }],
    ["a fifth byte above 0x0f", [0xff, 0xff, 0xff, 0xff, 0x10], 0, { code: "varint_overflow", path: ["itemId"], offset: 0 }],
    ["eleven bytes of 0xff", Array(11).fill(0xff), 0, { code: "varint_overflow", path: ["itemId"], offset: 0 }],
  ])("refuses %s, with the path and the varint's offset", (_, bytes, start, expected) => {
    expect(refused(() => reader(bytes, start).varint32(["itemId"]))).toEqual(expected);
  });

  it.each([
    ["a length past the end", [0x05, 0x61], { code: "truncated", path: ["itemId"], offset: 0 }],
    ["invalid UTF-8", [0x01, 0xff], { code: "invalid_utf8", path: ["itemId"], offset: 1 }],
    ["an over-long length", [0xff, 0xff, 0xff, 0xff, 0xff, 0x01], { code: "varint_overflow", path: ["itemId"], offset: 0 }],
  ])("refuses a string with %s", (_, bytes, expected) => {
    expect(refused(() => reader(bytes).string(["itemId"]))).toEqual(expected);
  });
});
