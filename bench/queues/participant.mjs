// One timed run of a JS participant of `npm run bench:queues`, in a process of its own (so its
// peak RSS is its own): the raw clients with prepared records, or the library functions.
// Prints {"seconds": S, "count": N} on stdout: S from just before connecting to the last
// acknowledgment or the last event read. Preparing the records (reading and encoding the file)
// is not timed for the raw clients; the library functions get the parsed events.
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
const events = () =>
  readFileSync(arg, "utf8")
    .trim()
    .split("\n")
    .map((l) => fromJson(JSON.parse(l)));

const runs = {
  async "raw-kafka-publish"() {
    const messages = events().map((e) => {
      const r = toKafkaRecord(e);
      const key = Buffer.from(r.key);
      return {
        topic: where,
        key,
        value: Buffer.from(r.value),
        headers: new Map(Object.entries(r.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
        partition: kafkaPartition(key, PARTITIONS),
      };
    });
    const start = performance.now();
    const producer = new Producer({ clientId: "orwire-bench-raw", bootstrapBrokers: KAFKA, idempotent: true, retries: 10 });
    // 1,000 records a request, one request in flight per partition, every partition at once:
    // @platformatic/kafka 1.x numbers an idempotent producer's records only once a request is
    // acknowledged, so a second request in flight for one partition is taken by the broker as a
    // duplicate of the first and its records are lost (see src/kafka/producer-pipeline.ts)
    const lanes = Array.from({ length: PARTITIONS }, (_, p) => messages.filter((m) => m.partition === p));
    const inflight = lanes.map(async (lane) => {
      for (let i = 0; i < lane.length; i += 1000) await producer.send({ messages: lane.slice(i, i + 1000), acks: -1, idempotent: true });
    });
    await Promise.all(inflight);
    const seconds = (performance.now() - start) / 1000;
    await producer.close();
    return { seconds, count: messages.length };
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
    const messages = events().map((e) => toNatsMessage(e, { subjectPrefix: where }));
    const start = performance.now();
    const nc = await connect({ servers: NATS, name: "orwire-bench-raw" });
    const js = jetstream(nc);
    // the official client's acked publish, 1,000 awaiting their acknowledgment at once
    const inflight = new Set();
    for (const m of messages) {
      const h = natsHeaders();
      for (const k in m.headers) h.set(k, m.headers[k]);
      const p = js.publish(m.subject, m.data, { msgID: m.msgID, headers: h }).then(() => inflight.delete(p));
      inflight.add(p);
      if (inflight.size >= 1000) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    const seconds = (performance.now() - start) / 1000;
    await nc.drain();
    return { seconds, count: messages.length };
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
