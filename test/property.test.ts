import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { anyEvent, runs, seed } from "./support/arbitraries.js";
import { implementations } from "./support/implementations.js";

describe.each(await implementations())("round trips over the whole SDK domain, %s", (_, lib) => {
  const { decode, encode, equalJson, fromMessage, fromWireJson, toMessage, toWireJson } = lib;
  it("decode(encode(e)) equals e with Object.is on every field", () => {
    let count = 0;
    fc.assert(
      fc.property(anyEvent, (event) => {
        count++;
        const back = decode(encode(event));
        expect(equalJson(back, event)).toBe(true);
        expect(back.type).toBe("response.image_generation_call.completed");
      }),
      { numRuns: runs(20_000, 1_000_000), seed },
    );
    expect(count).toBeGreaterThanOrEqual(runs(20_000, 1_000_000));
  });

  it("the wire JSON shape and the protobuf-es message round-trip too", () => {
    fc.assert(
      fc.property(anyEvent, (event) => {
        expect(equalJson(fromWireJson(toWireJson(event)), event)).toBe(true);
        expect(equalJson(fromMessage(toMessage(event)), event)).toBe(true);
      }),
      { numRuns: runs(5_000, 200_000), seed },
    );
  });

  it("encoding is deterministic: the same event gives the same bytes, whatever its member order", () => {
    fc.assert(
      fc.property(anyEvent, (event) => {
        const reordered = Object.fromEntries(Object.entries(event).reverse()) as typeof event;
        expect(encode(reordered)).toEqual(encode(event));
      }),
      { numRuns: runs(5_000, 200_000), seed },
    );
  });
});
