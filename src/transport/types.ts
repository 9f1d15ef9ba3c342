/**
 * The types every broker's publish and consume share: what a publish or a consumer did, and the
 * handler a consumer calls.
 */
import type { ImageGenCallLifecycleEvent } from "../json/event.js";

/** What a publish did. */
export interface PublishReport {
  /** Events the broker acknowledged. */
  published: number;
  /** Of those, events JetStream reported as duplicates of stored ones (always 0 for Kafka). */
  duplicates: number;
  /** Produce requests or publishes that were retried after a failure. */
  retries: number;
}

/** What a consumer did. */
export interface ConsumeReport {
  /** Events the handler took. */
  events: number;
  /** Records sent to the dead letter. */
  deadLettered: number;
}

/** Handles one event; a rejection stops the consumer before that record is committed or acked. */
export type EventHandler<Context> = (event: ImageGenCallLifecycleEvent, context: Context) => void | Promise<void>;
