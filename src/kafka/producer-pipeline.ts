/**
 * The Kafka publish pipeline: records are built by `kafkaRecordParts` (fixed header buffers
 * built once per type; a record's header map only when its request is sent), grouped per partition
 * into requests of at most `batchSize` records and `batchBytes` bytes, and sent with one request in
 * flight per partition and all partitions at once; reading waits while a request's worth more than
 * that is not yet acknowledged, so what is kept is bounded in records and in bytes.
 *
 * Why one per partition: `@platformatic/kafka` 1.x numbers an idempotent producer's records per
 * partition only once a request is acknowledged, so two requests in flight for one partition go
 * out with the same sequence numbers, and the broker keeps the first and acknowledges the second
 * as its duplicate: its records are lost without an error (seen with five concurrent 1,000-record
 * sends: all five acknowledged at offset 0, 1,000 records stored).
 */
import { BridgeError, clipText, isBridgeError } from "../errors.js";
import type { ImageGenCallLifecycleEvent } from "../json/event.js";
import type { Source } from "../source.js";
import { batched, sleep } from "../transport/batched.js";
import type { PublishReport } from "../transport/types.js";
import type { KafkaMessageToProduce, KafkaProducerLike, KafkaPublishOptions } from "./client.js";
import { kafkaPartition } from "./partition.js";
import { type KafkaFixedHeaders, type KafkaRecordParts, kafkaHeaders, kafkaRecordParts } from "./record-writer.js";
import { kafkaSizeLimitHint } from "./size-limit.js";

/** `ProduceAcks.ALL`: the leader waits for every in-sync replica. */
const ACKS_ALL = -1;

/** A message on its way (as the client sends it), with what names it in errors: its 1-based record number and event id. */
export interface PendingRecord extends KafkaMessageToProduce {
  record: number;
  /** The event id, as text or as the UTF-8 bytes of `ce_id`. */
  id: string | Buffer;
}

/** A record read and not yet acknowledged: its header map is made when its request is sent. */
interface QueuedRecord extends PendingRecord {
  id: Buffer;
  fixed: KafkaFixedHeaders;
  bytes: number;
}

interface Lane {
  /** Records read and not yet sent, in order. */
  queue: QueuedRecord[];
  busy: boolean;
}

/** Records read at a time from the source. */
const READ_BATCH = 256;

/** Publishes events as described at `publishToKafka`. */
export async function runKafkaPipeline(
  producer: KafkaProducerLike,
  events: Source<ImageGenCallLifecycleEvent>,
  o: KafkaPublishOptions,
  partitions: number,
): Promise<PublishReport> {
  const report: PublishReport = { published: 0, duplicates: 0, retries: 0 };
  const lanes: Lane[] = Array.from({ length: partitions }, () => ({ queue: [], busy: false }));
  const write = kafkaRecordParts(o);
  // a request in flight and one waiting, per partition
  const maxPending = Math.max(o.batchSize, 1) * Math.max(partitions, 1) * 2;
  const maxPendingBytes = Math.max(o.batchBytes, 1) * Math.max(partitions, 1) * 2;
  let pending = 0; // records read and not yet acknowledged
  let pendingBytes = 0;
  let failure: BridgeError | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const waitForChange = () => new Promise<void>((resolve) => (wake = resolve));

  const dispatch = (lane: Lane) => {
    const { queue } = lane;
    if (lane.busy || queue.length === 0 || failure !== undefined) return;
    let n = 0;
    let bytes = 0;
    while (n < queue.length && n < o.batchSize && (n === 0 || bytes + queue[n]!.bytes <= o.batchBytes)) bytes += queue[n++]!.bytes;
    // taken out of the queue, so that the queue holds no record once its request is acknowledged
    const batch = queue.splice(0, n);
    for (const r of batch) r.headers = kafkaHeaders(r.fixed, r.id);
    lane.busy = true;
    deliverRecords(producer, batch, o, report).then(
      () => {
        lane.busy = false;
        pending -= batch.length;
        pendingBytes -= bytes;
        report.published += batch.length;
        o.onAcknowledged?.(report.published);
        dispatch(lane);
        notify();
      },
      (err: unknown) => {
        lane.busy = false;
        const error = isBridgeError(err)
          ? err
          : new BridgeError("publish_failed", [], String(err), { record: batch[0]!.record, cause: err });
        if (failure === undefined || error.record! < failure.record!) failure = error;
        notify();
      },
    );
  };

  let record = 0;
  let stop: unknown;
  try {
    for await (const batch of batched(events, Math.min(READ_BATCH, Math.max(o.batchSize, 1)), o.linger)) {
      for (const event of batch) {
        record++;
        let r: KafkaRecordParts;
        try {
          r = write(event);
        } catch (err) {
          throw isBridgeError(err) ? err.atRecord(record) : err;
        }
        const partition = kafkaPartition(r.key, partitions);
        const { key, value, id, fixed, bytes } = r;
        lanes[partition]!.queue.push({ topic: o.topic, key, value, headers: undefined, partition, record, id, fixed, bytes });
        pending++;
        pendingBytes += bytes;
      }
      for (const lane of lanes) dispatch(lane);
      while ((pending >= maxPending || pendingBytes >= maxPendingBytes) && failure === undefined) await waitForChange();
      if (failure !== undefined) break;
      o.signal?.throwIfAborted();
    }
  } catch (err) {
    stop = err;
  }
  // send what was read (up to an event that could not be encoded), unless a batch failed
  for (const lane of lanes) dispatch(lane);
  while (lanes.some((l) => l.busy || (failure === undefined && l.queue.length > 0))) await waitForChange();
  if (failure !== undefined) {
    // the first record not acknowledged: the failed one, or one still queued behind another partition
    let first = failure;
    for (const lane of lanes) {
      const next = lane.queue[0];
      if (next !== undefined && next.record < first.record!)
        first = new BridgeError("publish_failed", [], `event ${clipText(idText(next))}: not sent after ${failure.reason}`, {
          record: next.record,
          value: idText(next),
          cause: failure,
        });
    }
    if (!(isBridgeError(stop) && stop.record !== undefined && stop.record < first.record!)) throw first;
  }
  if (stop !== undefined) throw stop;
  return report;
}

/** Sends records until the broker acknowledged every one, retrying the partitions that were not. */
export async function deliverRecords(
  producer: KafkaProducerLike,
  batch: PendingRecord[],
  o: Pick<KafkaPublishOptions, "deliveryTimeout" | "retryDelay" | "signal">,
  report: PublishReport,
): Promise<void> {
  let remaining = batch;
  const deadline = Date.now() + o.deliveryTimeout;
  for (let attempt = 1; ; attempt++) {
    try {
      await producer.send({ messages: remaining, acks: ACKS_ALL, idempotent: true });
      return;
    } catch (err) {
      // partitions the broker acknowledged before the failure are not sent again
      const produced = (err as { produced?: { offsets?: { partition: number }[] } }).produced?.offsets ?? [];
      const acknowledged = new Set(produced.map((p) => p.partition));
      remaining = remaining.filter((p) => p.partition === undefined || !acknowledged.has(p.partition));
      if (remaining.length === 0) return;
      const permanent = (err as { findBy?: (k: string, v: unknown) => unknown }).findBy?.("canRetry", false) != null;
      if (permanent || Date.now() >= deadline || o.signal?.aborted) {
        const first = remaining[0]!;
        const why = permanent ? "the broker refused it" : `not acknowledged within ${o.deliveryTimeout} ms (${attempt} attempts)`;
        throw new BridgeError(
          "publish_failed",
          [],
          `event ${clipText(idText(first))}: ${why}: ${clipText(describeError(err))}${kafkaSizeLimitHint(err)}`,
          { record: first.record, value: idText(first), cause: err },
        );
      }
      report.retries++;
      await sleep(o.retryDelay);
    }
  }
}

function idText(p: PendingRecord): string {
  return typeof p.id === "string" ? p.id : p.id.toString();
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const inner = (err as { errors?: unknown[] }).errors;
  const last = Array.isArray(inner) && inner.length > 0 ? inner[inner.length - 1] : undefined;
  return last instanceof Error && last.message !== err.message ? `${err.message} (${describeError(last)})` : err.message;
}
