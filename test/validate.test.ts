import { describe, expect, it } from "vitest";
import { type BridgeErrorCode, MAX_JSON_DEPTH, validateEvent } from "../src/index.js";
import { codeAndPath } from "./support/refusal.js";

const T = "response.image_generation_call.completed" as const;
const ok = { type: T, itemId: "ig_1", outputIndex: 0, sequenceNumber: 1 };

let tooDeep: unknown = 1;
for (let i = 0; i <= MAX_JSON_DEPTH; i++) tooDeep = [tooDeep];
let deepest: unknown = 1;
for (let i = 0; i < MAX_JSON_DEPTH; i++) deepest = [deepest];
const cyclic: Record<string, unknown> = {};
cyclic.self = cyclic;

const refusals: [string, unknown, BridgeErrorCode, (string | number)[]][] = [
  ["a non-object", "ig_1", "invalid_type", []],
  ["null", null, "invalid_type", []],
  ["an array", [ok], "invalid_type", []],
  ["a class instance", new (class Event {})(), "invalid_type", []],
  ["a missing type", { ...ok, type: undefined }, "missing_field", ["type"]],
  ["a wrong type literal", { ...ok, type: "response.completed" }, "invalid_literal", ["type"]],
  ["a type that is not a string", { ...ok, type: 1 }, "invalid_type", ["type"]],
  ["a missing itemId", { type: T, outputIndex: 0, sequenceNumber: 1 }, "missing_field", ["itemId"]],
  ["itemId undefined", { ...ok, itemId: undefined }, "missing_field", ["itemId"]],
  ["itemId a number", { ...ok, itemId: 5 }, "invalid_type", ["itemId"]],
  ["itemId with a lone high surrogate", { ...ok, itemId: "ig_\uD800" }, "lone_surrogate", ["itemId"]],
  ["itemId with a lone low surrogate", { ...ok, itemId: "\uDC00ig" }, "lone_surrogate", ["itemId"]],
  ["a missing outputIndex", { type: T, itemId: "x", sequenceNumber: 1 }, "missing_field", ["outputIndex"]],
  ["outputIndex a string", { ...ok, outputIndex: "0" }, "invalid_type", ["outputIndex"]],
  ["outputIndex a bigint", { ...ok, outputIndex: 1n }, "invalid_type", ["outputIndex"]],
  ["outputIndex NaN", { ...ok, outputIndex: Number.NaN }, "not_finite", ["outputIndex"]],
  ["outputIndex Infinity", { ...ok, outputIndex: Number.POSITIVE_INFINITY }, "not_finite", ["outputIndex"]],
  ["sequenceNumber -Infinity", { ...ok, sequenceNumber: Number.NEGATIVE_INFINITY }, "not_finite", ["sequenceNumber"]],
  ["sequenceNumber null", { ...ok, sequenceNumber: null }, "invalid_type", ["sequenceNumber"]],
  ["the wire spelling beside the SDK one", { ...ok, item_id: "ig_2" }, "ambiguous_key", ["item_id"]],
  ["the wire spelling of a number", { ...ok, sequence_number: 1 }, "ambiguous_key", ["sequence_number"]],
  ["an unknown member that is undefined", { ...ok, extra: undefined }, "unsupported_value", ["extra"]],
  ["an unknown member that is a function", { ...ok, f: () => 1 }, "unsupported_value", ["f"]],
  ["an unknown member that is a bigint", { ...ok, n: 1n }, "unsupported_value", ["n"]],
  ["an unknown member that is a Date", { ...ok, at: new Date(0) }, "unsupported_value", ["at"]],
  ["an unknown member that is a Map", { ...ok, m: new Map() }, "unsupported_value", ["m"]],
  ["NaN inside an unknown member", { ...ok, meta: { scores: [1, Number.NaN] } }, "not_finite", ["meta", "scores", 1]],
  ["a lone surrogate in a nested string", { ...ok, meta: { note: "\uD83D" } }, "lone_surrogate", ["meta", "note"]],
  ["a lone surrogate in a member name", { ...ok, "\uD83D": 1 }, "lone_surrogate", ["\uD83D"]],
  ["a lone surrogate in a nested name", { ...ok, meta: { "a\uDE00": 1 } }, "lone_surrogate", ["meta", "a\uDE00"]],
  ["an array hole", { ...ok, list: [1, , 3] }, "unsupported_value", ["list", 1]],
  [`nesting deeper than ${MAX_JSON_DEPTH}`, { ...ok, deep: tooDeep }, "too_deep", ["deep", ...Array<number>(MAX_JSON_DEPTH).fill(0)]],
  ["a cycle", { ...ok, loop: cyclic }, "too_deep", ["loop", ...Array<string>(MAX_JSON_DEPTH).fill("self")]],
];

describe("validateEvent", () => {
  it.each(refusals)("refuses %s", (_, value, code, path) => {
    expect(codeAndPath(() => validateEvent(value))).toEqual({ code, path });
  });

  it("accepts every finite number and any well-formed string, and returns the same object", () => {
    for (const n of [0, -0, 3469.55, 5e-324, 1e308, -(2 ** 53 - 1), 2 ** 53]) {
      const event = { ...ok, itemId: "\uFEFF😀\u0000", outputIndex: n, sequenceNumber: n };
      expect(validateEvent(event)).toBe(event);
    }
  });

  it(`accepts unknown members nested exactly ${MAX_JSON_DEPTH} deep, null-prototype objects included`, () => {
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    expect(() => validateEvent({ ...ok, deep: deepest, bare })).not.toThrow();
  });

  it("puts the code, the path and the value in the error message", () => {
    expect(() => validateEvent({ ...ok, outputIndex: Number.NaN })).toThrow(
      "outputIndex: NaN has no exact protobuf or JSON form (not_finite)",
    );
  });
});
