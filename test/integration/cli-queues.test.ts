import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromJson, type ImageGenCallCompletedEvent, type ImageGenCallLifecycleEvent } from "../../src/index.js";
import { ensureKafkaTopic, toKafkaRecord } from "../../src/kafka/index.js";
import { jetStreamNames } from "../../src/nats/index.js";
import { eventId } from "../../src/transport/index.js";
import { KAFKA_BROKERS, NATS_URL, requireBroker, runTag } from "../support/brokers.js";
import { orwire } from "../support/cli.js";
import { sseSample } from "../support/events.js";
import { kafkaAdmin, kafkaProducer, natsClients, tally } from "../support/queue-clients.js";

const natsUp = await requireBroker("nats");
const kafkaUp = await requireBroker("kafka");
const tag = runTag();
const dir = mkdtempSync(join(tmpdir(), "orwire-cli-queues-"));
const sample = readFileSync(new URL("../../examples/completed-events.ndjson", import.meta.url), "utf8")
  .trim()
  .split("\n");
// 40 events: 30 lines of the API's wire JSON and 10 in the SDK shape
const lines = [...sample.slice(0, 30), ...sample.slice(30, 40).map((l) => JSON.stringify(fromJson(JSON.parse(l))))];
const events = lines.map((l) => fromJson(JSON.parse(l)) as ImageGenCallCompletedEvent);
const input = join(dir, "events.ndjson");
writeFileSync(input, `${lines.join("\n")}\n`);
const KAFKA = KAFKA_BROKERS.join(",");
const SSE = fileURLToPath(new URL("../../examples/image-generation.sse", import.meta.url));
const SKIPPED =
  "7 other events skipped (response.created 1, response.in_progress 1, response.output_item.added 2, response.output_item.done 2, response.completed 1)";

/** The events of `orwire consume` output, with their ids, for `tally`. */
function consumed(stdout: Buffer): { event: ImageGenCallLifecycleEvent; id: string }[] {
  return stdout
    .toString()
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const event = fromJson(JSON.parse(l));
      return { event, id: eventId(event) };
    });
}

describe.skipIf(!kafkaUp)("orwire publish / consume / demo with --kafka", () => {
  const admin = kafkaAdmin();
  const topics: string[] = [];
  const topic = (name: string) => {
    const t = `orwire-it-cli-${name}-${tag}`;
    topics.push(t);
    return t;
  };

  afterAll(async () => {
    await admin.deleteTopics({ topics }).catch(() => {});
    await admin.close();
  });

  it("publishes NDJSON in either shape, and consume prints every event from the beginning, Object.is-equal", () => {
    const t = topic("round-trip");
    const published = orwire(["publish", "--kafka", KAFKA, "--topic", t, input]);
    expect(published.stderr).toBe(`orwire publish: 40 events acknowledged by Kafka topic ${t}\n`);
    expect(published.status).toBe(0);

    const wire = orwire(["consume", "--kafka", KAFKA, "--topic", t, "--count", "40", "--shape", "wire"]);
    expect(wire.status).toBe(0);
    expect(wire.stdout.toString().split("\n")[0]).toMatch(/^\{"type":"response\.image_generation_call\.completed","item_id":/);
    expect(tally(events, consumed(wire.stdout))).toEqual({
      sent: 40,
      received: 40,
      unique: 40,
      lost: 0,
      duplicates: 0,
      changed: 0,
      reordered: 0,
    });

    // again from the beginning, until 2 s without an event, in the SDK shape
    const sdk = orwire(["consume", "--kafka", KAFKA, "--topic", t, "--timeout", "2"]);
    expect(sdk.status).toBe(0);
    expect(sdk.stdout.toString().split("\n")[0]).toMatch(/^\{"type":"response\.image_generation_call\.completed","itemId":/);
    expect(tally(events, consumed(sdk.stdout))).toMatchObject({ received: 40, lost: 0, duplicates: 0, changed: 0 });
  });

  it("publish --input sse publishes the stream's 10 lifecycle events, skips the rest, and consume prints them back in order", () => {
    const t = topic("sse");
    const published = orwire(["publish", "--kafka", KAFKA, "--topic", t, "--input", "sse", SSE]);
    expect(published.stderr).toBe(`orwire publish: 10 events acknowledged by Kafka topic ${t}; ${SKIPPED}\n`);
    expect(published.status).toBe(0);
    const run = orwire(["consume", "--kafka", KAFKA, "--topic", t, "--count", "10", "--shape", "wire"]);
    expect(run.status).toBe(0);
    const got = consumed(run.stdout);
    expect(new Set(got.map((g) => g.event.type)).size).toBe(4);
    expect(tally(sseSample(), got)).toEqual({ sent: 10, received: 10, unique: 10, lost: 0, duplicates: 0, changed: 0, reordered: 0 });
  });

  it("--group resumes where the group stopped: offsets are committed only for events written out", () => {
    const t = topic("group");
    expect(orwire(["publish", "--kafka", KAFKA, "--topic", t, input]).status).toBe(0);
    const group = `orwire-it-cli-${tag}`;
    const first = orwire(["consume", "--kafka", KAFKA, "--topic", t, "--group", group, "--count", "15"]);
    const rest = orwire(["consume", "--kafka", KAFKA, "--topic", t, "--group", group, "--timeout", "2"]);
    expect([first.status, rest.status]).toEqual([0, 0]);
    expect(consumed(first.stdout)).toHaveLength(15);
    expect(tally(events, [...consumed(first.stdout), ...consumed(rest.stdout)])).toMatchObject({
      received: 40,
      lost: 0,
      duplicates: 0,
      changed: 0,
    });
  });

  it("a bad line stops the publish: exit 1 names its record and line, the events before it are on the topic", () => {
    const t = topic("bad-line");
    const run = orwire(
      ["publish", "--kafka", KAFKA, "--topic", t],
      `${lines[0]}\n\n${lines[1]}\n{"type":"response.image_generation_call.completed","item_id":"ig_x","output_index":"0","sequence_number":1}\n${lines[2]}\n`,
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      "orwire: record 3 (line 4): output_index: expected a number, got a string (invalid_type); 2 events before it were acknowledged\n",
    );
    expect(tally(events.slice(0, 2), consumed(orwire(["consume", "--kafka", KAFKA, "--topic", t, "--timeout", "2"]).stdout))).toMatchObject(
      { received: 2, lost: 0 },
    );
  });

  it("a record that is not an event stops consume naming it, or goes to --dead-letter FILE", async () => {
    const t = topic("poison");
    await ensureKafkaTopic(admin, { topic: t });
    const producer = kafkaProducer();
    try {
      const r = toKafkaRecord(events[0]!);
      const headers = new Map(
        Object.entries({ ...r.headers, ce_type: "response.output_text.delta" }).map(([k, v]) => [Buffer.from(k), Buffer.from(v)]),
      );
      await producer.send({
        messages: [{ topic: t, key: Buffer.from(r.key), value: Buffer.from(r.value), headers, partition: 0 }],
        acks: -1,
      });
    } finally {
      await producer.close();
    }
    const stopped = orwire(["consume", "--kafka", KAFKA, "--topic", t, "--timeout", "2"]);
    expect(stopped.status).toBe(1);
    expect(stopped.stderr).toBe(
      `orwire: topic ${t} partition 0 offset 0: headers.ce_type: event type "response.output_text.delta" is not an image generation call event (response.image_generation_call.in_progress|generating|partial_image|completed) (not_our_record)\n`,
    );

    const file = join(dir, "kafka-dead.ndjson");
    const kept = orwire(["consume", "--kafka", KAFKA, "--topic", t, "--timeout", "2", "--dead-letter", file]);
    expect(kept.status).toBe(0);
    expect(kept.stderr).toBe(`orwire consume: 0 events from Kafka topic ${t}, 1 records sent to ${file}\n`);
    const entry = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    expect(entry).toMatchObject({
      topic: t,
      partition: 0,
      offset: "0",
      code: "not_our_record",
      path: ["headers", "ce_type"],
      key_base64: Buffer.from(events[0]!.itemId).toString("base64"),
    });
    expect(Buffer.from(entry.input_base64 as string, "base64")).toEqual(Buffer.from(toKafkaRecord(events[0]!).value));
  });

  it("demo --kafka runs the shipped sample through a topic of its own and finds every event unchanged", () => {
    const run = orwire(["demo", "--kafka", KAFKA]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const out = run.stdout.toString();
    expect(out).toMatch(
      /^orwire demo: 1,001 events from examples\/completed-events\.ndjson through Kafka at .* \(topic orwire-demo-[0-9a-f]{8}\)\n/,
    );
    expect(out).toContain(
      "lossless   1,001 of 1,001 events identical after the round trip (Object.is on every field), 0 duplicates, order per item_id kept",
    );
  });
});

describe.skipIf(!natsUp)("orwire publish / consume / demo with --nats", () => {
  let clients: Awaited<ReturnType<typeof natsClients>>;
  const subjects: string[] = [];
  const prefixes: string[] = [];
  const subject = (name: string) => {
    const s = `orwire.it.cli.${name}.${tag}`;
    subjects.push(s);
    return s;
  };

  beforeAll(async () => {
    clients = await natsClients();
  });

  afterAll(async () => {
    for (const names of [
      ...subjects.map((s) => jetStreamNames({ subject: s })),
      ...prefixes.map((p) => jetStreamNames({ subjectPrefix: p })),
    ]) {
      await clients.jsm.streams.delete(names.stream).catch(() => {});
      await clients.jsm.streams.delete(names.deadLetterStream).catch(() => {});
    }
    await clients.nc.close();
  });

  it("publishes NDJSON, stores a republished event once, and consume prints every event from the beginning", () => {
    const s = subject("round-trip");
    const stream = jetStreamNames({ subject: s }).stream;
    const published = orwire(["publish", "--nats", NATS_URL, "--subject", s, input]);
    expect(published.stderr).toBe(`orwire publish: 40 events acknowledged by JetStream stream ${stream} (subject ${s})\n`);
    expect(published.status).toBe(0);
    const again = orwire(["publish", "--nats", NATS_URL, "--subject", s], `${lines[3]}\n${lines[4]}\n`);
    expect(again.stderr).toBe(
      `orwire publish: 2 events acknowledged by JetStream stream ${stream} (subject ${s}), 2 of them already stored (same event id)\n`,
    );

    const wire = orwire(["consume", "--nats", NATS_URL, "--subject", s, "--count", "40", "--shape", "wire"]);
    expect(wire.status).toBe(0);
    expect(tally(events, consumed(wire.stdout))).toEqual({
      sent: 40,
      received: 40,
      unique: 40,
      lost: 0,
      duplicates: 0,
      changed: 0,
      reordered: 0,
    });
    const idle = orwire(["consume", "--nats", NATS_URL, "--subject", s, "--timeout", "1"]);
    expect(idle.status).toBe(0);
    expect(tally(events, consumed(idle.stdout))).toMatchObject({ received: 40, lost: 0, duplicates: 0, changed: 0 });
  });

  it("publish --input sse puts each type on its subject under --subject-prefix; consume reads them all back in order", async () => {
    const prefix = `orwire.it.cli.sse.${tag}`;
    prefixes.push(prefix);
    const names = jetStreamNames({ subjectPrefix: prefix });
    const published = orwire(["publish", "--nats", NATS_URL, "--subject-prefix", prefix, "--input", "sse", SSE]);
    expect(published.stderr).toBe(
      `orwire publish: 10 events acknowledged by JetStream stream ${names.stream} (subject ${prefix}.*); ${SKIPPED}\n`,
    );
    expect(published.status).toBe(0);
    const subjects: string[] = [];
    for (let seq = 1; seq <= 10; seq++) subjects.push((await clients.jsm.streams.getMessage(names.stream, { seq }))!.subject);
    expect(subjects.sort()).toEqual(
      [
        ...["completed", "completed"],
        ...["generating", "generating"],
        ...["in_progress", "in_progress"],
        ...new Array(4).fill("partial_image"),
      ].map((t) => `${prefix}.${t}`),
    );
    const run = orwire(["consume", "--nats", NATS_URL, "--subject-prefix", prefix, "--count", "10"]);
    expect(run.status).toBe(0);
    expect(tally(sseSample(), consumed(run.stdout))).toEqual({
      sent: 10,
      received: 10,
      unique: 10,
      lost: 0,
      duplicates: 0,
      changed: 0,
      reordered: 0,
    });
  });

  it("--group is a durable consumer that resumes where it stopped", () => {
    const s = subject("group");
    expect(orwire(["publish", "--nats", NATS_URL, "--subject", s, input]).status).toBe(0);
    const first = orwire(["consume", "--nats", NATS_URL, "--subject", s, "--group", "cli", "--count", "15"]);
    const rest = orwire(["consume", "--nats", NATS_URL, "--subject", s, "--group", "cli", "--timeout", "1"]);
    expect(consumed(first.stdout)).toHaveLength(15);
    expect(tally(events, [...consumed(first.stdout), ...consumed(rest.stdout)])).toMatchObject({
      received: 40,
      lost: 0,
      duplicates: 0,
      changed: 0,
    });
  });

  it("exit 1 names the first event JetStream refused; nothing after it counts as published", async () => {
    const s = subject("refused");
    const names = jetStreamNames({ subject: s });
    // a stream that takes 5 messages and refuses more
    await clients.jsm.streams.add({
      name: names.stream,
      subjects: [s],
      max_msgs: 5,
      discard: "new" as never,
      duplicate_window: 120_000_000_000,
    });
    const run = orwire(["publish", "--nats", NATS_URL, "--subject", s, input]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^orwire: record 6: event ${eventId(events[5]!)}: JetStream refused it: .*maximum messages.*; 5 events were acknowledged\\n$`,
      ),
    );
    expect((await clients.jsm.streams.info(names.stream)).state.messages).toBe(5);
  });

  it("a server that cannot be reached: exit 1 says so in one line", () => {
    const run = orwire(["publish", "--nats", "nats://127.0.0.1:1", input]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe("orwire: cannot connect to NATS at nats://127.0.0.1:1: connection refused\n");
  });

  it("demo --nats runs the shipped sample through a stream of its own and finds every event unchanged", () => {
    const run = orwire(["demo", "--nats", NATS_URL]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout.toString()).toContain(
      "lossless   1,001 of 1,001 events identical after the round trip (Object.is on every field), 0 duplicates, order per item_id kept",
    );
  });
});
