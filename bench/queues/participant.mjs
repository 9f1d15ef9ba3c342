// One timed run of a JS participant of `npm run bench:queues`, in a process of its own (so its
// peak RSS is its own): the raw clients with prepared records, or the library functions.
// Prints {"seconds": S, "count": N} on stdout: S from just before connecting to the last
// acknowledgment or the last event read. The raw clients prepare the records (read and encode
// the file) 50,000 at a time, untimed, between timed sends; the library functions get the parsed
// events.
//
// Usage: node participant.mjs <raw|library>-<kafka|nats>-<publish|consume> <topic|stream|subject-prefix> <file|count>

import { readFileSync } from "node:fs";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, headers as natsHeaders } from "@nats-io/transport-node";
import { Consumer, Producer } from "@platformatic/kafka";
import { fromJson } from "openresponses-wire";
import { consumeFromKafka, kafkaPartition, publishToKafka, toKafkaRecord } from "openresponses-wire/kafka";
import { consumeFromJetStream, publishToJetStream, toNatsMessage } from "openresponses-wire/nats";

const [what, where, arg] = process.argv.slice(2);
const KAFKA = (process.env.ORWIRE_KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
const NATS = process.env.ORWIRE_NATS_URL ?? "nats://127.0.0.1:4222";
const PARTITIONS = 3;
const lines = () => readFileSync(arg, "utf8").trim().split("\n");
const events = () => lines().map((l) => fromJson(JSON.parse(l)));

/** Events prepared per slice by the raw participants: at most this many prepared records are held at once. */
const SLICE = 50_000;

/**
 * Runs `send` on the prepared records of each slice of the file in turn and returns the seconds
 * `send` took in all: preparing a slice is not timed, and no more than a slice is held in memory.
 */
async function timedSlices(prepare, send) {
  const all = lines();
  let seconds = 0;
  for (let i = 0; i < all.length; i += SLICE) {
    const prepared = all.slice(i, i + SLICE).map((l) => prepare(fromJson(JSON.parse(l))));
    const start = performance.now();
    await send(prepared);
    seconds += (performance.now() - start) / 1000;
  }
  return { seconds, count: all.length };
}

const runs = {
  async "raw-kafka-publish"() {
    const start = performance.now();
    const producer = new Producer({ clientId: "orwire-bench-raw", bootstrapBrokers: KAFKA, idempotent: true, retries: 10 });
    const connecting = (performance.now() - start) / 1000;
    const prepare = (e) => {
      const r = toKafkaRecord(e);
      const key = Buffer.from(r.key);
      return {
        topic: where,
        key,
        value: Buffer.from(r.value),
        headers: new Map(Object.entries(r.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
        partition: kafkaPartition(key, PARTITIONS),
      };
    };
    // 1,000 records a request, one request in flight per partition, every partition at once:
    // @platformatic/kafka 1.x numbers an idempotent producer's records only once a request is
    // acknowledged, so a second request in flight for one partition is taken by the broker as a
    // duplicate of the first and its records are lost (see src/kafka/producer-pipeline.ts)
    const send = (messages) =>
      Promise.all(
        Array.from({ length: PARTITIONS }, async (_, p) => {
          const lane = messages.filter((m) => m.partition === p);
          for (let i = 0; i < lane.length; i += 1000)
            await producer.send({ messages: lane.slice(i, i + 1000), acks: -1, idempotent: true });
        }),
      );
    const { seconds, count } = await timedSlices(prepare, send);
    await producer.close();
    return { seconds: connecting + seconds, count };
  },
  async "raw-kafka-consume"() {
    const count = Number(arg);
    const start = performance.now();
    const consumer = new Consumer({
      clientId: "orwire-bench-raw",
      groupId: `orwire-bench-raw-${process.pid}-${Date.now()}`,
      bootstrapBrokers: KAFKA,
      maxWaitTime: 100,
    });
    const stream = await consumer.consume({ topics: [where], mode: "earliest", autocommit: false });
    let n = 0;
    for await (const m of stream) {
      if (m.value === undefined) throw new Error("no value");
      if (++n >= count) break;
    }
    const seconds = (performance.now() - start) / 1000;
    await stream.close();
    await consumer.close();
    return { seconds, count: n };
  },
  async "library-kafka-publish"() {
    const es = events();
    const start = performance.now();
    const producer = new Producer({ clientId: "orwire-bench-library", bootstrapBrokers: KAFKA, idempotent: true, retries: 10 });
    const report = await publishToKafka(producer, es, { topic: where });
    const seconds = (performance.now() - start) / 1000;
    await producer.close();
    return { seconds, count: report.published };
  },
  async "library-kafka-consume"() {
    const count = Number(arg);
    const start = performance.now();
    const consumer = new Consumer({
      clientId: "orwire-bench-library",
      groupId: `orwire-bench-library-${process.pid}-${Date.now()}`,
      bootstrapBrokers: KAFKA,
      maxWaitTime: 100,
      maxBytes: 1 << 20,
    });
    const report = await consumeFromKafka(consumer, () => {}, { topic: where, from: "earliest", count, deadLetter: () => {} });
    const seconds = (performance.now() - start) / 1000;
    await consumer.close();
    return { seconds, count: report.events };
  },
  async "raw-nats-publish"() {
    const start = performance.now();
    const nc = await connect({ servers: NATS, name: "orwire-bench-raw" });
    const js = jetstream(nc);
    const connecting = (performance.now() - start) / 1000;
    // the official client's acked publish, 1,000 awaiting their acknowledgment at once
    const send = async (messages) => {
      const inflight = new Set();
      for (const m of messages) {
        const h = natsHeaders();
        for (const k in m.headers) h.set(k, m.headers[k]);
        const p = js.publish(m.subject, m.data, { msgID: m.msgID, headers: h }).then(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size >= 1000) await Promise.race(inflight);
      }
      await Promise.all(inflight);
    };
    const { seconds, count } = await timedSlices((e) => toNatsMessage(e, { subjectPrefix: where }), send);
    await nc.drain();
    return { seconds: connecting + seconds, count };
  },
  async "raw-nats-consume"() {
    const count = Number(arg);
    const start = performance.now();
    const nc = await connect({ servers: NATS, name: "orwire-bench-raw" });
    const js = jetstream(nc);
    const consumer = await js.consumers.get(where); // an ordered consumer
    const messages = await consumer.consume({ max_messages: 1000 });
    let n = 0;
    for await (const m of messages) {
      if (m.data.length === 0) throw new Error("no data");
      if (++n >= count) break;
    }
    const seconds = (performance.now() - start) / 1000;
    await nc.drain();
    return { seconds, count: n };
  },
  async "library-nats-publish"() {
    const es = events();
    const start = performance.now();
    const nc = await connect({ servers: NATS, name: "orwire-bench-library" });
    const report = await publishToJetStream(jetstream(nc), es, { subjectPrefix: where });
    const seconds = (performance.now() - start) / 1000;
    await nc.drain();
    return { seconds, count: report.published };
  },
  async "library-nats-consume"() {
    const count = Number(arg);
    const start = performance.now();
    const nc = await connect({ servers: NATS, name: "orwire-bench-library" });
    await jetstreamManager(nc);
    const report = await consumeFromJetStream(jetstream(nc), () => {}, { stream: where, count, deadLetter: () => {} });
    const seconds = (performance.now() - start) / 1000;
    await nc.drain();
    return { seconds, count: report.events };
  },
};

const run = runs[what];
if (run === undefined) throw new Error(`unknown participant ${what}`);
console.log(JSON.stringify(await run()));
