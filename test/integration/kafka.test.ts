import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IMAGE_GEN_CALL_COMPLETED, type ImageGenCallLifecycleEvent } from "../../src/index.js";
import {
  consumeFromKafka,
  ensureKafkaTopic,
  KAFKA_DEAD_LETTER_HEADERS,
  type KafkaEventContext,
  kafkaPartition,
  publishToKafka,
  toKafkaRecord,
} from "../../src/kafka/index.js";
import { requireBroker, runTag } from "../support/brokers.js";
import { makeEvents, sseSample } from "../support/events.js";
import { kafkaAdmin, kafkaConsumer, kafkaProducer, tally } from "../support/queue-clients.js";

const available = await requireBroker("kafka");
const tag = runTag();
const T = IMAGE_GEN_CALL_COMPLETED;

describe.skipIf(!available)("Kafka (@platformatic/kafka against a real broker)", () => {
  const producer = kafkaProducer();
  const admin = kafkaAdmin();
  const received =
    (into: { event: ImageGenCallLifecycleEvent; id: string; partition: number }[]) =>
    (event: ImageGenCallLifecycleEvent, c: KafkaEventContext) => {
      into.push({ event, id: c.eventId, partition: c.partition });
    };

  beforeAll(async () => {
    for (const topic of ["round-trip", "commits", "poison", "lifecycle"]) {
      await ensureKafkaTopic(admin, { topic: `orwire-it-${topic}-${tag}` });
      await ensureKafkaTopic(admin, { topic: `orwire-it-${topic}-${tag}.dead-letter` });
    }
  });

  afterAll(async () => {
    await admin
      .deleteTopics({
        topics: ["round-trip", "commits", "poison", "lifecycle"].flatMap((t) => [
          `orwire-it-${t}-${tag}`,
          `orwire-it-${t}-${tag}.dead-letter`,
        ]),
      })
      .catch(() => {});
    await producer.close();
    await admin.close();
  });

  it("creates a topic once: a second ensureKafkaTopic finds it", async () => {
    expect(await ensureKafkaTopic(admin, { topic: `orwire-it-round-trip-${tag}` })).toBe(false);
  });

  it("10,000 events round-trip Object.is-equal, each item's events in order on one partition", async () => {
    const topic = `orwire-it-round-trip-${tag}`;
    const events = makeEvents(10_000, { items: 400, tag });
    const report = await publishToKafka(producer, events, { topic });
    expect(report).toMatchObject({ published: 10_000 });

    const got: { event: ImageGenCallLifecycleEvent; id: string; partition: number }[] = [];
    const consumer = kafkaConsumer(`orwire-it-${tag}-round-trip`);
    try {
      const consumed = await consumeFromKafka(consumer, received(got), {
        topic,
        from: "earliest",
        count: 10_000,
        idleTimeout: 20_000,
        deadLetter: { producer },
      });
      expect(consumed).toEqual({ events: 10_000, deadLettered: 0 });
    } finally {
      await consumer.close();
    }
    expect(tally(events, got)).toEqual({
      sent: 10_000,
      received: 10_000,
      unique: 10_000,
      lost: 0,
      duplicates: 0,
      changed: 0,
      reordered: 0,
    });
    // the key chose the partition as Kafka's Java client would, and all three were used
    for (const { event, partition } of got) expect(partition).toBe(kafkaPartition(event.itemId, 3));
    expect(new Set(got.map((g) => g.partition)).size).toBe(3);
  });

  it("the SSE sample's 10 lifecycle events, partial images included, share one topic and come back identical, each call's in order on one partition", async () => {
    const topic = `orwire-it-lifecycle-${tag}`;
    const events = sseSample();
    expect(new Set(events.map((e) => e.type)).size).toBe(4);
    expect(await publishToKafka(producer, events, { topic })).toMatchObject({ published: 10 });

    const got: { event: ImageGenCallLifecycleEvent; id: string; partition: number; type: string }[] = [];
    const consumer = kafkaConsumer(`orwire-it-${tag}-lifecycle`);
    try {
      const consumed = await consumeFromKafka(
        consumer,
        (event, c) => void got.push({ event, id: c.eventId, partition: c.partition, type: c.attributes.type }),
        {
          topic,
          from: "earliest",
          count: 10,
          idleTimeout: 20_000,
          deadLetter: { producer },
        },
      );
      expect(consumed).toEqual({ events: 10, deadLettered: 0 });
    } finally {
      await consumer.close();
    }
    expect(tally(events, got)).toEqual({ sent: 10, received: 10, unique: 10, lost: 0, duplicates: 0, changed: 0, reordered: 0 });
    for (const g of got) {
      expect(g.type).toBe(g.event.type);
      expect(g.partition).toBe(kafkaPartition(g.event.itemId, 3));
    }
    expect(
      got.filter((g) => g.type.endsWith(".partial_image")).map((g) => (g.event as { partialImageB64: string }).partialImageB64.length),
    ).toHaveLength(4);
  });

  it("commits only what the handler finished: after a failing handler, the group resumes at the failed event", async () => {
    const topic = `orwire-it-commits-${tag}`;
    const group = `orwire-it-${tag}-commits`;
    const events = makeEvents(60, { items: 6, tag: `${tag}c` });
    await publishToKafka(producer, events, { topic });
    const poisonId = toKafkaRecord(events[30]!).headers.ce_id!;

    const first: { event: ImageGenCallLifecycleEvent; id: string; partition: number }[] = [];
    const failing = kafkaConsumer(group);
    const boom = new Error("handler failed");
    try {
      await expect(
        consumeFromKafka(
          failing,
          (event, c) => {
            if (c.eventId === poisonId) throw boom;
            first.push({ event, id: c.eventId, partition: c.partition });
          },
          { topic, idleTimeout: 10_000, commitEvery: 1, deadLetter: { producer } },
        ),
      ).rejects.toBe(boom);
    } finally {
      await failing.close();
    }

    const second: { event: ImageGenCallLifecycleEvent; id: string; partition: number }[] = [];
    const resumed = kafkaConsumer(group);
    try {
      await consumeFromKafka(resumed, received(second), { topic, idleTimeout: 3000, deadLetter: { producer } });
    } finally {
      await resumed.close();
    }
    const firstIds = new Set(first.map((r) => r.id));
    const secondIds = second.map((r) => r.id);
    expect(first.length).toBeGreaterThan(0);
    expect(secondIds).toContain(poisonId);
    // nothing handled in the first run comes again, and nothing is missing
    expect(secondIds.filter((id) => firstIds.has(id))).toEqual([]);
    expect(firstIds.size + secondIds.length).toBe(60);
  });

  it("sends records that are not ours, or do not decode, to the dead-letter topic with the reason, and goes on", async () => {
    const topic = `orwire-it-poison-${tag}`;
    const group = `orwire-it-${tag}-poison`;
    const good = makeEvents(2, { items: 1, tag: `${tag}p` });
    const buf = (s: string | Uint8Array) => Buffer.from(s);
    const record = (r: { key: string; value: Uint8Array; headers: Record<string, string> }) => ({
      topic,
      key: buf(r.key),
      value: buf(r.value),
      headers: new Map(Object.entries(r.headers).map(([k, v]) => [buf(k), buf(v)])),
      partition: 0,
    });
    const ours = record(toKafkaRecord(good[0]!));
    const garbage = {
      ...record(toKafkaRecord({ type: T, itemId: "ig_bad", outputIndex: 0, sequenceNumber: 1 })),
      value: buf(Uint8Array.of(0x0a, 0x09, 0x69)),
    };
    const otherType = {
      ...ours,
      headers: new Map([...ours.headers].map(([k, v]) => [k, k.toString() === "ce_type" ? buf("response.output_text.delta") : v])),
    };
    const plain = { topic, key: buf("k"), value: buf('{"hello":"world"}'), partition: 0 };
    await producer.send({ messages: [ours, garbage, otherType, plain, record(toKafkaRecord(good[1]!))], acks: -1 });

    const got: { event: ImageGenCallLifecycleEvent; id: string; partition: number }[] = [];
    const consumer = kafkaConsumer(group);
    try {
      expect(await consumeFromKafka(consumer, received(got), { topic, idleTimeout: 3000, deadLetter: { producer } })).toEqual({
        events: 2,
        deadLettered: 3,
      });
    } finally {
      await consumer.close();
    }
    expect(got.map((g) => g.event)).toEqual(good);

    // the dead-letter topic holds the three records as they came, with the reason
    const dead: { key: string; value: Buffer; headers: Record<string, string> }[] = [];
    const reader = kafkaConsumer(`${group}-dead-letter`);
    try {
      const stream = await reader.consume({ topics: [`${topic}.dead-letter`], mode: "earliest", autocommit: false });
      for await (const m of stream) {
        dead.push({
          key: m.key.toString(),
          value: m.value,
          headers: Object.fromEntries([...m.headers].map(([k, v]) => [k.toString(), v.toString()])),
        });
        if (dead.length === 3) break;
      }
      await stream.close();
    } finally {
      await reader.close();
    }
    dead.sort((a, b) => Number(a.headers[KAFKA_DEAD_LETTER_HEADERS.offset]) - Number(b.headers[KAFKA_DEAD_LETTER_HEADERS.offset]));
    expect(dead.map((d) => [d.headers[KAFKA_DEAD_LETTER_HEADERS.code], d.headers[KAFKA_DEAD_LETTER_HEADERS.path]])).toEqual([
      ["truncated", '["itemId"]'],
      ["not_our_record", '["headers","ce_type"]'],
      ["unsupported_content_type", '["headers","content-type"]'],
    ]);
    expect(dead.map((d) => d.headers[KAFKA_DEAD_LETTER_HEADERS.offset])).toEqual(["1", "2", "3"]);
    expect(dead[0]!.value).toEqual(garbage.value);
    expect(dead[0]!.headers.ce_id).toBe("ig_bad:1");
    expect(dead[0]!.headers[KAFKA_DEAD_LETTER_HEADERS.reason]).toMatch(/bytes end|past/);
    expect(dead[2]).toMatchObject({ key: "k", value: plain.value });
    expect(dead[2]!.headers[KAFKA_DEAD_LETTER_HEADERS.topic]).toBe(topic);

    // the poison records were committed past: the group does not see them again
    const again = kafkaConsumer(group);
    try {
      expect(await consumeFromKafka(again, () => {}, { topic, idleTimeout: 2000, deadLetter: { producer } })).toEqual({
        events: 0,
        deadLettered: 0,
      });
    } finally {
      await again.close();
    }
  });
});
