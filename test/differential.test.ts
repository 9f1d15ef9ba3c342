import { fromBinary, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JsonValue } from "../src/index.js";
import { compareCodePoints } from "../src/wire/struct-codec.js";
import { anyEvent, runs, seed } from "./support/arbitraries.js";
import { implementations } from "./support/implementations.js";

/**
 * Whether every object in `value` keeps its keys in code point order when built in that order.
 * JS objects list array-index keys ("1", "10") first, in numeric order, so protobuf-es, which
 * writes a Struct in the object's key order, cannot follow the deterministic order then.
 */
function keepsSortedOrder(value: JsonValue): boolean {
  if (typeof value !== "object" || value === null) return true;
  if (Array.isArray(value)) return value.every(keepsSortedOrder);
  const sorted = Object.keys(value).sort(compareCodePoints);
  const built = Object.keys(Object.fromEntries(sorted.map((k) => [k, 0])));
  return built.every((k, i) => k === sorted[i]) && Object.values(value).every(keepsSortedOrder);
}

describe.each(await implementations())("differential: the codec against protobuf-es reflection, %s", (_, lib) => {
  const { decode, encode, equalJson, fromMessage, ImageGenCallCompletedSchema, toMessage } = lib;
  it("writes exactly the bytes of toBinary(ImageGenCallCompletedSchema, toMessage(e))", () => {
    const tally = { identical: 0, indexKeyOrder: 0 };
    fc.assert(
      fc.property(anyEvent, (event) => {
        const ours = encode(event);
        const reflection = toBinary(ImageGenCallCompletedSchema, toMessage(event));
        if (keepsSortedOrder(event as unknown as JsonValue)) {
          expect(ours).toEqual(reflection);
          tally.identical++;
        } else {
          // same message, members in another order: both readers agree on the content
          expect(ours.length).toBe(reflection.length);
          expect(equalJson(decode(reflection), event)).toBe(true);
          tally.indexKeyOrder++;
        }
        expect(equalJson(fromMessage(fromBinary(ImageGenCallCompletedSchema, ours)), event)).toBe(true);
      }),
      { numRuns: runs(100_000, 1_000_000), seed },
    );
    expect(tally.identical).toBeGreaterThan(tally.indexKeyOrder * 10);
  });

  it("decodes what protobuf-es writes to the same event protobuf-es reads", () => {
    fc.assert(
      fc.property(anyEvent, (event) => {
        const bytes = toBinary(ImageGenCallCompletedSchema, toMessage(event));
        expect(equalJson(decode(bytes), fromMessage(fromBinary(ImageGenCallCompletedSchema, bytes)))).toBe(true);
      }),
      { numRuns: runs(20_000, 200_000), seed: seed + 1 },
    );
  });
});
