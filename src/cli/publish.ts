/** `orwire publish`: NDJSON or SSE events to a Kafka topic or JetStream stream, counted once acknowledged. */
import { isBridgeError } from "../errors.js";
import { ensureKafkaTopic } from "../kafka/admin.js";
import { publishToKafka } from "../kafka/client.js";
import { ensureJetStream, publishToJetStream } from "../nats/client.js";
import { arraySource } from "../transport/batched.js";
import { eventId } from "../transport/cloudevents.js";
import type { PublishReport } from "../transport/types.js";
import { Failure } from "./failure.js";
import { openInput } from "./io.js";
import { LineIndex } from "./line-index.js";
import { Progress } from "./progress.js";
import {
  type BrokerTarget,
  brokerFailure,
  describeTarget,
  interruptible,
  ndjsonEvents,
  openKafka,
  openNats,
  skippedSummary,
  sseEvents,
} from "./queues.js";
import { UsageError } from "./usage-error.js";

/** Options of `orwire publish`. */
export interface PublishCommand {
  target: BrokerTarget;
  /** `json`: NDJSON of lifecycle events (either shape); `sse`: a Responses API event stream. Default `json`. */
  input?: "json" | "sse" | undefined;
  file?: string | undefined;
  /** Replicas of a topic or stream that publish creates. Default: min(3, nodes in the cluster). */
  replicas?: number | undefined;
  /** How long one event may go unacknowledged (retried) before the publish fails, in ms. Default: the library's. */
  deliveryTimeout?: number | undefined;
}

/**
 * `orwire publish`: lifecycle events from NDJSON (either shape) or a Responses API SSE stream in,
 * one record or message each, counted only once the broker acknowledged it. The topic or stream is
 * created if missing, replicated on a cluster (`replicas`).
 */
export async function runPublish(command: PublishCommand): Promise<void> {
  // chunks of 64 KiB, read as the publish takes events: a chunk lives while its few hundred events
  // are read, so it is freed young, where a 1 MiB chunk outlived collections and waited for a full one
  const input = await openInput(command.file, 1 << 16);
  const lines = new LineIndex();
  const skipped = new Map<string, number>();
  const sse = command.input === "sse";
  const progress = new Progress("events published");
  let acknowledged = 0;
  const onAcknowledged = (n: number) => {
    progress.tick(n - acknowledged);
    acknowledged = n;
  };
  const { target } = command;
  // the first event is read before connecting, so that a broker that cannot be reached is reported against it
  const rest = sse ? sseEvents(input, lines, skipped) : ndjsonEvents(input, lines);
  const first = await rest.next();
  if (first.done) {
    process.stderr.write(`orwire publish: no events in the input, nothing published${sse ? skippedSummary(skipped) : ""}\n`);
    return;
  }
  // an array of events per chunk, taken whole by the publishers: one await per chunk, not per event
  const events = arraySource(
    (async function* () {
      yield first.value;
      yield* rest;
    })(),
  );
  const interrupt = interruptible();
  let report: PublishReport;
  let where: string;
  try {
    if (target.kind === "kafka") {
      const kafka = await openKafka(target);
      try {
        await ensureKafkaTopic(kafka.admin, { topic: target.topic, replicas: command.replicas });
        report = await publishToKafka(kafka.producer, events, {
          topic: target.topic,
          deliveryTimeout: command.deliveryTimeout,
          onAcknowledged,
          signal: interrupt.signal,
        });
      } finally {
        await kafka.close();
      }
      where = `Kafka topic ${target.topic}`;
    } else {
      const nats = await openNats(target);
      try {
        const names = await ensureJetStream(nats.jsm, {
          subjectPrefix: target.subjectPrefix,
          subject: target.subject,
          stream: target.stream,
          replicas: command.replicas,
        });
        report = await publishToJetStream(nats.js, events, {
          subjectPrefix: target.subjectPrefix,
          subject: target.subject,
          stream: names.stream,
          deliveryTimeout: command.deliveryTimeout,
          onAcknowledged,
          signal: interrupt.signal,
        });
        where = `JetStream stream ${names.stream} (subject ${names.subject})`;
      } finally {
        await nats.close();
      }
    }
  } catch (err) {
    progress.done();
    if (err instanceof UsageError) throw err;
    if (isBridgeError(err) && err.code === "publish_failed" && err.record !== undefined) {
      const line = lines.lineOf(err.record);
      const at = line === undefined || line === err.record ? `record ${err.record}` : `record ${err.record} (line ${line})`;
      throw new Failure(`${at}: ${err.reason}; ${acknowledged} events were acknowledged`);
    }
    if (err instanceof Failure || isBridgeError(err)) {
      throw acknowledged > 0 ? new Failure(`${err.message}; ${acknowledged} events before it were acknowledged`) : err;
    }
    const failure = brokerFailure(err, `cannot publish to ${describeTarget(target)}`) as Error;
    if (acknowledged > 0) throw new Failure(`${failure.message}; ${acknowledged} events were acknowledged`);
    const at = lines.lineOf(1) === 1 ? "record 1" : `record 1 (line ${lines.lineOf(1)})`;
    throw new Failure(`${at}: event ${eventId(first.value[0]!)} was not published: ${failure.message}`);
  } finally {
    interrupt.dispose();
  }
  progress.done();
  const duplicates = report.duplicates > 0 ? `, ${report.duplicates} of them already stored (same event id)` : "";
  process.stderr.write(
    `orwire publish: ${report.published} events acknowledged by ${where}${duplicates}${sse ? skippedSummary(skipped) : ""}\n`,
  );
}
