/**
 * Every interop codec (interop/<lang>/codec: Go, Python, Java, Rust, C++ through protoc) through
 * the conformance kit: every golden vector, 1,000 seeded random events TS -> codec -> TS, and the
 * lifecycle envelope (its vectors and 200 random lifecycle events through decode-event /
 * encode-event). Once through the library function and once through the real `orwire conformance`
 * binary. Prints the agreement table of the README. `npm run interop:build` builds the codecs; with CI=true a codec
 * that is not built fails here, locally it is skipped with a warning.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runConformance, type ConformanceCase, type ConformanceReport } from "../src/conformance/kit.js";
import { seed } from "./support/arbitraries.js";
import { orwire } from "./support/cli.js";
import { vectors } from "./support/vectors.js";

const LANGS = ["go", "python", "java", "rust", "cpp"] as const;
type Lang = (typeof LANGS)[number];
const RUNTIME: Record<Lang, string> = { go: "Go (protobuf-go)", python: "Python (protobuf, upb)", java: "Java (protobuf-java)", rust: "Rust (prost)", cpp: "C++ (protoc --encode/--decode)" };
const RANDOM = Number(process.env.INTEROP_RANDOM ?? 1000);
const RANDOM_EVENTS = Number(process.env.INTEROP_RANDOM_EVENTS ?? 200);
const CI = /^(1|true|yes)$/i.test(process.env.CI ?? "");
const TIMEOUT = 30 * 60_000;

const codecPath = (lang: Lang): string => fileURLToPath(new URL(`../interop/${lang}/codec`, import.meta.url));
const known: Partial<Record<Lang, Record<string, string>>> = (JSON.parse(readFileSync(new URL("../interop/known-differences.json", import.meta.url), "utf8")) as { codecs: Partial<Record<Lang, Record<string, string>>> }).codecs;
const reports = new Map<Lang, ConformanceReport>();

/** Whether the codec runs: the contract's example both ways. Exit 2 is the codecs' "not built". */
function built(lang: Lang): string | undefined {
  const json = '{"type":"response.image_generation_call.completed","item_id":"ig_1","output_index":0,"sequence_number":7}';
  const run = spawnSync(codecPath(lang), ["encode"], { input: json });
  if (run.error !== undefined) return run.error.message;
  if (run.status !== 0) return `exit ${run.status}: ${run.stderr.toString("utf8").trim()}`;
  return run.stdout.toString("hex") === "0a0469675f3110001807" ? undefined : `encode gave ${run.stdout.toString("hex")}`;
}

const failures = (report: ConformanceReport): string[] => report.cases.filter((c) => !c.pass && c.known === undefined).map((c) => `${c.name}\n  expected: ${c.expected}\n  actual: ${c.actual}\n${c.diff}`);

describe.each(LANGS)("interop/%s/codec", (lang) => {
  const notBuilt = built(lang);
  if (notBuilt !== undefined && !CI) console.warn(`\n!!! interop/${lang}/codec is not built (${notBuilt}): its interop tests are SKIPPED. Run npm run interop:build.\n`);
  const test = notBuilt === undefined || CI ? it : it.skip;
  const requireBuilt = () => {
    if (notBuilt !== undefined) throw new Error(`interop/${lang}/codec is not built (${notBuilt}); CI must build every codec: npm run interop:build`);
  };
  const knownDifferences = known[lang] ?? {};

  test(
    `agrees with this bridge on every golden vector, ${RANDOM} random events and ${RANDOM_EVENTS} random lifecycle envelopes (seed ${seed})`,
    async () => {
      requireBuilt();
      const report = await runConformance(`'${codecPath(lang)}'`, { random: RANDOM, randomEvents: RANDOM_EVENTS, seed, knownDifferences });
      reports.set(lang, report);
      expect(report.aborted).toBeUndefined();
      expect(report.noEvents).toBeUndefined();
      expect(failures(report)).toEqual([]);
      // every listed known difference is still observed: the list cannot go stale
      expect(report.cases.filter((c) => c.known !== undefined).map((c) => c.name).sort()).toEqual(Object.keys(knownDifferences).sort());
      const encodable = vectors.valid.filter((v) => !v.decode_only).length;
      const envelope = 2 * vectors.events.length + vectors.invalidEvents.length + RANDOM_EVENTS;
      expect(report.cases).toHaveLength(vectors.valid.length + encodable + vectors.invalidBinary.length + vectors.invalidJson.length + RANDOM + envelope);
      expect(report.cases.filter((c) => c.envelope === true)).toHaveLength(envelope);
    },
    TIMEOUT,
  );

  test("passes through the real orwire conformance binary", () => {
    requireBuilt();
    const flags = Object.entries(knownDifferences).flatMap(([name, reason]) => ["--known-difference", `${name}=${reason}`]);
    const run = orwire(["conformance", "--codec", `'${codecPath(lang)}'`, "--random", "10", "--random-events", "10", "--seed", String(seed), ...flags]);
    const out = run.stdout.toString("utf8");
    expect(out.split("\n").filter((line) => line.startsWith("FAIL"))).toEqual([]);
    expect(out).toMatch(/\nconformance: \d+ passed, 0 failed.*; envelope: \d+ decode, \d+ encode, \d+ refuse, 10 roundtrip;/);
    expect(run.status, run.stderr).toBe(0);
  });
});

afterAll(() => {
  if (reports.size === 0) return;
  const table = agreementTable(reports);
  mkdirSync(new URL("../.run/", import.meta.url), { recursive: true });
  writeFileSync(new URL("../.run/interop-agreement.md", import.meta.url), table);
  console.log(`\nInterop agreement (also in .run/interop-agreement.md):\n\n${table}`);
});

/** The README's table: runtime x check, passed/total, known differences noted; the envelope's columns after the completed message's. */
function agreementTable(all: Map<Lang, ConformanceReport>): string {
  const completed = (c: ConformanceCase) => c.envelope !== true;
  const envelope = (c: ConformanceCase) => c.envelope === true;
  const columns: [string, (c: ConformanceCase) => boolean][] = [
    ["decode vectors", (c) => completed(c) && c.kind === "decode"],
    ["encode bytes", (c) => completed(c) && c.kind === "encode"],
    ["refuse protobuf-bad", (c) => completed(c) && c.kind === "refuse" && c.layer === "protobuf"],
    ["refuse bridge-bad", (c) => completed(c) && c.kind === "refuse" && c.layer === "bridge"],
    ["refuse bad JSON", (c) => completed(c) && c.kind === "refuse" && c.mode === "encode"],
    [`${RANDOM.toLocaleString("en-US")} random round trips`, (c) => completed(c) && c.kind === "roundtrip"],
    ["envelope: decode-event vectors", (c) => envelope(c) && c.kind === "decode"],
    ["envelope: encode-event bytes", (c) => envelope(c) && c.kind === "encode"],
    ["envelope: refuse bad envelopes", (c) => envelope(c) && c.kind === "refuse"],
    [`envelope: ${RANDOM_EVENTS.toLocaleString("en-US")} random lifecycle round trips`, (c) => envelope(c) && c.kind === "roundtrip"],
  ];
  const cell = (cases: ConformanceCase[]): string => {
    const passed = cases.filter((c) => c.pass).length;
    const knownCount = cases.filter((c) => c.known !== undefined).length;
    return `${passed}/${cases.length}${knownCount > 0 ? ` (+${knownCount} known)` : ""}`;
  };
  const lines = [`| runtime | ${columns.map(([name]) => name).join(" | ")} | time |`, `| --- | ${columns.map(() => "---").join(" | ")} | ---: |`];
  for (const [lang, report] of all) {
    lines.push(`| ${RUNTIME[lang]} | ${columns.map(([, pick]) => cell(report.cases.filter(pick))).join(" | ")} | ${(report.durationMs / 1000).toFixed(0)} s |`);
  }
  return `${lines.join("\n")}\n`;
}
