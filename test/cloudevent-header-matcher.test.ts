import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeEventMessage } from "../src/lifecycle.js";
import { matchNatsHeaderBlock, readNatsHeaderBlock } from "../src/nats/header-block.js";
import { readNatsMessage, toNatsMessage } from "../src/nats/records.js";
import { CloudEventHeaderMatcher } from "../src/transport/cloudevent-header-matcher.js";
import { eventId, fromCloudEventHeaders } from "../src/transport/cloudevents.js";
import { anyLifecycleEvent, runs, seed } from "./support/arbitraries.js";

const event = {
  type: "response.image_generation_call.completed",
  itemId: "ig_1",
  outputIndex: 0,
  sequenceNumber: 3,
} as const;
const ours = toNatsMessage(event);
const baseLines = [...Object.entries(ours.headers).map(([n, v]) => `${n}: ${v}`), `Nats-Msg-Id: ${ours.msgID}`];

const blockOf = (lines: (string | Uint8Array)[], eol = "\r\n") =>
  Buffer.concat([Buffer.from(`NATS/1.0${eol}`), ...lines.map((l) => Buffer.concat([Buffer.from(l), Buffer.from(eol)])), Buffer.from(eol)]);

/** What the exact reader makes of a block: the attributes, or the refusal's code, path and reason. */
function exact(block: Uint8Array): unknown {
  try {
    return fromCloudEventHeaders(readNatsHeaderBlock(block), "nats");
  } catch (err) {
    const e = err as { code: string; path: unknown; reason: string };
    return { code: e.code, path: e.path, reason: e.reason };
  }
}

function outcome(f: () => unknown): unknown {
  try {
    return f();
  } catch (err) {
    const e = err as { code: string; path: unknown; reason: string };
    return { code: e.code, path: e.path, reason: e.reason };
  }
}

/** One change to a line of the bridge's own block, among those the fast path must hand to the exact reader or read alike. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant("case" as const), at: fc.nat(), char: fc.nat() }),
  fc.record({ kind: fc.constant("twice" as const), at: fc.nat(), same: fc.boolean() }),
  fc.record({ kind: fc.constant("drop" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("value" as const),
    at: fc.nat(),
    value: fc.constantFrom(
      "%41",
      "%zz",
      "%FF",
      "%E2%82%AC",
      "\u00e9",
      "application/x-protobuf",
      "application/protobuf; x=1",
      "APPLICATION/PROTOBUF",
      "application/cloudevents+json",
      "1.1",
      "1.0",
      "response.image_generation_call.generating",
      "response.image_generation_call.nope",
      "",
      "ig_1:3",
      "ig_1:4",
      "/other",
    ),
  }),
  fc.record({
    kind: fc.constant("add" as const),
    line: fc.constantFrom(
      "content-type: application/protobuf",
      "Content-Type: text/plain",
      "ce-time: 2024-01-01",
      "ce-x: %zz",
      "x-other: \u00ff",
      "no colon here",
      ": empty name",
      "ce-dataschema: urn:x",
      "Nats-Expected-Stream: S",
    ),
    at: fc.nat(),
  }),
  fc.record({ kind: fc.constant("space" as const), at: fc.nat(), pad: fc.constantFrom(" ", "\t", "  \t") }),
  fc.record({ kind: fc.constant("bytes" as const), at: fc.nat(), byte: fc.constantFrom(0x80, 0xc3, 0xff, 0x00, 0x7f) }),
);

function mutate(lines: (string | Uint8Array)[], m: Record<string, unknown>) {
  const out = lines.slice();
  const at = (m.at as number) % Math.max(1, out.length);
  const line = String(out[at] ?? "");
  const colon = line.indexOf(":");
  switch (m.kind) {
    case "case": {
      const i = (m.char as number) % Math.max(1, colon);
      out[at] = line.slice(0, i) + line.charAt(i).toUpperCase() + line.slice(i + 1);
      break;
    }
    case "twice":
      out.splice(at, 0, m.same ? line : `${line}x`);
      break;
    case "drop":
      out.splice(at, 1);
      break;
    case "value":
      out[at] = `${line.slice(0, colon)}: ${m.value as string}`;
      break;
    case "add":
      out.splice(at, 0, m.line as string);
      break;
    case "space":
      out[at] = `${line.slice(0, colon + 1)}${m.pad as string}${line.slice(colon + 1).trim()}${m.pad as string}`;
      break;
    case "bytes":
      out[at] = Buffer.concat([Buffer.from(line), Buffer.from([m.byte as number])]);
      break;
  }
  return out;
}

describe("the bytewise CloudEvents header matcher", () => {
  it("reads the bridge's own headers, of every type, as the exact reader does", () => {
    fc.assert(
      fc.property(anyLifecycleEvent, (e) => {
        let m: ReturnType<typeof toNatsMessage>;
        try {
          m = toNatsMessage(e);
        } catch {
          return; // an event the bytes cannot carry
        }
        const block = blockOf([...Object.entries(m.headers).map(([n, v]) => `${n}: ${v}`), `Nats-Msg-Id: ${m.msgID}`]);
        const fast = matchNatsHeaderBlock(block, new CloudEventHeaderMatcher("nats"));
        if (fast !== undefined) expect(fast).toEqual(exact(block));
        // the fast path is taken unless the id needed escapes
        if (m.msgID === eventId(e)) expect(fast).toBeDefined();
      }),
      { numRuns: runs(500, 20_000), seed },
    );
  });

  it("gives the exact reader's attributes or leaves the block to it, for changed blocks; readNatsMessage refuses alike", () => {
    const data = encodeEventMessage(event);
    const matcher = new CloudEventHeaderMatcher("nats");
    let fastCount = 0;
    fc.assert(
      fc.property(fc.array(mutation, { maxLength: 3 }), fc.boolean(), (mutations, lfOnly) => {
        let lines: (string | Uint8Array)[] = baseLines;
        for (const m of mutations) lines = mutate(lines, m as Record<string, unknown>);
        const block = blockOf(lines, lfOnly ? "\n" : "\r\n");
        const expected = exact(block);
        const fast = matchNatsHeaderBlock(block, matcher);
        if (fast !== undefined) {
          fastCount++;
          expect(fast).toEqual(expected);
        }
        // the block read the exact way: its pairs, then the attributes, the data and the id check
        const viaExact = outcome(() => readNatsMessage({ data, headers: readNatsHeaderBlock(block) }));
        expect(outcome(() => readNatsMessage({ data, headers: block }))).toEqual(viaExact);
      }),
      { numRuns: runs(3_000, 100_000), seed },
    );
    expect(fastCount).toBeGreaterThan(0);
  });

  it("reads Kafka headers as fromCloudEventHeaders does, and leaves what it cannot decide", () => {
    const kafka = [
      ["content-type", "application/protobuf"],
      ["ce_specversion", "1.0"],
      ["ce_id", "ig_1:3"],
      ["ce_source", "/openresponses-wire"],
      ["ce_type", "response.image_generation_call.completed"],
    ] as [string, string][];
    const match = (headers: [string, string][]) => {
      const m = new CloudEventHeaderMatcher("kafka");
      m.begin();
      for (const [name, value] of headers) {
        const n = Buffer.from(name);
        const v = Buffer.from(value);
        if (!m.header(n, 0, n.length, 0, v.length, v)) break;
      }
      return m.end();
    };
    expect(match(kafka)).toEqual(fromCloudEventHeaders(kafka, "kafka"));
    expect(match([...kafka, ["ce_dataschema", "urn:x"], ["other", "\u00e9"]])).toBeUndefined();
    expect(match([...kafka, ["ce_dataschema", "urn:x"]])).toEqual(fromCloudEventHeaders([...kafka, ["ce_dataschema", "urn:x"]], "kafka"));
    expect(match([...kafka.slice(1), ["Content-Type", "application/protobuf"]])).toBeUndefined();
    expect(match([...kafka, ["ce_id", "ig_1:3"]])).toBeUndefined();
    expect(match(kafka.slice(1))).toBeUndefined();
    // a percent sign is nothing special on Kafka
    const percent: [string, string][] = kafka.map(([n, v]) => [n, n === "ce_id" ? "a%41:1" : v]);
    expect(match(percent)).toEqual(fromCloudEventHeaders(percent, "kafka"));
  });
});
