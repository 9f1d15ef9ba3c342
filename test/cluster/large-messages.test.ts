import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import {
  equalJson,
  fromJson,
  IMAGE_GEN_CALL_PARTIAL_IMAGE,
  type ImageGenCallLifecycleEvent,
  type ImageGenCallPartialImageEvent,
} from "../../src/index.js";
import { stringifyJson } from "../../src/json/json-text.js";
import { ensureKafkaTopic } from "../../src/kafka/index.js";
import { ensureJetStream } from "../../src/nats/index.js";
import { eventId } from "../../src/transport/index.js";
import { runTag } from "../support/brokers.js";
import { orwire } from "../support/cli.js";
import { clusterAdmin, clusterNats, KAFKA_CLUSTER, NATS_CLUSTER, requireCluster } from "../support/cluster.js";

/**
 * Real partial images are large: a 1536×1024 PNG preview is several MB of base64, above the
 * brokers' default 1 MiB. Topics and streams that `orwire publish` creates, and the project's
 * brokers, take 17 MiB; a smaller limit fails the publish at once, naming the setting to raise.
 */

const kafkaUp = await requireCluster("kafka");
const natsUp = await requireCluster("nats");
const tag = runTag();

/** A partial image event of `bytes` image bytes (4/3 as many base64 characters), between two small events. */
function images(bytes: number): ImageGenCallLifecycleEvent[] {
  const itemId = `ig_large_${tag}`;
  const big: ImageGenCallPartialImageEvent = {
    type: IMAGE_GEN_CALL_PARTIAL_IMAGE,
    itemId,
    outputIndex: 0,
    sequenceNumber: 1,
    partialImageB64: randomBytes(bytes).toString("base64"),
    partialImageIndex: 0,
    size: "1536x1024",
  };
  return [
    { type: "response.image_generation_call.in_progress", itemId, outputIndex: 0, sequenceNumber: 0 },
    big,
    { type: "response.image_generation_call.completed", itemId, outputIndex: 0, sequenceNumber: 2 },
  ];
}

const ndjson = (events: ImageGenCallLifecycleEvent[]) => `${events.map((e) => stringifyJson(e)).join("\n")}\n`;

function consumed(stdout: Buffer): ImageGenCallLifecycleEvent[] {
  return stdout
    .toString()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => fromJson(JSON.parse(l)));
}

describe.skipIf(!kafkaUp)("multi-MB partial images through Kafka", () => {
  const admin = clusterAdmin();
  const topics: string[] = [];
  afterAll(async () => {
    await admin.deleteTopics({ topics }).catch(() => {});
    await admin.close();
  });

  it("a 6 MB base64 partial image goes through orwire publish and consume unchanged", () => {
    const topic = `orwire-cluster-large-${tag}`;
    topics.push(topic);
    const events = images(4_500_000);
    const published = orwire(["publish", "--kafka", KAFKA_CLUSTER.join(","), "--topic", topic], ndjson(events));
    expect(published.stderr).toBe(`orwire publish: 3 events acknowledged by Kafka topic ${topic}\n`);
    expect(published.status).toBe(0);
    const read = orwire(["consume", "--kafka", KAFKA_CLUSTER.join(","), "--topic", topic, "--count", "3"]);
    expect(read.status).toBe(0);
    const back = consumed(read.stdout);
    expect(back.map(eventId)).toEqual(events.map(eventId));
    for (const [i, e] of back.entries()) expect(equalJson(e, events[i])).toBe(true);
  });

  it("a record above the topic's max.message.bytes fails at once, naming the setting to raise", async () => {
    const topic = `orwire-cluster-small-${tag}`;
    topics.push(topic);
    await ensureKafkaTopic(admin, { topic, maxMessageBytes: 1024 * 1024 });
    const started = Date.now();
    const events = images(2_000_000);
    const run = orwire(["publish", "--kafka", KAFKA_CLUSTER.join(","), "--topic", topic], ndjson(events));
    expect(run.status).toBe(1);
    // the large record, or the small one before it when both went in the one request the broker refused
    const m =
      /^orwire: record (\d): event (\S+): the broker refused it: .*raise the topic's max\.message\.bytes .* and the brokers' message\.max\.bytes and replica\.fetch\.max\.bytes; (\d) events were acknowledged\n$/.exec(
        run.stderr,
      );
    expect(m, run.stderr).not.toBeNull();
    expect(m![2]).toBe(eventId(events[Number(m![1]) - 1]!));
    expect(Number(m![3])).toBe(Number(m![1]) - 1);
    expect(Number(m![1])).toBeLessThanOrEqual(2);
    // not retried until the delivery timeout (120 s): the broker's answer does not change
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe.skipIf(!natsUp)("multi-MB partial images through JetStream", () => {
  let clients: Awaited<ReturnType<typeof clusterNats>> | undefined;
  const streams: string[] = [];
  afterAll(async () => {
    for (const s of streams) await clients?.jsm.streams.delete(s).catch(() => {});
    await clients?.nc.close();
  });

  it("a 6 MB base64 partial image goes through orwire publish and consume unchanged", () => {
    const subject = `orwire.cluster.large.${tag}`;
    const events = images(4_500_000);
    const published = orwire(["publish", "--nats", NATS_CLUSTER.join(","), "--subject", subject], ndjson(events));
    expect(published.stderr).toMatch(/^orwire publish: 3 events acknowledged by JetStream stream \S+ \(subject .*\)\n$/);
    expect(published.status).toBe(0);
    streams.push(/stream (\S+)/.exec(published.stderr)![1]!);
    const read = orwire(["consume", "--nats", NATS_CLUSTER.join(","), "--subject", subject, "--count", "3"]);
    expect(read.status).toBe(0);
    const back = consumed(read.stdout);
    expect(back.map(eventId)).toEqual(events.map(eventId));
    for (const [i, e] of back.entries()) expect(equalJson(e, events[i])).toBe(true);
  });

  it("a message above the stream's max_msg_size fails at once, naming the setting to raise", async () => {
    clients = await clusterNats();
    const subject = `orwire.cluster.small.${tag}`;
    const names = await ensureJetStream(clients.jsm, { subject, maxMessageBytes: 1024 * 1024 });
    streams.push(names.stream, names.deadLetterStream);
    const started = Date.now();
    const run = orwire(["publish", "--nats", NATS_CLUSTER.join(","), "--subject", subject], ndjson(images(2_000_000)));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^orwire: record 2: event ig_large_\w+:1: JetStream refused it: .*raise the stream's max_msg_size .*; 1 events were acknowledged\n$/,
    );
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
