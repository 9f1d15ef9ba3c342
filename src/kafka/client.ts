/**
 * Thin adapters for `@platformatic/kafka` 1.x (an optional peer dependency). They take the
 * client's objects and never import it; the types below are the parts of its API they use.
 */
import type { BridgeError } from "../errors.js";
import type { ImageGenCallLifecycleEvent } from "../json/event.js";
import { withDefaults } from "../options.js";
import type { Source } from "../source.js";
import { sleep } from "../transport/batched.js";
import type { CloudEventAttributes } from "../transport/cloudevents.js";
import type { ConsumeReport, EventHandler, PublishReport } from "../transport/types.js";
import { consumeStream } from "./consume-stream.js";
import { consumeFetched, isGroupConsumer, type KafkaFetchPackage, KafkaRebalance } from "./fetch-consume.js";
import { deliverRecords, runKafkaPipeline } from "./producer-pipeline.js";
import { DEFAULT_KAFKA_TOPIC, defaultKafkaRecordOptions, type KafkaRecordOptions } from "./records.js";

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
  send(options: {
    messages: KafkaMessageToProduce[];
    acks?: number;
    idempotent?: boolean;
  }): Promise<{ offsets?: { topic: string; partition: number; offset: bigint }[] }>;
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
  consume(options: {
    topics: string[];
    mode?: "earliest" | "committed";
    fallbackMode?: "earliest";
    autocommit?: boolean;
  }): Promise<KafkaMessagesStreamLike>;
}

/** Options of `publishToKafka`. */
export interface KafkaPublishOptions extends KafkaRecordOptions {
  topic: string;
  /** Records per produce request at most; one request is in flight per partition, so its order is kept. Default 1000. */
  batchSize: number;
  /** Bytes (keys, values, headers) per produce request at most. Default 262 144. */
  batchBytes: number;
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
  batchSize: 1000,
  batchBytes: 256 * 1024,
  linger: 20,
  deliveryTimeout: 120_000,
  retryDelay: 250,
  onAcknowledged: undefined,
  signal: undefined,
});

/**
 * Publishes events in order per `item_id` as records of `toKafkaRecord`, each acknowledged by all
 * in-sync replicas (acks -1) of an idempotent producer; the key picks the partition as Kafka's Java
 * client does. Records are grouped per partition into requests of up to `batchSize` records and
 * `batchBytes` bytes, one request in flight per partition (so a partition's order is kept) and
 * every partition at once, with no promise per record; reading waits while more than a few
 * requests' worth of records are not yet acknowledged. A request that fails is retried (only its
 * partitions that were not acknowledged) until `deliveryTimeout`; then a `publish_failed` error
 * names the first record not acknowledged. An event that cannot be encoded stops the publish
 * after the events before it, with its `BridgeError` at its 1-based record number.
 */
export async function publishToKafka(
  producer: KafkaProducerLike,
  events: Source<ImageGenCallLifecycleEvent>,
  options: Partial<KafkaPublishOptions> = {},
): Promise<PublishReport> {
  const o = withDefaults(defaultKafkaPublishOptions, options);
  const partitions = await partitionCount(producer, o.topic);
  return runKafkaPipeline(producer, events, o, partitions);
}

async function partitionCount(producer: KafkaProducerLike, topic: string): Promise<number> {
  const metadata = await producer.metadata({ topics: [topic] });
  const count = metadata.topics.get(topic)?.partitionsCount;
  if (count === undefined || count <= 0) throw new Error(`topic ${topic} has no partitions (create it first, e.g. with ensureKafkaTopic)`);
  return count;
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
  /** The record's own headers, in order; `null` for a header without a value. */
  headers: [Buffer, Buffer | null][];
}

/**
 * Where refused records go: a producer (and topic, default `<topic>.dead-letter`), or a function
 * that stores the record and resolves once it is stored.
 */
export type KafkaDeadLetter =
  | { producer: KafkaProducerLike; topic?: string | undefined }
  | ((record: KafkaDeadLetterRecord) => void | Promise<void>);

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
  /** Commit once this many records were handled since the last commit. Default 5000. */
  commitEvery: number;
  /** Commit at least this often (ms) while records arrive. Default 1000. */
  commitInterval: number;
  /** How long the consumer tries to reconnect to a broker that went away, in ms. Default 120 000. */
  reconnectTimeout: number;
  /** The pause between reconnect attempts, in ms. Default 500. */
  retryDelay: number;
  /** Stops the consumer (offsets handled so far are committed). */
  signal: AbortSignal | undefined;
  /** Called before each commit; the commit waits until it resolved (the CLI writes out its lines). */
  flush: (() => void | Promise<void>) | undefined;
}

/** The defaults of `KafkaConsumeOptions` (the dead letter has none). */
export const defaultKafkaConsumeOptions: Readonly<Omit<KafkaConsumeOptions, "deadLetter">> = Object.freeze({
  topic: DEFAULT_KAFKA_TOPIC,
  from: "committed",
  count: undefined,
  idleTimeout: undefined,
  commitEvery: 5000,
  commitInterval: 1000,
  reconnectTimeout: 120_000,
  retryDelay: 500,
  signal: undefined,
  flush: undefined,
});

/**
 * Reads events from a topic, one at a time, in partition order; a handler that returns no promise
 * is not awaited. Offsets are committed per batch, in the background, only for
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
  const o = withDefaults(defaultKafkaConsumeOptions, options) as KafkaConsumeOptions;
  const report: ConsumeReport = { events: 0, deadLettered: 0 };
  if (o.count !== undefined && o.count <= 0) return report;
  const deadLetter = typeof o.deadLetter === "function" ? o.deadLetter : kafkaDeadLetterProducer(o.deadLetter, o.topic);
  let mode = o.from;
  let lastProgress = Date.now();
  const progressed = () => (lastProgress = Date.now());
  // a @platformatic/kafka Consumer is read with fetches of our own (see fetch-consume.ts)
  const kafka = isGroupConsumer(consumer) ? await loadFetchPackage() : undefined;
  let fetching = kafka !== undefined;
  for (;;) {
    if (fetching && isGroupConsumer(consumer) && kafka !== undefined) {
      const outcome = await consumeFetched(consumer, kafka, handler, deadLetter, o, report, progressed, mode);
      if (outcome === "unsupported") {
        fetching = false;
        continue;
      }
      mode = "committed";
      if (outcome === "done") return report;
      if (outcome.error instanceof KafkaRebalance && !o.signal?.aborted) continue;
      if (!isRetriable(outcome.error) || Date.now() - lastProgress > o.reconnectTimeout || o.signal?.aborted) throw outcome.error;
      await sleep(o.retryDelay);
      continue;
    }
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
    const outcome = await consumeStream(stream, handler, deadLetter, o, report, progressed);
    if (outcome === "done") return report;
    if (!isRetriable(outcome.error) || Date.now() - lastProgress > o.reconnectTimeout || o.signal?.aborted) throw outcome.error;
    await sleep(o.retryDelay);
  }
}

let fetchPackage: Promise<KafkaFetchPackage | undefined> | undefined;

/** `@platformatic/kafka` for the fetch path, loaded once; `undefined` if it cannot be loaded (then the client's stream is read). */
function loadFetchPackage(): Promise<KafkaFetchPackage | undefined> {
  fetchPackage ??= import("@platformatic/kafka").then(
    (m) => m as unknown as KafkaFetchPackage,
    () => undefined,
  );
  return fetchPackage;
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
export function kafkaDeadLetterProducer(
  target: { producer: KafkaProducerLike; topic?: string | undefined },
  sourceTopic: string,
): (record: KafkaDeadLetterRecord) => Promise<void> {
  const topic = target.topic ?? `${sourceTopic}.dead-letter`;
  return async (r) => {
    // a header without a value goes out as one (the client writes a null value as length -1)
    const headers = new Map<Buffer, Buffer>(r.headers as [Buffer, Buffer][]);
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
    await deliverRecords(
      target.producer,
      [{ ...message, record: 1, id: `${r.topic}/${r.partition}/${r.offset}` }],
      defaultKafkaPublishOptions,
      report,
    );
  };
}
