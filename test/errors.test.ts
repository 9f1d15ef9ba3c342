import { describe, expect, it } from "vitest";
import { BridgeError, formatPath, isBridgeError } from "../src/index.js";

describe("BridgeError", () => {
  it("carries code, path, value, offset and cause as data", () => {
    const cause = new Error("inner");
    const err = new BridgeError("truncated", ["itemId"], "input ends in the middle of a field", { offset: 3, cause, value: 5 });
    expect(err).toMatchObject({ name: "BridgeError", code: "truncated", path: ["itemId"], offset: 3, value: 5, cause, reason: "input ends in the middle of a field" });
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
