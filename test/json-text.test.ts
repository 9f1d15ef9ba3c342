import { describe, expect, it } from "vitest";
import { equalJson, stringifyJson } from "../src/index.js";

describe("stringifyJson", () => {
  it("writes -0 as -0 so that JSON.parse gives it back", () => {
    const value = { a: -0, b: [0, -0, { c: -0 }], d: "x" };
    const text = stringifyJson(value);
    expect(text).toBe('{"a":-0,"b":[0,-0,{"c":-0}],"d":"x"}');
    expect(equalJson(JSON.parse(text), value)).toBe(true);
  });

  it("writes the same text as JSON.stringify when there is no -0", () => {
    const value = { s: "é😀\u0000\u2028", n: [1e308, 5e-324, 0.1], t: true, z: null };
    expect(stringifyJson(value)).toBe(JSON.stringify(value));
  });
});

describe("equalJson", () => {
  it("tells -0 from 0 and ignores member order", () => {
    expect(equalJson({ a: 0 }, { a: -0 })).toBe(false);
    expect(equalJson({ a: 1, b: [2] }, { b: [2], a: 1 })).toBe(true);
    expect(equalJson({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(equalJson([1], { 0: 1 })).toBe(false);
  });
});
