/**
 * Thin adapters for JetStream with `@nats-io/jetstream` and `@nats-io/transport-node` 3.x
 * (optional peer dependencies): they take the client's objects; only `publishToJetStream` and
 * the dead letter load `@nats-io/transport-node`, for its `headers()`, when first called.
 */
import type { JetStreamClient, JetStreamManager, PubAck, StreamConfig, StreamInfo } from "@nats-io/jetstream";
import type { MsgHdrs } from "@nats-io/transport-node";
import { BridgeError, isBridgeError } from "../errors.js";
import type { ImageGenCallLifecycleEvent } from "../json/event.js";
import { withDefaults } from "../options.js";
import type { Source } from "../source.js";
import { batched, sleep } from "../transport/batched.js";
import { type CloudEventAttributes, percentEncode } from "../transport/cloudevents.js";
import { MAX_MESSAGE_BYTES } from "../transport/limits.js";
import type { ConsumeReport, EventHandler, PublishReport } from "../transport/types.js";
import { JetStreamAsyncPublisher, type NatsCoreConnectionLike, type OutgoingNatsMessage } from "./async-publisher.js";
import { consumeFetched, consumeOrdered } from "./consume-loops.js";
import { natsOutgoingWriter } from "./outgoing-writer.js";
import {
  DEFAULT_NATS_SUBJECT_PREFIX,
  defaultNatsMessageOptions,
  type NatsMessageOptions,
  natsSubjectOf,
  type toNatsMessage,
} from "./records.js";
import { natsSizeLimitHint, natsTooLarge } from "./size-limit.js";
import { type JetStreamLimits, jetStreamLimits } from "./stream.js";

export type { ConsumeReport, EventHandler, PublishReport };

/** Options of `ensureJetStream`. */
export interface JetStreamStreamOptions {
  /** The prefix of the per-type subjects; the stream captures `${prefix}.*`. Default `openresponses.image_generation_call`. */
  subjectPrefix: string;
  /** One subject for every type instead (as `toNatsMessage`'s `subject`); the stream then captures just it. */
  subject: string | undefined;
  /** The stream. Default: the prefix (or `subject`) in capitals, other characters as `_`. */
  stream: string | undefined;
  /** How long JetStream remembers a `Nats-Msg-Id` to refuse a duplicate, in ms. Default 2 minutes. */
  duplicateWindow: number;
  /**
   * What the dead-letter stream captures. Default `${prefix}.*.dead-letter` (a refused message
   * goes to its own subject with `.dead-letter`, outside `${prefix}.*`), or `<subject>.dead-letter`.
   */
  deadLetterSubject: string | undefined;
  /** The stream that stores it. Default: the stream's name with `_DEAD_LETTER`. */
  deadLetterStream: string | undefined;
  /** Replicas of a new stream. Default: min(3, servers in the cluster); see `jetStreamLimits`. */
  replicas: number | undefined;
  /** The largest message a new stream takes (`max_msg_size`). Default `MAX_MESSAGE_BYTES` (17 MiB), capped at the server's `max_payload`. */
  maxMessageBytes: number;
}

/** The defaults of `JetStreamStreamOptions`. */
export const defaultJetStreamStreamOptions: Readonly<JetStreamStreamOptions> = Object.freeze({
  subjectPrefix: DEFAULT_NATS_SUBJECT_PREFIX,
  subject: undefined,
  stream: undefined,
  duplicateWindow: 120_000,
  deadLetterSubject: undefined,
  deadLetterStream: undefined,
  replicas: undefined,
  maxMessageBytes: MAX_MESSAGE_BYTES,
});

/** The names `ensureJetStream` settled on. */
export interface JetStreamNames {
  /** What the stream captures: `${prefix}.*` (every lifecycle type), or the one `subject`. */
  subject: string;
  stream: string;
  /** What the dead-letter stream captures: `${prefix}.*.dead-letter`, or `<subject>.dead-letter`. */
  deadLetterSubject: string;
  deadLetterStream: string;
}

/** The stream, dead-letter subject and stream names for a subject prefix (or one subject), with the defaults applied. */
export function jetStreamNames(options: Partial<JetStreamStreamOptions> = {}): JetStreamNames {
  const o = withDefaults(defaultJetStreamStreamOptions, options);
  const base = o.subject ?? o.subjectPrefix;
  const subject = o.subject ?? `${o.subjectPrefix}.*`;
  const stream = o.stream ?? base.replace(/[^A-Za-z0-9_-]/g, "_").toUpperCase();
  return {
    subject,
    stream,
    deadLetterSubject: o.deadLetterSubject ?? `${subject}.dead-letter`,
    deadLetterStream: o.deadLetterStream ?? `${stream}_DEAD_LETTER`,
  };
}

/**
 * Creates the stream of the events (by default capturing `${prefix}.*`, the subjects of all four
 * lifecycle types; file storage, with the duplicate window that makes a republished `Nats-Msg-Id` a
 * no-op; replicated and sized by `jetStreamLimits`) and the dead-letter stream, whose subjects do
 * not overlap it, or updates existing ones to capture those subjects with that window. Returns the
 * names.
 */
export async function ensureJetStream(jsm: JetStreamManager, options: Partial<JetStreamStreamOptions> = {}): Promise<JetStreamNames> {
  const o = withDefaults(defaultJetStreamStreamOptions, options);
  const names = jetStreamNames(o);
  const window = o.duplicateWindow * 1_000_000; // nanoseconds
  const limits = jetStreamLimits(jsm, o);
  await ensureStream(jsm, names.stream, names.subject, window, limits);
  await ensureStream(jsm, names.deadLetterStream, names.deadLetterSubject, window, limits);
  return names;
}

async function ensureStream(
  jsm: JetStreamManager,
  name: string,
  subject: string,
  duplicateWindow: number,
  limits: JetStreamLimits,
): Promise<StreamInfo> {
  let info: StreamInfo | undefined;
  try {
    info = await jsm.streams.info(name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (info === undefined) {
    return jsm.streams.add({
      name,
      subjects: [subject],
      duplicate_window: duplicateWindow,
      storage: "file" as StreamConfig["storage"],
      ...limits,
    });
  }
  const subjects = info.config.subjects ?? [];
  if (subjects.includes(subject) && info.config.duplicate_window === duplicateWindow) return info;
  return jsm.streams.update(name, {
    subjects: subjects.includes(subject) ? subjects : [...subjects, subject],
    duplicate_window: duplicateWindow,
  });
}

/** Options of `publishToJetStream`. */
export interface JetStreamPublishOptions extends NatsMessageOptions {
  /** Events accepted and not yet acknowledged; one in flight at a time per `item_id`, so its order is kept. Default 1024. */
  window: number;
  /** How long one publish waits for its acknowledgment, in ms. Default 5000. */
  timeout: number;
  /** How long one event is retried before the publish fails, in ms. Default 60 000. */
  deliveryTimeout: number;
  /** The pause between retries of an event, in ms. Default 250. */
  retryDelay: number;
  /** The stream the events must land in (`expect.streamName`); any stream if not set. */
  stream: string | undefined;
  /** Called with the running count each time JetStream acknowledged an event. */
  onAcknowledged: ((acknowledged: number) => void) | undefined;
  /** Stops the publish (between events and retries). */
  signal: AbortSignal | undefined;
}

/** The defaults of `JetStreamPublishOptions`. */
export const defaultJetStreamPublishOptions: Readonly<JetStreamPublishOptions> = Object.freeze({
  ...defaultNatsMessageOptions,
  window: 1024,
  timeout: 5000,
  deliveryTimeout: 60_000,
  retryDelay: 250,
  stream: undefined,
  onAcknowledged: undefined,
  signal: undefined,
});

/**
 * Publishes lifecycle events as messages of `toNatsMessage` (each on its type's subject), each with
 * its event id as `Nats-Msg-Id`, and counts an event only once JetStream acknowledged it (a
 * `PubAck`; `duplicate` when the stream already held that id, so a retried publish is stored once).
 * Messages go out as core publishes with a reply subject under one inbox, and the acknowledgments
 * are matched as they come back (`JetStreamAsyncPublisher`): up to `window` events are in flight,
 * but one at a time per `item_id`, so one call's events are stored in order even when publishes
 * are retried. A send that is not acknowledged within `timeout` is sent again with the same
 * `Nats-Msg-Id` until `deliveryTimeout`; a refusal (a message above the server's `max_payload`, a
 * JetStream API error) fails at once; either way a `publish_failed` error names the first record
 * not acknowledged. An event that cannot be encoded stops the publish after the events before it,
 * with its `BridgeError`. `js` must be the client of `jetstream(nc)` (its connection is used).
 */
export async function publishToJetStream(
  js: JetStreamClient,
  events: Source<ImageGenCallLifecycleEvent>,
  options: Partial<JetStreamPublishOptions> = {},
): Promise<PublishReport> {
  const o = withDefaults(defaultJetStreamPublishOptions, options);
  const nc = (js as unknown as { nc?: NatsCoreConnectionLike & { options?: { inboxPrefix?: string } } }).nc;
  if (nc === undefined) throw new Error("publishToJetStream needs the client of jetstream(nc) from @nats-io/jetstream 3.x");
  const report: PublishReport = { published: 0, duplicates: 0, retries: 0 };
  const publisher = new JetStreamAsyncPublisher(nc, {
    window: o.window,
    timeout: o.timeout,
    deliveryTimeout: o.deliveryTimeout,
    retryDelay: o.retryDelay,
    inboxPrefix: nc.options?.inboxPrefix || "_INBOX",
    signal: o.signal,
    onRetry: () => report.retries++,
    onAcknowledged: (duplicate) => {
      report.published++;
      if (duplicate) report.duplicates++;
      o.onAcknowledged?.(report.published);
    },
  });
  const write = natsOutgoingWriter(o, o.stream);
  let stop: unknown;
  let record = 0;
  try {
    // whole batches are offered in one turn of the event loop, so that they leave in one write
    for await (const batch of batched(events, 1024, 5)) {
      for (const event of batch) {
        o.signal?.throwIfAborted();
        record++;
        let message: OutgoingNatsMessage;
        try {
          message = write(event, record);
        } catch (err) {
          throw isBridgeError(err) ? err.atRecord(record) : err;
        }
        const wait = publisher.room();
        if (wait !== undefined) await wait;
        publisher.offer(message);
      }
    }
  } catch (err) {
    stop = err;
  }
  try {
    await publisher.drain();
  } catch (failure) {
    // the first record not acknowledged comes before the one that stopped the reading
    if (!(isBridgeError(stop) && stop.record !== undefined && stop.record < (failure as BridgeError).record!)) throw failure;
  }
  if (stop !== undefined && stop !== publisher.failed) throw stop;
  return report;
}

async function publishOne(
  js: JetStreamClient,
  message: ReturnType<typeof toNatsMessage>,
  headers: () => MsgHdrs,
  record: number,
  o: JetStreamPublishOptions,
  report: PublishReport,
): Promise<PubAck> {
  const deadline = Date.now() + o.deliveryTimeout;
  for (let attempt = 1; ; attempt++) {
    const h = headers();
    for (const name in message.headers) h.set(name, message.headers[name]!);
    try {
      return await js.publish(message.subject, message.data, {
        msgID: message.msgID,
        headers: h,
        timeout: o.timeout,
        ...(o.stream === undefined ? {} : { expect: { streamName: o.stream } }),
      });
    } catch (err) {
      const permanent = (isApiError(err) && (err as { code?: number }).code !== JS_TEMPORARILY_UNAVAILABLE) || natsTooLarge(err);
      if (permanent || Date.now() >= deadline || o.signal?.aborted) {
        const why = permanent ? "JetStream refused it" : `not acknowledged within ${o.deliveryTimeout} ms (${attempt} attempts)`;
        throw new BridgeError("publish_failed", [], `event ${message.msgID}: ${why}: ${(err as Error).message}${natsSizeLimitHint(err)}`, {
          record,
          value: message.msgID,
          cause: err,
        });
      }
      report.retries++;
      await sleep(o.retryDelay);
    }
  }
}

/** A message that could not be read, on its way to the dead letter. */
export interface JetStreamDeadLetterMessage {
  /** Why it was refused. */
  error: BridgeError;
  stream: string;
  /** Its sequence number in the stream. */
  seq: number;
  subject: string;
  data: Uint8Array;
  /** The headers as the client decoded them (a byte that is not UTF-8 became U+FFFD). */
  headers: [string, string][];
  /** The header block as received (`natsHeaderBytePairs` reads it), when the client exposes it. */
  headerBlock?: Uint8Array | undefined;
}

/**
 * Where refused messages go: a subject (default `<subject>.dead-letter`, which a stream must
 * capture, as `ensureJetStream` sets up), or a function that stores the message and resolves once
 * it is stored.
 */
export type JetStreamDeadLetter = { subject?: string | undefined } | ((message: JetStreamDeadLetterMessage) => void | Promise<void>);

/** Where an event came from, for the handler. */
export interface JetStreamEventContext {
  stream: string;
  subject: string;
  /** Its sequence number in the stream. */
  seq: number;
  /** How many times it was delivered (more than 1 after a failed handler or a lost ack). */
  deliveries: number;
  /** `${item_id}:${sequence_number}`, the `ce-id`: the same for every delivery of one event. */
  eventId: string;
  attributes: CloudEventAttributes;
}

/** Options of `consumeFromJetStream`. */
export interface JetStreamConsumeOptions {
  stream: string;
  /** Read only this lifecycle type (its subject under `subjectPrefix`); every type the stream holds by default. */
  type: ImageGenCallLifecycleEvent["type"] | undefined;
  /** The prefix of the per-type subjects, for `type`. Default `openresponses.image_generation_call`. */
  subjectPrefix: string;
  /**
   * A durable consumer's name (created if missing: explicit acks, from the first message); by
   * default an ephemeral consumer that starts at the stream's first message.
   */
  consumer: string | undefined;
  /** Where refused messages go. Default: `<subject>.dead-letter` of the subject they came on. */
  deadLetter: JetStreamDeadLetter;
  /** Stop after this many events were handled. */
  count: number | undefined;
  /** Stop after this many ms without a message. */
  idleTimeout: number | undefined;
  /** How long JetStream waits for an ack before redelivering, in ms. Default 30 000. */
  ackWait: number;
  /** Messages fetched at a time, ahead of the handler. Default 1000. */
  maxMessages: number;
  /** How long the consumer keeps fetching while the server is away, in ms. Default 120 000. */
  reconnectTimeout: number;
  /** The pause before fetching again after a failed fetch, in ms. Default 500. */
  retryDelay: number;
  /** Stops the consumer. */
  signal: AbortSignal | undefined;
  /** Called before each batch of acks; the acks wait until it resolved (the CLI writes out its lines). */
  flush: (() => void | Promise<void>) | undefined;
}

/** The defaults of `JetStreamConsumeOptions`. */
export const defaultJetStreamConsumeOptions: Readonly<JetStreamConsumeOptions> = Object.freeze({
  stream: jetStreamNames().stream,
  type: undefined,
  subjectPrefix: DEFAULT_NATS_SUBJECT_PREFIX,
  consumer: undefined,
  deadLetter: Object.freeze({}),
  count: undefined,
  idleTimeout: undefined,
  ackWait: 30_000,
  maxMessages: 1000,
  reconnectTimeout: 120_000,
  retryDelay: 500,
  signal: undefined,
  flush: undefined,
});

/**
 * Reads events from a stream, one at a time, in stream order. Without a durable `consumer`, an
 * ordered consumer reads the stream from its first message (nothing to ack: no other reader
 * resumes from it). With one, bounded fetches of `maxMessages`; messages are acked only after the
 * handler resolved and `flush` resolved, in batches (a consumer this function creates acks with
 * `AckAll`, so one ack covers a fetch). A handler that rejects stops the consumer with its error;
 * its message and those fetched after it are nak'ed, to be delivered again at once. A message
 * that is not one of ours or does not decode goes to the dead letter with its reason and is then
 * terminated, so it never blocks the stream. While the server is away the consumer keeps
 * fetching, for up to `reconnectTimeout`. Resolves when `count` events were handled, after
 * `idleTimeout` ms without a message, or on `signal`.
 */
export async function consumeFromJetStream(
  js: JetStreamClient,
  handler: EventHandler<JetStreamEventContext>,
  options: Partial<JetStreamConsumeOptions> = {},
): Promise<ConsumeReport> {
  const o = withDefaults(defaultJetStreamConsumeOptions, options);
  const report: ConsumeReport = { events: 0, deadLettered: 0 };
  if (o.count !== undefined && o.count <= 0) return report;
  const deadLetter = typeof o.deadLetter === "function" ? o.deadLetter : jetStreamDeadLetterPublisher(js, o.deadLetter);
  const filter = o.type === undefined ? undefined : natsSubjectOf(o.type, o.subjectPrefix);
  if (o.consumer === undefined) {
    const consumer = await js.consumers.get(o.stream, filter === undefined ? {} : { filter_subjects: filter });
    await consumeOrdered(consumer, handler, deadLetter, o, report);
    return report;
  }
  const jsm = await js.jetstreamManager();
  const config = {
    ack_policy: "all",
    deliver_policy: "all",
    ack_wait: o.ackWait * 1_000_000,
    max_ack_pending: Math.max(1000, o.maxMessages * 4),
    ...(filter === undefined ? {} : { filter_subject: filter }),
  } as const;
  let ackAll = true;
  try {
    ackAll = (await jsm.consumers.info(o.stream, o.consumer)).config.ack_policy === "all";
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.consumers.add(o.stream, { ...config, durable_name: o.consumer } as Parameters<JetStreamManager["consumers"]["add"]>[1]);
  }
  const consumer = await js.consumers.get(o.stream, o.consumer);
  await consumeFetched(consumer, handler, deadLetter, o, report, ackAll);
  return report;
}

/** The dead-letter headers added to a refused message (its own headers are kept before them), percent-encoded. */
export const NATS_DEAD_LETTER_HEADERS = Object.freeze({
  code: "dead-letter-code",
  path: "dead-letter-path",
  reason: "dead-letter-reason",
  stream: "dead-letter-stream",
  subject: "dead-letter-subject",
  seq: "dead-letter-seq",
});

/** A dead letter that publishes each refused message, as it came, with the reason in headers. */
export function jetStreamDeadLetterPublisher(
  js: JetStreamClient,
  target: { subject?: string | undefined },
): (message: JetStreamDeadLetterMessage) => Promise<void> {
  return async (m) => {
    const headers = await loadHeaders();
    const subject = target.subject ?? `${m.subject}.dead-letter`;
    const h: Record<string, string> = {};
    const extra: [string, string][] = [
      [NATS_DEAD_LETTER_HEADERS.code, m.error.code],
      [NATS_DEAD_LETTER_HEADERS.path, JSON.stringify(m.error.path)],
      [NATS_DEAD_LETTER_HEADERS.reason, m.error.reason],
      [NATS_DEAD_LETTER_HEADERS.stream, m.stream],
      [NATS_DEAD_LETTER_HEADERS.subject, m.subject],
      [NATS_DEAD_LETTER_HEADERS.seq, String(m.seq)],
    ];
    const report: PublishReport = { published: 0, duplicates: 0, retries: 0 };
    const message = { subject, data: m.data, headers: h, msgID: `dead-letter:${m.stream}:${m.seq}` };
    const build = () => {
      const out = headers();
      for (const [name, value] of m.headers) if (name !== "Nats-Msg-Id") out.append(name, value);
      for (const [name, value] of extra) out.set(name, percentEncode(value));
      return out;
    };
    await publishOne(js, message, build, 1, defaultJetStreamPublishOptions, report);
  };
}

let headersFactory: (() => MsgHdrs) | undefined;

async function loadHeaders(): Promise<() => MsgHdrs> {
  if (headersFactory === undefined) {
    try {
      headersFactory = (await import("@nats-io/transport-node")).headers;
    } catch (cause) {
      throw new Error("publishing to JetStream needs @nats-io/transport-node 3.x: npm install @nats-io/transport-node @nats-io/jetstream", {
        cause,
      });
    }
  }
  return headersFactory;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; code?: number; message?: string };
  return (
    e?.code === 10059 ||
    e?.code === 10014 ||
    e?.name === "StreamNotFoundError" ||
    e?.name === "ConsumerNotFoundError" ||
    /not found/i.test(e?.message ?? "")
  );
}

/** The one JetStream API answer to a publish that is worth a retry: "JetStream system temporarily unavailable". */
const JS_TEMPORARILY_UNAVAILABLE = 10008;

function isApiError(err: unknown): boolean {
  return typeof (err as { apiError?: unknown })?.apiError === "function";
}
