/** Kafka records for a stream of events, with the headers that do not change built once per type. */
import type { ImageGenCallLifecycleEvent } from "../json/event.js";
import { encodeEventMessage } from "../lifecycle.js";
import { withDefaults } from "../options.js";
import { eventId, toCloudEventAttributes, toCloudEventHeaders } from "../transport/cloudevents.js";
import { confluentMessageIndexes, toConfluent } from "../transport/confluent.js";
import { defaultKafkaRecordOptions, type KafkaRecordOptions } from "./records.js";

/** A record of `kafkaRecordWriter`, as `@platformatic/kafka` sends it, with its size and event id. */
export interface KafkaRecordBuffers {
  key: Buffer;
  value: Buffer;
  headers: Map<Buffer, Buffer>;
  /** Key, value, header names and values, in bytes. */
  bytes: number;
  /** The event id (`ce_id`). */
  id: string;
}

/**
 * `toKafkaRecord` for a stream of events with one set of options, as buffers: the options are read
 * once, and the header buffers that do not change with the event (all but `ce_id`) are built once
 * per type. Gives exactly the bytes of `toKafkaRecord`.
 */
export function kafkaRecordWriter(options: Partial<KafkaRecordOptions> = {}): (event: ImageGenCallLifecycleEvent) => KafkaRecordBuffers {
  const { confluent, ...ce } = withDefaults(defaultKafkaRecordOptions, options);
  const perType = new Map<string, { headers: [Buffer, Buffer | undefined][]; fixedBytes: number }>();
  const ID = "ce_id";
  return (event) => {
    const message = encodeEventMessage(event);
    let fixed = perType.get(event.type);
    if (fixed === undefined) {
      // the first event of a type goes the general way, which also checks the type and the options
      const pairs = toCloudEventHeaders(toCloudEventAttributes(event, ce), "kafka");
      const headers = pairs.map(([name, value]): [Buffer, Buffer | undefined] => [
        Buffer.from(name),
        name === ID ? undefined : Buffer.from(value),
      ]);
      fixed = { headers, fixedBytes: headers.reduce((n, [name, value]) => n + name.length + (value?.length ?? 0), 0) };
      perType.set(event.type, fixed);
    }
    const framed =
      confluent === undefined
        ? message
        : toConfluent(message, { ...confluent, messageIndexes: confluent.messageIndexes ?? confluentMessageIndexes(event.type) });
    const value = Buffer.from(framed.buffer, framed.byteOffset, framed.byteLength);
    const key = Buffer.from(event.itemId);
    const id = eventId(event);
    const idBuffer = Buffer.from(id);
    const headers = new Map<Buffer, Buffer>();
    for (const [name, v] of fixed.headers) headers.set(name, v ?? idBuffer);
    return { key, value, headers, bytes: key.length + value.length + fixed.fixedBytes + idBuffer.length, id };
  };
}
