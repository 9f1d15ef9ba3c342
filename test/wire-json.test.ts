import { describe, expect, it } from "vitest";
import { type BridgeErrorCode, detectShape, fromJson, fromWireJson, toJson, toWireJson } from "../src/index.js";
import { codeAndPath } from "./support/refusal.js";

const T = "response.image_generation_call.completed" as const;
const wire = { type: T, item_id: "ig_1", output_index: 2, sequence_number: 9 };
const sdk = { type: T, itemId: "ig_1", outputIndex: 2, sequenceNumber: 9 };

describe("fromWireJson / toWireJson", () => {
  it("map snake_case to camelCase and back", () => {
    expect(fromWireJson(wire)).toEqual(sdk);
    expect(toWireJson(sdk)).toEqual(wire);
  });

  it("keep unknown members under their own names in both shapes", () => {
    const withExtra = { ...wire, output_format: "png", nested: { some_key: [1, -0] } };
    const event = fromWireJson(withExtra);
    expect(event.output_format).toBe("png");
    expect(Object.is((event.nested as { some_key: number[] }).some_key[1], -0)).toBe(true);
    expect(toWireJson(event)).toEqual(withExtra);
  });

  it("keep a member named __proto__ as data", () => {
    const input = JSON.parse(`{"type":"${T}","item_id":"x","output_index":0,"sequence_number":0,"__proto__":{"polluted":1}}`) as unknown;
    const event = fromWireJson(input);
    expect(Object.hasOwn(event, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(JSON.stringify(toWireJson(event))).toContain('"__proto__":{"polluted":1}');
  });

  const refusals: [string, unknown, BridgeErrorCode, (string | number)[]][] = [
    ["an SDK spelling beside the wire one", { ...wire, itemId: "ig_2" }, "ambiguous_key", ["itemId"]],
    ["the SDK spelling of a number", { ...wire, outputIndex: 1 }, "ambiguous_key", ["outputIndex"]],
    ["a missing item_id", { type: T, output_index: 0, sequence_number: 0 }, "missing_field", ["item_id"]],
    ["output_index as a string", { ...wire, output_index: "2" }, "invalid_type", ["output_index"]],
    ["sequence_number NaN", { ...wire, sequence_number: Number.NaN }, "not_finite", ["sequence_number"]],
    ["a wrong type", { ...wire, type: "response.completed" }, "invalid_literal", ["type"]],
    ["a non-object", 42, "invalid_type", []],
  ];
  it.each(refusals)("fromWireJson refuses %s", (_, value, code, path) => {
    expect(codeAndPath(() => fromWireJson(value))).toEqual({ code, path });
  });
});

describe("fromJson / detectShape", () => {
  it("detects the shape per object", () => {
    expect(detectShape(wire)).toBe("wire");
    expect(detectShape(sdk)).toBe("sdk");
    expect(fromJson(wire)).toEqual(sdk);
    expect(fromJson(sdk)).toEqual(sdk);
  });

  it("refuses known members in both spellings as ambiguous", () => {
    expect(codeAndPath(() => fromJson({ type: T, itemId: "a", output_index: 0, sequenceNumber: 1 }))).toEqual({
      code: "ambiguous_key",
      path: ["output_index"],
    });
  });

  it("converts to the shape asked for", () => {
    expect(toJson(sdk, "wire")).toEqual(wire);
    expect(toJson(sdk, "sdk")).toEqual(sdk);
  });
});
