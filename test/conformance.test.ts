import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parseConformanceCommand } from "../src/cli/conformance.js";
import { UsageError } from "../src/cli/usage-error.js";
import { loadGoldenVectors } from "../src/conformance/golden-vectors.js";
import { diffBytes, diffJson } from "../src/conformance/json-diff.js";
import { type ConformanceCase, type ConformanceReport, runConformance } from "../src/conformance/kit.js";
import { orwire } from "./support/cli.js";
import { vectors } from "./support/vectors.js";

const codec = (name: string): string => `sh '${fileURLToPath(new URL(`./support/codecs/${name}`, import.meta.url))}'`;
const WRONG = codec("wrong.sh");
const REFERENCE = codec("orwire.sh");
const NO_EVENTS = codec("no-events.sh");
const served = (...faults: string[]): string =>
  ["node", `'${fileURLToPath(new URL("./support/codecs/serve.mjs", import.meta.url))}'`, ...faults].join(" ");
const SERVED = served();
const ENVELOPE_VECTORS = 2 * vectors.events.length + vectors.invalidEvents.length;
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
    expect(shipped.events?.map((v) => v.name)).toEqual(vectors.events.map((v) => v.name));
    expect(shipped.invalidEvents?.map((v) => v.name)).toEqual(vectors.invalidEvents.map((v) => v.name));
  });

  it("passes this bridge itself (orwire decode --shape wire / orwire encode, --message event for the envelope) on every vector and random events", async () => {
    const report = await runConformance(REFERENCE, { random: 20, randomEvents: 20 });
    expect(report.cases.filter((c) => !c.pass).map((c) => `${c.name}\n${c.diff}`)).toEqual([]);
    // a codec with only the one-shot commands: the handshake fails, every case runs one-shot
    expect(report.protocol).toBe("one-shot");
    expect(report.noServe).toMatch(/^`serve` gave exit 2, stderr: usage: orwire.sh/);
    const valid = loadGoldenVectors().valid;
    expect(report.cases.length).toBe(
      valid.length +
        valid.filter((v) => !v.decode_only).length +
        vectors.invalidBinary.length +
        vectors.invalidJson.length +
        20 +
        ENVELOPE_VECTORS +
        20,
    );
    expect(report).toMatchObject({ failed: 0, known: 0, random: 20, randomEvents: 20, events: true });
    expect(report.noEvents).toBeUndefined();
    // every lifecycle type and both image variants among the random envelopes
    const decoded = report.cases.filter((c) => c.name.startsWith("roundtrip random-events/")).map((c) => c.expected);
    for (const type of ["in_progress", "generating", "partial_image", "completed"])
      expect(
        decoded.some((e) => e.includes(`"response.image_generation_call.${type}"`)),
        type,
      ).toBe(true);
  });

  describe("against a codec that is always wrong (a real executable)", () => {
    let report: ConformanceReport;
    beforeAll(async () => {
      report = await runConformance(WRONG, { random: 3, randomEvents: 3 });
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

    it("runs the envelope vectors through decode-event and encode-event, and refuses bad envelopes", () => {
      expect(report.cases.filter((c) => c.envelope === true)).toHaveLength(ENVELOPE_VECTORS + 3);
      const decoded = byName(report.cases, "decode-event events/partial_image_padded");
      expect(decoded).toMatchObject({ kind: "decode", mode: "decode-event", envelope: true, pass: false });
      expect(decoded.diff.split("\n").sort()).toEqual([
        'partial_image_b64: expected "QUI=", got "QUJD"',
        "partial_image_index: expected 1, got 0",
        "sequence_number: expected 3, got 0",
      ]);
      const encoded = byName(report.cases, "encode-event events/in_progress");
      expect(encoded).toMatchObject({
        kind: "encode",
        mode: "encode-event",
        envelope: true,
        pass: false,
        expected: vectors.events[0]?.hex,
      });
      expect(encoded.diff).toContain("first difference at byte 0");
      expect(encoded.diff).toContain("this bridge decodes them to another event");
      expect(byName(report.cases, "refuse invalid-events/two_events")).toMatchObject({
        kind: "refuse",
        mode: "decode-event",
        envelope: true,
        pass: false,
      });
      const random = byName(report.cases, "roundtrip random-events/0");
      expect(random).toMatchObject({ kind: "roundtrip", mode: "both", envelope: true, pass: false });
      expect(random.diff).toMatch(/^decode:\n/);
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

  it("reports a codec without decode-event / encode-event once, and checks its completed message as before", async () => {
    // a few vectors of the completed message: each run of this codec starts node
    const all = loadGoldenVectors();
    const few = {
      ...all,
      valid: all.valid.slice(0, 3),
      invalidBinary: all.invalidBinary.slice(0, 3),
      invalidJson: all.invalidJson.slice(0, 3),
    };
    const report = await runConformance(NO_EVENTS, { random: 0, vectors: few });
    expect(report.aborted).toBeUndefined();
    expect(report.noEvents).toMatch(/does not implement decode-event: exit 2, stderr: usage: no-events.sh/);
    const envelope = report.cases.filter((c) => c.envelope === true);
    expect(envelope.map((c) => c.name)).toEqual([`decode-event events/${vectors.events[0]?.name}`]);
    expect(envelope[0]).toMatchObject({ pass: false, mode: "decode-event" });
    expect(envelope[0]?.diff).toContain("run with --no-events");
    expect(report.failed).toBe(1);
    expect(report.passed).toBe(report.cases.length - 1);

    const skipped = await runConformance(NO_EVENTS, { random: 0, events: false, vectors: few });
    expect(skipped.cases.filter((c) => c.envelope === true)).toEqual([]);
    expect(skipped).toMatchObject({ failed: 0, events: false, randomEvents: 0 });
    expect(skipped.noEvents).toBeUndefined();
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

describe("the conformance kit over the serve mode", () => {
  const vector = (name: string): string => {
    const found = vectors.valid.find((v) => v.name === name);
    if (found === undefined) throw new Error(`no vector ${name}`);
    return found.hex;
  };
  // not valid[0]: the handshake decodes that one
  const FAULTY = "decode valid/negative_zero";
  const faultHex = vector("negative_zero");

  it("passes this bridge as a serve codec, with every case over long-lived processes", async () => {
    const report = await runConformance(SERVED, { random: 300, randomEvents: 100, concurrency: 2 });
    expect(report.cases.filter((c) => !c.pass).map((c) => `${c.name}\n${c.diff}`)).toEqual([]);
    expect(report).toMatchObject({ protocol: "serve", restarts: 0, failed: 0, known: 0 });
    expect(report.noServe).toBeUndefined();
    expect(report.cases.length).toBe(
      vectors.valid.length +
        vectors.valid.filter((v) => !v.decode_only).length +
        vectors.invalidBinary.length +
        vectors.invalidJson.length +
        300 +
        ENVELOPE_VECTORS +
        100,
    );
  });

  it.each([
    ["crashes", "--crash-on", { failure: "the serve process ended (exit 3) while on this request" }, 1],
    ["hangs", "--hang-on", { timedOut: true }, 1],
    [
      "writes garbage",
      "--garbage-on",
      { failure: "the codec answered with a length prefix longer than 32 bits: not a size-delimited CodecResponse" },
      1,
    ],
    ["answers error", "--error-on", { failure: "the codec answered error: asked to fail" }, 0],
  ] as const)("fails only the case on which a serve codec %s, and runs every other case", async (_, flag, run, restarts) => {
    const started = Date.now();
    const report = await runConformance(served(flag, faultHex), { random: 100, randomEvents: 50, concurrency: 2, timeoutMs: 4_000 });
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(report).toMatchObject({ protocol: "serve", restarts, failed: 1 });
    expect(report.aborted).toBeUndefined();
    expect(report.cases.filter((c) => !c.pass).map((c) => c.name)).toEqual([FAULTY]);
    const failed = byName(report.cases, FAULTY);
    expect(failed.diff).toBe(`expected exit 0 and the event as JSON, got ${"timedOut" in run ? "timed out" : run.failure}`);
    expect(report.passed).toBe(report.cases.length - 1);
  });

  it.each([
    [
      "serve, and aborts for a codec without it",
      REFERENCE,
      "serve",
      { protocol: "one-shot", aborted: expect.stringMatching(/^the codec does not offer serve: `serve` gave exit 2/) },
    ],
    [
      "one-shot, and never tries serve",
      SERVED,
      "one-shot",
      { protocol: "one-shot", aborted: expect.stringMatching(/^the codec did not run: exit 2, stderr: usage: serve.mjs/) },
    ],
  ] as const)("with protocol %s", async (_, command, protocol, expected) => {
    const report = await runConformance(command, { random: 10, randomEvents: 0, protocol });
    expect(report).toMatchObject(expected);
    expect(report.cases).toHaveLength(1);
    expect(report.noServe === undefined).toBe(protocol === "one-shot");
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
    const run = orwire(["conformance", "--codec", WRONG, "--random", "2", "--random-events", "2", "--seed", "7"]);
    expect(run.status).toBe(1);
    const lines = run.stdout.toString("utf8").trimEnd().split("\n");
    expect(lines).toContain("FAIL decode valid/negative_zero");
    expect(lines).toContain("  output_index: expected -0, got 0");
    expect(lines).toContain("FAIL refuse invalid-binary/truncated_string (protobuf)");
    expect(lines).toContain("FAIL decode-event events/in_progress");
    expect(lines).toContain("FAIL refuse invalid-events/two_events");
    expect(lines.at(-1)).toMatch(
      /^conformance: 0 passed, \d+ failed \(24 decode, 20 encode, \d+ refuse, 2 roundtrip; envelope: 9 decode, 9 encode, 7 refuse, 2 roundtrip; seed 7; one-shot\) in [\d.]+s: sh /,
    );
  });

  it("exits 0 when every case passes, and --json prints the whole report", () => {
    const run = orwire(["conformance", "--codec", REFERENCE, "--random", "3", "--random-events", "3", "--json"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout.toString("utf8")) as { failed: number; passed: number; cases: unknown[]; random: number };
    expect(report).toMatchObject({ failed: 0, random: 3, randomEvents: 3, events: true });
    expect(report.passed).toBe(report.cases.length);
  });

  it.each([
    ["passes a serve codec over --jobs processes, exit 0", [], 0, 0],
    [
      "fails the one case a serve codec crashes on and runs the rest, exit 1",
      ["--crash-on", vectors.valid.find((v) => v.name === "negative_zero")?.hex ?? ""],
      1,
      1,
    ],
  ])("%s", (_, faults, failed, status) => {
    const run = orwire([
      "conformance",
      "--codec",
      served(...faults),
      "--random",
      "50",
      "--random-events",
      "20",
      "--jobs",
      "3",
      "--protocol",
      "serve",
    ]);
    const lines = run.stdout.toString("utf8").trimEnd().split("\n");
    expect(lines.filter((line) => line.startsWith("FAIL"))).toEqual(failed === 0 ? [] : ["FAIL decode valid/negative_zero"]);
    expect(lines.filter((line) => line.startsWith("PASS"))).toHaveLength(
      lines.filter((line) => /^(PASS|FAIL) /.test(line)).length - failed,
    );
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^conformance: \\d+ passed, ${failed} failed \\(.*, 50 roundtrip; envelope: .*, 20 roundtrip; seed \\d+; serve\\) in [\\d.]+s: node `,
      ),
    );
    expect(run.status).toBe(status);
  });

  it("exits 0 when the only failures are listed known differences", () => {
    const known = vectors.invalidBinary.map((v) => `refuse invalid-binary/${v.name}=accepted`);
    const json = vectors.invalidJson.map((v) => `refuse invalid-json/${v.name}`);
    const cases = [
      ...vectors.valid.map((v) => `decode valid/${v.name}`),
      ...vectors.valid.filter((v) => !v.decode_only).map((v) => `encode valid/${v.name}`),
    ];
    const run = orwire([
      "conformance",
      "--codec",
      WRONG,
      "--random",
      "0",
      "--no-events",
      ...[...known, ...json, ...cases].flatMap((k) => ["--known-difference", k]),
    ]);
    expect(run.stdout.toString("utf8")).toContain("KNOWN refuse invalid-binary/truncated_string (protobuf): accepted");
    expect(run.stdout.toString("utf8")).toMatch(
      /conformance: 0 passed, 0 failed, \d+ known differences \(.*; envelope: skipped \(--no-events\); seed/,
    );
    expect(run.status).toBe(0);
  });

  it.each([
    [[], /needs --codec/],
    [["--codec", ""], /needs --codec/],
    [["--codec", "x", "--random=-1"], /--random must be an integer/],
    [["--codec", "x", "--random", "many"], /--random must be an integer/],
    [["--codec", "x", "--random-events=-1"], /--random-events must be an integer/],
    [["--codec", "x", "--no-events=yes"], /no-events/],
    [["--codec", "x", "--seed", "1.5"], /--seed must be an integer/],
    [["--codec", "x", "--jobs", "0"], /--jobs must be an integer/],
    [["--codec", "x", "--protocol", "pipes"], /--protocol must be one of auto, serve, one-shot/],
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
