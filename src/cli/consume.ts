/** `orwire consume`: events from a Kafka topic or JetStream stream to NDJSON, poison records to a dead-letter file. */
import { type BridgeError, formatPath } from "../errors.js";
import type { ImageGenCallLifecycleEvent, Shape } from "../json/event.js";
import { stringifyJson } from "../json/json-text.js";
import { consumeFromKafka } from "../kafka/client.js";
import { consumeFromJetStream, jetStreamNames } from "../nats/client.js";
import { natsHeaderBytePairs } from "../nats/header-block.js";
import type { ConsumeReport } from "../transport/types.js";
import { type DeadLetterHeaderText, deadLetterHeaders } from "./dead-letter.js";
import { eventLine } from "./decode.js";
import { Failure } from "./failure.js";
import { Output, openOutput } from "./io.js";
import { Progress } from "./progress.js";
import { type BrokerTarget, brokerFailure, describeTarget, interruptible, openKafka, openNats, runId } from "./queues.js";

/** Options of `orwire consume`. */
export interface ConsumeCommand {
  target: BrokerTarget;
  shape: Shape;
  /** Stop after this many events. */
  count?: number | undefined;
  /** Stop after this many seconds without an event. */
  timeout?: number | undefined;
  /** A Kafka consumer group or a JetStream durable consumer that resumes where it stopped; a fresh reader from the beginning otherwise. */
  group?: string | undefined;
  /** Where records that are not events go, as JSON lines; without it such a record stops the run. */
  deadLetter?: string | undefined;
}

/** A refused record as the CLI reports it: where it is and why. */
interface Refused {
  where: string;
  location: Record<string, string | number>;
  error: BridgeError;
  key?: Uint8Array | null | undefined;
  value: Uint8Array | null;
  headers: [DeadLetterHeaderText, DeadLetterHeaderText][];
}

/**
 * `orwire consume`: events from the beginning of a topic or stream (or from where `--group` left
 * off), one compact JSON object per line, until `--count` events or `--timeout` seconds without
 * one. Offsets are committed and messages acked only after their line is written.
 */
export async function runConsume(command: ConsumeCommand): Promise<void> {
  const out = new Output(process.stdout);
  const deadLetterFile = command.deadLetter === undefined ? undefined : openOutput(command.deadLetter);
  let deadLettered = 0;
  const progress = new Progress("events consumed");
  let pending = 0;
  const durable = command.group !== undefined;
  // lines leave in large chunks; an offset is committed or a message acked only once its line is
  // out (the consumers call `flush` first), and a slow stream still shows its lines within 200 ms
  const write = (event: ImageGenCallLifecycleEvent): Promise<void> | undefined => {
    if (++pending >= 4096) {
      progress.tick(pending);
      pending = 0;
    }
    return out.write(eventLine(event, command.shape));
  };
  let flushing: Promise<void> = Promise.resolve();
  const flush = () => (flushing = flushing.then(() => out.flush()));
  const ticker = setInterval(() => void flush().catch(() => {}), 200);
  ticker.unref();
  const refuse = async (r: Refused) => {
    if (deadLetterFile === undefined) {
      await out.flush();
      throw new Failure(`${r.where}: ${formatPath(r.error.path)}: ${r.error.reason} (${r.error.code})`);
    }
    deadLettered++;
    const entry = {
      ...r.location,
      code: r.error.code,
      path: r.error.path,
      reason: r.error.reason,
      headers: r.headers,
      ...(r.key === undefined ? {} : { key_base64: r.key === null ? null : Buffer.from(r.key).toString("base64") }),
      input_base64: r.value === null ? null : Buffer.from(r.value).toString("base64"),
    };
    await deadLetterFile.write(`${stringifyJson(entry)}\n`);
    await deadLetterFile.flush();
  };
  const interrupt = interruptible();
  const idleTimeout = command.timeout === undefined ? undefined : command.timeout * 1000;
  const { target } = command;
  let report: ConsumeReport;
  let where: string;
  try {
    if (target.kind === "kafka") {
      const kafka = await openKafka(target);
      try {
        const consumer = kafka.consumer(command.group ?? `orwire-consume-${runId()}`);
        report = await consumeFromKafka(consumer, write, {
          topic: target.topic,
          from: durable ? "committed" : "earliest",
          count: command.count,
          idleTimeout,
          signal: interrupt.signal,
          flush,
          deadLetter: (r) =>
            refuse({
              where: `topic ${r.topic} partition ${r.partition} offset ${r.offset}`,
              location: { topic: r.topic, partition: r.partition, offset: String(r.offset) },
              error: r.error,
              key: r.key,
              value: r.value,
              headers: deadLetterHeaders(r.headers),
            }),
        });
      } finally {
        await out.flush();
        await kafka.close();
      }
      where = `Kafka topic ${target.topic}`;
    } else {
      const nats = await openNats(target);
      const stream = jetStreamNames({ subjectPrefix: target.subjectPrefix, subject: target.subject, stream: target.stream }).stream;
      try {
        report = await consumeFromJetStream(nats.js, write, {
          stream,
          consumer: command.group,
          count: command.count,
          idleTimeout,
          signal: interrupt.signal,
          flush,
          deadLetter: (m) =>
            refuse({
              where: `stream ${m.stream} sequence ${m.seq}`,
              location: { stream: m.stream, seq: m.seq, subject: m.subject },
              error: m.error,
              value: m.data,
              headers: m.headerBlock === undefined ? m.headers : deadLetterHeaders(natsHeaderBytePairs(m.headerBlock)),
            }),
        });
      } finally {
        await out.flush();
        await nats.close();
      }
      where = `JetStream stream ${stream}`;
    }
  } catch (err) {
    throw brokerFailure(err, `cannot consume from ${describeTarget(target)}`);
  } finally {
    clearInterval(ticker);
    progress.tick(pending);
    progress.done();
    interrupt.dispose();
    await deadLetterFile?.close();
  }
  if (deadLetterFile !== undefined) {
    process.stderr.write(`orwire consume: ${report.events} events from ${where}, ${deadLettered} records sent to ${command.deadLetter}\n`);
  }
}
