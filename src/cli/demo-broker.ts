/** `orwire demo --kafka | --nats`: the shipped sample through a broker and back, checked and measured. */
import { relative } from "node:path";
import { equalJson } from "../json/equal.js";
import type { ImageGenCallLifecycleEvent } from "../json/event.js";
import { stringifyJson } from "../json/json-text.js";
import { toWireJson } from "../json/wire-json.js";
import { defaultKafkaTopicOptions, ensureKafkaTopic } from "../kafka/admin.js";
import { consumeFromKafka, publishToKafka } from "../kafka/client.js";
import { encodeEventMessage } from "../lifecycle.js";
import { consumeFromJetStream, ensureJetStream, publishToJetStream } from "../nats/client.js";
import { eventId } from "../transport/cloudevents.js";
import { Failure } from "./failure.js";
import { type BrokerTarget, brokerFailure, describeTarget, openKafka, openNats, runId } from "./queues.js";

/** What a demo run through a broker measured. */
export interface BrokerDemoReport {
  events: number;
  jsonBytes: number;
  protobufBytes: number;
  brokerBytes: number;
  publishSeconds: number;
  consumeSeconds: number;
  received: number;
  identical: number;
  duplicates: number;
  orderKept: boolean;
}

/**
 * `orwire demo --nats URL | --kafka BROKERS`: the events go through a real broker, on a topic or
 * stream of their own (deleted afterwards unless `keep`), are read back and compared with the input.
 */
export async function runBrokerDemo(
  events: ImageGenCallLifecycleEvent[],
  source: string,
  target: BrokerTarget,
  keep: boolean,
): Promise<void> {
  const id = runId();
  const received: { event: ImageGenCallLifecycleEvent; id: string }[] = [];
  const take = (event: ImageGenCallLifecycleEvent, context: { eventId: string }) => {
    received.push({ event, id: context.eventId });
  };
  const refuse = (r: { error: { message: string } }) => {
    throw new Failure(`a record came back that is not an event: ${r.error.message}`);
  };
  let publishSeconds: number;
  let consumeSeconds: number;
  let brokerBytes: number;
  let where: string;
  try {
    if (target.kind === "kafka") {
      const topic = `orwire-demo-${id}`;
      where = describeTarget({ ...target, topic });
      const kafka = await openKafka(target);
      try {
        await ensureKafkaTopic(kafka.admin, { topic });
        let start = performance.now();
        await publishToKafka(kafka.producer, events, { topic });
        publishSeconds = (performance.now() - start) / 1000;
        start = performance.now();
        await consumeFromKafka(kafka.consumer(`orwire-demo-${id}`), take, {
          topic,
          from: "earliest",
          count: events.length,
          idleTimeout: 30_000,
          deadLetter: refuse,
        });
        consumeSeconds = (performance.now() - start) / 1000;
        const partitions = Array.from({ length: defaultKafkaTopicOptions.partitions }, (_, i) => i);
        const dirs = await kafka.admin.describeLogDirs({ topics: [{ name: topic, partitions }] });
        brokerBytes = 0;
        for (const broker of dirs)
          for (const dir of broker.results)
            for (const t of dir.topics) for (const p of t.partitions) brokerBytes += Number(p.partitionSize);
        if (!keep) await kafka.admin.deleteTopics({ topics: [topic] });
      } finally {
        await kafka.close();
      }
    } else {
      const subjectPrefix = `orwire.demo.${id}`;
      where = describeTarget({ ...target, subjectPrefix, subject: undefined });
      const nats = await openNats(target);
      try {
        const names = await ensureJetStream(nats.jsm, {
          subjectPrefix,
          stream: `ORWIRE_DEMO_${id}`,
          deadLetterStream: `ORWIRE_DEMO_${id}_DEAD_LETTER`,
        });
        let start = performance.now();
        await publishToJetStream(nats.js, events, { subjectPrefix, stream: names.stream });
        publishSeconds = (performance.now() - start) / 1000;
        start = performance.now();
        await consumeFromJetStream(nats.js, take, { stream: names.stream, count: events.length, idleTimeout: 30_000, deadLetter: refuse });
        consumeSeconds = (performance.now() - start) / 1000;
        brokerBytes = (await nats.jsm.streams.info(names.stream)).state.bytes;
        if (!keep) {
          await nats.jsm.streams.delete(names.stream);
          await nats.jsm.streams.delete(names.deadLetterStream);
        }
      } finally {
        await nats.close();
      }
    }
  } catch (err) {
    throw brokerFailure(err, `demo through ${describeTarget(target)}`);
  }
  const report = compare(events, received);
  process.stdout.write(
    formatBrokerDemo(
      {
        ...report,
        jsonBytes: jsonBytes(events),
        protobufBytes: events.reduce((n, e) => n + encodeEventMessage(e).length, 0),
        brokerBytes,
        publishSeconds,
        consumeSeconds,
      },
      relative(process.cwd(), source) || source,
      `${where}${keep ? ", kept" : ""}`,
    ),
  );
  if (report.identical !== events.length || !report.orderKept || report.received !== events.length) {
    throw new Failure(
      `${events.length - report.identical} of ${events.length} events changed or missing, ${report.duplicates} duplicates, order per item_id ${report.orderKept ? "kept" : "broken"}`,
    );
  }
}

function jsonBytes(events: ImageGenCallLifecycleEvent[]): number {
  return events.reduce((n, e) => n + Buffer.byteLength(stringifyJson(toWireJson(e))), 0);
}

/** Matches what came back with what went in, by event id: identical events, duplicates, order per item. */
export function compare(sent: ImageGenCallLifecycleEvent[], received: { event: ImageGenCallLifecycleEvent; id: string }[]) {
  const byId = new Map<string, ImageGenCallLifecycleEvent>();
  let duplicates = 0;
  const order = new Map<string, string[]>();
  for (const r of received) {
    if (byId.has(r.id)) {
      duplicates++;
      continue;
    }
    byId.set(r.id, r.event);
    let ids = order.get(r.event.itemId);
    if (ids === undefined) order.set(r.event.itemId, (ids = []));
    ids.push(r.id);
  }
  let identical = 0;
  const expectedOrder = new Map<string, string[]>();
  for (const e of sent) {
    const id = eventId(e);
    if (equalJson(byId.get(id), e)) identical++;
    let ids = expectedOrder.get(e.itemId);
    if (ids === undefined) expectedOrder.set(e.itemId, (ids = []));
    ids.push(id);
  }
  let orderKept = true;
  for (const [item, ids] of expectedOrder) {
    const got = order.get(item) ?? [];
    if (got.length !== ids.length || got.some((x, i) => x !== ids[i])) orderKept = false;
  }
  return { events: sent.length, received: received.length, identical, duplicates, orderKept };
}

/** The broker demo's summary for a terminal. */
export function formatBrokerDemo(r: BrokerDemoReport, source: string, where: string): string {
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  const rows = [
    `orwire demo: ${n(r.events)} events from ${source} through ${where}`,
    `  wire JSON  ${n(r.jsonBytes).padStart(10)} bytes  ${(r.jsonBytes / r.events).toFixed(1)} B/event`,
    `  protobuf   ${n(r.protobufBytes).padStart(10)} bytes  ${(r.protobufBytes / r.events).toFixed(1)} B/event, ${((100 * r.protobufBytes) / r.jsonBytes).toFixed(1)}% of JSON`,
    `  on broker  ${n(r.brokerBytes).padStart(10)} bytes  ${(r.brokerBytes / r.events).toFixed(1)} B/event with key, CloudEvents headers and framing`,
    `  publish    ${n(r.events / r.publishSeconds).padStart(10)} events/s (each acknowledged by the broker)`,
    `  consume    ${n(r.received / r.consumeSeconds).padStart(10)} events/s (each acknowledged after it was read)`,
    `  lossless   ${n(r.identical)} of ${n(r.events)} events identical after the round trip (Object.is on every field), ${n(r.duplicates)} duplicates, order per item_id ${r.orderKept ? "kept" : "BROKEN"}`,
  ];
  return `${rows.join("\n")}\n`;
}
