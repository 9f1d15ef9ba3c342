import { murmur2 as platformaticMurmur2 } from "@platformatic/kafka";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  encode,
  encodeEventMessage,
  equalJson,
  IMAGE_GEN_CALL_COMPLETED,
  type ImageGenCallCompletedEvent,
  type ImageGenCallLifecycleEvent,
  messageNameOf,
} from "../src/index.js";
import {
  DEFAULT_KAFKA_TOPIC,
  fromKafkaRecord,
  type KafkaRecordInput,
  kafkaHeaderPairs,
  kafkaPartition,
  murmur2,
  toKafkaRecord,
} from "../src/kafka/index.js";
import { fromConfluent, toConfluent } from "../src/transport/index.js";
import { anyEvent, anyLifecycleEvent, seed } from "./support/arbitraries.js";
import { sseSample } from "./support/events.js";
import { codeAndPath } from "./support/refusal.js";

const T = IMAGE_GEN_CALL_COMPLETED;
const event: ImageGenCallCompletedEvent = {
  type: T,
  itemId: "ig_0c24cad2e1cb59201b3d503d387b03578e70c950ca42f",
  outputIndex: 0,
  sequenceNumber: 7,
};
const utf8 = (s: string) => new TextEncoder().encode(s);

/** The record as @platformatic/kafka delivers it: Buffer key, value, and a Map of Buffer headers. */
function asDelivered(r: { key: string; value: Uint8Array; headers: Record<string, string> }): KafkaRecordInput {
  return {
    key: Buffer.from(r.key),
    value: Buffer.from(r.value),
    headers: new Map(Object.entries(r.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
  };
}

describe("toKafkaRecord", () => {
  it("key item_id, value the message bytes, CloudEvents binary-mode headers", () => {
    expect(toKafkaRecord(event)).toEqual({
      key: event.itemId,
      value: encode(event),
      headers: {
        "content-type": "application/protobuf",
        ce_specversion: "1.0",
        ce_id: `${event.itemId}:7`,
        ce_source: "/openresponses-wire",
        ce_type: T,
        ce_dataschema: "urn:openresponses-wire:openresponses.v1.ImageGenCallCompleted",
      },
    });
    expect(DEFAULT_KAFKA_TOPIC).toBe("openresponses.image-generation-call");
  });

  it("takes source and dataschema from options, and frames the value for Confluent when asked", () => {
    const record = toKafkaRecord(event, { source: "urn:svc:a", dataschema: "https://schemas.example/x", confluent: { schemaId: 7 } });
    expect(record.headers.ce_source).toBe("urn:svc:a");
    expect(record.headers.ce_dataschema).toBe("https://schemas.example/x");
    expect(record.value).toEqual(toConfluent(encode(event), { schemaId: 7 }));
  });

  it("refuses an event the bytes cannot carry, naming the field", () => {
    expect(codeAndPath(() => toKafkaRecord({ ...event, outputIndex: Number.NaN }))).toEqual({ code: "not_finite", path: ["outputIndex"] });
  });
});

describe("fromKafkaRecord", () => {
  it("reads back any event, Object.is-equal, from the record as written or as a client delivers it", () => {
    fc.assert(
      fc.property(anyEvent, (e) => {
        const record = toKafkaRecord(e as ImageGenCallCompletedEvent);
        expect(equalJson(fromKafkaRecord(record), e)).toBe(true);
        expect(equalJson(fromKafkaRecord(asDelivered(record)), e)).toBe(true);
      }),
      { seed, numRuns: 300 },
    );
  });

  it("reads kafkajs-style headers (an object, values Buffer, string or arrays) and Confluent-framed values", () => {
    const record = toKafkaRecord(event, { confluent: { schemaId: 1, messageIndexes: [0] } });
    const headers: Record<string, Buffer | string | (Buffer | string)[]> = {
      ...record.headers,
      ce_id: [Buffer.from(record.headers.ce_id!)],
    };
    expect(fromKafkaRecord({ key: null, value: record.value, headers })).toEqual(event);
  });

  const ours = toKafkaRecord(event);
  const other = toKafkaRecord({ ...event, itemId: "ig_2" });
  const withHeaders = (changes: Record<string, string | undefined>): KafkaRecordInput => {
    const headers: Record<string, string> = { ...ours.headers };
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined) delete headers[k];
      else headers[k] = v;
    }
    return { ...ours, headers };
  };

  it.each([
    ["no headers at all", { key: ours.key, value: ours.value }, "unsupported_content_type", ["headers", "content-type"]],
    ["JSON content", withHeaders({ "content-type": "application/json" }), "unsupported_content_type", ["headers", "content-type"]],
    [
      "structured mode",
      withHeaders({ "content-type": "application/cloudevents+json" }),
      "unsupported_content_type",
      ["headers", "content-type"],
    ],
    ["another event type", withHeaders({ ce_type: "response.output_text.delta" }), "not_our_record", ["headers", "ce_type"]],
    ["no ce_type", withHeaders({ ce_type: undefined }), "not_our_record", ["headers", "ce_type"]],
    ["a tombstone (no value)", { ...ours, value: null }, "not_our_record", ["value"]],
    ["bytes that are not a message", { ...ours, value: Uint8Array.of(0x0a, 0x05, 0x61) }, "truncated", ["itemId"]],
    ["an empty value", { ...ours, value: new Uint8Array(0) }, "missing_field", ["itemId"]],
    ["a broken Confluent frame", { ...ours, value: Uint8Array.of(0x00, 0x00) }, "truncated", []],
    ["a ce_id of another event", withHeaders({ ce_id: other.headers.ce_id }), "header_mismatch", ["headers", "ce_id"]],
    ["a key of another item", { ...ours, key: "ig_2" }, "header_mismatch", ["key"]],
    [
      "a header value that is not UTF-8",
      { ...ours, headers: { ...ours.headers, ce_source: Buffer.from([0xff]) } },
      "invalid_header",
      ["headers", "ce_source"],
    ],
  ] as const)("refuses %s", (_, record, code, path) => {
    expect(codeAndPath(() => fromKafkaRecord(record as KafkaRecordInput))).toEqual({ code, path });
  });

  it("checks the headers before the value: a record of another type is never decoded", () => {
    const record = { ...withHeaders({ ce_type: "response.completed" }), value: utf8('{"type":"response.completed"}') };
    expect(codeAndPath(() => fromKafkaRecord(record))).toEqual({ code: "not_our_record", path: ["headers", "ce_type"] });
  });

  it("normalizes every client's header shape to text pairs, keeping repeated headers", () => {
    const expected = [
      ["a", "1"],
      ["b", "2"],
      ["b", "3"],
    ];
    expect(
      kafkaHeaderPairs(
        new Map<Buffer | string, Buffer>([
          [Buffer.from("a"), Buffer.from("1")],
          ["b", Buffer.from("2")],
        ]),
      ),
    ).toEqual(expected.slice(0, 2));
    expect(
      kafkaHeaderPairs([
        [Buffer.from("a"), "1"],
        ["b", Buffer.from("2")],
        ["b", "3"],
      ]),
    ).toEqual(expected);
    expect(kafkaHeaderPairs({ a: "1", b: [Buffer.from("2"), "3"] })).toEqual(expected);
    expect(kafkaHeaderPairs(undefined)).toEqual([]);
  });
});

describe("records of every lifecycle type", () => {
  const sample = sseSample();
  const oneOfEach = [...new Map(sample.map((e) => [e.type, e])).values()];
  const INDEX: Record<string, number> = {
    "response.image_generation_call.completed": 0,
    "response.image_generation_call.in_progress": 1,
    "response.image_generation_call.generating": 2,
    "response.image_generation_call.partial_image": 3,
  };

  it.each(oneOfEach.map((e) => [e.type, e] as const))(
    "%s: the value is its own message, ce_type its type, ce_dataschema its message",
    (type, e) => {
      const record = toKafkaRecord(e);
      expect(record.key).toBe(e.itemId);
      expect(record.value).toEqual(encodeEventMessage(e));
      expect(record.headers).toEqual({
        "content-type": "application/protobuf",
        ce_specversion: "1.0",
        ce_id: `${e.itemId}:${e.sequenceNumber}`,
        ce_source: "/openresponses-wire",
        ce_type: type,
        ce_dataschema: `urn:openresponses-wire:${messageNameOf(type)}`,
      });
      expect(equalJson(fromKafkaRecord(asDelivered(record)), e)).toBe(true);
    },
  );

  it("a completed event's record is unchanged: the value is exactly encode(event)", () => {
    fc.assert(
      fc.property(anyEvent, (e) => {
        expect(Buffer.from(toKafkaRecord(e).value).equals(Buffer.from(encode(e)))).toBe(true);
      }),
      { seed, numRuns: 200 },
    );
  });

  it("reads back any lifecycle event, Object.is-equal, plain or Confluent-framed", () => {
    fc.assert(
      fc.property(anyLifecycleEvent, (e) => {
        const record = toKafkaRecord(e);
        expect(record.headers.ce_type).toBe(e.type);
        expect(equalJson(fromKafkaRecord(record), e)).toBe(true);
        expect(equalJson(fromKafkaRecord(asDelivered(record)), e)).toBe(true);
        expect(equalJson(fromKafkaRecord(toKafkaRecord(e, { confluent: { schemaId: 5 } })), e)).toBe(true);
      }),
      { seed, numRuns: 300 },
    );
  });

  it("the SSE sample's 10 events, partial images included, round-trip in order", () => {
    const back: ImageGenCallLifecycleEvent[] = sample.map((e) => fromKafkaRecord(asDelivered(toKafkaRecord(e))));
    expect(sample).toHaveLength(10);
    expect(back.map((b, i) => equalJson(b, sample[i]))).toEqual(new Array(10).fill(true));
  });

  it.each(oneOfEach.map((e) => [e.type, e] as const))(
    "%s: Confluent framing names its message's index in the .proto file by default",
    (type, e) => {
      const frame = fromConfluent(toKafkaRecord(e, { confluent: { schemaId: 9 } }).value);
      expect(frame.messageIndexes).toEqual([INDEX[type]]);
      expect(frame.message).toEqual(encodeEventMessage(e));
      // explicit indexes win
      expect(fromConfluent(toKafkaRecord(e, { confluent: { schemaId: 9, messageIndexes: [7] } }).value).messageIndexes).toEqual([7]);
    },
  );

  const partial = oneOfEach.find((e) => e.type === "response.image_generation_call.partial_image")!;
  const completed = oneOfEach.find((e) => e.type === T)!;
  const relabel = (r: { key: string; value: Uint8Array; headers: Record<string, string> }, type: string): KafkaRecordInput => ({
    ...r,
    headers: { ...r.headers, ce_type: type },
  });

  it.each([
    [
      "a type outside the lifecycle",
      relabel(toKafkaRecord(partial), "response.image_generation_call.failed"),
      "not_our_record",
      ["headers", "ce_type"],
    ],
    ["a completed message labelled a partial image", relabel(toKafkaRecord(completed), partial.type), "missing_field", ["partialImageB64"]],
    [
      "a partial image whose ce_id names another event",
      { ...toKafkaRecord(partial), headers: { ...toKafkaRecord(partial).headers, ce_id: "ig_x:1" } },
      "header_mismatch",
      ["headers", "ce_id"],
    ],
  ] as const)("refuses %s", (_, record, code, path) => {
    expect(codeAndPath(() => fromKafkaRecord(record as KafkaRecordInput))).toEqual({ code, path });
  });
});

describe("kafkaPartition", () => {
  it("hashes like Kafka's Java client: murmur2 test vectors from Kafka's own tests", () => {
    const vectors: [string, number][] = [
      ["21", -973932308],
      ["foobar", -790332482],
      ["a-little-bit-long-string", -985981536],
      ["a-little-bit-longer-string", -1486304829],
      ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
      ["abc", 479470107],
    ];
    for (const [key, hash] of vectors) expect(murmur2(utf8(key))).toBe(hash);
  });

  it("agrees with @platformatic/kafka's murmur2 on any key, and picks partition (hash & 0x7fffffff) % n", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 1, max: 1000 }), (key, n) => {
        const hash = platformaticMurmur2(Buffer.from(key));
        expect(murmur2(key)).toBe(hash | 0);
        expect(kafkaPartition(key, n)).toBe((hash & 0x7fffffff) % n);
      }),
      { seed, numRuns: 2000 },
    );
    expect(kafkaPartition("ig_é", 3)).toBe(kafkaPartition(utf8("ig_é"), 3));
  });

  it("refuses a partition count that is not a positive integer", () => {
    expect(() => kafkaPartition("k", 0)).toThrow(RangeError);
  });
});
