import { describe, expect, it } from "vitest";
import { withDefaults } from "../src/options.js";
import { codeAndPath } from "./support/refusal.js";

interface Example {
  limit: number;
  name: string;
  strict: boolean;
  extra: string | undefined;
}
const defaults: Readonly<Example> = Object.freeze({ limit: 1024, name: "x", strict: true, extra: undefined });

describe("withDefaults", () => {
  it("keeps a default when the option is absent or undefined", () => {
    expect(withDefaults(defaults, undefined)).toEqual(defaults);
    expect(withDefaults(defaults, { limit: undefined, name: undefined })).toEqual(defaults);
  });

  it("takes every option that is given, and leaves the defaults frozen", () => {
    expect(withDefaults(defaults, { limit: 0, name: "y", strict: false, extra: "e" })).toEqual({
      limit: 0,
      name: "y",
      strict: false,
      extra: "e",
    });
    expect(defaults.limit).toBe(1024);
  });

  it.each([
    ["NaN", { limit: Number.NaN }, ["limit"]],
    ["Infinity", { limit: Number.POSITIVE_INFINITY }, ["limit"]],
    ["a negative number", { limit: -1 }, ["limit"]],
    ["a number as a string", { limit: "10" }, ["limit"]],
    ["a string option as a number", { name: 1 }, ["name"]],
    ["a boolean option as a string", { strict: "yes" }, ["strict"]],
  ])("refuses %s as invalid_value naming the option", (_, options, path) => {
    expect(codeAndPath(() => withDefaults(defaults, options as never))).toEqual({ code: "invalid_value", path });
  });

  it("refuses options that are not an object", () => {
    expect(codeAndPath(() => withDefaults(defaults, 5 as never))).toEqual({ code: "invalid_type", path: [] });
  });
});
