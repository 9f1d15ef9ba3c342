import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BridgeError, type ImageGenCallLifecycleEvent } from "../../src/index.js";
import {
  consumeFromKafka,
  ensureKafkaTopic,
  type KafkaDeadLetterRecord,
  type KafkaEventContext,
  publishToKafka,
  toKafkaRecord,
} from "../../src/kafka/index.js";
import { eventId } from "../../src/transport/index.js";
import { requireBroker, runTag, waitFor } from "../support/brokers.js";
import { makeEvents } from "../support/events.js";
import { kafkaAdmin, kafkaConsumer, kafkaProducer, tally } from "../support/queue-clients.js";

const available = await requireBroker("kafka");
const tag = runTag();
const TOPICS = ["group", "poison-batch"].map((t) => `orwire-it-${t}-${tag}`);

interface Delivery {
  event: ImageGenCallLifecycleEvent;
  id: string;
  partition: number;
  offset: bigint;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe.skipIf(!available)("Kafka consumer groups and poison records on the fetch path (against a real broker)", () => {
  const producer = kafkaProducer();
  const admin = kafkaAdmin();

  beforeAll(async () => {
    for (const topic of TOPICS) await ensureKafkaTopic(admin, { topic, partitions: 3 });
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: TOPICS }).catch(() => {});
    await producer.close();
    await admin.close();
  });

  /** The group's committed offset and the topic's end offset, per partition. */
  async function offsets(group: string, topic: string): Promise<{ committed: bigint[]; end: bigint[] }> {
    const groups = await admin.listConsumerGroupOffsets({
      groups: [{ groupId: group, topics: [{ name: topic, partitionIndexes: [0, 1, 2] }] }],
    });
    const committed = [-1n, -1n, -1n];
    for (const p of groups[0]?.topics.find((t) => t.name === topic)?.partitions ?? []) committed[p.partitionIndex] = p.committedOffset;
    const listed = await admin.listOffsets({
      topics: [{ name: topic, partitions: [0, 1, 2].map((partitionIndex) => ({ partitionIndex, timestamp: -1n })) }],
    });
    const end = [-1n, -1n, -1n];
    for (const p of listed.find((t) => t.name === topic)?.partitions ?? []) end[p.partitionIndex] = p.offset;
    return { committed, end };
  }

  it("two consumers of one group share a topic through a rebalance while records flow: nothing lost or changed, order kept, every handled offset committed", async () => {
    const topic = TOPICS[0]!;
    const group = `orwire-it-${tag}-group`;
    const events = makeEvents(20_000, { items: 600, tag: `${tag}g` });
    const gotA: Delivery[] = [];
    const gotB: Delivery[] = [];
    const seen = new Set<string>();
    // a handler that sometimes takes a moment, so records are still being handled when the group changes
    const handler = (into: Delivery[]) => (event: ImageGenCallLifecycleEvent, c: KafkaEventContext) => {
      into.push({ event, id: c.eventId, partition: c.partition, offset: c.offset });
      seen.add(c.eventId);
      return into.length % 100 === 0 ? pause(5) : undefined;
    };
    const stopA = new AbortController();
    const stopB = new AbortController();
    const a = kafkaConsumer(group);
    const b = kafkaConsumer(group);
    let runA: Promise<unknown> | undefined;
    let runB: Promise<unknown> | undefined;
    let bStartedAt = -1;
    try {
      runA = consumeFromKafka(a, handler(gotA), { topic, signal: stopA.signal, commitEvery: 500, deadLetter: { producer } });
      // published in chunks: consumer B joins the group after a quarter, while A is handling records;
      // the second half is published once B holds partitions, so both have records to handle
      const chunk = 1000;
      for (let at = 0; at < events.length; at += chunk) {
        if (at === 10 * chunk)
          await waitFor(() => (b.assignments?.[0]?.partitions.length ?? 0) > 0, 60_000, "consumer B to be assigned partitions");
        expect(await publishToKafka(producer, events.slice(at, at + chunk), { topic })).toMatchObject({ published: chunk });
        if (at === 4 * chunk) {
          await waitFor(() => gotA.length > 0, 60_000, "consumer A to handle records");
          bStartedAt = gotA.length;
          runB = consumeFromKafka(b, handler(gotB), { topic, signal: stopB.signal, commitEvery: 500, deadLetter: { producer } });
        }
        await pause(100);
      }
      await waitFor(() => seen.size === events.length, 120_000, "the two consumers to handle every event");
      // B took partitions from A, and A went on handling after B had started
      await waitFor(() => gotB.length > 0, 60_000, "consumer B to handle records");
      stopA.abort();
      stopB.abort();
      const [reportA, reportB] = await Promise.all([runA, runB]);
      expect(reportA).toEqual({ events: gotA.length, deadLettered: 0 });
      expect(reportB).toEqual({ events: gotB.length, deadLettered: 0 });
    } finally {
      stopA.abort();
      stopB.abort();
      await Promise.allSettled([runA, runB]);
      await Promise.allSettled([a.close(), b.close()]);
    }
    expect(bStartedAt).toBeGreaterThan(0);
    expect(gotA.length).toBeGreaterThan(bStartedAt);

    // the union: every event came, none changed; a duplicate is a redelivery of the same event
    expect(tally(events, [...gotA, ...gotB])).toMatchObject({ sent: 20_000, unique: 20_000, lost: 0, changed: 0 });
    // each consumer's first deliveries keep each item's order
    for (const got of [gotA, gotB]) {
      expect(tally(events, got)).toMatchObject({ changed: 0, reordered: 0 });
    }
    // one offset per event and one event per offset: duplicates are only records read again
    const at = new Map<string, string>();
    const byOffset = new Map<string, string>();
    for (const d of [...gotA, ...gotB]) {
      const where = `${d.partition}/${d.offset}`;
      expect(at.get(d.id) ?? where).toBe(where);
      expect(byOffset.get(where) ?? d.id).toBe(d.id);
      at.set(d.id, where);
      byOffset.set(where, d.id);
    }
    expect(byOffset.size).toBe(20_000);

    // nothing handled left uncommitted, nothing committed unhandled
    const { committed, end } = await offsets(group, topic);
    expect(end.reduce((s, e) => s + e, 0n)).toBe(20_000n);
    expect(committed).toEqual(end);
  });

  it("a record that does not decode, in the middle of one record batch, goes to the dead letter once, as it came; the 100 around it reach the handler in order and all 101 are committed", async () => {
    const topic = TOPICS[1]!;
    const group = `orwire-it-${tag}-poison-batch`;
    const good = makeEvents(100, { items: 7, tag: `${tag}b` });
    const message = (r: { key: string; value: Uint8Array; headers: Record<string, string> }) => ({
      topic,
      key: Buffer.from(r.key),
      value: Buffer.from(r.value),
      headers: new Map(Object.entries(r.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
      partition: 0,
    });
    // ours in every header, but its ce_id names another event than the one in its value
    const stranger = toKafkaRecord(good[0]!);
    const poison = message({ ...stranger, headers: { ...stranger.headers, ce_id: `${stranger.headers.ce_id}x` } });
    poison.headers.set(Buffer.from("traceparent"), Buffer.from("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    const records = [
      ...good.slice(0, 50).map((e) => message(toKafkaRecord(e))),
      poison,
      ...good.slice(50).map((e) => message(toKafkaRecord(e))),
    ];
    // one send to one partition: one produce request, one record batch of 101 records
    const sent = await producer.send({ messages: records, acks: -1 });
    expect(sent.offsets).toEqual([{ topic, partition: 0, offset: 0n }]);

    const got: Delivery[] = [];
    const dead: KafkaDeadLetterRecord[] = [];
    const consumer = kafkaConsumer(group);
    try {
      const report = await consumeFromKafka(
        consumer,
        (event, c) => void got.push({ event, id: c.eventId, partition: c.partition, offset: c.offset }),
        {
          topic,
          idleTimeout: 3000,
          deadLetter: (r) => void dead.push(r),
        },
      );
      expect(report).toEqual({ events: 100, deadLettered: 1 });
    } finally {
      await consumer.close();
    }
    expect(got.map((g) => g.event)).toEqual(good);
    expect(got.map((g) => g.id)).toEqual(good.map(eventId));
    expect(got.map((g) => Number(g.offset))).toEqual([...Array(50).keys(), ...Array.from({ length: 50 }, (_, i) => 51 + i)]);
    expect(got.every((g) => g.partition === 0)).toBe(true);

    expect(dead).toHaveLength(1);
    const d = dead[0]!;
    expect(d.error).toBeInstanceOf(BridgeError);
    expect({ code: d.error.code, path: d.error.path }).toEqual({ code: "header_mismatch", path: ["headers", "ce_id"] });
    expect({ topic: d.topic, partition: d.partition, offset: d.offset }).toEqual({ topic, partition: 0, offset: 50n });
    expect(d.key).toEqual(poison.key);
    expect(d.value).toEqual(poison.value);
    expect(d.headers).toEqual([...poison.headers]);

    const { committed, end } = await offsets(group, topic);
    expect(end).toEqual([101n, 0n, 0n]);
    expect(committed[0]).toBe(101n);
  });
});
