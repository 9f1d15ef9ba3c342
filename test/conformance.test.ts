import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parseConformanceCommand } from "../src/cli/conformance.js";
import { runConformance, type ConformanceCase, type ConformanceReport } from "../src/conformance.js";
import { loadGoldenVectors } from "../src/golden-vectors.js";
import { diffBytes, diffJson } from "../src/json-diff.js";
import { UsageError } from "../src/cli/usage-error.js";
import { orwire } from "./support/cli.js";
import { vectors } from "./support/vectors.js";

const codec = (name: string): string => `sh '${fileURLToPath(new URL(`./support/codecs/${name}`, import.meta.url))}'`;
const WRONG = codec("wrong.sh");
const REFERENCE = codec("orwire.sh");
const byName = (cases: ConformanceCase[], name: string): ConformanceCase => {
  const found = cases.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no case ${name}`);
  return found;
};

describe("the conformance kit", () => {
  it("ships the same golden vectors the tests read", () => {
    const shipped = loadGoldenVectors();
    expect(shipped.valid.map((v) => v.name)).toEqual(vectors.valid.map((v) => v.name));
    expect(shipped.invalidBinary.map((v) => v.name)).toEqual(vectors.invalidBinary.map((v) => v.name));
    expect(shipped.invalidJson.map((v) => v.name)).toEqual(vectors.invalidJson.map((v) => v.name));
  });

  it("passes this bridge itself (orwire decode --shape wire / orwire encode) on every vector and random events", async () => {
    const report = await runConformance(REFERENCE, { random: 20 });
    expect(report.cases.filter((c) => !c.pass).map((c) => `${c.name}\n${c.diff}`)).toEqual([]);
    const valid = loadGoldenVectors().valid;
    expect(report.cases.length).toBe(valid.length + valid.filter((v) => !v.decode_only).length + vectors.invalidBinary.length + vectors.invalidJson.length + 20);
    expect(report).toMatchObject({ failed: 0, known: 0, random: 20 });
  });

  describe("against a codec that is always wrong (a real executable)", () => {
    let report: ConformanceReport;
    beforeAll(async () => {
      report = await runConformance(WRONG, { random: 3 });
    });

    it("fails every case", () => {
      expect(report.aborted).toBeUndefined();
      expect(report.passed).toBe(0);
      expect(report.failed).toBe(report.cases.length);
      for (const c of report.cases) expect(c.diff, c.name).not.toBe("");
    });

    it("diffs decoded JSON field by field, -0 against 0", () => {
      const c = byName(report.cases, "decode valid/negative_zero");
      expect(c).toMatchObject({ kind: "decode", mode: "decode", pass: false });
      expect(c.diff.split("\n")).toEqual(["output_index: expected -0, got 0", "sequence_number: expected -0, got 0"]);
      expect(c.actual).toContain('"output_index":0');
    });

    it("diffs encoded bytes and says what the bridge reads from them", () => {
      const c = byName(report.cases, "encode valid/typical");
      expect(c).toMatchObject({ kind: "encode", expected: vectors.valid[0]?.hex, actual: "0a0469675f3110001800" });
      expect(c.diff).toContain("first difference at byte 1");
      expect(c.diff).toContain("this bridge decodes them to another event");
      expect(c.diff).toContain('item_id: expected "ig_0c24cad2e1cb59201b3d503d387b03578e70c950ca42f", got "ig_1"');
    });

    it("requires a refusal: exit 1, nothing on stdout, a reason on stderr", () => {
      const c = byName(report.cases, "refuse invalid-binary/truncated_string");
      expect(c).toMatchObject({ kind: "refuse", mode: "decode", layer: "protobuf", pass: false });
      expect(c.diff.split("\n")).toEqual([
        "expected exit 1, got exit 0",
        expect.stringMatching(/^expected nothing on stdout, got \d+ bytes$/),
        "expected the reason on stderr, got nothing",
        'the bridge refuses these bytes: truncated at ["itemId"]',
      ]);
      expect(byName(report.cases, "refuse invalid-json/missing_type")).toMatchObject({ kind: "refuse", mode: "encode", pass: false });
    });

    it("runs random events both ways", () => {
      const c = byName(report.cases, "roundtrip random/0");
      expect(c).toMatchObject({ kind: "roundtrip", mode: "both", pass: false });
      expect(c.diff).toMatch(/^decode:\n/);
      expect(c.diff).toContain("\nencode:\n");
    });
  });

  it("reports a listed known difference as known, not failed, and still shows its diff", async () => {
    const name = "refuse invalid-binary/varint_tenth_byte";
    const report = await runConformance(WRONG, { random: 0, knownDifferences: { [name]: "this runtime drops bits past 64" } });
    expect(byName(report.cases, name)).toMatchObject({ pass: false, known: "this runtime drops bits past 64" });
    expect(byName(report.cases, name).diff).not.toBe("");
    expect(report.known).toBe(1);
    expect(report.failed).toBe(report.cases.length - 1);
  });

  it.each([
    ["a command the shell cannot find", "./no-such-codec-here", /exit 127/],
    ["a codec that is not built (exit 2)", "sh -c 'echo \"codec(x): not built\" >&2; exit 2' --", /exit 2, stderr: codec\(x\): not built/],
  ])("stops after one case for %s", async (_, command, reason) => {
    const report = await runConformance(command, { random: 1000 });
    expect(report.cases).toHaveLength(1);
    expect(report.failed).toBe(1);
    expect(report.aborted).toMatch(reason);
  });

  it("kills a codec that hangs, with its children, and fails the case", async () => {
    const started = Date.now();
    const report = await runConformance("sh -c 'sleep 30; true' --", { random: 0, timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(report.aborted).toMatch(/timed out/);
  });
});

describe("diffs", () => {
  it("name each differing path, with Object.is on numbers", () => {
    expect(diffJson({ a: 1, b: [0, 2], c: { d: "x" } }, { a: 1, b: [-0], c: { d: "y" }, e: null })).toEqual([
      "b[0]: expected 0, got -0",
      "b[1]: missing, expected 2",
      'c.d: expected "x", got "y"',
      "e: unexpected null",
    ]);
    expect(diffJson({ "😀": [] }, { "😀": {} })).toEqual(['["😀"]: expected [], got {}']);
    expect(diffJson({ a: [1] }, { a: [1] })).toEqual([]);
  });

  it("say where two byte strings part", () => {
    expect(diffBytes(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4, 5))).toEqual(["first difference at byte 2 (expected 3 bytes, got 4)"]);
    expect(diffBytes(Uint8Array.of(1), Uint8Array.of(1))).toEqual([]);
  });
});

describe("orwire conformance", () => {
  it("prints PASS or FAIL per case, a diff under each failure and a summary line, and exits 1 on a failure", () => {
    const run = orwire(["conformance", "--codec", WRONG, "--random", "2", "--seed", "7"]);
    expect(run.status).toBe(1);
    const lines = run.stdout.toString("utf8").trimEnd().split("\n");
    expect(lines).toContain("FAIL decode valid/negative_zero");
    expect(lines).toContain("  output_index: expected -0, got 0");
    expect(lines).toContain("FAIL refuse invalid-binary/truncated_string (protobuf)");
    expect(lines.at(-1)).toMatch(/^conformance: 0 passed, \d+ failed \(24 decode, 20 encode, \d+ refuse, 2 roundtrip; seed 7\) in [\d.]+s: sh /);
  });

  it("exits 0 when every case passes, and --json prints the whole report", () => {
    const run = orwire(["conformance", "--codec", REFERENCE, "--random", "3", "--json"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout.toString("utf8")) as { failed: number; passed: number; cases: unknown[]; random: number };
    expect(report).toMatchObject({ failed: 0, random: 3 });
    expect(report.passed).toBe(report.cases.length);
  });

  it("exits 0 when the only failures are listed known differences", () => {
    const known = vectors.invalidBinary.map((v) => `refuse invalid-binary/${v.name}=accepted`);
    const json = vectors.invalidJson.map((v) => `refuse invalid-json/${v.name}`);
    const cases = [...vectors.valid.map((v) => `decode valid/${v.name}`), ...vectors.valid.filter((v) => !v.decode_only).map((v) => `encode valid/${v.name}`)];
    const run = orwire(["conformance", "--codec", WRONG, "--random", "0", ...[...known, ...json, ...cases].flatMap((k) => ["--known-difference", k])]);
    expect(run.stdout.toString("utf8")).toContain("KNOWN refuse invalid-binary/truncated_string (protobuf): accepted");
    expect(run.stdout.toString("utf8")).toMatch(/conformance: 0 passed, 0 failed, \d+ known differences/);
    expect(run.status).toBe(0);
  });

  it.each([
    [[], /needs --codec/],
    [["--codec", ""], /needs --codec/],
    [["--codec", "x", "--random=-1"], /--random must be an integer/],
    [["--codec", "x", "--random", "many"], /--random must be an integer/],
    [["--codec", "x", "--seed", "1.5"], /--seed must be an integer/],
    [["--codec", "x", "--jobs", "0"], /--jobs must be an integer/],
    [["--codec", "x", "--known-difference", "=why"], /--known-difference needs a case name/],
    [["--codec", "x", "extra"], /positional/i],
  ])("refuses %j as a usage error (exit 2)", (args, message) => {
    expect(() => parseConformanceCommand(args)).toThrow(UsageError);
    expect(() => parseConformanceCommand(args)).toThrow(message);
    const run = orwire(["conformance", ...args]);
    expect(run.status).toBe(2);
    expect(run.stdout.length).toBe(0);
  });
});
