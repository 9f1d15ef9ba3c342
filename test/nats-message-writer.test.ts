import { describe, expect, it } from "vitest";
import { natsMessageWriter } from "../src/nats/message-writer.js";
import { toNatsMessage } from "../src/nats/records.js";
import { makeEvents, sseSample } from "./support/events.js";

describe("natsMessageWriter", () => {
  const events = [...makeEvents(50, { items: 5 }), ...sseSample(), { ...makeEvents(1)[0]!, itemId: 'ig_é 漢字 %"😀' }];
  const cases = [
    {},
    { subject: "one.subject" },
    { subjectPrefix: "p" },
    { source: "https://example.com/x y", dataschema: "https://example.com/schema" },
    { dataschema: (t: string) => `urn:x:${t}` },
  ];

  it.each(cases)("gives exactly what toNatsMessage gives, for every type (%o)", (options) => {
    const write = natsMessageWriter(options);
    for (const e of events) expect(write(e)).toEqual(toNatsMessage(e, options));
  });

  it("refuses what toNatsMessage refuses, with the same error", () => {
    const bad = { ...makeEvents(1)[0]!, outputIndex: Number.NaN };
    let expected: unknown;
    try {
      toNatsMessage(bad);
    } catch (err) {
      expected = err;
    }
    expect(() => natsMessageWriter()(bad)).toThrow((expected as Error).message);
  });
});
