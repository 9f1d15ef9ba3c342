import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import type { ImageGenCallCompletedEvent, ImageGenCallLifecycleEvent } from "../../src/index.js";
import { consumeFromKafka, ensureKafkaTopic, type PublishReport, publishToKafka } from "../../src/kafka/index.js";
import { consumeFromJetStream, ensureJetStream, fromNatsMessage, publishToJetStream } from "../../src/nats/index.js";
import { eventId } from "../../src/transport/index.js";
import { brokerScript, ownBroker, ROOT, requireBroker, runTag, waitFor } from "../support/brokers.js";
import { makeEvents } from "../support/events.js";
import { kafkaAdmin, kafkaConsumer, kafkaProducer, natsClients, type Tally, tally } from "../support/queue-clients.js";

/**
 * Kill or restart the project's own broker in the middle of a 10,000-event publish, with a
 * consumer reading all along: the publisher retries, the consumer ends with every event, and
 * every duplicate is told apart by its event id. Only against the brokers scripts/brokers-up.sh
 * started (they are killed and restarted), never against ORWIRE_* ones.
 */

const kafkaUp = await requireBroker("kafka");
const natsUp = await requireBroker("nats");
const tag = runTag();
const N = 10_000;
const KILL_AT = 3000;
const results: Record<string, Tally & { retries: number; stalled: number; restart: string }> = {};

/** Counts acknowledgments and the longest wait between two of them (the outage the publisher rode out). */
function ackClock() {
  const clock = { acknowledged: 0, last: performance.now(), longest: 0 };
  return Object.assign(clock, {
    onAcknowledged(n: number) {
      const now = performance.now();
      clock.longest = Math.max(clock.longest, now - clock.last);
      clock.last = now;
      clock.acknowledged = n;
    },
  });
}

function pid(kind: "kafka" | "nats"): number {
  return Number(readFileSync(`${process.env.ORWIRE_RUN_DIR ?? `${ROOT}.run`}/${kind}.pid`, "utf8").trim());
}

/**
 * The events, with a pause after the first `KILL_AT`: the publisher has sent them when the broker
 * goes down, and gets the rest while it is down and restarting.
 */
async function* withFault(events: ImageGenCallCompletedEvent[], fault: () => Promise<void>): AsyncGenerator<ImageGenCallCompletedEvent> {
  for (let i = 0; i < events.length; i++) {
    if (i === KILL_AT) await fault();
    yield events[i]!;
  }
}

/** The stream's messages in sequence order, read with an ordered consumer. */
async function readStream(
  clients: Awaited<ReturnType<typeof natsClients>>,
  stream: string,
): Promise<{ event: ImageGenCallLifecycleEvent; id: string }[]> {
  const consumer = await clients.js.consumers.get(stream);
  const out: { event: ImageGenCallLifecycleEvent; id: string }[] = [];
  for (let empty = 0; empty < 2 && out.length < N; ) {
    const batch = await consumer.fetch({ max_messages: 1000, expires: 2000 });
    let got = 0;
    for await (const m of batch) {
      const event = fromNatsMessage({ data: m.data, headers: m.headers });
      out.push({ event, id: eventId(event) });
      got++;
    }
    if (got === 0) empty++;
  }
  return out;
}

afterAll(() => {
  for (const [broker, r] of Object.entries(results)) {
    console.log(
      `fault test ${broker} (${r.restart}): sent ${r.sent}, received ${r.received}, unique ${r.unique}, lost ${r.lost}, duplicates ${r.duplicates}, changed ${r.changed}, items out of order at the consumer ${r.reordered}; publisher retried ${r.retries} times and waited ${(r.stalled / 1000).toFixed(1)} s for acknowledgments`,
    );
  }
});

describe.skipIf(!kafkaUp || !ownBroker("kafka"))("Kafka broker killed (kill -9) and restarted during a 10,000-event publish", () => {
  it("the publisher retries, the consumer ends with all 10,000 events, none lost, duplicates identified by event id", async () => {
    const topic = `orwire-it-fault-${tag}`;
    const admin = kafkaAdmin();
    await ensureKafkaTopic(admin, { topic });
    await admin.close();
    const events = makeEvents(N, { items: 500, tag });
    const producer = kafkaProducer();
    const consumer = kafkaConsumer(`orwire-it-fault-${tag}`);
    const got: { event: ImageGenCallLifecycleEvent; id: string }[] = [];
    const stop = new AbortController();
    let consumerError: unknown;
    const consuming = consumeFromKafka(consumer, (event, c) => void got.push({ event, id: c.eventId }), {
      topic,
      from: "earliest",
      signal: stop.signal,
      deadLetter: { producer },
    }).catch((err: unknown) => {
      consumerError = err;
    });

    const clock = ackClock();
    let clientRetries = 0;
    producer.on("client:performWithRetry:retry", () => clientRetries++);
    let acknowledgedAtKill = -1;
    const before = pid("kafka");
    let restarted: Promise<string> | undefined;
    const fault = async () => {
      acknowledgedAtKill = clock.acknowledged;
      await brokerScript("brokers-down.sh", "--kill", "kafka");
      restarted = brokerScript("brokers-up.sh", "kafka");
    };
    let report: PublishReport;
    try {
      report = await publishToKafka(producer, withFault(events, fault), { topic, batchSize: 250, onAcknowledged: clock.onAcknowledged });
      await restarted;
      expect(pid("kafka")).not.toBe(before);
      expect(acknowledgedAtKill).toBeGreaterThan(0);
      expect(acknowledgedAtKill).toBeLessThan(N);
      expect(report.published).toBe(N);
      // the producer retried its requests while the broker was down
      expect(clientRetries + report.retries).toBeGreaterThan(0);
      await waitFor(
        () => consumerError !== undefined || new Set(got.map((g) => g.id)).size >= N,
        90_000,
        "the consumer to see every event",
      );
      // a little longer, so that late duplicates are counted too
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      stop.abort();
      await consuming;
      await consumer.close();
      await producer.close();
      await restarted?.catch(() => {});
    }
    expect(consumerError).toBeUndefined();
    const t = tally(events, got);
    results.kafka = { ...t, retries: clientRetries + report.retries, stalled: clock.longest, restart: "kill -9, restart on the same data" };
    expect(t).toMatchObject({ sent: N, unique: N, lost: 0, changed: 0, reordered: 0 });
    expect(t.received).toBe(N + t.duplicates);
  });
});

describe.skipIf(!natsUp || !ownBroker("nats"))("nats-server restarted (file store) during a 10,000-event publish", () => {
  it("the publisher retries, the consumer ends with all 10,000 events, none lost, duplicates identified by event id", async () => {
    const clients = await natsClients();
    const names = await ensureJetStream(clients.jsm, { subject: `orwire.it.fault.${tag}` });
    const events = makeEvents(N, { items: 500, tag });
    const got: { event: ImageGenCallLifecycleEvent; id: string }[] = [];
    const stop = new AbortController();
    let consumerError: unknown;
    const consuming = consumeFromJetStream(clients.js, (event, c) => void got.push({ event, id: c.eventId }), {
      stream: names.stream,
      signal: stop.signal,
      ackWait: 5000,
    }).catch((err: unknown) => {
      consumerError = err;
    });

    const clock = ackClock();
    let acknowledgedAtRestart = -1;
    const before = pid("nats");
    let restarted: Promise<string> | undefined;
    const fault = async () => {
      acknowledgedAtRestart = clock.acknowledged;
      await brokerScript("brokers-down.sh", "--keep", "nats");
      restarted = brokerScript("brokers-up.sh", "nats");
    };
    let report: PublishReport;
    let stored: { event: ImageGenCallLifecycleEvent; id: string }[] = [];
    try {
      report = await publishToJetStream(clients.js, withFault(events, fault), {
        subject: names.subject,
        stream: names.stream,
        onAcknowledged: clock.onAcknowledged,
      });
      await restarted;
      expect(pid("nats")).not.toBe(before);
      expect(acknowledgedAtRestart).toBeGreaterThan(0);
      expect(acknowledgedAtRestart).toBeLessThan(N);
      expect(report.published).toBe(N);
      expect(report.retries).toBeGreaterThan(0);
      await waitFor(
        () => consumerError !== undefined || new Set(got.map((g) => g.id)).size >= N,
        90_000,
        "the consumer to see every event",
      );
      await new Promise((r) => setTimeout(r, 1000));
      // stored once each (the retried publishes were de-duplicated on their event ids), and each
      // item's events in the order sent: the publisher has one publish per item_id in flight
      expect((await clients.jsm.streams.info(names.stream)).state.messages).toBe(N);
      stored = await readStream(clients, names.stream);
    } finally {
      stop.abort();
      await consuming;
      await clients.jsm.streams.delete(names.stream).catch(() => {});
      await clients.jsm.streams.delete(names.deadLetterStream).catch(() => {});
      await clients.nc.close();
      await restarted?.catch(() => {});
    }
    expect(consumerError).toBeUndefined();
    const t = tally(events, got);
    results.nats = { ...t, retries: report.retries, stalled: clock.longest, restart: "SIGTERM, restart on the same file store" };
    expect(tally(events, stored)).toEqual({ sent: N, received: N, unique: N, lost: 0, duplicates: 0, changed: 0, reordered: 0 });
    // the consumer: every event, none changed; a message redelivered after the restart may come
    // after later ones of its item (JetStream redelivers on ack timeout), so order is not asserted here
    expect(t).toMatchObject({ sent: N, unique: N, lost: 0, changed: 0 });
    expect(t.received).toBe(N + t.duplicates);
  });
});
