import { headers as natsHeaders } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { isBridgeError } from "../src/index.js";
import {
  type NatsHeaderBlock,
  natsHeaderBlockOf,
  natsHeaderBytePairs,
  readNatsHeaderBlock,
  writeNatsHeaderBlock,
} from "../src/nats/header-block.js";
import { readNatsMessage, toNatsMessage } from "../src/nats/records.js";

const block = (...lines: (string | Buffer)[]) =>
  Buffer.concat([
    Buffer.from("NATS/1.0\r\n"),
    ...lines.map((l) => Buffer.concat([Buffer.from(l), Buffer.from("\r\n")])),
    Buffer.from("\r\n"),
  ]);

describe("NATS header blocks read from their bytes", () => {
  it("reads names and values, trimming the spaces around a value, in order", () => {
    expect(readNatsHeaderBlock(block("ce-id: a:1", "Nats-Msg-Id:b", "x:  spaced  "))).toEqual([
      ["ce-id", "a:1"],
      ["Nats-Msg-Id", "b"],
      ["x", "spaced"],
    ]);
  });

  it("refuses a value that is not UTF-8 with invalid_header at its name", () => {
    const bytes = block(Buffer.concat([Buffer.from("ce-source: "), Buffer.from([0xff, 0xfe])]));
    expect([...natsHeaderBytePairs(bytes)[0]![1]]).toEqual([0xff, 0xfe]);
    try {
      readNatsHeaderBlock(bytes);
      expect.unreachable();
    } catch (err) {
      expect(isBridgeError(err) && [err.code, err.path]).toEqual(["invalid_header", ["headers", "ce-source"]]);
    }
  });

  it("readNatsMessage takes a header block: our message is read, and a ce-source of raw bytes is refused", () => {
    const m = toNatsMessage({ type: "response.image_generation_call.completed", itemId: "ig_1", outputIndex: 0, sequenceNumber: 2 });
    const lines = Object.entries(m.headers).map(([k, v]) => `${k}: ${v}`);
    expect(readNatsMessage({ data: m.data, headers: block(...lines) }).event.itemId).toBe("ig_1");
    const hostile = lines.map((l) =>
      l.startsWith("ce-source") ? Buffer.concat([Buffer.from("ce-source: "), Buffer.from([0xff, 0xfe])]) : l,
    );
    expect(() => readNatsMessage({ data: m.data, headers: block(...hostile) })).toThrow(/not valid UTF-8/);
  });

  it("finds the header block of a nats.js message, or says it cannot", () => {
    const raw = block("a: b");
    const data = Buffer.concat([raw, Buffer.from("payload")]);
    expect(natsHeaderBlockOf({ msg: { _rdata: data, _msg: { hdr: raw.length } } })).toEqual(raw);
    expect(natsHeaderBlockOf({ data: new Uint8Array(0) })).toBeUndefined();
  });
});

describe("NATS header blocks written", () => {
  const cases = [
    toNatsMessage({ type: "response.image_generation_call.completed", itemId: "ig_1", outputIndex: 0, sequenceNumber: 3 }),
    toNatsMessage(
      { type: "response.image_generation_call.completed", itemId: "ig_é 100%\u{1F600}", outputIndex: 2, sequenceNumber: 9 },
      { source: "urn:example:é svc" },
    ),
  ];

  it.each(cases.map((m, i) => [i, m] as const))("gives the bytes nats.js's own MsgHdrs gives (message %i)", (_, m) => {
    const pairs: [string, string][] = [...Object.entries(m.headers), ["Nats-Msg-Id", m.msgID], ["Nats-Expected-Stream", "EVENTS"]];
    const theirs = natsHeaders();
    for (const [name, value] of pairs) theirs.set(name, value);
    expect(Buffer.from(writeNatsHeaderBlock(pairs).encode()).toString("latin1")).toBe(
      Buffer.from((theirs as unknown as NatsHeaderBlock).encode()).toString("latin1"),
    );
    expect(readNatsHeaderBlock(writeNatsHeaderBlock(pairs).encode())).toEqual(pairs);
  });

  it.each([
    ["a value with CR LF", ["Nats-Msg-Id", "a\r\nX-Injected: 1"], "Nats-Msg-Id"],
    ["a value with LF", ["ce-source", "a\nb"], "ce-source"],
    ["a name with CR", ["ce\r-id", "a"], "ce\r-id"],
  ] as const)("refuses %s with invalid_header at its name", (_, pair, name) => {
    try {
      writeNatsHeaderBlock([["content-type", "application/protobuf"], pair]);
      expect.unreachable();
    } catch (err) {
      expect(isBridgeError(err) && [err.code, err.path]).toEqual(["invalid_header", ["headers", name]]);
    }
  });
});
