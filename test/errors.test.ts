import { describe, expect, it } from "vitest";
import { clipText, MAX_REASON_CHARS, MAX_SHOWN_CHARS } from "../src/errors.js";
import { BridgeError, formatPath, isBridgeError } from "../src/index.js";

describe("BridgeError", () => {
  it("carries code, path, value, offset and cause as data", () => {
    const cause = new Error("inner");
    const err = new BridgeError("truncated", ["itemId"], "input ends in the middle of a field", { offset: 3, cause, value: 5 });
    expect(err).toMatchObject({
      name: "BridgeError",
      code: "truncated",
      path: ["itemId"],
      offset: 3,
      value: 5,
      cause,
      reason: "input ends in the middle of a field",
    });
    expect(err.message).toBe("itemId: input ends in the middle of a field (truncated)");
    expect(isBridgeError(err)).toBe(true);
    expect(isBridgeError(new Error("x"))).toBe(false);
  });

  it("locates an error at a record of a stream", () => {
    const err = new BridgeError("not_finite", ["outputIndex"], "NaN has no exact protobuf or JSON form", { value: Number.NaN }).atRecord(7);
    expect(err.record).toBe(7);
    expect(err.message).toBe("record 7: outputIndex: NaN has no exact protobuf or JSON form (not_finite)");
    expect(err.value).toBeNaN();
  });

  it("formats paths like property accesses", () => {
    expect(formatPath([])).toBe("(root)");
    expect(formatPath(["meta", "tags", 2])).toBe("meta.tags[2]");
    expect(formatPath(["a b", "é"])).toBe('["a b"]["é"]');
  });
});

describe("long values in messages", () => {
  it("clipText keeps short text and cuts long text in the middle, saying how long it was", () => {
    expect(clipText("x".repeat(MAX_SHOWN_CHARS))).toBe("x".repeat(MAX_SHOWN_CHARS));
    const cut = clipText(`a${"x".repeat(1_199_998)}z`);
    expect(cut).toBe(`a${"x".repeat(149)}…[1200000 characters]…${"x".repeat(49)}z`);
  });

  it("clipText never splits a surrogate pair", () => {
    for (let pad = 0; pad < 4; pad++) {
      const cut = clipText(`${"x".repeat(pad)}${"😀".repeat(300)}`);
      expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(cut)).toBe(false);
    }
  });

  it("a BridgeError's message cuts a huge key in its path and a huge reason; reason keeps it whole", () => {
    const key = "k".repeat(1_000_000);
    const reason = `bad ${"r".repeat(1_000_000)}`;
    const err = new BridgeError("invalid_type", ["extra", key], reason);
    expect(err.message.length).toBeLessThan(2 * MAX_REASON_CHARS);
    expect(err.message).toContain("…[1000002 characters]…");
    expect(err.message).toContain("…[1000004 characters]…");
    expect(err.reason).toBe(reason);
    expect(formatPath([key])).toBe(`[${clipText(JSON.stringify(key))}]`);
  });
});
