/** What the queue commands share: broker flags, server lists, connecting to Kafka or NATS. */
import { randomBytes } from "node:crypto";
import { isBridgeError } from "../errors.js";
import type { ImageGenCallLifecycleEvent } from "../json/event.js";
import { fromJson, fromWireJson } from "../json/wire-json.js";
import type { KafkaAdminLike } from "../kafka/admin.js";
import { guardKafkaClient } from "../kafka/broker-guard.js";
import type { KafkaConsumerLike, KafkaProducerLike } from "../kafka/client.js";
import { DEFAULT_KAFKA_TOPIC } from "../kafka/records.js";
import { DEFAULT_NATS_SUBJECT_PREFIX } from "../nats/records.js";
import { DEFAULT_CONNECT_TIMEOUT } from "../transport/limits.js";
import { kafkaServers, natsServers } from "../transport/servers.js";
import { lifecycleEvents, readSse } from "../transport/sse.js";
import { withinConnectTimeout } from "./connect.js";
import { asBridgeError } from "./dead-letter.js";
import { describeRecord, Failure } from "./failure.js";
import type { LineIndex } from "./line-index.js";
import { isBlank, LineSplitter, type Lines, lineText, parseJson } from "./lines.js";
import { UsageError } from "./usage-error.js";

/**
 * The broker a queue command talks to, from `--nats URLS [--subject-prefix P | --subject S]` or
 * `--kafka BROKERS [--topic T]`, each a comma-separated list of a cluster's servers. NATS: per-type
 * subjects under `subjectPrefix`, or all on `subject`. `connectTimeout`: how long the first
 * connection may take, in ms.
 */
export type BrokerTarget =
  | {
      kind: "nats";
      servers: string[];
      subjectPrefix: string;
      subject?: string | undefined;
      stream?: string | undefined;
      connectTimeout: number;
    }
  | { kind: "kafka"; brokers: string[]; topic: string; connectTimeout: number };

/** The options every queue command takes. */
export const BROKER_OPTIONS = {
  nats: { type: "string" },
  kafka: { type: "string" },
  subject: { type: "string" },
  "subject-prefix": { type: "string" },
  stream: { type: "string" },
  topic: { type: "string" },
  "connect-timeout": { type: "string" },
} as const;

/** Reads the broker options, refusing a command line that names none, both, or a mismatched flag. */
export function brokerTarget(
  values: {
    nats?: unknown;
    kafka?: unknown;
    subject?: unknown;
    "subject-prefix"?: unknown;
    stream?: unknown;
    topic?: unknown;
    "connect-timeout"?: unknown;
  },
  command: string,
): BrokerTarget {
  const nats = values.nats as string | undefined;
  const kafka = values.kafka as string | undefined;
  if ((nats === undefined) === (kafka === undefined))
    throw new UsageError(`orwire ${command} needs exactly one of --nats URLS or --kafka BROKERS`);
  const connectTimeout = seconds(values["connect-timeout"], "--connect-timeout") ?? DEFAULT_CONNECT_TIMEOUT;
  if (nats !== undefined) {
    if (values.topic !== undefined) throw new UsageError("--topic goes with --kafka; use --subject with --nats");
    if (values.subject !== undefined && values["subject-prefix"] !== undefined)
      throw new UsageError(
        "--subject and --subject-prefix exclude each other: one subject for every type, or one per type under the prefix",
      );
    const subjectPrefix = (values["subject-prefix"] as string | undefined) ?? DEFAULT_NATS_SUBJECT_PREFIX;
    return {
      kind: "nats",
      servers: serverList(natsServers, nats, "--nats"),
      subjectPrefix,
      subject: values.subject as string | undefined,
      stream: values.stream as string | undefined,
      connectTimeout,
    };
  }
  if (values.subject !== undefined || values["subject-prefix"] !== undefined || values.stream !== undefined) {
    throw new UsageError("--subject, --subject-prefix and --stream go with --nats; use --topic with --kafka");
  }
  return {
    kind: "kafka",
    brokers: serverList(kafkaServers, kafka!, "--kafka"),
    topic: (values.topic as string | undefined) ?? DEFAULT_KAFKA_TOPIC,
    connectTimeout,
  };
}

function serverList(parse: (list: string) => string[], list: string, flag: string): string[] {
  try {
    return parse(list);
  } catch (err) {
    throw new UsageError(`${flag}: ${isBridgeError(err) ? err.reason : String(err)}`);
  }
}

/** A duration flag given in seconds (a positive number), in ms; `undefined` when not given. */
export function seconds(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== "string" || value.trim() === "" || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag} must be a positive number of seconds, not ${String(value)}`);
  return Math.round(n * 1000);
}

/** Names the broker and topic or subject for messages. */
export function describeTarget(target: BrokerTarget): string {
  if (target.kind === "kafka") return `Kafka at ${target.brokers.join(",")} (topic ${target.topic})`;
  const at = target.servers.join(",");
  return target.subject === undefined ? `NATS at ${at} (subjects ${target.subjectPrefix}.*)` : `NATS at ${at} (subject ${target.subject})`;
}

/** A short random suffix for names that must not collide with earlier runs. */
export function runId(): string {
  return randomBytes(4).toString("hex");
}

type KafkaModule = typeof import("@platformatic/kafka");
type NatsModule = typeof import("@nats-io/transport-node");
type JetStreamModule = typeof import("@nats-io/jetstream");

/** Loads `@platformatic/kafka`, or fails with a usage error that says how to install it. */
export async function loadKafka(): Promise<KafkaModule> {
  try {
    return await import("@platformatic/kafka");
  } catch {
    throw new UsageError("--kafka needs the Kafka client: npm install @platformatic/kafka@1");
  }
}

/** Loads `@nats-io/transport-node` and `@nats-io/jetstream`, or fails with a usage error that says how to install them. */
export async function loadNats(): Promise<{ nats: NatsModule; jetstream: JetStreamModule }> {
  try {
    return { nats: await import("@nats-io/transport-node"), jetstream: await import("@nats-io/jetstream") };
  } catch {
    throw new UsageError("--nats needs the NATS client: npm install @nats-io/transport-node@3 @nats-io/jetstream@3");
  }
}

/** A Kafka connection for the CLI: an idempotent producer, an admin client, and consumers on demand. */
export interface KafkaSession {
  producer: KafkaProducerLike;
  admin: KafkaAdminLike & {
    deleteTopics(options: { topics: string[] }): Promise<void>;
    describeLogDirs(options: {
      topics: { name: string; partitions: number[] }[];
    }): Promise<{ results: { topics: { name: string; partitions: { partitionSize: bigint }[] }[] }[] }[]>;
  };
  consumer(groupId: string): KafkaConsumerLike & { close(): Promise<void> };
  close(): Promise<void>;
}

/**
 * Connects to Kafka: the first connection to one of the brokers must succeed within the target's
 * `connectTimeout` (else a `Failure` that says so); after that the clients retry a broker that is
 * briefly away. Consumers fetch records up to `MAX_MESSAGE_BYTES`.
 */
export async function openKafka(target: Extract<BrokerTarget, { kind: "kafka" }>): Promise<KafkaSession> {
  const kafka = await loadKafka();
  const base = { bootstrapBrokers: target.brokers, retries: 20, retryDelay: 500, connectTimeout: Math.min(5000, target.connectTimeout) };
  // the publisher retries a batch itself until its delivery timeout; the client's own retries (each
  // up to its 5 s request timeout) are kept few, so that a publish fails close to that timeout
  const guard = <T extends object>(client: T) => guardKafkaClient(client, kafka.kGetConnection);
  const producer = guard(new kafka.Producer({ ...base, retries: 2, clientId: "orwire", idempotent: true }));
  const admin = guard(new kafka.Admin({ ...base, clientId: "orwire-admin" }));
  const consumers: { close(): Promise<void> }[] = [];
  const close = async () => {
    await Promise.allSettled([...consumers.map((c) => c.close()), producer.close(), admin.close()]);
  };
  await withinConnectTimeout(admin.metadata({ topics: [] }), target.connectTimeout, `Kafka at ${target.brokers.join(",")}`, close);
  return {
    producer: producer as unknown as KafkaProducerLike,
    admin: admin as unknown as KafkaSession["admin"],
    consumer(groupId) {
      // fetches of at most 512 KiB (a larger stored batch still comes whole): the fetch path holds a
      // response per leader besides the one in flight, so this bounds its memory (1 MiB read 1,000,000
      // events 10% faster but peaked near 150 MB); a stream buffer of 256 records for the client's own
      // stream, which reads brokers older than Kafka 3.1
      const consumer = guard(
        new kafka.Consumer({ ...base, clientId: "orwire-consumer", groupId, maxWaitTime: 500, maxBytes: 1 << 19, highWaterMark: 256 }),
      );
      consumers.push(consumer);
      return consumer as unknown as KafkaConsumerLike & { close(): Promise<void> };
    },
    close,
  };
}

/** A NATS connection for the CLI with its JetStream client and manager. */
export interface NatsSession {
  js: import("@nats-io/jetstream").JetStreamClient;
  jsm: import("@nats-io/jetstream").JetStreamManager;
  close(): Promise<void>;
}

/**
 * Connects to NATS and JetStream: the first connection to one of the servers must succeed within
 * the target's `connectTimeout` (else a `Failure` that says so); after that the client reconnects
 * to a server that restarts, or fails over to another of the list.
 */
export async function openNats(target: Extract<BrokerTarget, { kind: "nats" }>): Promise<NatsSession> {
  const { nats, jetstream } = await loadNats();
  const where = `NATS at ${target.servers.join(",")}`;
  const connecting = nats.connect({
    servers: target.servers,
    name: "orwire",
    timeout: target.connectTimeout,
    maxReconnectAttempts: 60,
    reconnectTimeWait: 500,
  });
  const nc = await withinConnectTimeout(connecting, target.connectTimeout, where, async () => {
    await (await connecting.catch(() => undefined))?.close();
  });
  let jsm: NatsSession["jsm"];
  try {
    jsm = await jetstream.jetstreamManager(nc);
  } catch (err) {
    await nc.close();
    throw new Failure(`${where} has no JetStream: ${(err as Error).message}`);
  }
  return {
    js: jetstream.jetstream(nc),
    jsm,
    async close() {
      await nc.drain().catch(() => nc.close());
    },
  };
}

/**
 * Lifecycle events from NDJSON (any of the four types, either JSON shape per line, blank lines
 * skipped), an array per chunk of input (none empty). A line that is not an event ends the input
 * with a `Failure` naming its record and line, after an array of the events before it; `lines`
 * learns the line of each record read.
 */
export async function* ndjsonEvents(chunks: AsyncIterable<Uint8Array>, lines: LineIndex): AsyncGenerator<ImageGenCallLifecycleEvent[]> {
  const splitter = new LineSplitter();
  let record = 0;
  let lineNumber = 0;
  let failure: Failure | undefined;
  const take = ({ buf, bounds }: Lines): ImageGenCallLifecycleEvent[] => {
    const events: ImageGenCallLifecycleEvent[] = [];
    for (let i = 0; i < bounds.length; i += 2) {
      lineNumber++;
      const text = lineText(buf, bounds[i]!, bounds[i + 1]!);
      if (typeof text === "string" && isBlank(text)) continue;
      record++;
      lines.add(lineNumber);
      try {
        if (typeof text !== "string") throw text;
        events.push(fromJson(parseJson(text)));
      } catch (err) {
        failure = new Failure(describeRecord(asBridgeError(err), record, lineNumber));
        break;
      }
    }
    return events;
  };
  for await (const chunk of chunks) {
    const events = take(splitter.push(chunk));
    if (events.length > 0) yield events;
    if (failure !== undefined) throw failure;
  }
  const events = take(splitter.end());
  if (events.length > 0) yield events;
  if (failure !== undefined) throw failure;
}

/**
 * The image generation call events of a Responses API event stream (SSE, read strictly), an array
 * per batch of the parser (none empty); other events are counted by type in `skipped`. An event
 * that does not convert ends the input with a `Failure` naming its record and line, after an array
 * of the events before it; malformed SSE, with the parser's reason and line; `lines` learns the
 * line of each record read.
 */
export async function* sseEvents(
  chunks: AsyncIterable<Uint8Array>,
  lines: LineIndex,
  skipped: Map<string, number>,
): AsyncGenerator<ImageGenCallLifecycleEvent[]> {
  let record = 0;
  const batches = readSse(chunks);
  const malformed = (err: unknown): never => {
    const error = asBridgeError(err);
    throw new Failure(`${error.reason} (${error.code})`);
  };
  for (let next = await batches.next().catch(malformed); !next.done; next = await batches.next().catch(malformed)) {
    const events: ImageGenCallLifecycleEvent[] = [];
    let failure: Failure | undefined;
    for (const e of lifecycleEvents(next.value, skipped)) {
      record++;
      lines.add(e.line);
      try {
        events.push(fromWireJson(e.data));
      } catch (err) {
        failure = new Failure(describeRecord(asBridgeError(err), record, e.line));
        break;
      }
    }
    if (events.length > 0) yield events;
    if (failure !== undefined) throw failure;
  }
}

/** The stderr summary of the events an SSE input skipped: `; 7 other events skipped (response.created 1, …)`. */
export function skippedSummary(skipped: Map<string, number>): string {
  const others = [...skipped.values()].reduce((a, b) => a + b, 0);
  return `; ${others} other events skipped${others > 0 ? ` (${[...skipped].map(([type, n]) => `${type} ${n}`).join(", ")})` : ""}`;
}

/** Turns a client's error into a run failure that says what the command was doing; refusals pass unchanged. */
export function brokerFailure(err: unknown, doing: string): unknown {
  if (err instanceof Failure || err instanceof UsageError || isBridgeError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  const inner = (err as { errors?: unknown[] })?.errors;
  const detail = Array.isArray(inner) && inner.length > 0 && inner.at(-1) instanceof Error ? ` (${(inner.at(-1) as Error).message})` : "";
  return new Failure(`${doing}: ${message}${detail}`);
}

/** An AbortController that fires on SIGINT and SIGTERM, so a long run stops cleanly. */
export function interruptible(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const stop = () => controller.abort(new Failure("interrupted"));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return {
    signal: controller.signal,
    dispose() {
      process.removeListener("SIGINT", stop);
      process.removeListener("SIGTERM", stop);
    },
  };
}
