/** Kafka records for a stream of events, with the headers that do not change built once per type. */
import type { ImageGenCallLifecycleEvent } from "../json/event.js";
import { encodeEventMessage } from "../lifecycle.js";
import { withDefaults } from "../options.js";
import { eventId, toCloudEventAttributes, toCloudEventHeaders } from "../transport/cloudevents.js";
import { confluentMessageIndexes, toConfluent } from "../transport/confluent.js";
import { defaultKafkaRecordOptions, type KafkaRecordOptions } from "./records.js";

/** The header buffers of a type's records, in order, with `undefined` where `ce_id`'s value goes, and their bytes. */
export interface KafkaFixedHeaders {
  pairs: [Buffer, Buffer | undefined][];
  bytes: number;
}

/** A record of `kafkaRecordParts`, as buffers: its headers are made by `kafkaHeaders` when it is sent. */
export interface KafkaRecordParts {
  key: Buffer;
  value: Buffer;
  /** The event id (`ce_id`), as UTF-8. */
  id: Buffer;
  fixed: KafkaFixedHeaders;
  /** Key, value, header names and values, in bytes. */
  bytes: number;
}

/**
 * `toKafkaRecord` for a stream of events with one set of options, as buffers: the options are read
 * once, and the header buffers that do not change with the event (all but `ce_id`) are built once
 * per type. With `kafkaHeaders`, gives exactly the bytes of `toKafkaRecord`.
 */
export function kafkaRecordParts(options: Partial<KafkaRecordOptions> = {}): (event: ImageGenCallLifecycleEvent) => KafkaRecordParts {
  const { confluent, ...ce } = withDefaults(defaultKafkaRecordOptions, options);
  const perType = new Map<string, KafkaFixedHeaders>();
  const ID = "ce_id";
  return (event) => {
    const message = encodeEventMessage(event);
    let fixed = perType.get(event.type);
    if (fixed === undefined) {
      // the first event of a type goes the general way, which also checks the type and the options
      const pairs = toCloudEventHeaders(toCloudEventAttributes(event, ce), "kafka").map(([name, value]): [Buffer, Buffer | undefined] => [
        Buffer.from(name),
        name === ID ? undefined : Buffer.from(value),
      ]);
      fixed = { pairs, bytes: pairs.reduce((n, [name, value]) => n + name.length + (value?.length ?? 0), 0) };
      perType.set(event.type, fixed);
    }
    const framed =
      confluent === undefined
        ? message
        : toConfluent(message, { ...confluent, messageIndexes: confluent.messageIndexes ?? confluentMessageIndexes(event.type) });
    const value = Buffer.from(framed.buffer, framed.byteOffset, framed.byteLength);
    // `ce_id` is the item id, a colon and the sequence number: the key is its first bytes
    const id = Buffer.from(eventId(event));
    const key = id.subarray(0, id.lastIndexOf(COLON));
    return { key, value, id, fixed, bytes: key.length + value.length + fixed.bytes + id.length };
  };
}

const COLON = 0x3a;

/** A record's headers as `@platformatic/kafka` takes them: a new Map of its type's buffers, with its `ce_id`. */
export function kafkaHeaders(fixed: KafkaFixedHeaders, id: Buffer): Map<Buffer, Buffer> {
  const headers = new Map<Buffer, Buffer>();
  for (const [name, value] of fixed.pairs) headers.set(name, value ?? id);
  return headers;
}
