import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import type { ImageGenCallCompletedEvent } from "../../src/index.js";
import { ensureKafkaTopic, publishToKafka } from "../../src/kafka/index.js";
import { ensureJetStream, jetStreamNames, publishToJetStream } from "../../src/nats/index.js";
import { KAFKA_BROKERS, NATS_URL, ownBroker, ROOT, requireBroker, runTag, waitFor } from "../support/brokers.js";
import { ORWIRE } from "../support/cli.js";
import { kafkaAdmin, kafkaProducer, natsClients } from "../support/queue-clients.js";

/**
 * Backpressure through the real CLI and the real brokers: a broker that stops answering stops
 * `orwire publish` reading its input, and a stdout that nobody reads stops `orwire consume`
 * fetching, so that neither holds more than a bounded part of the stream. The publish tests stop
 * the project's own broker with SIGSTOP for a few seconds (never an ORWIRE_* one).
 */

const kafkaUp = await requireBroker("kafka");
const natsUp = await requireBroker("nats");
const tag = runTag();
const KAFKA = KAFKA_BROKERS.join(",");
/** Input offered to a publish whose broker is stopped: far more than any bound the CLI keeps. */
const OFFER = 64 << 20;
/** The most input a publish may take in while its broker is stopped. */
const READ_AHEAD = 16 << 20;
/** Events of the consume tests, each with a 3 KB member the schema does not know: 180 MB of NDJSON. */
const LARGE_EVENTS = 60_000;
/** The most RSS a consumer may reach while its stdout is not read (the unread output alone is 180 MB). */
const STALLED_RSS = 220 << 20;

const figures: string[] = [];
afterAll(() => {
  for (const f of figures) console.log(`backpressure: ${f}`);
});

function brokerPid(kind: "kafka" | "nats"): number {
  return Number(readFileSync(`${process.env.ORWIRE_RUN_DIR ?? `${ROOT}.run`}/${kind}.pid`, "utf8").trim());
}

/** `count` wire-JSON lines of completed events of 100 items, numbered from `from`. */
function lines(from: number, count: number): string {
  let s = "";
  for (let i = from; i < from + count; i++) {
    const item = (i % 100).toString(16).padStart(8, "0");
    s += `{"type":"response.image_generation_call.completed","item_id":"ig_${tag}${item}","output_index":0,"sequence_number":${Math.floor(i / 100)}}\n`;
  }
  return s;
}

/** Large completed events, of 100 items, each carrying `note`: 3,000 characters. */
function largeEvents(count: number): ImageGenCallCompletedEvent[] {
  const note = "n".repeat(3000);
  return Array.from({ length: count }, (_, i) => ({
    type: "response.image_generation_call.completed" as const,
    itemId: `ig_${tag}large${(i % 100).toString(16).padStart(4, "0")}`,
    outputIndex: 0,
    sequenceNumber: Math.floor(i / 100),
    note,
  }));
}

/** Writes to the child's stdin; resolves `false` when the write has not drained within `ms`. */
function write(child: ChildProcessWithoutNullStreams, text: string, ms: number): Promise<boolean> {
  if (child.stdin.write(text)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.stdin.once("drain", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** The child's exit code and its stderr. */
function exited(child: ChildProcessWithoutNullStreams): Promise<{ status: number | null; stderr: string }> {
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once("close", (status) => resolve({ status, stderr })));
}

/** The resident set size of a process, in bytes. */
function rss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return Number(/(\d+)/.exec(line ?? "")?.[1] ?? 0) * 1024;
}

/**
 * Publishes through the CLI, stops the broker once the first 2,000 events are stored, and offers
 * more input until the CLI stops taking it; then lets the broker go on and ends the input. Expects
 * a bounded read-ahead, a clean exit, and every event sent stored.
 */
async function expectPublishHeldBack(args: string[], kind: "kafka" | "nats", stored: () => Promise<number>): Promise<void> {
  const child = spawn(process.execPath, [ORWIRE, "publish", ...args], { stdio: "pipe" });
  const done = exited(child);
  child.stdout.resume();
  let sent = 2000;
  await write(child, lines(0, sent), 10_000);
  await waitFor(async () => (await stored()) >= 2000, 30_000, "the first 2,000 events to be stored");
  const pid = brokerPid(kind);
  process.kill(pid, "SIGSTOP");
  let readAhead = 0;
  try {
    // 1,000 events (about 150 KB) a write, until one has not drained for 2 s
    while (readAhead < OFFER) {
      const chunk = lines(sent, 1000);
      sent += 1000;
      readAhead += chunk.length;
      if (!(await write(child, chunk, 2000))) break;
    }
  } finally {
    process.kill(pid, "SIGCONT");
  }
  await write(child, lines(sent, 1000), 60_000);
  sent += 1000;
  child.stdin.end();
  const { status, stderr } = await done;
  expect(stderr).not.toMatch(/Error|at .*\.js/);
  expect(status).toBe(0);
  figures.push(`${expect.getState().currentTestName}: ${(readAhead / 2 ** 20).toFixed(2)} MB of input taken while the broker was stopped`);
  expect(readAhead).toBeGreaterThan(0);
  expect(readAhead).toBeLessThan(READ_AHEAD);
  expect(await stored()).toBe(sent);
}

/**
 * Consumes `LARGE_EVENTS` through the CLI with its stdout not read for 8 s, sampling its RSS;
 * then reads it all. Expects a bounded RSS while stalled, a clean exit and every event once.
 */
async function expectConsumeHeldBack(args: string[]): Promise<void> {
  const child = spawn(process.execPath, [ORWIRE, "consume", ...args], { stdio: "pipe" });
  const done = exited(child);
  child.stdout.pause();
  let stalledRss = 0;
  for (let t = 0; t < 8000; t += 250) {
    await new Promise((r) => setTimeout(r, 250));
    if (child.exitCode !== null) break;
    stalledRss = Math.max(stalledRss, rss(child.pid!));
  }
  let out = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (d: string) => (out += d));
  child.stdout.resume();
  const { status, stderr } = await done;
  expect(stderr).not.toMatch(/Error|at .*\.js/);
  expect(status).toBe(0);
  figures.push(`${expect.getState().currentTestName}: peak RSS ${(stalledRss / 2 ** 20).toFixed(0)} MB while stdout was not read`);
  expect(stalledRss).toBeGreaterThan(0);
  expect(stalledRss).toBeLessThan(STALLED_RSS);
  const lines = out.split("\n").filter((l) => l !== "");
  expect(lines).toHaveLength(LARGE_EVENTS);
  expect(new Set(lines).size).toBe(LARGE_EVENTS);
}

describe.skipIf(!kafkaUp)("backpressure on Kafka", () => {
  const admin = kafkaAdmin();
  const topics: string[] = [];
  afterAll(async () => {
    await admin.deleteTopics({ topics }).catch(() => {});
    await admin.close();
  });
  const stored = async (topic: string) => {
    const offsets = await admin.listOffsets({
      topics: [{ name: topic, partitions: [0, 1, 2].map((p) => ({ partitionIndex: p, timestamp: -1n })) }],
    });
    let n = 0;
    for (const t of offsets) for (const p of t.partitions) n += Number(p.offset);
    return n;
  };

  it.skipIf(!ownBroker("kafka"))(
    "a stopped broker stops orwire publish reading its input, and every event is stored once it goes on",
    async () => {
      const topic = `orwire-it-bp-publish-${tag}`;
      topics.push(topic);
      await ensureKafkaTopic(admin, { topic, partitions: 3 });
      await expectPublishHeldBack(["--kafka", KAFKA, "--topic", topic], "kafka", () => stored(topic));
    },
  );

  it("stdout that is not read stops orwire consume fetching: its memory stays bounded, and every event comes out after", async () => {
    const topic = `orwire-it-bp-consume-${tag}`;
    topics.push(topic);
    await ensureKafkaTopic(admin, { topic, partitions: 3 });
    const producer = kafkaProducer();
    try {
      const report = await publishToKafka(producer, largeEvents(LARGE_EVENTS), { topic });
      expect(report.published).toBe(LARGE_EVENTS);
    } finally {
      await producer.close();
    }
    await expectConsumeHeldBack(["--kafka", KAFKA, "--topic", topic, "--count", String(LARGE_EVENTS)]);
  });
});

describe.skipIf(!natsUp)("backpressure on NATS", () => {
  const prefixes: string[] = [];
  afterAll(async () => {
    const { nc, jsm } = await natsClients();
    for (const subjectPrefix of prefixes) {
      const names = jetStreamNames({ subjectPrefix });
      for (const s of [names.stream, names.deadLetterStream]) await jsm.streams.delete(s).catch(() => {});
    }
    await nc.drain();
  });

  it.skipIf(!ownBroker("nats"))(
    "a stopped server stops orwire publish reading its input, and every event is stored once it goes on",
    async () => {
      const subjectPrefix = `orwire_it_bp_publish_${tag}`;
      prefixes.push(subjectPrefix);
      const { nc, jsm } = await natsClients();
      try {
        const { stream } = await ensureJetStream(jsm, { subjectPrefix });
        const stored = async () => (await jsm.streams.info(stream)).state.messages;
        await expectPublishHeldBack(["--nats", NATS_URL, "--subject-prefix", subjectPrefix], "nats", stored);
      } finally {
        await nc.drain();
      }
    },
  );

  it("stdout that is not read stops orwire consume reading: its memory stays bounded, and every event comes out after", async () => {
    const subjectPrefix = `orwire_it_bp_consume_${tag}`;
    prefixes.push(subjectPrefix);
    const { nc, js, jsm } = await natsClients();
    let stream: string;
    try {
      stream = (await ensureJetStream(jsm, { subjectPrefix })).stream;
      const report = await publishToJetStream(js, largeEvents(LARGE_EVENTS), { subjectPrefix });
      expect(report.published).toBe(LARGE_EVENTS);
    } finally {
      await nc.drain();
    }
    await expectConsumeHeldBack(["--nats", NATS_URL, "--stream", stream, "--count", String(LARGE_EVENTS)]);
  });
});
