/** Reading a JetStream stream: an ordered consumer from the beginning, or a durable one fetching in batches. */
import type { Consumer, ConsumerMessages, JsMsg } from "@nats-io/jetstream";
import { isBridgeError } from "../errors.js";
import { sleep, watchIdle } from "../transport/batched.js";
import type { ConsumeReport, EventHandler } from "../transport/types.js";
import type { JetStreamConsumeOptions, JetStreamDeadLetterMessage, JetStreamEventContext } from "./client.js";
import { natsHeaderBlockOf } from "./header-block.js";
import { natsHeaderPairs, readNatsMessage } from "./records.js";

type DeadLetter = (message: JetStreamDeadLetterMessage) => void | Promise<void>;

/** The longest a fetch waits for messages, in ms. */
const FETCH_EXPIRES = 5000;

/** Why a message was not handled: the handler's or the dead letter's error. */
class Stop {
  constructor(readonly error: unknown) {}
}

/**
 * Reads one message: decodes it (its headers strictly from their bytes), hands the event on, or
 * sends the message to the dead letter. Resolves to `true` for an event, `false` for a dead
 * letter; rejects with a `Stop`.
 */
function handle(
  m: JsMsg,
  handler: EventHandler<JetStreamEventContext>,
  deadLetter: DeadLetter,
  o: JetStreamConsumeOptions,
  report: ConsumeReport,
): boolean | Promise<boolean> {
  let read: ReturnType<typeof readNatsMessage>;
  const block = natsHeaderBlockOf(m);
  try {
    read = readNatsMessage({ data: m.data, headers: block ?? m.headers });
  } catch (err) {
    if (!isBridgeError(err)) throw new Stop(err);
    const letter: JetStreamDeadLetterMessage = {
      error: err,
      stream: o.stream,
      seq: m.seq,
      subject: m.subject,
      data: m.data,
      headers: natsHeaderPairs(m.headers),
      headerBlock: block,
    };
    return (async () => {
      try {
        await deadLetter(letter);
      } catch (error) {
        throw new Stop(error);
      }
      report.deadLettered++;
      return false;
    })();
  }
  try {
    const done = handler(read.event, {
      stream: o.stream,
      subject: m.subject,
      seq: m.seq,
      deliveries: m.info.deliveryCount,
      eventId: read.attributes.id,
      attributes: read.attributes,
    });
    if (done !== undefined) {
      return done.then(
        () => {
          report.events++;
          return true;
        },
        (error) => {
          throw new Stop(error);
        },
      );
    }
  } catch (error) {
    throw new Stop(error);
  }
  report.events++;
  return true;
}

/**
 * Reads a stream with an ordered consumer (no acks: nothing resumes from it), in stream order,
 * until `count` events, `idleTimeout` ms without a message, or `signal`.
 */
export async function consumeOrdered(
  consumer: Consumer,
  handler: EventHandler<JetStreamEventContext>,
  deadLetter: DeadLetter,
  o: JetStreamConsumeOptions,
  report: ConsumeReport,
): Promise<void> {
  const messages = await consumer.consume({ max_messages: o.maxMessages });
  const stop = () => void messages.close().catch(() => {});
  let lastSeen = Date.now();
  const endIdle = watchIdle(o.idleTimeout, () => lastSeen, stop);
  o.signal?.addEventListener("abort", stop, { once: true });
  try {
    if (o.signal?.aborted) stop();
    for await (const m of messages) {
      lastSeen = Date.now();
      const handled = handle(m, handler, deadLetter, o, report);
      if (handled !== true && handled !== false) await handled;
      if (o.count !== undefined && report.events >= o.count) break;
    }
  } catch (err) {
    throw err instanceof Stop ? err.error : err;
  } finally {
    endIdle();
    o.signal?.removeEventListener("abort", stop);
    stop();
  }
}

/**
 * Reads a durable consumer in bounded fetches (so that no pull request is left at the server when
 * the consumer stops, and messages fetched but not handled can be nak'ed for the next reader at
 * once). Acks go after `flush`, per fetch: with `ackAll` one ack of the last handled message,
 * else one per message. Dead letters are terminated once stored.
 */
export async function consumeFetched(
  consumer: Consumer,
  handler: EventHandler<JetStreamEventContext>,
  deadLetter: DeadLetter,
  o: JetStreamConsumeOptions,
  report: ConsumeReport,
  ackAll: boolean,
): Promise<void> {
  let current: ConsumerMessages | undefined;
  const abort = () => void current?.close().catch(() => {});
  o.signal?.addEventListener("abort", abort, { once: true });
  let idleSince = Date.now();
  let lastProgress = Date.now();
  try {
    while (!o.signal?.aborted) {
      const want = o.count === undefined ? o.maxMessages : Math.min(o.maxMessages, o.count - report.events);
      const left = o.idleTimeout === undefined ? FETCH_EXPIRES : o.idleTimeout - (Date.now() - idleSince);
      const expires = Math.max(1000, Math.min(FETCH_EXPIRES, left));
      const handled: JsMsg[] = [];
      const leftovers: JsMsg[] = [];
      let failure: Stop | undefined;
      let got = 0;
      /** Acks what the handler finished once `flush` resolved; the last of a counted run waits for the server. */
      const ack = async (last: boolean) => {
        if (handled.length === 0) return;
        if (o.flush !== undefined) await o.flush();
        const acks = ackAll ? [handled.at(-1)!] : handled;
        for (let i = 0; i < acks.length - 1; i++) acks[i]!.ack();
        const final = acks.at(-1)!;
        if (last) await final.ackAck({ timeout: 5000 }).catch(() => final.ack());
        else final.ack();
        handled.length = 0;
      };
      try {
        current = await consumer.fetch({ max_messages: want, expires });
        if (o.signal?.aborted) abort();
        for await (const m of current) {
          got++;
          if (failure !== undefined || o.signal?.aborted) {
            leftovers.push(m);
            continue;
          }
          try {
            let outcome = handle(m, handler, deadLetter, o, report);
            if (outcome !== true && outcome !== false) outcome = await outcome;
            if (outcome) {
              handled.push(m);
            } else {
              // acks go in order: what was handled before it first, then its termination
              await ack(false);
              m.term();
            }
          } catch (err) {
            if (!(err instanceof Stop)) throw err;
            failure = err;
            leftovers.push(m);
          }
        }
      } catch (err) {
        await ack(false).catch(() => {});
        for (const m of leftovers) m.nak();
        if (failure !== undefined) throw failure.error;
        if (Date.now() - lastProgress > o.reconnectTimeout || o.signal?.aborted) throw err;
        // the connection or the server went away: fetch again once it is back
        await sleep(o.retryDelay);
        continue;
      }
      const done = o.count !== undefined && report.events >= o.count;
      await ack(done || failure !== undefined);
      for (const m of leftovers) m.nak();
      if (failure !== undefined) throw failure.error;
      if (got > 0) idleSince = lastProgress = Date.now();
      if (done) break;
      if (o.idleTimeout !== undefined && got === 0 && Date.now() - idleSince >= o.idleTimeout) break;
    }
  } finally {
    o.signal?.removeEventListener("abort", abort);
  }
}
