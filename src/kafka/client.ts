import { definedOnly, type CloudEventAttributes } from "../transport/cloudevents.js";
import { BridgeError, isBridgeError } from "../errors.js";
import type { ImageGenCallLifecycleEvent } from "../json/event.js";
import { batched, sleep, type Source } from "../transport/batched.js";
import { kafkaPartition } from "./partition.js";
import { kafkaSizeLimitHint } from "./size-limit.js";
import { defaultKafkaRecordOptions, DEFAULT_KAFKA_TOPIC, readKafkaRecord, toKafkaRecord, type KafkaRecordOptions } from "./records.js";

/**
 * Thin adapters for `@platformatic/kafka` 1.x (an optional peer dependency). They take the
 * client's objects and never import it; the types below are the parts of its API they use.
 */

/** `ProduceAcks.ALL`: the leader waits for every in-sync replica. */
const ACKS_ALL = -1;

/** A record as `@platformatic/kafka`'s `Producer` sends it with its default (`Buffer`) serializers. */
export interface KafkaMessageToProduce {
  topic: string;
  key?: Buffer | undefined;
  value?: Buffer | undefined;
  headers?: Map<Buffer, Buffer> | undefined;
  partition?: number | undefined;
}

/** What the adapters use of a `@platformatic/kafka` `Producer` (with `Buffer` serializers). */
export interface KafkaProducerLike {
  send(options: { messages: KafkaMessageToProduce[]; acks?: number; idempotent?: boolean }): Promise<{ offsets?: { topic: string; partition: number; offset: bigint }[] }>;
  metadata(options: { topics: string[] }): Promise<{ topics: Map<string, { partitionsCount: number }> }>;
}

/** What the adapters use of a consumed `@platformatic/kafka` message. */
export interface KafkaConsumedMessage {
  key: Buffer | null | undefined;
  value: Buffer | null | undefined;
  headers: Map<Buffer, Buffer>;
  topic: string;
  partition: number;
  offset: bigint;
  commit(): void | Promise<void>;
}

/** What the adapters use of a `@platformatic/kafka` `MessagesStream`. */
export interface KafkaMessagesStreamLike extends AsyncIterable<KafkaConsumedMessage> {
  close(): Promise<void>;
}

/** What the adapters use of a `@platformatic/kafka` `Consumer` (with `Buffer` deserializers). */
export interface KafkaConsumerLike {
  consume(options: { topics: string[]; mode?: "earliest" | "committed"; fallbackMode?: "earliest"; autocommit?: boolean }): Promise<KafkaMessagesStreamLike>;
}

/** Options of `publishToKafka`. */
export interface KafkaPublishOptions extends KafkaRecordOptions {
  topic: string;
  /** Records per produce request; one request is in flight at a time, so order is kept. Default 500. */
  batchSize: number;
  /** How long a partly filled batch waits for more events from a slow source, in ms. Default 20. */
  linger: number;
  /** How long one batch is retried before the publish fails, in ms. Default 120 000. */
  deliveryTimeout: number;
  /** The pause between retries of a batch, in ms. Default 250. */
  retryDelay: number;
  /** Called with the running count each time the broker acknowledged records. */
  onAcknowledged: ((acknowledged: number) => void) | undefined;
  /** Stops the publish (between batches and retries). */
  signal: AbortSignal | undefined;
}

/** The defaults of `KafkaPublishOptions`. */
export const defaultKafkaPublishOptions: Readonly<KafkaPublishOptions> = Object.freeze({
  ...defaultKafkaRecordOptions,
  topic: DEFAULT_KAFKA_TOPIC,
  batchSize: 500,
  linger: 20,
  deliveryTimeout: 120_000,
  retryDelay: 250,
  onAcknowledged: undefined,
  signal: undefined,
});

/** What a publish did. */
export interface PublishReport {
  /** Events the broker acknowledged. */
  published: number;
  /** Of those, events JetStream reported as duplicates of stored ones (always 0 for Kafka). */
  duplicates: number;
  /** Produce requests or publishes that were retried after a failure. */
  retries: number;
}

interface Pending {
  record: number;
  id: string;
  message: KafkaMessageToProduce;
}

/**
 * Publishes events in order as records of `toKafkaRecord`, each acknowledged by all in-sync
 * replicas (acks -1) of an idempotent producer, one batch in flight at a time; the key picks the
 * partition as Kafka's Java client does. A batch that fails is retried (only its partitions that
 * were not acknowledged) until `deliveryTimeout`; then a `publish_failed` error names the first
 * record not acknowledged. An event that cannot be encoded stops the publish after the events
 * before it, with its `BridgeError` at its 1-based record number.
 */
export async function publishToKafka(
  producer: KafkaProducerLike,
  events: Source<ImageGenCallLifecycleEvent>,
  options: Partial<KafkaPublishOptions> = {},
): Promise<PublishReport> {
  const o = { ...defaultKafkaPublishOptions, ...definedOnly(options) };
  const partitions = await partitionCount(producer, o.topic);
  const report: PublishReport = { published: 0, duplicates: 0, retries: 0 };
  let record = 0;
  let stop: unknown;
  let inFlight: Promise<void> | undefined;
  const source = (async function* () {
    for await (const event of events) {
      record++;
      try {
        const r = toKafkaRecord(event, o);
        const key = Buffer.from(r.key);
        const headers = new Map<Buffer, Buffer>();
        for (const name in r.headers) headers.set(Buffer.from(name), Buffer.from(r.headers[name]!));
        const message = { topic: o.topic, key, value: Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength), headers, partition: kafkaPartition(key, partitions) };
        yield { record, id: r.headers.ce_id!, message } satisfies Pending;
      } catch (err) {
        throw isBridgeError(err) ? err.atRecord(record) : err;
      }
    }
  })();
  try {
    for await (const batch of batched(source, o.batchSize, o.linger)) {
      await inFlight;
      o.signal?.throwIfAborted();
      inFlight = deliver(producer, batch, o, report).then(() => {
        report.published += batch.length;
        o.onAcknowledged?.(report.published);
      });
      inFlight.catch(() => {}); // awaited before the next batch and at the end
    }
  } catch (err) {
    stop = err;
  }
  await inFlight;
  if (stop !== undefined) throw stop;
  return report;
}

async function partitionCount(producer: KafkaProducerLike, topic: string): Promise<number> {
  const metadata = await producer.metadata({ topics: [topic] });
  const count = metadata.topics.get(topic)?.partitionsCount;
  if (count === undefined || count <= 0) throw new Error(`topic ${topic} has no partitions (create it first, e.g. with ensureKafkaTopic)`);
  return count;
}

/** Sends records until the broker acknowledged every one, retrying the partitions that were not. */
async function deliver(
  producer: KafkaProducerLike,
  batch: Pending[],
  o: Pick<KafkaPublishOptions, "deliveryTimeout" | "retryDelay" | "signal">,
  report: PublishReport,
): Promise<void> {
  let remaining = batch;
  const deadline = Date.now() + o.deliveryTimeout;
  for (let attempt = 1; ; attempt++) {
    try {
      await producer.send({ messages: remaining.map((p) => p.message), acks: ACKS_ALL, idempotent: true });
      return;
    } catch (err) {
      // partitions the broker acknowledged before the failure are not sent again
      const produced = (err as { produced?: { offsets?: { partition: number }[] } }).produced?.offsets ?? [];
      const acknowledged = new Set(produced.map((p) => p.partition));
      remaining = remaining.filter((p) => p.message.partition === undefined || !acknowledged.has(p.message.partition));
      if (remaining.length === 0) return;
      const permanent = (err as { findBy?: (k: string, v: unknown) => unknown }).findBy?.("canRetry", false) != null;
      if (permanent || Date.now() >= deadline || o.signal?.aborted) {
        const first = remaining[0]!;
        const why = permanent ? "the broker refused it" : `not acknowledged within ${o.deliveryTimeout} ms (${attempt} attempts)`;
        throw new BridgeError("publish_failed", [], `event ${first.id}: ${why}: ${describeError(err)}${kafkaSizeLimitHint(err)}`, { record: first.record, value: first.id, cause: err });
      }
      report.retries++;
      await sleep(o.retryDelay);
    }
  }
}

/** A record that could not be read, on its way to the dead-letter topic. */
export interface KafkaDeadLetterRecord {
  /** Why it was refused. */
  error: BridgeError;
  topic: string;
  partition: number;
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: [Buffer, Buffer][];
}

/**
 * Where refused records go: a producer (and topic, default `<topic>.dead-letter`), or a function
 * that stores the record and resolves once it is stored.
 */
export type KafkaDeadLetter = { producer: KafkaProducerLike; topic?: string | undefined } | ((record: KafkaDeadLetterRecord) => void | Promise<void>);

/** Where an event came from, for the handler. */
export interface KafkaEventContext {
  topic: string;
  partition: number;
  offset: bigint;
  /** `${item_id}:${sequence_number}`, the `ce_id`: the same for every delivery of one event. */
  eventId: string;
  attributes: CloudEventAttributes;
}

/** Options of `consumeFromKafka`. */
export interface KafkaConsumeOptions {
  topic: string;
  /** Where refused records go; there is no default, so none is ever dropped. */
  deadLetter: KafkaDeadLetter;
  /** `committed` (the group's committed offsets, else the earliest) or `earliest` (from the beginning). Default `committed`. */
  from: "committed" | "earliest";
  /** Stop after this many events were handled. */
  count: number | undefined;
  /** Stop after this many ms without a record. */
  idleTimeout: number | undefined;
  /** Commit once this many records were handled since the last commit. Default 500. */
  commitEvery: number;
  /** Commit at least this often (ms) while records arrive. Default 1000. */
  commitInterval: number;
  /** How long the consumer tries to reconnect to a broker that went away, in ms. Default 120 000. */
  reconnectTimeout: number;
  /** The pause between reconnect attempts, in ms. Default 500. */
  retryDelay: number;
  /** Stops the consumer (offsets handled so far are committed). */
  signal: AbortSignal | undefined;
}

/** The defaults of `KafkaConsumeOptions` (the dead letter has none). */
export const defaultKafkaConsumeOptions: Readonly<Omit<KafkaConsumeOptions, "deadLetter">> = Object.freeze({
  topic: DEFAULT_KAFKA_TOPIC,
  from: "committed",
  count: undefined,
  idleTimeout: undefined,
  commitEvery: 500,
  commitInterval: 1000,
  reconnectTimeout: 120_000,
  retryDelay: 500,
  signal: undefined,
});

/** What a consumer did. */
export interface ConsumeReport {
  /** Events the handler took. */
  events: number;
  /** Records sent to the dead letter. */
  deadLettered: number;
}

/** Handles one event; a rejection stops the consumer before that record is committed or acked. */
export type EventHandler<Context> = (event: ImageGenCallLifecycleEvent, context: Context) => void | Promise<void>;

/**
 * Reads events from a topic, one at a time, in partition order. Offsets are committed only for
 * records the handler finished (or that went to the dead letter), never before: a record whose
 * handler failed is read again by the next consumer of the group. A record that is not one of
 * ours or does not decode goes to the dead letter with its reason, and the consumer goes on.
 * When the broker goes away, the consumer reconnects and resumes at the committed offsets
 * (records handled since the last commit come again: at-least-once, the event id tells them
 * apart), for up to `reconnectTimeout`. Resolves when `count` events were handled, after
 * `idleTimeout` ms without a record, or on `signal`; rejects with the handler's error.
 */
export async function consumeFromKafka(
  consumer: KafkaConsumerLike,
  handler: EventHandler<KafkaEventContext>,
  options: Partial<KafkaConsumeOptions> & Pick<KafkaConsumeOptions, "deadLetter">,
): Promise<ConsumeReport> {
  const o = { ...defaultKafkaConsumeOptions, ...definedOnly(options) } as KafkaConsumeOptions;
  const report: ConsumeReport = { events: 0, deadLettered: 0 };
  if (o.count !== undefined && o.count <= 0) return report;
  const deadLetter = typeof o.deadLetter === "function" ? o.deadLetter : kafkaDeadLetterProducer(o.deadLetter, o.topic);
  let mode = o.from;
  let lastProgress = Date.now();
  for (;;) {
    let stream: KafkaMessagesStreamLike;
    try {
      stream = await consumer.consume({ topics: [o.topic], mode, fallbackMode: "earliest", autocommit: false });
    } catch (err) {
      if (!isRetriable(err) || Date.now() - lastProgress > o.reconnectTimeout || o.signal?.aborted) throw err;
      await sleep(o.retryDelay);
      continue;
    }
    // after a reconnect, go on from what was committed, never from the beginning again
    mode = "committed";
    const outcome = await consumeStream(stream, handler, deadLetter, o, report, () => (lastProgress = Date.now()));
    if (outcome === "done") return report;
    if (!isRetriable(outcome.error) || Date.now() - lastProgress > o.reconnectTimeout || o.signal?.aborted) throw outcome.error;
    await sleep(o.retryDelay);
  }
}

/** Reads one stream until the consumer is done, or until the client fails (to reconnect). */
async function consumeStream(
  stream: KafkaMessagesStreamLike,
  handler: EventHandler<KafkaEventContext>,
  deadLetter: (record: KafkaDeadLetterRecord) => void | Promise<void>,
  o: KafkaConsumeOptions,
  report: ConsumeReport,
  progressed: () => void,
): Promise<"done" | { error: unknown }> {
  const toCommit = new Map<number, KafkaConsumedMessage>();
  let uncommitted = 0;
  let lastCommit = Date.now();
  const commit = async () => {
    const messages = [...toCommit.values()];
    toCommit.clear();
    uncommitted = 0;
    lastCommit = Date.now();
    await Promise.all(messages.map((m) => m.commit()));
  };
  let idle: NodeJS.Timeout | undefined;
  const close = () => void stream.close().catch(() => {});
  const armIdle = () => {
    if (o.idleTimeout !== undefined) idle = setTimeout(close, o.idleTimeout);
  };
  o.signal?.addEventListener("abort", close, { once: true });
  try {
    armIdle();
    if (o.signal?.aborted) close();
    for await (const m of stream) {
      if (idle !== undefined) clearTimeout(idle);
      progressed();
      let read: ReturnType<typeof readKafkaRecord> | undefined;
      try {
        read = readKafkaRecord({ key: m.key, value: m.value, headers: m.headers });
      } catch (err) {
        if (!isBridgeError(err)) throw new UserFailure(err);
        try {
          await deadLetter({ error: err, topic: m.topic, partition: m.partition, offset: m.offset, key: m.key ?? null, value: m.value ?? null, headers: [...m.headers] });
        } catch (failure) {
          throw new UserFailure(failure);
        }
        report.deadLettered++;
      }
      if (read !== undefined) {
        try {
          await handler(read.event, { topic: m.topic, partition: m.partition, offset: m.offset, eventId: read.attributes.id, attributes: read.attributes });
        } catch (err) {
          throw new UserFailure(err);
        }
        report.events++;
      }
      toCommit.set(m.partition, m);
      if (++uncommitted >= o.commitEvery || Date.now() - lastCommit >= o.commitInterval) await commit();
      if (o.count !== undefined && report.events >= o.count) break;
      armIdle();
    }
    if (toCommit.size > 0) {
      try {
        await commit();
      } catch (err) {
        // the records stay uncommitted and come again to the group: say so rather than reconnect
        throw new UserFailure(err);
      }
    }
    return "done";
  } catch (err) {
    if (err instanceof UserFailure) {
      // commit what the handler finished, then let its error through
      if (toCommit.size > 0) await commit().catch(() => {});
      throw err.error;
    }
    // the client failed: what was not committed is read again after the reconnect
    return { error: err };
  } finally {
    if (idle !== undefined) clearTimeout(idle);
    o.signal?.removeEventListener("abort", close);
    await stream.close().catch(() => {});
  }
}

/** An error of the handler or the dead letter, which ends the consumer (no reconnect). */
class UserFailure {
  constructor(readonly error: unknown) {}
}

/** Broker answers after which a consumer resumes from its committed offsets (a restart, a leader change, a rebalance). */
const RECONNECT_ON = new Set([
  "OFFSET_OUT_OF_RANGE",
  "FENCED_LEADER_EPOCH",
  "UNKNOWN_LEADER_EPOCH",
  "NOT_LEADER_OR_FOLLOWER",
  "LEADER_NOT_AVAILABLE",
  "NOT_COORDINATOR",
  "COORDINATOR_NOT_AVAILABLE",
  "COORDINATOR_LOAD_IN_PROGRESS",
  "REBALANCE_IN_PROGRESS",
  "UNKNOWN_MEMBER_ID",
  "ILLEGAL_GENERATION",
]);

/**
 * Whether a client error is worth a reconnect: a `@platformatic/kafka` error whose every cause is
 * either marked retriable or a broker answer of `RECONNECT_ON`. Resuming from the committed
 * offsets is always safe (records come again, none is skipped).
 */
function isRetriable(err: unknown): boolean {
  const e = err as { code?: unknown };
  if (typeof e?.code !== "string" || !e.code.startsWith("PLT_KFK")) return false;
  const leaves: { canRetry?: boolean; apiId?: string }[] = [];
  const collect = (x: unknown) => {
    const inner = (x as { errors?: unknown[] })?.errors;
    if (Array.isArray(inner) && inner.length > 0) inner.forEach(collect);
    else leaves.push(x as { canRetry?: boolean; apiId?: string });
  };
  collect(err);
  return leaves.every((l) => l?.canRetry !== false || (l.apiId !== undefined && RECONNECT_ON.has(l.apiId)));
}

/** The dead-letter headers added to a refused record (its own headers are kept before them). */
export const KAFKA_DEAD_LETTER_HEADERS = Object.freeze({
  code: "dead_letter_code",
  path: "dead_letter_path",
  reason: "dead_letter_reason",
  topic: "dead_letter_topic",
  partition: "dead_letter_partition",
  offset: "dead_letter_offset",
});

/** A dead letter that produces each refused record, as it came, to `<topic>.dead-letter` with the reason in headers. */
export function kafkaDeadLetterProducer(target: { producer: KafkaProducerLike; topic?: string | undefined }, sourceTopic: string): (record: KafkaDeadLetterRecord) => Promise<void> {
  const topic = target.topic ?? `${sourceTopic}.dead-letter`;
  return async (r) => {
    const headers = new Map<Buffer, Buffer>(r.headers);
    const add = (name: string, value: string) => headers.set(Buffer.from(name), Buffer.from(value));
    add(KAFKA_DEAD_LETTER_HEADERS.code, r.error.code);
    add(KAFKA_DEAD_LETTER_HEADERS.path, JSON.stringify(r.error.path));
    add(KAFKA_DEAD_LETTER_HEADERS.reason, r.error.reason);
    add(KAFKA_DEAD_LETTER_HEADERS.topic, r.topic);
    add(KAFKA_DEAD_LETTER_HEADERS.partition, String(r.partition));
    add(KAFKA_DEAD_LETTER_HEADERS.offset, String(r.offset));
    const message: KafkaMessageToProduce = { topic, headers };
    if (r.key !== null) message.key = r.key;
    if (r.value !== null) message.value = r.value;
    const report: PublishReport = { published: 0, duplicates: 0, retries: 0 };
    await deliver(target.producer, [{ record: 1, id: `${r.topic}/${r.partition}/${r.offset}`, message }], defaultKafkaPublishOptions, report);
  };
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const inner = (err as { errors?: unknown[] }).errors;
  const last = Array.isArray(inner) && inner.length > 0 ? inner[inner.length - 1] : undefined;
  return last instanceof Error && last.message !== err.message ? `${err.message} (${describeError(last)})` : err.message;
}
