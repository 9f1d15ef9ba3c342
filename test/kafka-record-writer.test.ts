import { describe, expect, it } from "vitest";
import { kafkaHeaders, kafkaRecordParts } from "../src/kafka/record-writer.js";
import { toKafkaRecord } from "../src/kafka/records.js";
import { makeEvents, sseSample } from "./support/events.js";

describe("kafkaRecordParts and kafkaHeaders", () => {
  const events = [...makeEvents(50, { items: 5 }), ...sseSample(), { ...makeEvents(1)[0]!, itemId: 'ig_é 漢字 %"😀' }];
  const cases = [{}, { source: "https://example.com/x" }, { dataschema: "https://example.com/schema" }, { confluent: { schemaId: 7 } }];

  it.each(cases)("gives exactly the bytes of toKafkaRecord, for every type (%o)", (options) => {
    const write = kafkaRecordParts(options);
    for (const e of events) {
      const r = write(e);
      const headers = kafkaHeaders(r.fixed, r.id);
      const expected = toKafkaRecord(e, options);
      expect(r.key.toString()).toBe(expected.key);
      expect([...r.value]).toEqual([...expected.value]);
      expect([...headers].map(([k, v]) => [k.toString(), v.toString()])).toEqual(Object.entries(expected.headers));
      expect(r.id.toString()).toBe(expected.headers.ce_id);
      expect(r.bytes).toBe(r.key.length + r.value.length + [...headers].reduce((n, [k, v]) => n + k.length + v.length, 0));
      expect(kafkaHeaders(r.fixed, r.id)).not.toBe(headers);
    }
  });

  it("refuses what toKafkaRecord refuses, with the same error", () => {
    const bad = { ...makeEvents(1)[0]!, outputIndex: Number.NaN };
    let expected: unknown;
    try {
      toKafkaRecord(bad);
    } catch (err) {
      expected = err;
    }
    expect(() => kafkaRecordParts()(bad)).toThrow((expected as Error).message);
  });
});
