import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineIndex } from "../../src/cli/line-index.js";
import { runs, seed } from "../support/arbitraries.js";

describe("LineIndex", () => {
  it("gives back the line of every record, whatever the gaps between them", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 200 }), (gaps) => {
        const index = new LineIndex();
        const lines: number[] = [];
        let line = 0;
        for (const gap of gaps) {
          line += gap;
          lines.push(line);
          index.add(line);
        }
        expect(lines.map((_, i) => index.lineOf(i + 1))).toEqual(lines);
        expect([index.lineOf(0), index.lineOf(lines.length + 1), index.lineOf(1.5)]).toEqual([undefined, undefined, undefined]);
      }),
      { numRuns: runs(1_000, 50_000), seed },
    );
  });

  it("keeps one run for evenly spaced lines, however many records (an NDJSON file, an SSE stream of like events)", () => {
    for (const step of [1, 3]) {
      const index = new LineIndex();
      for (let record = 1; record <= 100_000; record++) index.add(2 + record * step);
      expect(index.size).toBe(1);
      expect(index.lineOf(77_777)).toBe(2 + 77_777 * step);
    }
  });

  it("adds a run per change of spacing: a blank line costs one", () => {
    const index = new LineIndex();
    for (const line of [1, 2, 3, 5, 6, 7, 8]) index.add(line);
    expect(index.size).toBe(2);
    expect([1, 2, 3, 4, 5, 6, 7].map((r) => index.lineOf(r))).toEqual([1, 2, 3, 5, 6, 7, 8]);
  });
});
