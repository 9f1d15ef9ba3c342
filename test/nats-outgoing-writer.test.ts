import { headers } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { natsOutgoingWriter } from "../src/nats/outgoing-writer.js";
import { toNatsMessage } from "../src/nats/records.js";
import { makeEvents, sseSample } from "./support/events.js";

describe("natsOutgoingWriter", () => {
  const events = [...makeEvents(50, { items: 5 }), ...sseSample(), { ...makeEvents(1)[0]!, itemId: 'ig_é 漢字 %"😀' }];

  it.each([
    [{}, undefined],
    [{ subjectPrefix: "p", source: "https://example.com/x y" }, "STREAM"],
  ])("builds, at each call, the headers of toNatsMessage, then Nats-Msg-Id and Nats-Expected-Stream (%o, %s)", (options, stream) => {
    const write = natsOutgoingWriter(options, headers, stream);
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
      const sent = [...m.headers(m.msgID)].map(([name, values]) => [name, ...values]);
      expect(sent).toEqual([
        ...Object.entries(expected.headers),
        ["Nats-Msg-Id", expected.msgID],
        ...(stream === undefined ? [] : [["Nats-Expected-Stream", stream]]),
      ]);
      expect(m.headers(m.msgID)).not.toBe(m.headers(m.msgID));
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
    expect(() => natsOutgoingWriter({}, headers, undefined)(bad, 1)).toThrow((expected as Error).message);
  });
});
