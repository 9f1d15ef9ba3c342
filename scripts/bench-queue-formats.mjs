// Throughput and size on real brokers: the same events as protobuf (this library's records) and as
// JSON (the API's wire JSON, same key and CloudEvents headers), through Kafka and NATS JetStream.
// Both formats go through the same publish and consume loops with the same settings; only the
// value and its encoding differ. Prints a Markdown table.
//
// Usage: npm run bench:queue-formats [-- --events N --rounds R] (default 20,000 and 3; brokers from ORWIRE_KAFKA_BROKERS
// and ORWIRE_NATS_URL, else the local ones of scripts/brokers-up.sh).

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, headers as natsHeaders } from "@nats-io/transport-node";
import { Admin, Consumer, Producer } from "@platformatic/kafka";
import { fromJson, fromWireJson, stringifyJson, toWireJson } from "openresponses-wire";
import { fromKafkaRecord, kafkaHeaderPairs, kafkaPartition, toKafkaRecord } from "openresponses-wire/kafka";
import { ensureJetStream, fromNatsMessage, natsHeaderPairs, toNatsMessage } from "openresponses-wire/nats";
import { eventId } from "openresponses-wire/transport";
// the NATS binding's percent-encoding is internal to the package: taken from the build
import { percentDecode, percentEncode } from "../dist/src/transport/cloudevents.js";

const { values } = parseArgs({ options: { events: { type: "string", default: "20000" }, rounds: { type: "string", default: "3" } } });
const N = Number(values.events);
const KAFKA = (process.env.ORWIRE_KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
const NATS = process.env.ORWIRE_NATS_URL ?? "nats://127.0.0.1:4222";
const tag = randomBytes(3).toString("hex");
const PARTITIONS = 3;

/** `n` events: the shipped sample repeated, each repetition with fresh item ids of the same length. */
function makeEvents(n, run) {
  const sample = readFileSync(new URL("../examples/completed-events.ndjson", import.meta.url), "utf8")
    .trim()
    .split("\n")
    .map((l) => fromJson(JSON.parse(l)));
  return Array.from({ length: n }, (_, i) => {
    const e = sample[i % sample.length];
    const fresh = `${run}${Math.floor(i / sample.length)
      .toString(16)
      .padStart(4, "0")}${(i % sample.length).toString(16).padStart(4, "0")}`;
    return { ...e, itemId: `${e.itemId.slice(0, e.itemId.length - fresh.length)}${fresh}` };
  });
}

/** Reads a JSON record with the same checks the protobuf records get: content type, type, id. */
function checkJson(headers, contentType, prefix, value) {
  if (headers.get(contentType) !== "application/json") throw new Error("not JSON");
  if (headers.get(`${prefix}type`) !== "response.image_generation_call.completed") throw new Error("not ours");
  const event = fromWireJson(JSON.parse(Buffer.from(value).toString("utf8")));
  if (headers.get(`${prefix}id`) !== eventId(event)) throw new Error("id mismatch");
  return event;
}

/** The two formats: how an event becomes a Kafka record or NATS message, and back. */
const formats = {
  protobuf: {
    kafka: (e) => toKafkaRecord(e),
    fromKafka: (r) => fromKafkaRecord(r),
    nats: (e, subject) => toNatsMessage(e, { subject }),
    fromNats: (m) => fromNatsMessage(m),
  },
  json: {
    kafka: (e) => {
      const r = toKafkaRecord(e);
      return {
        key: r.key,
        value: Buffer.from(stringifyJson(toWireJson(e))),
        headers: { ...r.headers, "content-type": "application/json" },
      };
    },
    fromKafka: (r) => checkJson(new Map(kafkaHeaderPairs(r.headers)), "content-type", "ce_", r.value),
    nats: (e, subject) => {
      const m = toNatsMessage(e, { subject });
      return {
        ...m,
        data: Buffer.from(stringifyJson(toWireJson(e))),
        headers: { ...m.headers, "ce-datacontenttype": percentEncode("application/json") },
      };
    },
    fromNats: (m) =>
      checkJson(new Map(natsHeaderPairs(m.headers).map(([k, v]) => [k, percentDecode(v)])), "ce-datacontenttype", "ce-", m.data),
  },
};

async function kafkaRun(format, events, label) {
  const topic = `orwire-bench-${label}-${tag}`;
  const admin = new Admin({ clientId: "orwire-bench", bootstrapBrokers: KAFKA });
  await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 });
  const producer = new Producer({ clientId: "orwire-bench", bootstrapBrokers: KAFKA, idempotent: true, retries: 10 });
  let valueBytes = 0;
  let start = performance.now();
  // batches of 1000, one in flight (the idempotent producer's order guarantee), acks from all replicas
  for (let i = 0; i < events.length; i += 1000) {
    const messages = events.slice(i, i + 1000).map((e) => {
      const r = formats[format].kafka(e);
      valueBytes += r.value.length;
      const key = Buffer.from(r.key);
      return {
        topic,
        key,
        value: Buffer.from(r.value),
        headers: new Map(Object.entries(r.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
        partition: kafkaPartition(key, PARTITIONS),
      };
    });
    await producer.send({ messages, acks: -1, idempotent: true });
  }
  const publishSeconds = (performance.now() - start) / 1000;
  await producer.close();

  const consumer = new Consumer({
    clientId: "orwire-bench",
    groupId: `orwire-bench-${label}-${tag}`,
    bootstrapBrokers: KAFKA,
    maxWaitTime: 100,
  });
  start = performance.now();
  const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: false });
  let received = 0;
  const last = new Map();
  for await (const m of stream) {
    formats[format].fromKafka({ key: m.key, value: m.value, headers: m.headers });
    last.set(m.partition, m);
    if (++received % 1000 === 0) await Promise.all([...last.values()].map((x) => x.commit()));
    if (received === events.length) break;
  }
  await Promise.all([...last.values()].map((x) => x.commit()));
  const consumeSeconds = (performance.now() - start) / 1000;
  await stream.close();
  await consumer.close();

  const dirs = await admin.describeLogDirs({ topics: [{ name: topic, partitions: Array.from({ length: PARTITIONS }, (_, i) => i) }] });
  let brokerBytes = 0;
  for (const broker of dirs)
    for (const dir of broker.results) for (const t of dir.topics) for (const p of t.partitions) brokerBytes += Number(p.partitionSize);
  await admin.deleteTopics({ topics: [topic] });
  await admin.close();
  return { valueBytes, publishSeconds, consumeSeconds, brokerBytes, received };
}

async function natsRun(format, events, label) {
  const nc = await connect({ servers: NATS, name: "orwire-bench" });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const subject = `orwire.bench.${label}.${tag}`;
  const names = await ensureJetStream(jsm, { subject });
  let valueBytes = 0;
  let start = performance.now();
  // 256 publishes awaiting their acknowledgment at once, each with its event id as Nats-Msg-Id
  const inflight = new Set();
  for (const e of events) {
    const m = formats[format].nats(e, subject);
    valueBytes += m.data.length;
    const h = natsHeaders();
    for (const [k, v] of Object.entries(m.headers)) h.set(k, v);
    const p = js.publish(m.subject, m.data, { msgID: m.msgID, headers: h }).then((ack) => {
      if (ack.duplicate) throw new Error("unexpected duplicate");
      inflight.delete(p);
    });
    inflight.add(p);
    if (inflight.size >= 256) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  const publishSeconds = (performance.now() - start) / 1000;

  start = performance.now();
  const info = await jsm.consumers.add(names.stream, { ack_policy: "explicit", deliver_policy: "all", inactive_threshold: 60_000_000_000 });
  const consumer = await js.consumers.get(names.stream, info.name);
  let received = 0;
  while (received < events.length) {
    const batch = await consumer.fetch({ max_messages: Math.min(256, events.length - received), expires: 5000 });
    for await (const m of batch) {
      formats[format].fromNats({ data: m.data, headers: m.headers });
      m.ack();
      received++;
    }
  }
  await nc.flush();
  const consumeSeconds = (performance.now() - start) / 1000;
  const brokerBytes = (await jsm.streams.info(names.stream)).state.bytes;
  await jsm.streams.delete(names.stream);
  await jsm.streams.delete(names.deadLetterStream);
  await nc.drain();
  return { valueBytes, publishSeconds, consumeSeconds, brokerBytes, received };
}

const ROUNDS = Number(values.rounds);
const runs = { Kafka: kafkaRun, NATS: natsRun };
const rows = [];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [broker, run] of Object.entries(runs)) {
  // a warm-up of each format, so that neither pays for the JIT or the first connection
  // names of equal length for both formats: NATS stores each message's subject
  const label = (format, round) => `${broker}-${format === "protobuf" ? "pb" : "js"}-${round}`.toLowerCase();
  for (const format of ["protobuf", "json"]) await run(format, makeEvents(2000, `${format[0]}w`), label(format, "w"));
  // rounds interleave the formats; rates are the median of the rounds, sizes those of the first
  const results = { protobuf: [], json: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const format of round % 2 === 0 ? ["protobuf", "json"] : ["json", "protobuf"]) {
      const r = await run(format, makeEvents(N, `${format[0]}${round}`), label(format, round));
      if (r.received !== N) throw new Error(`${broker} ${format}: received ${r.received} of ${N}`);
      results[format].push(r);
      process.stderr.write(
        `${broker} ${format} round ${round + 1}: ${Math.round(N / r.publishSeconds)} published/s, ${Math.round(N / r.consumeSeconds)} consumed/s\n`,
      );
    }
  }
  for (const format of ["protobuf", "json"]) {
    const rs = results[format];
    rows.push({
      broker,
      format,
      valueBytes: rs[0].valueBytes,
      brokerBytes: rs[0].brokerBytes,
      published: median(rs.map((r) => N / r.publishSeconds)),
      consumed: median(rs.map((r) => N / r.consumeSeconds)),
    });
  }
}

const int = (x) => Math.round(x).toLocaleString("en-US");
const lines = [
  `${int(N)} events (the shipped sample with fresh ids) per format and round, key item_id and CloudEvents headers on every record, rates the median of ${ROUNDS} interleaved rounds; Kafka: 3 partitions, idempotent producer, acks=all, batches of 1,000, consumer commits every 1,000; NATS: JetStream file storage, 256 publishes in flight with Nats-Msg-Id, consumer fetches 256 and acks each.`,
  "",
  "| broker | format | value bytes/event | published events/s | consumed events/s | bytes on the broker | on the broker per event |",
  "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ...rows.map(
    (r) =>
      `| ${r.broker} | ${r.format} | ${(r.valueBytes / N).toFixed(1)} | ${int(r.published)} | ${int(r.consumed)} | ${int(r.brokerBytes)} | ${(r.brokerBytes / N).toFixed(1)} |`,
  ),
];
for (const broker of Object.keys(runs)) {
  const pb = rows.find((r) => r.broker === broker && r.format === "protobuf");
  const json = rows.find((r) => r.broker === broker && r.format === "json");
  lines.push(
    "",
    `${broker}: protobuf takes ${((100 * pb.brokerBytes) / json.brokerBytes).toFixed(1)}% of JSON's bytes on the broker (${((100 * pb.valueBytes) / json.valueBytes).toFixed(1)}% of its values).`,
  );
}
console.log(lines.join("\n"));
