import { describe, expect, it } from "vitest";
import { isBridgeError } from "../src/index.js";
import { readNatsHeaderBlock, writeNatsHeaderBlock } from "../src/nats/header-block.js";
import { natsOutgoingWriter } from "../src/nats/outgoing-writer.js";
import { toNatsMessage } from "../src/nats/records.js";
import { makeEvents, sseSample } from "./support/events.js";

describe("natsOutgoingWriter", () => {
  const events = [...makeEvents(50, { items: 5 }), ...sseSample(), { ...makeEvents(1)[0]!, itemId: 'ig_é 漢字 %"😀' }];

  it.each([
    [{}, undefined],
    [{ subjectPrefix: "p", source: "https://example.com/x y" }, "STREAM"],
  ])("builds, at each call, the headers of toNatsMessage, then Nats-Msg-Id and Nats-Expected-Stream (%o, %s)", (options, stream) => {
    const write = natsOutgoingWriter(options, stream);
    events.forEach((e, i) => {
      const expected = toNatsMessage(e, options);
      const m = write(e, i + 1);
      expect({ record: m.record, key: m.key, subject: m.subject, data: m.data, msgID: m.msgID }).toEqual({
        record: i + 1,
        key: e.itemId,
        subject: expected.subject,
        data: expected.data,
        msgID: expected.msgID,
      });
      const sent = readNatsHeaderBlock(m.headers(m.msgID).encode());
      expect(sent).toEqual([
        ...Object.entries(expected.headers),
        ["Nats-Msg-Id", expected.msgID],
        ...(stream === undefined ? [] : [["Nats-Expected-Stream", stream]]),
      ]);
      expect(m.headers(m.msgID)).not.toBe(m.headers(m.msgID));
      // byte for byte the block of writeNatsHeaderBlock
      expect(Buffer.from(m.headers(m.msgID).encode())).toEqual(Buffer.from(writeNatsHeaderBlock(sent).encode()));
    });
  });

  it("refuses what toNatsMessage refuses, with the same error", () => {
    const bad = { ...makeEvents(1)[0]!, outputIndex: Number.NaN };
    let expected: unknown;
    try {
      toNatsMessage(bad);
    } catch (err) {
      expected = err;
    }
    expect(() => natsOutgoingWriter({}, undefined)(bad, 1)).toThrow((expected as Error).message);
  });
});

describe("natsOutgoingWriter refusals", () => {
  it("refuses an expected stream that would break the header block at the first event, with invalid_header", () => {
    try {
      natsOutgoingWriter({}, "EVENTS\r\nX-Injected: 1")(makeEvents(1)[0]!, 1);
      expect.unreachable();
    } catch (err) {
      expect(isBridgeError(err) && [err.code, err.path]).toEqual(["invalid_header", ["headers", "Nats-Expected-Stream"]]);
    }
  });
});
