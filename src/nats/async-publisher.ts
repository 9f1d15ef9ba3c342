/**
 * An acked asynchronous JetStream publisher on core NATS publishes: each message goes out with a
 * reply subject under one wildcard inbox subscription, and the `PubAck`s are matched to it as they
 * come back, so thousands of messages are in flight with no request, promise or timer of their own.
 */
import { BridgeError, clipText } from "../errors.js";
import type { NatsHeaderBlock } from "./header-block.js";
import { scanPubAck } from "./pub-ack.js";
import { NatsFrameWriter, natsProtocolOf } from "./publish-frames.js";
import { natsSizeLimitHint } from "./size-limit.js";

/** What the publisher uses of a `@nats-io/transport-node` connection. */
export interface NatsCoreConnectionLike {
  publish(subject: string, payload: Uint8Array, options: { reply: string; headers: NatsHeaderBlock }): void;
  subscribe(subject: string, options: { callback: (err: Error | null, msg: NatsReplyLike) => void }): { unsubscribe(): void };
}

/** What the publisher reads of a reply. */
export interface NatsReplyLike {
  subject: string;
  data: Uint8Array;
  headers?: { code: number; description: string } | undefined;
}

/** One message to publish: where it goes, its bytes and headers, and what names it in errors. */
export interface OutgoingNatsMessage {
  /** Its 1-based record number in the publish. */
  record: number;
  /** Messages of one key are stored in the order given: one of them is in flight at a time. */
  key: string;
  subject: string;
  data: Uint8Array;
  /**
   * Builds the header block from the message id, `Nats-Msg-Id` included, so that a retry is stored
   * once; called at each send, so that no headers are kept while the message waits for its
   * acknowledgment. One function is shared by many messages.
   */
  headers: (msgID: string) => NatsHeaderBlock;
  /** The message id (`Nats-Msg-Id`), also for error messages. */
  msgID: string;
}

/** Options of `JetStreamAsyncPublisher`. */
export interface AsyncPublisherOptions {
  /** Messages accepted and not yet acknowledged (in flight or waiting behind one of their key). */
  window: number;
  /** How long one send waits for its acknowledgment before it is sent again, in ms. */
  timeout: number;
  /** How long one message is retried before the publish fails, in ms. */
  deliveryTimeout: number;
  /** The pause before a message is sent again, in ms. */
  retryDelay: number;
  /** The inbox prefix of the connection (`_INBOX` by default). */
  inboxPrefix: string;
  /** Called for every acknowledgment. */
  onAcknowledged: (duplicate: boolean) => void;
  /** Called for every send after the first of a message. */
  onRetry: () => void;
  signal: AbortSignal | undefined;
}

interface Entry extends OutgoingNatsMessage {
  deadline: number;
  sentAt: number;
  attempts: number;
  next: Entry | undefined;
}

/** "JetStream system temporarily unavailable": the one API error worth a retry. */
const JS_TEMPORARILY_UNAVAILABLE = 10008;
const NO_RESPONDERS = 503;
const text = new TextDecoder();
let inboxCount = 0;

/**
 * Publishes messages acked by JetStream through one wildcard inbox: `room` resolves once the
 * window can take a message (backpressure), `offer` takes it, `drain` resolves once every accepted message was
 * acknowledged or failed. A send that is not acknowledged within `timeout`, or that JetStream
 * answers with "no responders" or "temporarily unavailable", is sent again with the same headers
 * (the same `Nats-Msg-Id`) until `deliveryTimeout`; any other refusal fails at once. After a
 * failure no new message is sent, and `drain` rejects with a `publish_failed` error naming the
 * first record not acknowledged.
 */
export class JetStreamAsyncPublisher {
  private readonly prefix: string;
  private readonly subscription: { unsubscribe(): void };
  private readonly inflight = new Map<number, Entry>();
  /** The last entry accepted per key whose messages are not all acknowledged. */
  private readonly tails = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;
  /** Writes the frames into the connection's outbound buffer when it is a nats.js 3.x one. */
  private readonly frames: NatsFrameWriter | undefined;
  /** The inbox prefix's length in bytes, or -1 when it is not ASCII. */
  private readonly prefixLength: number;
  private token = 0;
  private held = 0;
  private failure: BridgeError | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly nc: NatsCoreConnectionLike,
    private readonly o: AsyncPublisherOptions,
  ) {
    this.prefix = `${o.inboxPrefix}.orwire${process.pid.toString(36)}${(inboxCount++).toString(36)}${Math.random().toString(36).slice(2, 10)}.`;
    this.prefixLength = Buffer.byteLength(this.prefix) === this.prefix.length ? this.prefix.length : -1; // ASCII: a byte a character
    const protocol = natsProtocolOf(nc);
    this.frames = protocol && new NatsFrameWriter(protocol, () => (nc as unknown as { isClosed(): boolean }).isClosed(), this.prefix);
    this.subscription = nc.subscribe(`${this.prefix}*`, { callback: (err, msg) => (err === null ? this.reply(msg) : undefined) });
    this.sweeper = setInterval(() => this.sweep(), Math.max(10, Math.min(250, o.timeout / 4)));
  }

  /** The error that stopped the publisher, if any. */
  get failed(): BridgeError | undefined {
    return this.failure;
  }

  /** Resolves once the window has room (at once if it has), or rejects with the failure that stopped the publisher. */
  room(): Promise<void> | undefined {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.held < this.o.window) return undefined;
    return (async () => {
      while (this.held >= this.o.window && this.failure === undefined) await this.sleep();
      if (this.failure !== undefined) throw this.failure;
    })();
  }

  /**
   * Accepts a message into the window and sends it unless one of its key is in flight; call it
   * only when `room()` said so. Synchronous, so that the messages of one turn of the event loop
   * leave in one write.
   */
  offer(m: OutgoingNatsMessage): void {
    const entry: Entry = {
      record: m.record,
      key: m.key,
      subject: m.subject,
      data: m.data,
      headers: m.headers,
      msgID: m.msgID,
      deadline: Date.now() + this.o.deliveryTimeout,
      sentAt: 0,
      attempts: 0,
      next: undefined,
    };
    this.held++;
    const tail = this.tails.get(entry.key);
    this.tails.set(entry.key, entry);
    if (tail !== undefined) tail.next = entry;
    else this.send(entry);
  }

  /** Resolves once every accepted message was acknowledged; rejects with the first failure. */
  async drain(): Promise<void> {
    try {
      while (this.held > 0) await this.sleep();
    } finally {
      this.close();
    }
    if (this.failure !== undefined) throw this.failure;
  }

  /** Stops the timers and the inbox subscription (messages in flight are no longer waited for). */
  close(): void {
    this.frames?.flush();
    clearInterval(this.sweeper);
    this.subscription.unsubscribe();
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private send(entry: Entry): void {
    if (this.failure !== undefined && entry.record > this.failure.record!) return this.drop(entry);
    const token = ++this.token;
    entry.attempts++;
    entry.sentAt = Date.now();
    this.inflight.set(token, entry);
    try {
      const headers = entry.headers(entry.msgID);
      if (this.frames?.write(entry.subject, token, headers.encode(), entry.data) !== true) {
        this.nc.publish(entry.subject, entry.data, { reply: `${this.prefix}${token}`, headers });
      }
    } catch (err) {
      // refused before it left: too large for the server, or the connection is closed
      this.inflight.delete(token);
      this.fail(entry, `not sent: ${(err as Error).message}${natsSizeLimitHint(err)}`, err);
    }
  }

  private reply(msg: NatsReplyLike): void {
    const token = this.tokenOf(msg);
    const entry = this.inflight.get(token);
    if (entry === undefined) return; // a late answer to a send that timed out and went again
    this.inflight.delete(token);
    if (msg.headers !== undefined && msg.headers.code === NO_RESPONDERS) return this.retry(entry, "no stream answered (no responders)");
    const duplicate = scanPubAck(msg.data);
    if (duplicate !== undefined) {
      this.o.onAcknowledged(duplicate);
      return this.settle(entry);
    }
    let answer: { stream?: string; duplicate?: boolean; error?: { code?: number; err_code?: number; description?: string } };
    try {
      answer = JSON.parse(text.decode(msg.data));
    } catch (cause) {
      return this.fail(entry, `the acknowledgment is not JSON: ${clipText(text.decode(msg.data))}`, cause);
    }
    if (answer.error !== undefined) {
      const why = `${answer.error.description ?? "error"} (${answer.error.err_code ?? answer.error.code})`;
      if (answer.error.err_code === JS_TEMPORARILY_UNAVAILABLE) return this.retry(entry, why);
      return this.fail(entry, `JetStream refused it: ${why}${natsSizeLimitHint(answer.error)}`, answer.error);
    }
    if (typeof answer.stream !== "string" || answer.stream === "") return this.fail(entry, "invalid acknowledgment (no stream)", answer);
    this.o.onAcknowledged(answer.duplicate === true);
    this.settle(entry);
  }

  /** The token a reply's subject ends with: read from nats.js's bytes of it when it has them (no string decoded), else from the subject. */
  private tokenOf(msg: NatsReplyLike): number {
    const bytes = (msg as { _msg?: { subject?: unknown } })._msg?.subject;
    const from = this.prefixLength;
    if (!(bytes instanceof Uint8Array) || from < 0 || bytes.length <= from || bytes.length > from + 15) {
      return Number(msg.subject.slice(this.prefix.length));
    }
    let token = 0;
    for (let i = from; i < bytes.length; i++) {
      const d = bytes[i]! - 0x30;
      if (d < 0 || d > 9) return Number(msg.subject.slice(this.prefix.length));
      token = token * 10 + d;
    }
    return token;
  }

  /** Sends the message next in line of the key, or frees the key. */
  private settle(entry: Entry): void {
    this.held--;
    if (entry.next !== undefined) this.send(entry.next);
    else if (this.tails.get(entry.key) === entry) this.tails.delete(entry.key);
    this.notify();
  }

  private drop(entry: Entry): void {
    // never sent after a failure of an earlier record: not acknowledged, and so are those behind it
    for (let e: Entry | undefined = entry; e !== undefined; e = e.next) {
      this.held--;
      if (e.next === undefined && this.tails.get(e.key) === e) this.tails.delete(e.key);
    }
    this.notify();
  }

  private retry(entry: Entry, why: string): void {
    if (Date.now() >= entry.deadline || this.o.signal?.aborted) {
      return this.fail(entry, `not acknowledged within ${this.o.deliveryTimeout} ms (${entry.attempts} attempts; last: ${why})`, undefined);
    }
    this.o.onRetry();
    setTimeout(() => this.send(entry), this.o.retryDelay);
  }

  private fail(entry: Entry, why: string, cause: unknown): void {
    if (this.failure === undefined || entry.record < this.failure.record!) {
      this.failure = new BridgeError("publish_failed", [], `event ${clipText(entry.msgID)}: ${why}`, {
        record: entry.record,
        value: entry.msgID,
        cause,
      });
    }
    this.drop(entry);
  }

  /** Sends again what waited longer than `timeout` (the oldest sends come first). */
  private sweep(): void {
    const due = Date.now() - this.o.timeout;
    for (const [token, entry] of this.inflight) {
      if (entry.sentAt > due) break;
      this.inflight.delete(token);
      this.retry(entry, `no acknowledgment within ${this.o.timeout} ms`);
    }
  }
}
