/**
 * Every interop codec (interop/<lang>/codec: Go, Python, Java, Rust, C++) through the conformance
 * kit over its serve mode (a few long-lived processes): every golden vector, 20,000 seeded random
 * events TS -> codec -> TS, and the lifecycle envelope (its vectors and 5,000 random lifecycle
 * events through decode-event / encode-event). Once through the library function and once through
 * the real `orwire conformance` binary. Prints the agreement table of the README. `npm run soak`
 * (SOAK=1) runs 1,000,000 random events and 250,000 random envelopes through each, in runs of
 * 20,000 with successive seeds. `npm run interop:build` builds the codecs; with CI=true a codec
 * that is not built fails here, locally it is skipped with a warning.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fromBinary } from "@bufbuild/protobuf";
import { afterAll, describe, expect, it } from "vitest";
import { CodecResponseSchema } from "../gen/openresponses/conformance/v1/codec_pb.js";
import { type ConformanceCase, type ConformanceReport, runConformance } from "../src/conformance/kit.js";
import { requestFrame } from "../src/conformance/serve-codec.js";
import { Deframer, delimit } from "../src/wire/size-delimited.js";
import { seed } from "./support/arbitraries.js";
import { orwire } from "./support/cli.js";
import { vectors } from "./support/vectors.js";

const LANGS = ["go", "python", "java", "rust", "cpp"] as const;
type Lang = (typeof LANGS)[number];
const RUNTIME: Record<Lang, string> = {
  go: "Go (protobuf-go)",
  python: "Python (protobuf, upb)",
  java: "Java (protobuf-java)",
  rust: "Rust (prost)",
  cpp: "C++ (libprotobuf)",
};
const SOAK = /^(1|true|yes)$/i.test(process.env.SOAK ?? "");
const RANDOM = Number(process.env.INTEROP_RANDOM ?? (SOAK ? 1_000_000 : 20_000));
const RANDOM_EVENTS = Number(process.env.INTEROP_RANDOM_EVENTS ?? (SOAK ? 250_000 : 5_000));
/** Random events per kit run: a soak is many runs (seed, seed + 1, …), each report dropped after its checks. */
const PER_RUN = 20_000;
const RUNS = Math.max(1, Math.ceil(RANDOM / PER_RUN));
/** Serve processes per codec. */
const JOBS = 3;
const CI = /^(1|true|yes)$/i.test(process.env.CI ?? "");
const TIMEOUT = SOAK ? 6 * 60 * 60_000 : 10 * 60_000;

const codecPath = (lang: Lang): string => fileURLToPath(new URL(`../interop/${lang}/codec`, import.meta.url));
const known: Partial<Record<Lang, Record<string, string>>> = (
  JSON.parse(readFileSync(new URL("../interop/known-differences.json", import.meta.url), "utf8")) as {
    codecs: Partial<Record<Lang, Record<string, string>>>;
  }
).codecs;
const rows = new Map<Lang, string>();

/** `total` split into `parts` whole shares that differ by at most one. */
const split = (total: number, parts: number): number[] =>
  Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));

/** Whether the codec runs: the contract's example both ways. Exit 2 is the codecs' "not built". */
function built(lang: Lang): string | undefined {
  const json = '{"type":"response.image_generation_call.completed","item_id":"ig_1","output_index":0,"sequence_number":7}';
  const run = spawnSync(codecPath(lang), ["encode"], { input: json });
  if (run.error !== undefined) return run.error.message;
  if (run.status !== 0) return `exit ${run.status}: ${run.stderr.toString("utf8").trim()}`;
  return run.stdout.toString("hex") === "0a0469675f3110001807" ? undefined : `encode gave ${run.stdout.toString("hex")}`;
}

const failures = (report: ConformanceReport): string[] =>
  report.cases
    .filter((c) => !c.pass && c.known === undefined)
    .map((c) => `${c.name}\n  expected: ${c.expected}\n  actual: ${c.actual}\n${c.diff}`);

describe.each(LANGS)("interop/%s/codec", (lang) => {
  const notBuilt = built(lang);
  if (notBuilt !== undefined && !CI)
    console.warn(`\n!!! interop/${lang}/codec is not built (${notBuilt}): its interop tests are SKIPPED. Run npm run interop:build.\n`);
  const test = notBuilt === undefined || CI ? it : it.skip;
  const requireBuilt = () => {
    if (notBuilt !== undefined)
      throw new Error(`interop/${lang}/codec is not built (${notBuilt}); CI must build every codec: npm run interop:build`);
  };
  const knownDifferences = known[lang] ?? {};

  test(
    `agrees with this bridge on every golden vector, ${RANDOM} random events and ${RANDOM_EVENTS} random lifecycle envelopes over serve, ${JOBS} processes (seed ${seed}${RUNS > 1 ? ` to ${seed + RUNS - 1}` : ""})`,
    async () => {
      requireBuilt();
      const randoms = split(RANDOM, RUNS);
      const randomEvents = split(RANDOM_EVENTS, RUNS);
      const counts = new Map<string, [passed: number, total: number, known: number]>();
      let durationMs = 0;
      for (let run = 0; run < RUNS; run++) {
        const [random, events] = [randoms[run] ?? 0, randomEvents[run] ?? 0];
        const report = await runConformance(`'${codecPath(lang)}'`, {
          random,
          randomEvents: events,
          seed: seed + run,
          knownDifferences,
          protocol: "serve",
          concurrency: JOBS,
        });
        expect(report.aborted).toBeUndefined();
        expect(report.noEvents).toBeUndefined();
        expect(report).toMatchObject({ protocol: "serve", restarts: 0 });
        expect(failures(report)).toEqual([]);
        // every listed known difference is still observed: the list cannot go stale
        expect(
          report.cases
            .filter((c) => c.known !== undefined)
            .map((c) => c.name)
            .sort(),
        ).toEqual(Object.keys(knownDifferences).sort());
        const encodable = vectors.valid.filter((v) => !v.decode_only).length;
        const envelope = 2 * vectors.events.length + vectors.invalidEvents.length + events;
        expect(report.cases).toHaveLength(
          vectors.valid.length + encodable + vectors.invalidBinary.length + vectors.invalidJson.length + random + envelope,
        );
        expect(report.cases.filter((c) => c.envelope === true)).toHaveLength(envelope);
        // the random cases of every run, the vectors of the first (later runs repeat them)
        for (const c of report.cases) {
          if (run > 0 && c.kind !== "roundtrip") continue;
          const column = COLUMNS.find(([, pick]) => pick(c))?.[0] ?? "other";
          const [passed, total, knownCount] = counts.get(column) ?? [0, 0, 0];
          counts.set(column, [passed + (c.pass ? 1 : 0), total + 1, knownCount + (c.known === undefined ? 0 : 1)]);
        }
        durationMs += report.durationMs;
      }
      rows.set(lang, agreementRow(lang, counts, durationMs));
    },
    TIMEOUT,
  );

  test("serve answers a framed request that is not a CodecRequest with error, and goes on with the next", () => {
    requireBuilt();
    // field 1 with wire type 7, which does not exist: no protobuf parser can read this frame
    const broken = delimit(Uint8Array.of(0x0f, 0x01));
    const good = requestFrame("decode", Buffer.from(vectors.valid[0]!.hex, "hex"));
    const run = spawnSync(codecPath(lang), ["serve"], { input: Buffer.concat([broken, good]), timeout: 60_000 });
    expect(run.status, run.stderr.toString()).toBe(0);
    const deframer = new Deframer();
    const frames = deframer.push(run.stdout);
    deframer.end();
    const answers = frames.map((frame) => fromBinary(CodecResponseSchema, frame).result.case);
    expect(answers).toEqual(["error", "output"]);
  });

  test("passes through the real orwire conformance binary", () => {
    requireBuilt();
    const flags = Object.entries(knownDifferences).flatMap(([name, reason]) => ["--known-difference", `${name}=${reason}`]);
    const run = orwire([
      "conformance",
      "--codec",
      `'${codecPath(lang)}'`,
      "--random",
      "10",
      "--random-events",
      "10",
      "--seed",
      String(seed),
      "--jobs",
      "2",
      ...flags,
    ]);
    const out = run.stdout.toString("utf8");
    expect(out.split("\n").filter((line) => line.startsWith("FAIL"))).toEqual([]);
    expect(out).toMatch(
      /\nconformance: \d+ passed, 0 failed.*; envelope: \d+ decode, \d+ encode, \d+ refuse, 10 roundtrip; seed \d+; serve\) /,
    );
    expect(run.status, run.stderr).toBe(0);
  });
});

afterAll(() => {
  if (rows.size === 0) return;
  const table = [
    `| runtime | ${COLUMNS.map(([name]) => name).join(" | ")} | time |`,
    `| --- | ${COLUMNS.map(() => "---").join(" | ")} | ---: |`,
    ...rows.values(),
  ].join("\n");
  mkdirSync(new URL("../.run/", import.meta.url), { recursive: true });
  writeFileSync(new URL("../.run/interop-agreement.md", import.meta.url), `${table}\n`);
  console.log(`\nInterop agreement (also in .run/interop-agreement.md):\n\n${table}\n`);
});

const completed = (c: ConformanceCase) => c.envelope !== true;
const envelope = (c: ConformanceCase) => c.envelope === true;
/** The README's table: runtime x check, the envelope's columns after the completed message's. */
const COLUMNS: [string, (c: ConformanceCase) => boolean][] = [
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

/** One runtime's row: passed/total per column, known differences noted, and the kit's time. */
function agreementRow(lang: Lang, counts: Map<string, [number, number, number]>, durationMs: number): string {
  const cell = ([passed, total, known]: [number, number, number]): string => `${passed}/${total}${known > 0 ? ` (+${known} known)` : ""}`;
  return `| ${RUNTIME[lang]} | ${COLUMNS.map(([name]) => cell(counts.get(name) ?? [0, 0, 0])).join(" | ")} | ${(durationMs / 1000).toFixed(0)} s |`;
}
