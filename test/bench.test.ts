import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("npm run bench (smoke: tiny batches, no timing asserted)", () => {
  it("runs every candidate on both events and reports ops/s, bytes, the pipeline and the goals", () => {
    const out = execFileSync(process.execPath, ["bench/run.mjs", "--smoke", "--json"], { cwd: root, encoding: "utf8", maxBuffer: 1 << 24 });
    const report = JSON.parse(out) as {
      results: {
        event: string;
        bytes: { protobuf: number; json: number };
        candidates: { name: string; encode: number | null; decode: number | null }[];
      }[];
      pipeline: { events: number; cli: { eventsPerSecond: number; peakRssMB: number }; parseLoop: { eventsPerSecond: number } };
      goals: { goal: string; ratio: number; target: number; met: boolean }[];
    };
    expect(report.results.map((r) => r.event)).toEqual(["typical", "worst case"]);
    for (const r of report.results) {
      expect(r.candidates.map((c) => c.name.split(" ")[0])).toEqual([
        "openresponses-wire",
        "protobuf-es",
        "protobufjs",
        "JSON.stringify",
        "JSON.parse",
      ]);
      for (const c of r.candidates) for (const v of [c.encode, c.decode]) if (v !== null) expect(v).toBeGreaterThan(0);
    }
    expect(report.results[0]!.bytes).toEqual({ protobuf: 54, json: 149, ratio: 54 / 149 });
    expect(report.pipeline.events).toBe(10_000);
    expect(report.pipeline.cli.eventsPerSecond).toBeGreaterThan(0);
    expect(report.goals).toHaveLength(7);
  });
});
