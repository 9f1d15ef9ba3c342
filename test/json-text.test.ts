import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { equalJson, stringifyJson } from "../src/index.js";
import { parseJson } from "../src/json/json-text.js";
import { runs, seed } from "./support/arbitraries.js";
import { codeAndPath } from "./support/refusal.js";

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

describe("parseJson", () => {
  it.each([
    ["a repeated top-level name", '{"type":"response.output_text.delta","type":"response.image_generation_call.completed"}', ["type"]],
    ["a repeated name spelled with an escape", '{"item_id":"a","item_\\u0069d":"b"}', ["item_id"]],
    ["a repeated name deep inside", '{"a":[1,{"b":{"c":1,"d":[{},{"e":0,"e":1}]}}]}', ["a", 1, "b", "d", 1, "e"]],
    ["a repeated name after strings holding colons, quotes and braces", '{"x":"a:\\"{[,","y":{"k":"]}:"},"x":2}', ["x"]],
    ["a repeated __proto__", '{"__proto__":1,"__proto__":2}', ["__proto__"]],
    ["a repeated empty name with whitespace around", '{ "" : 1 ,\n "" : 2 }', [""]],
    ["a repeated name in an object inside an array at the root", '[0,[{"a":1,"a":1}]]', [1, 0, "a"]],
  ])("refuses %s as ambiguous_key, with its path", (_, text, path) => {
    expect(codeAndPath(() => parseJson(text))).toEqual({ code: "ambiguous_key", path });
  });

  it.each([
    ["not JSON", "{oops"],
    ["trailing text", '{"a":1} x'],
  ])("refuses %s as invalid_json", (_, text) => {
    expect(codeAndPath(() => parseJson(text))).toEqual({ code: "invalid_json", path: [] });
  });

  it("accepts what JSON.parse accepts when no object repeats a name, with the same value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value, null, 1);
        expect(equalJson(parseJson(text), JSON.parse(text))).toBe(true);
      }),
      { numRuns: runs(2_000, 100_000), seed },
    );
  });

  it("finds a repeated name wherever it is put, with its path", () => {
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        fc.integer(),
        fc.string(),
        fc.array(tie("node"), { maxLength: 3 }),
        fc.dictionary(fc.string(), tie("node"), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(tree, fc.nat(), fc.string(), (root, pick, name) => {
        // the objects of the tree and their paths; one of them gets `name` twice, as its last members
        const objects: { value: Record<string, unknown>; path: (string | number)[] }[] = [];
        const walk = (v: unknown, path: (string | number)[]) => {
          if (Array.isArray(v)) for (const [i, x] of v.entries()) walk(x, [...path, i]);
          else if (typeof v === "object" && v !== null) {
            objects.push({ value: v as Record<string, unknown>, path });
            for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
          }
        };
        const wrapped = { root };
        walk(wrapped, []);
        const target = objects[pick % objects.length]!;
        const marker = "\u0000dup\u0000";
        target.value[marker] = 0;
        const text = JSON.stringify(wrapped).replace(
          `${JSON.stringify(marker)}:0`,
          () => `${JSON.stringify(name)}:1,${JSON.stringify(name)}:2`,
        );
        const error = codeAndPath(() => parseJson(text));
        expect(error.code).toBe("ambiguous_key");
        // the first repeat in text order is this one, unless the object already had `name`
        if (!Object.hasOwn(target.value, name)) {
          const earlier = text.indexOf(`${JSON.stringify(name)}:1,${JSON.stringify(name)}:2`);
          if (earlier === text.lastIndexOf(`${JSON.stringify(name)}:1,${JSON.stringify(name)}:2`))
            expect(error.path).toEqual([...target.path, name]);
        }
      }),
      { numRuns: runs(2_000, 100_000), seed },
    );
  });
});
