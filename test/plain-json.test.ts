import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encode, fromJson, isBridgeError } from "../src/index.js";
import { parseJson } from "../src/json/json-text.js";
import { encodePlainJson } from "../src/plain-json.js";
import { delimit } from "../src/transport/index.js";
import { anyEvent, runs, seed } from "./support/arbitraries.js";

const T = "response.image_generation_call.completed";
const text = (s: string) => new TextEncoder().encode(s);

/** The general path: the strict parseJson, fromJson, encode, delimit; or the refusal's code. */
function general(bytes: Uint8Array): Uint8Array | string {
  try {
    return delimit(encode(fromJson(parseJson(new TextDecoder("utf-8", { fatal: true }).decode(bytes)))));
  } catch (err) {
    return isBridgeError(err) ? err.code : "not_json";
  }
}

function plain(bytes: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(bytes.length + 32);
  const end = encodePlainJson(bytes, 0, bytes.length, out, 0, true);
  return end === undefined ? undefined : out.slice(0, end);
}

const space = fc.constantFrom("", " ", "  ", "\t", "\r", "\n ");
/** JSON text of an event: either spelling, members in any order, whitespace anywhere, maybe unknown members. */
const anyLine = fc
  .tuple(anyEvent, fc.boolean(), fc.array(space, { minLength: 12, maxLength: 12 }), fc.nat())
  .map(([event, wire, ws, order]) => {
    const { type, itemId, outputIndex, sequenceNumber, ...rest } = event;
    const known: [string, unknown][] = [
      ["type", type],
      [wire ? "item_id" : "itemId", itemId],
      [wire ? "output_index" : "outputIndex", outputIndex],
      [wire ? "sequence_number" : "sequenceNumber", sequenceNumber],
    ];
    const members = [...known, ...Object.entries(rest)];
    const rotated = [...members.slice(order % members.length), ...members.slice(0, order % members.length)];
    const num = (v: unknown) => (Object.is(v, -0) ? "-0" : JSON.stringify(v));
    const body = rotated.map(
      ([k, v], i) =>
        `${ws[i % 12]}${JSON.stringify(k)}${ws[(i + 3) % 12]}:${ws[(i + 5) % 12]}${typeof v === "number" ? num(v) : JSON.stringify(v)}`,
    );
    return text(`${ws[10]}{${body.join(",")}${ws[11]}}${ws[9]}`);
  });

describe("encodePlainJson", () => {
  it("writes exactly what the general path writes, whenever it takes a line", () => {
    const tally = { plain: 0, general: 0 };
    fc.assert(
      fc.property(anyLine, (line) => {
        const fast = plain(line);
        if (fast === undefined) tally.general++;
        else {
          tally.plain++;
          expect(fast).toEqual(general(line));
        }
      }),
      { numRuns: runs(50_000, 500_000), seed },
    );
    expect(tally.plain).toBeGreaterThan(runs(50_000, 500_000) / 20);
  });

  it("takes a mutated line only if the general path encodes it to the same bytes", () => {
    const base = text(`{"type":"${T}","output_index":2,"item_id":"ig_0c24cad2e1cb59201b3d503d387b03578e70c950ca42f","sequence_number":20}`);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length), fc.integer({ min: 0, max: 255 }), fc.constantFrom("set", "insert", "delete")), {
          minLength: 1,
          maxLength: 3,
        }),
        (edits) => {
          const bytes = Array.from(base);
          for (const [at, byte, op] of edits) {
            if (op === "set") bytes[at % bytes.length] = byte;
            else if (op === "insert") bytes.splice(at, 0, byte);
            else bytes.splice(at, 1);
          }
          const line = Uint8Array.from(bytes);
          const fast = plain(line);
          if (fast !== undefined) expect(fast).toEqual(general(line));
        },
      ),
      { numRuns: runs(50_000, 500_000), seed },
    );
  });

  it.each([
    ["a real wire line", `{"type":"${T}","output_index":0,"item_id":"ig_1","sequence_number":7}`, true],
    ["an SDK line", `{"type":"${T}","itemId":"ig_1","outputIndex":0,"sequenceNumber":7}`, true],
    ["mixed spellings", `{"type":"${T}","itemId":"ig_1","output_index":0,"sequenceNumber":7}`, false],
    ["a duplicate member", `{"type":"${T}","item_id":"a","item_id":"b","output_index":0,"sequence_number":7}`, false],
    ["a duplicate type", `{"type":"response.output_text.delta","type":"${T}","item_id":"a","output_index":0,"sequence_number":7}`, false],
    ["a duplicate number", `{"type":"${T}","item_id":"a","output_index":0,"output_index":0,"sequence_number":7}`, false],
    ["an escape in the id", `{"type":"${T}","item_id":"ig\\u0031","output_index":0,"sequence_number":7}`, false],
    ["a non-ASCII id", `{"type":"${T}","item_id":"igé","output_index":0,"sequence_number":7}`, false],
    ["a fraction", `{"type":"${T}","item_id":"ig_1","output_index":0.5,"sequence_number":7}`, false],
    ["an exponent", `{"type":"${T}","item_id":"ig_1","output_index":1e2,"sequence_number":7}`, false],
    ["-0", `{"type":"${T}","item_id":"ig_1","output_index":-0,"sequence_number":7}`, false],
    ["a leading zero", `{"type":"${T}","item_id":"ig_1","output_index":01,"sequence_number":7}`, false],
    ["16 digits", `{"type":"${T}","item_id":"ig_1","output_index":1000000000000000,"sequence_number":7}`, false],
    ["an unknown member", `{"type":"${T}","item_id":"ig_1","output_index":0,"sequence_number":7,"x":1}`, false],
    ["another type", `{"type":"response.completed","item_id":"ig_1","output_index":0,"sequence_number":7}`, false],
    ["a missing member", `{"type":"${T}","item_id":"ig_1","output_index":0}`, false],
    ["trailing text", `{"type":"${T}","item_id":"ig_1","output_index":0,"sequence_number":7} x`, false],
  ])("%s: takes it = %s, and agrees with the general path", (_, line, taken) => {
    const fast = plain(text(line));
    expect(fast !== undefined).toBe(taken);
    if (fast !== undefined) expect(fast).toEqual(general(text(line)));
  });

  it("leaves every line with a repeated member to the general path, which refuses it", () => {
    const members = [`"type":"${T}"`, `"item_id":"ig_1"`, `"output_index":0`, `"sequence_number":7`];
    for (let i = 0; i < members.length; i++) {
      const line = text(`{${[...members, members[i]!].join(",")}}`);
      expect(plain(line)).toBeUndefined();
      expect(general(line)).toBe("ambiguous_key");
    }
  });
});
