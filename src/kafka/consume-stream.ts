/** Reading a Kafka topic at fetch speed: events handed to the handler as they come, commits per batch after it. */
import { isBridgeError } from "../errors.js";
import { watchIdle } from "../transport/batched.js";
import type { ConsumeReport, EventHandler } from "../transport/types.js";
import type {
  KafkaConsumedMessage,
  KafkaConsumeOptions,
  KafkaDeadLetterRecord,
  KafkaEventContext,
  KafkaMessagesStreamLike,
} from "./client.js";
import { readKafkaRecord } from "./records.js";

/** An error of the handler, the dead letter or the commit, which ends the consumer (no reconnect). */
export class UserFailure {
  constructor(readonly error: unknown) {}
}

/**
 * Reads one stream of `@platformatic/kafka` until the consumer is done, or until the client fails
 * (`{ error }`, to reconnect). Records are decoded and handed on as they come, with no await unless
 * the handler returns a promise. Offsets are committed per batch (`commitEvery` records or
 * `commitInterval` ms), after `flush` resolved and only for records the handler finished, one
 * commit in flight at a time and not waited for by the reading, except at the end.
 */
export async function consumeStream(
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
  let committing: Promise<void> | undefined;
  let commitError: { error: unknown } | undefined;
  const commitNow = async () => {
    const messages = [...toCommit.values()];
    toCommit.clear();
    uncommitted = 0;
    lastCommit = Date.now();
    if (o.flush !== undefined) await o.flush();
    await Promise.all(messages.map((m) => m.commit()));
  };
  /** Starts a commit of what was handled unless one is in flight. */
  const commitInBackground = () => {
    if (committing !== undefined) return;
    committing = commitNow().then(
      () => (committing = undefined),
      (error) => {
        committing = undefined;
        commitError ??= { error };
      },
    );
  };
  /** Waits for the commit in flight, then commits the rest. */
  const commitAll = async () => {
    await committing;
    if (commitError !== undefined) throw commitError.error;
    if (toCommit.size > 0) await commitNow();
  };
  const close = () => void stream.close().catch(() => {});
  // one timer for the idle timeout, not one per record
  let lastSeen = Date.now();
  const endIdle = watchIdle(o.idleTimeout, () => lastSeen, close);
  o.signal?.addEventListener("abort", close, { once: true });
  let lastProgress = 0;
  try {
    if (o.signal?.aborted) close();
    for await (const m of stream) {
      const now = (lastSeen = Date.now());
      if (commitError !== undefined) throw new UserFailure(commitError.error);
      let read: ReturnType<typeof readKafkaRecord> | undefined;
      try {
        read = readKafkaRecord(m);
      } catch (err) {
        if (!isBridgeError(err)) throw new UserFailure(err);
        try {
          await deadLetter({
            error: err,
            topic: m.topic,
            partition: m.partition,
            offset: m.offset,
            key: m.key ?? null,
            value: m.value ?? null,
            headers: [...m.headers],
          });
        } catch (failure) {
          throw new UserFailure(failure);
        }
        report.deadLettered++;
      }
      if (read !== undefined) {
        try {
          const done = handler(read.event, {
            topic: m.topic,
            partition: m.partition,
            offset: m.offset,
            eventId: read.attributes.id,
            attributes: read.attributes,
          });
          if (done !== undefined) await done;
        } catch (err) {
          throw new UserFailure(err);
        }
        report.events++;
      }
      toCommit.set(m.partition, m);
      uncommitted++;
      if (o.count !== undefined && report.events >= o.count) break;
      if (now - lastProgress > 100) {
        progressed();
        lastProgress = now;
      }
      if (uncommitted >= o.commitEvery || now - lastCommit >= o.commitInterval) commitInBackground();
    }
    progressed();
    try {
      await commitAll();
    } catch (err) {
      // the records stay uncommitted and come again to the group: say so rather than reconnect
      throw new UserFailure(err);
    }
    return "done";
  } catch (err) {
    if (err instanceof UserFailure) {
      // commit what the handler finished, then let its error through
      await commitAll().catch(() => {});
      throw err.error;
    }
    // the client failed: what was not committed is read again after the reconnect
    await committing;
    return { error: err };
  } finally {
    endIdle();
    o.signal?.removeEventListener("abort", close);
    await stream.close().catch(() => {});
  }
}
