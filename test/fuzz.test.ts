import { fromBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import type { BridgeErrorCode } from "../src/index.js";
import * as node from "../src/index.js";
import { runs } from "./support/arbitraries.js";
import { prng } from "./support/events.js";
import { implementations } from "./support/implementations.js";

const seeds = [
  node.encode({
    type: "response.image_generation_call.completed",
    itemId: "ig_0c24cad2e1cb59201b3d503d387b03578e70c950ca42f",
    outputIndex: 0,
    sequenceNumber: 7,
  }),
  node.encode({
    type: "response.image_generation_call.completed",
    itemId: "\uFEFF😀",
    outputIndex: 3469.55,
    sequenceNumber: -(2 ** 53 - 1),
  }),
  node.encode({
    type: "response.image_generation_call.completed",
    itemId: "x",
    outputIndex: -0,
    sequenceNumber: 1,
    meta: { a: [1, null, true, "s"], b: { c: -0 } },
    z: "é",
  }),
];

/** The refusals that are ours alone: protobuf-es (2.17) reads such input without complaint. */
const STRICTER_THAN_PROTOBUF_ES = new Set<BridgeErrorCode>([
  "wire_type_mismatch", // a known field with another wire type: protobuf-es reads garbage
  "truncated", // a nested length that runs past its parent: protobuf-es reads on into the parent
  "invalid_value", // a google.protobuf.Value with no kind: protobuf-es makes it null
  "varint_overflow", // a 10th varint byte above 1: protobuf-es drops the bits past 64
]);

/** Bytes that start fields of every wire type, known and unknown, and long varints. */
const INTERESTING = [0x80, 0xff, 0x7a, 0x0a, 0x10, 0x18, 0x21, 0x29, 0x04, 0x0b, 0x0c, 0x7f, 0x00, 0x01, 0x12, 0x2a, 0x32];

function mutate(next: () => number, input: Uint8Array): Uint8Array {
  const bytes = Array.from(input);
  const edits = 1 + Math.floor(next() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (bytes.length + 1));
    const r = next();
    if (r < 0.3 && bytes.length > 0) bytes[at % bytes.length] = Math.floor(next() * 256);
    else if (r < 0.45 && bytes.length > 0) bytes[at % bytes.length]! ^= 1 << Math.floor(next() * 8);
    else if (r < 0.6) bytes.splice(at, 0, Math.floor(next() * 256));
    else if (r < 0.75) bytes.splice(at, 1 + Math.floor(next() * 3));
    else if (r < 0.85) bytes.length = Math.floor(next() * bytes.length);
    else bytes.splice(at, 0, INTERESTING[Math.floor(next() * INTERESTING.length)]!);
  }
  return Uint8Array.from(bytes);
}

describe.each(await implementations())("fuzz: decode of random and mutated input, %s", (_, lib) => {
  const { decode, encode, equalJson, fromMessage, ImageGenCallCompletedSchema, isBridgeError } = lib;
  it("returns an event or throws a BridgeError, and agrees with protobuf-es whenever it accepts", () => {
    const next = prng(0x5eed);
    const total = runs(100_000, 1_000_000);
    const outcome = { accepted: 0, refused: 0 };
    for (let i = 0; i < total; i++) {
      const input =
        i % 4 === 0
          ? Uint8Array.from({ length: Math.floor(next() * 64) }, () => Math.floor(next() * 256))
          : mutate(next, seeds[i % seeds.length]!);
      let event: ReturnType<typeof decode>;
      try {
        event = decode(input);
      } catch (err) {
        if (!isBridgeError(err)) throw new Error(`input ${Buffer.from(input).toString("hex")} threw ${String(err)}`);
        outcome.refused++;
        continue;
      }
      outcome.accepted++;
      // what we accept, protobuf-es reads to the same event, and it re-encodes to valid bytes
      expect(equalJson(fromMessage(fromBinary(ImageGenCallCompletedSchema, input)), event)).toBe(true);
      expect(equalJson(decode(encode(event)), event)).toBe(true);
    }
    expect(outcome.accepted + outcome.refused).toBe(total);
    expect(outcome.accepted).toBeGreaterThan(total / 100);
    expect(outcome.refused).toBeGreaterThan(total / 10);
  });

  it("refuses only in ways protobuf-es either also refuses or is known to let through", () => {
    const next = prng(0xfeed);
    for (let i = 0; i < runs(20_000, 200_000); i++) {
      const input = mutate(next, seeds[i % seeds.length]!);
      let code: BridgeErrorCode | undefined;
      try {
        decode(input);
      } catch (err) {
        if (!isBridgeError(err)) throw err;
        code = err.code;
      }
      if (code === undefined) continue;
      let reflectionAccepts = true;
      try {
        fromMessage(fromBinary(ImageGenCallCompletedSchema, input));
      } catch {
        reflectionAccepts = false;
      }
      if (reflectionAccepts) expect(STRICTER_THAN_PROTOBUF_ES, `${code} for ${Buffer.from(input).toString("hex")}`).toContain(code);
    }
  });
});
