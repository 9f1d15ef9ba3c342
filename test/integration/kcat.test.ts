import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { equalJson, type ImageGenCallCompletedEvent, type ImageGenCallLifecycleEvent, messageNameOf } from "../../src/index.js";
import { consumeFromKafka, ensureKafkaTopic, publishToKafka, toKafkaRecord } from "../../src/kafka/index.js";
import { eventId } from "../../src/transport/index.js";
import { KAFKA_BROKERS, requireBroker, runTag } from "../support/brokers.js";
import { goDecode, sdkFromProtoJson } from "../support/buf.js";
import { makeEvents, sseSample } from "../support/events.js";
import { kafkaAdmin, kafkaConsumer, kafkaProducer } from "../support/queue-clients.js";

/**
 * A non-JS peer: Debian's kcat (librdkafka) reads the records this library writes, and Go's
 * protobuf (through `buf convert`) decodes their values; and kcat writes a record this library reads.
 */

const available = await requireBroker("kafka");
const tag = runTag();
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "orwire-kcat-"));

/** One record as kcat printed it with `-f '%p %o %S %K %h\n%k%s'`. */
interface KcatRecord {
  partition: number;
  offset: number;
  key: string;
  headers: Record<string, string>;
  value: Buffer;
}

/** Parses kcat's output: a header line per record, then exactly the key's and the value's bytes. */
function parseKcat(out: Buffer): KcatRecord[] {
  const records: KcatRecord[] = [];
  let pos = 0;
  while (pos < out.length) {
    const nl = out.indexOf(10, pos);
    const [partition, offset, valueSize, keySize, ...rest] = out.subarray(pos, nl).toString("utf8").split(" ");
    const headers = Object.fromEntries(
      rest
        .join(" ")
        .split(",")
        .map((h) => [h.slice(0, h.indexOf("=")), h.slice(h.indexOf("=") + 1)]),
    );
    const keyStart = nl + 1;
    const valueStart = keyStart + Number(keySize);
    records.push({
      partition: Number(partition),
      offset: Number(offset),
      key: out.subarray(keyStart, valueStart).toString("utf8"),
      headers,
      value: out.subarray(valueStart, valueStart + Number(valueSize)),
    });
    pos = valueStart + Number(valueSize);
  }
  return records;
}

describe.skipIf(!available)("kcat (librdkafka) as a non-JS peer", () => {
  const admin = kafkaAdmin();
  const producer = kafkaProducer();
  const topics = [
    `orwire-it-kcat-${tag}`,
    `orwire-it-kcat-in-${tag}`,
    `orwire-it-kcat-in-${tag}.dead-letter`,
    `orwire-it-kcat-lifecycle-${tag}`,
  ];

  afterAll(async () => {
    await admin.deleteTopics({ topics }).catch(() => {});
    await admin.close();
    await producer.close();
  });

  it("consumes our topic; each value decodes in Go's protobuf (buf convert) to the event, key and headers as written", async () => {
    const topic = topics[0]!;
    await ensureKafkaTopic(admin, { topic });
    // plain ids, so that kcat's comma-separated header dump parses; the odd values are in the numbers and members
    const generated = makeEvents(24, { items: 5, tag });
    const plain = new Map([...new Set(generated.map((e) => e.itemId))].map((id, i) => [id, `ig_${tag}_${i}`]));
    const events = generated.map((e) => ({ ...e, itemId: plain.get(e.itemId)! }));
    await publishToKafka(producer, events, { topic });

    const { stdout } = await run(
      "kcat",
      ["-C", "-b", KAFKA_BROKERS.join(","), "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%p %o %S %K %h\n%k%s"],
      { encoding: "buffer", timeout: 30_000, maxBuffer: 1 << 24 },
    );
    const records = parseKcat(stdout);
    expect(records).toHaveLength(events.length);
    const byId = new Map(events.map((e) => [eventId(e), e]));
    for (const r of records) {
      const event = byId.get(r.headers.ce_id!) as ImageGenCallCompletedEvent;
      expect(event).toBeDefined();
      expect(r.key).toBe(event.itemId);
      expect(r.headers).toEqual(toKafkaRecord(event).headers);
      const go = goDecode(r.value);
      if ("error" in go) throw new Error(`buf convert refused ${r.value.toString("hex")}: ${go.error}`);
      expect(equalJson(sdkFromProtoJson(go.json), event)).toBe(true);
      expect(r.value.equals(Buffer.from(toKafkaRecord(event).value))).toBe(true);
    }
    // one item, one partition, in order
    for (let item = 0; item < plain.size; item++) {
      const mine = records.filter((r) => r.key === `ig_${tag}_${item}`);
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
      expect(mine.sort((a, b) => a.offset - b.offset).map((r) => r.headers.ce_id)).toEqual(
        events.filter((e) => e.itemId === `ig_${tag}_${item}`).map(eventId),
      );
    }
  });

  it("consumes partial image (and every other lifecycle) records; Go's protobuf decodes each value as the message ce_type names", async () => {
    const topic = topics[3]!;
    await ensureKafkaTopic(admin, { topic });
    const events = sseSample();
    await publishToKafka(producer, events, { topic });

    const { stdout } = await run(
      "kcat",
      ["-C", "-b", KAFKA_BROKERS.join(","), "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%p %o %S %K %h\n%k%s"],
      { encoding: "buffer", timeout: 30_000, maxBuffer: 1 << 24 },
    );
    const records = parseKcat(stdout);
    expect(records).toHaveLength(events.length);
    const byId = new Map(events.map((e) => [eventId(e), e]));
    for (const r of records) {
      const event = byId.get(r.headers.ce_id!)!;
      expect(r.headers).toEqual(toKafkaRecord(event).headers);
      expect(r.headers.ce_type).toBe(event.type);
      const go = goDecode(r.value, messageNameOf(event.type));
      if ("error" in go) throw new Error(`buf convert refused ${r.value.toString("hex")} as ${messageNameOf(event.type)}: ${go.error}`);
      expect(equalJson(sdkFromProtoJson(go.json, event.type), event)).toBe(true);
    }
    const partial = records.filter((r) => r.headers.ce_type === "response.image_generation_call.partial_image");
    expect(partial).toHaveLength(4);
    const go = goDecode(partial[0]!.value, "openresponses.v1.ImageGenCallPartialImage");
    expect("json" in go && typeof go.json.partialImage).toBe("string");
  });

  it("produces a record (key, CloudEvents headers, value from a file) that fromKafkaRecord reads", async () => {
    const topic = topics[1]!;
    await ensureKafkaTopic(admin, { topic });
    await ensureKafkaTopic(admin, { topic: topics[2]! });
    const event: ImageGenCallCompletedEvent = {
      type: "response.image_generation_call.completed",
      itemId: `ig_kcat_${tag}`,
      outputIndex: 3469.55,
      sequenceNumber: 12,
      note: "from kcat",
    };
    const record = toKafkaRecord(event);
    const file = join(dir, "value.binpb");
    writeFileSync(file, record.value);
    const headerArgs = Object.entries(record.headers).flatMap(([k, v]) => ["-H", `${k}=${v}`]);
    await run("kcat", ["-P", "-b", KAFKA_BROKERS.join(","), "-t", topic, "-k", record.key, ...headerArgs, file], { timeout: 30_000 });

    const got: ImageGenCallLifecycleEvent[] = [];
    const consumer = kafkaConsumer(`orwire-it-kcat-${tag}`);
    try {
      expect(
        await consumeFromKafka(consumer, (e) => void got.push(e), {
          topic,
          from: "earliest",
          count: 1,
          idleTimeout: 15_000,
          deadLetter: { producer },
        }),
      ).toEqual({ events: 1, deadLettered: 0 });
    } finally {
      await consumer.close();
    }
    expect(equalJson(got[0], event)).toBe(true);
  });
});
