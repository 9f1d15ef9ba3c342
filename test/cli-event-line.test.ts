import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventLine } from "../src/cli/decode.js";
import { stringifyJson, toWireJson } from "../src/index.js";
import { anyLifecycleEvent, runs, seed } from "./support/arbitraries.js";

describe("eventLine", () => {
  it("writes the same line as stringifyJson of the event or its wire JSON", () => {
    fc.assert(
      fc.property(anyLifecycleEvent, fc.constantFrom("sdk" as const, "wire" as const), (e, shape) => {
        expect(eventLine(e, shape)).toBe(`${stringifyJson(shape === "wire" ? toWireJson(e) : e)}\n`);
      }),
      { numRuns: runs(2_000, 100_000), seed },
    );
  });
});
