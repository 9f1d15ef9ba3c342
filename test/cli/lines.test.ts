import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { decodeText, LineSplitter, lineText } from "../../src/cli/lines.js";
import { runs, seed } from "../support/arbitraries.js";
import { codeAndPath } from "../support/refusal.js";

/** Every line a splitter gives for the chunks, as text. */
function split(chunks: Uint8Array[]): string[] {
  const splitter = new LineSplitter();
  const lines: string[] = [];
  const take = ({ buf, bounds }: { buf: Buffer; bounds: number[] }) => {
    for (let i = 0; i < bounds.length; i += 2) lines.push(buf.toString("latin1", bounds[i], bounds[i + 1]));
  };
  for (const chunk of chunks) take(splitter.push(chunk));
  take(splitter.end());
  return lines;
}

const bytes = (s: string) => Buffer.from(s, "latin1");
const cut = (all: Uint8Array, at: number[]) => {
  const points = [...new Set(at.map((a) => a % (all.length + 1)))].sort((a, b) => a - b);
  return [0, ...points].map((from, i) => all.subarray(from, points[i] ?? all.length));
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe("LineSplitter", () => {
  it("gives the same lines however the stream is cut into chunks", () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z\r]{0,12}$/), { maxLength: 8 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 10 }),
        (lines, last, at) => {
          const text = lines.join("\n") + (last ? "\n" : "");
          const expected = text.split("\n");
          if (expected.at(-1) === "") expected.pop();
          expect(split([bytes(text)])).toEqual(expected);
          expect(split(cut(bytes(text), at))).toEqual(expected);
        },
      ),
      { numRuns: runs(1_000, 50_000), seed },
    );
  });

  it("copies and scans a long line's bytes a bounded number of times, however many chunks it spans", () => {
    const chunks = Array.from({ length: 512 }, () => Buffer.alloc(1024, 0x61));
    chunks.push(Buffer.from("b\nc"));
    const total = chunks.reduce((n, c) => n + c.length, 0);
    let copied = 0;
    let scanned = 0;
    const concat = Buffer.concat;
    vi.spyOn(Buffer, "concat").mockImplementation((list, length) => {
      const out = concat(list, length);
      copied += out.length;
      return out;
    });
    const indexOf = Buffer.prototype.indexOf;
    vi.spyOn(Buffer.prototype, "indexOf").mockImplementation(function (this: Buffer, value, from, encoding) {
      const at = indexOf.call(this, value, from, encoding);
      scanned += (at === -1 ? this.length : at + 1) - (typeof from === "number" ? from : 0);
      return at;
    });
    const lines = split(chunks);
    expect(lines.map((l) => l.length)).toEqual([512 * 1024 + 1, 1]);
    expect(copied).toBeLessThanOrEqual(2 * total);
    expect(scanned).toBeLessThanOrEqual(2 * total);
  });

  it.each([
    ["whole", [bytes("\xef\xbb\xbfa\nb")]],
    ["cut inside the BOM", [bytes("\xef"), bytes("\xbb"), bytes("\xbfa\nb")]],
    ["cut after the BOM", [bytes("\xef\xbb\xbf"), bytes("a\nb")]],
  ])("skips one BOM at the very start of the stream: %s", (_, chunks) => {
    expect(split(chunks)).toEqual(["a", "b"]);
  });

  it.each([
    ["a second BOM", "\xef\xbb\xbf\xef\xbb\xbfa", ["\xef\xbb\xbfa"]],
    ["a BOM at the start of a later line", "a\n\xef\xbb\xbfb", ["a", "\xef\xbb\xbfb"]],
    ["the start of a BOM only", "\xef\xbb", ["\xef\xbb"]],
    ["a BOM after a space", " \xef\xbb\xbfa", [" \xef\xbb\xbfa"]],
  ])("keeps %s, where it stays an error", (_, text, lines) => {
    expect(split(cut(bytes(text), [1, 2]))).toEqual(lines);
  });
});

describe("lineText and decodeText", () => {
  it("refuse a line longer than a JS string can hold as too_large, not invalid_utf8", () => {
    vi.spyOn(Buffer.prototype, "toString").mockImplementation(() => {
      throw Object.assign(new Error("Cannot create a string longer than 0x1fffffe8 characters"), { code: "ERR_STRING_TOO_LONG" });
    });
    const result = lineText(bytes("{}"), 0, 2);
    expect(result).toMatchObject({ code: "too_large", path: [] });
  });

  it("decodeText skips one BOM at the start and keeps any other", () => {
    expect(decodeText(bytes("\xef\xbb\xbf{}"))).toBe("{}");
    expect(decodeText(bytes("\xef\xbb\xbf\xef\xbb\xbf{}"))).toBe("\uFEFF{}");
    expect(codeAndPath(() => decodeText(bytes("\xff")))).toEqual({ code: "invalid_utf8", path: [] });
  });
});
