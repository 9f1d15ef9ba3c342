import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { decode, encode, encodeEvent, equalJson, fromJson, type ImageGenCallCompletedEvent } from "../src/index.js";
import { delimit } from "../src/transport/index.js";
import { ORWIRE, orwire } from "./support/cli.js";

const T = "response.image_generation_call.completed" as const;
const dir = mkdtempSync(join(tmpdir(), "orwire-cli-"));
const wire = (id: string, o: number | string, s: number) => `{"type":"${T}","item_id":"${id}","output_index":${o},"sequence_number":${s}}`;
const sdkEvent: ImageGenCallCompletedEvent = { type: T, itemId: "ig_1", outputIndex: 3469.55, sequenceNumber: 0 };

describe("orwire encode", () => {
  it("raw: one JSON value in, exactly the message bytes out", () => {
    const run = orwire(["encode"], JSON.stringify(sdkEvent));
    expect(run.status).toBe(0);
    expect(new Uint8Array(run.stdout)).toEqual(encode(sdkEvent));
    expect(orwire(["encode", "--format", "raw"], wire("ig_1", 0, 1)).stdout).toEqual(
      Buffer.from(encode(fromJson(JSON.parse(wire("ig_1", 0, 1))))),
    );
  });

  it("raw: invalid input exits 1 with the record, path and reason, and writes nothing", () => {
    const run = orwire(["encode"], wire("ig_1", '"zero"', 1));
    expect(run.status).toBe(1);
    expect(run.stdout.length).toBe(0);
    expect(run.stderr).toBe("orwire: record 1: output_index: expected a number, got a string (invalid_type)\n");
  });

  it("delimited: NDJSON in (blank lines skipped, either shape), length-prefixed messages out", () => {
    const lines = [wire("ig_a", 0, 1), "", JSON.stringify(sdkEvent), "  ", wire("ig_b", -0, 2)];
    const run = orwire(["encode", "--format", "delimited"], `${lines.join("\n")}\r\n`);
    expect(run.status).toBe(0);
    const expected = [lines[0]!, lines[2]!, lines[4]!].map((l) => delimit(encode(fromJson(JSON.parse(l)))));
    expect(run.stdout).toEqual(Buffer.concat(expected));
  });

  it("delimited: stops at the bad record, naming it and its line; earlier records are written", () => {
    const run = orwire(["encode", "--format", "delimited"], [wire("ig_a", 0, 1), "", wire("ig_b", 0, 2), "{not json"].join("\n"));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^orwire: record 3 \(line 4\): \(root\): not JSON: .* \(invalid_json\)\n$/);
    expect(run.stdout).toEqual(
      Buffer.concat([wire("ig_a", 0, 1), wire("ig_b", 0, 2)].map((l) => delimit(encode(fromJson(JSON.parse(l)))))),
    );
  });

  it("refuses a line that is not valid UTF-8 instead of replacing bytes", () => {
    const input = Buffer.concat([
      Buffer.from(`{"type":"${T}","item_id":"ig_`),
      Buffer.from([0xff]),
      Buffer.from('","output_index":0,"sequence_number":1}'),
    ]);
    const run = orwire(["encode", "--format", "delimited"], input);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("record 1: (root): line is not valid UTF-8 (invalid_utf8)");
  });

  it("--dead-letter: bad records go to the file with the input and reason; the run goes on and exits 0", () => {
    const deadLetter = join(dir, "encode-dead.ndjson");
    const lines = [wire("ig_a", 0, 1), wire("ig_\\ud800", 0, 2), wire("ig_c", 0, 3), `{"type":"${T}","itemId":"x"}`];
    const run = orwire(["encode", "--format", "delimited", "--dead-letter", deadLetter], lines.join("\n"));
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(`orwire encode: 2 of 4 records encoded, 2 sent to ${deadLetter}\n`);
    const dead = readFileSync(deadLetter, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(dead).toEqual([
      {
        record: 2,
        code: "lone_surrogate",
        path: ["item_id"],
        reason: "string has a lone UTF-16 surrogate, which UTF-8 cannot carry",
        input: lines[1],
      },
      { record: 4, code: "missing_field", path: ["outputIndex"], reason: "required, expected a number", input: lines[3] },
    ]);
  });
});

describe("orwire decode", () => {
  it("raw: the message bytes in, one compact JSON line out, SDK shape by default, -0 kept", () => {
    const event = { ...sdkEvent, sequenceNumber: -0, meta: { n: -0 } };
    const run = orwire(["decode"], encode(event));
    expect(run.status).toBe(0);
    expect(run.stdout.toString()).toBe(`{"type":"${T}","itemId":"ig_1","outputIndex":3469.55,"sequenceNumber":-0,"meta":{"n":-0}}\n`);
    expect(orwire(["decode", "--shape", "wire"], encode(event)).stdout.toString()).toBe(
      `{"type":"${T}","item_id":"ig_1","output_index":3469.55,"sequence_number":-0,"meta":{"n":-0}}\n`,
    );
  });

  it("raw: bytes that are not a message exit 1 naming the field", () => {
    const run = orwire(["decode"], Uint8Array.of(0x0a, 0x02, 0xff, 0xfe, 0x10, 0x00, 0x18, 0x03));
    expect(run.status).toBe(1);
    expect(run.stdout.length).toBe(0);
    expect(run.stderr).toBe("orwire: record 1: itemId: string is not valid UTF-8 (invalid_utf8)\n");
  });

  it("delimited: reads back what encode wrote, in either shape", () => {
    const ndjson = readFileSync(new URL("../examples/completed-events.ndjson", import.meta.url), "utf8");
    const encoded = orwire(["encode", "--format", "delimited"], ndjson);
    const decoded = orwire(["decode", "--format", "delimited", "--shape", "wire"], encoded.stdout);
    expect(decoded.status).toBe(0);
    const back = decoded.stdout
      .toString()
      .trim()
      .split("\n")
      .map((l) => fromJson(JSON.parse(l)));
    const original = ndjson
      .trim()
      .split("\n")
      .map((l) => fromJson(JSON.parse(l)));
    expect(back.length).toBe(original.length);
    expect(back.every((e, i) => equalJson(e, original[i]))).toBe(true);
  });

  it("delimited: a stream cut inside a frame exits 1 naming the record", () => {
    const stream = Buffer.concat([delimit(encode(sdkEvent)), delimit(encode(sdkEvent))]);
    const run = orwire(["decode", "--format", "delimited"], stream.subarray(0, stream.length - 2));
    expect(run.status).toBe(1);
    expect(run.stdout.toString().split("\n").length).toBe(2);
    expect(run.stderr).toContain("orwire: record 2: (root): stream ends inside a frame");
  });

  it("delimited: --max-message-bytes refuses a larger frame", () => {
    const run = orwire(["decode", "--format", "delimited", "--max-message-bytes", "10"], delimit(encode(sdkEvent)));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("(too_large)");
  });

  it("--dead-letter: a bad message goes to the file as base64 and the rest decode", () => {
    const deadLetter = join(dir, "decode-dead.ndjson");
    const bad = Uint8Array.of(0x10, 0x00, 0x18, 0x03);
    const run = orwire(
      ["decode", "--format", "delimited", "--dead-letter", deadLetter],
      Buffer.concat([delimit(encode(sdkEvent)), delimit(bad), delimit(encode(sdkEvent))]),
    );
    expect(run.status).toBe(0);
    expect(run.stdout.toString().trim().split("\n")).toHaveLength(2);
    expect(JSON.parse(readFileSync(deadLetter, "utf8"))).toEqual({
      record: 2,
      code: "missing_field",
      path: ["itemId"],
      reason: "item_id (field 1) is absent",
      input_base64: Buffer.from(bad).toString("base64"),
    });
  });

  it("reads a file argument as well as stdin", () => {
    const file = join(dir, "one.bin");
    writeFileSync(file, encode(sdkEvent));
    expect(decode(encode(fromJson(JSON.parse(orwire(["decode", file]).stdout.toString()))))).toEqual(sdkEvent);
  });
});

describe("orwire usage", () => {
  it.each([
    [["encode", "--format", "json"], "--format must be one of raw, delimited"],
    [["decode", "--shape", "camel"], "--shape must be one of sdk, wire"],
    [["encode", "--bogus"], "Unknown option '--bogus'"],
    [["encode", "a", "b"], "expected at most one input file"],
    [["decode", "/nonexistent/input.bin"], "cannot read /nonexistent/input.bin: no such file or directory"],
    [["frobnicate"], "unknown command frobnicate"],
    [["decode", "--max-message-bytes", "0"], "--max-message-bytes must be a positive integer"],
  ])("exits 2 for %j", (args, message) => {
    const run = orwire(args);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it("prints help and version", () => {
    expect(orwire(["--help"]).stdout.toString()).toContain("orwire encode [--format raw|delimited]");
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    expect(orwire(["--version"]).stdout.toString()).toBe(`${pkg.version}\n`);
  });
});

describe("orwire demo", () => {
  it("round-trips the shipped sample through a size-delimited file and reports sizes and rates", () => {
    const run = orwire(["demo"]);
    expect(run.status).toBe(0);
    const out = run.stdout.toString();
    expect(out).toContain("orwire demo: 1,001 events from examples/completed-events.ndjson");
    expect(out).toMatch(/protobuf +54,017 bytes +54\.0 B\/event, 36\.1% of JSON/);
    expect(out).toContain("lossless   1,001 of 1,001 events identical");
    expect(out).toContain("lifecycle  10 image generation call events from examples/image-generation.sse (7 other events skipped)");
    expect(out).toMatch(/partial_image +4 events +62,794 bytes of JSON -> +46,745 of protobuf \(74\.4%\)/);
    expect(out).toContain("lossless   10 of 10 lifecycle events identical after the round trip");
  });

  it("fails on a sample with a bad record, naming it", () => {
    const file = join(dir, "bad.ndjson");
    writeFileSync(file, `${wire("ig_a", 0, 1)}\n${wire("ig_b", "null", 2)}\n`);
    const run = orwire(["demo", "--events", file]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe("orwire: record 2: output_index: expected a number, got null (invalid_type)\n");
  });
});

describe("orwire encode --input sse", () => {
  const sse = new URL("../examples/image-generation.sse", import.meta.url);
  const text = readFileSync(sse, "utf8");
  const streamed = text
    .split("\n")
    .filter((l) => l.startsWith("data: {"))
    .map((l) => JSON.parse(l.slice(6)) as { type: string })
    .filter((d) => d.type.startsWith("response.image_generation_call."));

  it("encodes the image generation call events of a Responses stream, skips and counts the others", () => {
    const run = orwire(["encode", "--input", "sse", fileURLToPath(sse)]);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(
      "orwire encode: 10 image generation call events encoded; 7 other events skipped (response.created 1, response.in_progress 1, response.output_item.added 2, response.output_item.done 2, response.completed 1)\n",
    );
    const decoded = orwire(["decode", "--format", "delimited", "--shape", "wire"], run.stdout);
    expect(decoded.status).toBe(0);
    const back = decoded.stdout
      .toString()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as unknown);
    expect(back).toHaveLength(streamed.length);
    for (const [i, event] of back.entries()) expect(equalJson(event, streamed[i])).toBe(true);
  });

  it("writes at most 76% of the stream's JSON bytes for the partial images", () => {
    const events = streamed.filter((d) => d.type.endsWith(".partial_image"));
    const json = events.reduce((n, d) => n + Buffer.byteLength(JSON.stringify(d)), 0);
    const binary = events.reduce((n, d) => n + encodeEvent(fromJson(d)).length, 0);
    expect(binary / json).toBeLessThanOrEqual(0.76);
  });

  it("refuses malformed SSE with its line number and keeps what came before", () => {
    const broken = `${text.split("\n\n").slice(0, 6).join("\n\n")}\n\nevent: response.image_generation_call.completed\nbogus line\n\n`;
    const run = orwire(["encode", "--input", "sse"], broken);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('orwire: line 20: unknown field "bogus line" (invalid_sse)\n');
    expect(orwire(["decode", "--format", "delimited"], run.stdout).stdout.toString().trim().split("\n")).toHaveLength(2);
  });

  it("is a usage error with --format raw", () => {
    const run = orwire(["encode", "--input", "sse", "--format", "raw"], text);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--input sse writes many messages");
  });
});

describe("orwire encode --message event", () => {
  it("writes envelopes for any lifecycle event, which decode tells apart from completed messages", () => {
    const lines = [
      `{"type":"response.image_generation_call.in_progress","item_id":"ig_1","output_index":0,"sequence_number":1}`,
      `{"type":"response.image_generation_call.partial_image","item_id":"ig_1","output_index":0,"sequence_number":2,"partial_image_index":0,"partial_image_b64":"QUJD"}`,
      wire("ig_1", 0, 3),
    ];
    const run = orwire(["encode", "--format", "delimited", "--message", "event"], lines.join("\n"));
    expect(run.status).toBe(0);
    const back = orwire(["decode", "--format", "delimited", "--shape", "wire"], run.stdout).stdout.toString().trim().split("\n");
    expect(back.map((l) => JSON.parse(l) as unknown)).toEqual(lines.map((l) => JSON.parse(l) as unknown));
    expect(orwire(["decode", "--format", "delimited", "--message", "completed"], run.stdout).status).toBe(1);
  });

  it("refuses other lifecycle events when writing completed messages", () => {
    const run = orwire(
      ["encode"],
      `{"type":"response.image_generation_call.generating","item_id":"ig_1","output_index":0,"sequence_number":1}`,
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('type: expected "response.image_generation_call.completed" (invalid_literal)');
  });
});

describe("orwire on hostile input", () => {
  const frame = (id: string) => delimit(encode({ type: T, itemId: id, outputIndex: 0, sequenceNumber: 7 }));

  it("decode: writes every record before an over-long length prefix in the same chunk, then exits 1", () => {
    const good = Array.from({ length: 10_000 }, (_, i) => frame(`ig_${i}`));
    const run = orwire(["decode", "--format", "delimited"], Buffer.concat([...good, Buffer.alloc(11, 0xff)]));
    expect(run.status).toBe(1);
    expect(run.stdout.toString().trim().split("\n")).toHaveLength(10_000);
    expect(run.stderr).toBe(
      "orwire: record 10001: (root): length prefix is longer than 32 bits (varint_overflow); the stream cannot be read past it\n",
    );
  });

  it("decode: sends a bad record before a broken prefix to the dead letter, then exits 1", () => {
    const deadLetter = join(dir, "before-break.ndjson");
    const bad = Uint8Array.of(0x10, 0x00, 0x18, 0x03);
    const run = orwire(
      ["decode", "--format", "delimited", "--dead-letter", deadLetter],
      Buffer.concat([frame("ig_1"), delimit(bad), frame("ig_3"), Buffer.alloc(11, 0xff)]),
    );
    expect(run.status).toBe(1);
    expect(run.stdout.toString().trim().split("\n")).toHaveLength(2);
    expect(JSON.parse(readFileSync(deadLetter, "utf8"))).toMatchObject({ record: 2, code: "missing_field" });
    expect(run.stderr).toContain("record 4: (root): length prefix is longer than 32 bits (varint_overflow)");
  });

  it("decode reads with its defaults a 3 MB partial image that encode wrote with its defaults", () => {
    const line = `{"type":"response.image_generation_call.partial_image","item_id":"ig_1","output_index":0,"sequence_number":2,"partial_image_index":0,"partial_image_b64":"${"QUJD".repeat(750_000)}"}`;
    const encoded = orwire(["encode", "--format", "delimited", "--message", "event"], line);
    expect(encoded.status).toBe(0);
    const decoded = orwire(["decode", "--format", "delimited", "--shape", "wire"], encoded.stdout);
    expect(decoded.status).toBe(0);
    expect(JSON.parse(decoded.stdout.toString())).toEqual(JSON.parse(line));
  });

  it("encode: refuses a message above --max-message-bytes as too_large, naming the record, after the ones before", () => {
    const run = orwire(
      ["encode", "--format", "delimited", "--max-message-bytes", "100"],
      `${wire("ig_1", 0, 1)}\n${wire("i".repeat(200), 0, 2)}\n`,
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toEqual(Buffer.from(delimit(encode(fromJson(JSON.parse(wire("ig_1", 0, 1)))))));
    expect(run.stderr).toBe(
      "orwire: record 2: (root): message is 207 bytes, above the maximum frame of 100 (maxMessageBytes) (too_large)\n",
    );
  });

  it("encode: refuses a message above the 16 MiB default, the bound decode reads with", () => {
    const run = orwire(["encode", "--format", "delimited"], wire("i".repeat(16 << 20), 0, 1));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      "record 1: (root): message is 16777225 bytes, above the maximum frame of 16777216 (maxMessageBytes) (too_large)",
    );
  });

  it.each([
    ["an NDJSON line", ["encode", "--format", "delimited"]],
    ["raw input", ["encode"]],
  ])("refuses a repeated member name in %s as ambiguous_key, naming it", (_, args) => {
    const run = orwire(args, `{"type":"response.output_text.delta","type":"${T}","item_id":"ig_1","output_index":0,"sequence_number":1}\n`);
    expect(run.status).toBe(1);
    expect(run.stdout.length).toBe(0);
    expect(run.stderr).toMatch(/^orwire: record 1: type: the member name "type" appears twice in one object; .* \(ambiguous_key\)\n$/);
  });

  it("skips one BOM at the start of the input, and refuses one anywhere else", () => {
    const bom = "\uFEFF";
    expect(orwire(["encode"], `${bom}${wire("ig_1", 0, 1)}`).stdout).toEqual(Buffer.from(encode(fromJson(JSON.parse(wire("ig_1", 0, 1))))));
    const ndjson = orwire(["encode", "--format", "delimited"], `${bom}${wire("ig_1", 0, 1)}\n${wire("ig_2", 0, 2)}\n`);
    expect(ndjson.status).toBe(0);
    expect(ndjson.stdout).toEqual(
      Buffer.concat([delimit(encode(fromJson(JSON.parse(wire("ig_1", 0, 1))))), delimit(encode(fromJson(JSON.parse(wire("ig_2", 0, 2)))))]),
    );
    const second = orwire(["encode", "--format", "delimited"], `${wire("ig_1", 0, 1)}\n${bom}${wire("ig_2", 0, 2)}\n`);
    expect(second.status).toBe(1);
    expect(second.stderr).toContain("record 2: (root): not JSON");
    expect(orwire(["encode"], `${bom}${bom}${wire("ig_1", 0, 1)}`).status).toBe(1);
  });

  it("cuts a huge value short in an error line, saying how long it was", () => {
    const key = JSON.stringify("k".repeat(1_200_000));
    const run = orwire(
      ["encode", "--format", "delimited"],
      `{"type":"${T}","item_id":"ig_1","output_index":0,"sequence_number":1,${key}:1,${key}:2}\n`,
    );
    expect(run.status).toBe(1);
    expect(run.stderr.length).toBeLessThan(600);
    expect(run.stderr).toMatch(
      /^orwire: record 1: \["k+…\[1200002 characters\]…k+"\]: the member name "k+…\[1200002 characters\]…k+" appears twice in one object; .* \(ambiguous_key\)\n$/,
    );
  });
});

describe("orwire failures are one line", () => {
  const oneLine = (stderr: string) => stderr.split("\n").filter((l) => l !== "" && !l.startsWith("Run 'orwire"));

  it.each([
    [
      "--dead-letter in a folder that does not exist",
      ["encode", "--format", "delimited", "--dead-letter", "/nonexistent/dead.ndjson"],
      2,
      "cannot write /nonexistent/dead.ndjson: no such file or directory (ENOENT)",
    ],
    [
      "--dead-letter naming a folder",
      ["decode", "--format", "delimited", "--dead-letter", tmpdir()],
      2,
      `cannot write ${tmpdir()}: it is a directory (EISDIR)`,
    ],
    ["a folder as the input", ["encode", "--format", "delimited", tmpdir()], 2, `cannot read ${tmpdir()}: it is a directory`],
    ["a missing input", ["decode", "/nonexistent/input.bin"], 2, "cannot read /nonexistent/input.bin: no such file or directory (ENOENT)"],
  ])("%s", (_, args, status, message) => {
    const run = orwire(args, wire("ig_1", 0, 1));
    expect(run.status).toBe(status);
    expect(oneLine(run.stderr)).toEqual([`orwire: ${message}`]);
  });

  it("stdout on a full disk", () => {
    const out = openSync("/dev/full", "w");
    try {
      const run = spawnSync(process.execPath, [ORWIRE, "encode", "--format", "delimited"], {
        input: `${wire("ig_1", 0, 1)}\n`,
        stdio: ["pipe", out, "pipe"],
      });
      expect(run.status).toBe(1);
      expect(run.stderr.toString()).toBe("orwire: cannot write stdout: no space left on device (ENOSPC)\n");
    } finally {
      closeSync(out);
    }
  });
});

describe("orwire flags", () => {
  it.each([
    [["encode", "--format", "raw", "--format", "delimited"], '--format is given twice with different values ("raw", "delimited")'],
    [["decode", "--max-message-bytes", "10", "--max-message-bytes", "20"], "--max-message-bytes is given twice"],
    [["consume", "--nats", "a", "--nats", "b"], "--nats is given twice"],
  ])("a flag given twice with different values is a usage error: %j", (args, message) => {
    const run = orwire(args);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it("a flag given twice with the same value is taken", () => {
    expect(orwire(["encode", "--format", "raw", "--format", "raw"], wire("ig_1", 0, 1)).status).toBe(0);
  });

  it.each(["encode", "decode", "demo", "publish", "consume", "conformance"])(
    "orwire %s --help prints that command's help and exits 0",
    (command) => {
      for (const flag of ["--help", "-h"]) {
        const run = orwire([command, "--format", "raw", flag]);
        expect(run.status).toBe(0);
        const out = run.stdout.toString();
        expect(out).toContain(`  orwire ${command} `);
        expect(out.match(/^ {2}orwire \w+/gm)!.every((l) => l === `  orwire ${command}`)).toBe(true);
        expect(out).toContain("Exit codes:");
      }
    },
  );

  it("the help documents --max-message-bytes for encode and decode", () => {
    for (const command of ["encode", "decode"]) expect(orwire([command, "--help"]).stdout.toString()).toContain("--max-message-bytes N");
  });
});
