/** The event as a Kafka record, whatever the client: key, value and CloudEvents headers, both ways. */
import { BridgeError } from "../errors.js";
import type { ImageGenCallLifecycleEvent } from "../json/event.js";
import { decodeEventMessage, encodeEventMessage } from "../lifecycle.js";
import { withDefaults } from "../options.js";
import {
  type CloudEventAttributes,
  type CloudEventsOptions,
  defaultCloudEventsOptions,
  eventId,
  fromCloudEventHeaders,
  headerText,
  toCloudEventAttributes,
  toCloudEventHeaders,
} from "../transport/cloudevents.js";
import {
  CONFLUENT_MAGIC_BYTE,
  type ConfluentOptions,
  confluentMessageIndexes,
  fromConfluent,
  toConfluent,
} from "../transport/confluent.js";

/** The default topic of the events: one topic for all four lifecycle types, keyed by `item_id`. */
export const DEFAULT_KAFKA_TOPIC = "openresponses.image-generation-call";

/** Options of `toKafkaRecord`. */
export interface KafkaRecordOptions extends CloudEventsOptions {
  /**
   * Frame the value for Confluent Schema Registry (`0x00`, schema id, message indexes); off by
   * default. The message indexes default to the event type's own (`confluentMessageIndexes`).
   */
  confluent: (Partial<ConfluentOptions> & Pick<ConfluentOptions, "schemaId">) | undefined;
}

/** The defaults of `KafkaRecordOptions`. */
export const defaultKafkaRecordOptions: Readonly<KafkaRecordOptions> = Object.freeze({
  ...defaultCloudEventsOptions,
  confluent: undefined,
});

/**
 * A Kafka record as the bridge writes it, for any client: key `item_id`, value the message bytes,
 * CloudEvents binary-mode headers. Strings go on the wire as UTF-8.
 */
export interface KafkaRecord {
  /** The event's `item_id`: one call's events stay in one partition, in order. */
  key: string;
  /** The bytes of the event's own message, e.g. `openresponses.v1.ImageGenCallCompleted` (Confluent-framed if asked). */
  value: Uint8Array;
  /** `content-type`, `ce_specversion`, `ce_id`, `ce_source`, `ce_type`, `ce_dataschema`. */
  headers: Record<string, string>;
}

/** A header value as clients hand it over: bytes or text; `null` for a header without a value. */
export type KafkaHeaderValue = Uint8Array | string | null | undefined;

/**
 * Record headers in any client's shape: a `Map` or pairs (`@platformatic/kafka`, `Buffer` keys
 * included), or an object whose values may be arrays (kafkajs).
 */
export type KafkaHeadersInput =
  | Map<Uint8Array | string, KafkaHeaderValue>
  | Iterable<readonly [Uint8Array | string | null, KafkaHeaderValue]>
  | Record<string, KafkaHeaderValue | KafkaHeaderValue[]>;

/** A consumed Kafka record in any client's shape. */
export interface KafkaRecordInput {
  key?: Uint8Array | string | null | undefined;
  value: Uint8Array | null | undefined;
  headers?: KafkaHeadersInput | undefined;
}

/** Builds the Kafka record of any lifecycle event; throws a `BridgeError` for an event the bytes cannot carry. */
export function toKafkaRecord(event: ImageGenCallLifecycleEvent, options: Partial<KafkaRecordOptions> = {}): KafkaRecord {
  const message = encodeEventMessage(event);
  const { confluent, ...ce } = withDefaults(defaultKafkaRecordOptions, options);
  const attributes = toCloudEventAttributes(event, ce);
  return {
    key: event.itemId,
    value:
      confluent === undefined
        ? message
        : toConfluent(message, { ...confluent, messageIndexes: confluent.messageIndexes ?? confluentMessageIndexes(event.type) }),
    headers: Object.fromEntries(toCloudEventHeaders(attributes, "kafka")),
  };
}

/**
 * Reads the event of a Kafka record, refusing with a `BridgeError` anything that is not one of
 * ours: the content type and `ce_type` (one of the four lifecycle types) are checked first
 * (`unsupported_content_type`, `not_our_record`), a missing value is `not_our_record`, the value
 * must decode as the message of `ce_type` (a value starting with `0x00` is taken as
 * Confluent-framed: no protobuf message starts with that byte), and the key and `ce_id` must name
 * the decoded event (`header_mismatch`).
 */
export function fromKafkaRecord(record: KafkaRecordInput): ImageGenCallLifecycleEvent {
  return readKafkaRecord(record).event;
}

/** `fromKafkaRecord` with the attributes the headers carried. */
export function readKafkaRecord(record: KafkaRecordInput): { event: ImageGenCallLifecycleEvent; attributes: CloudEventAttributes } {
  const attributes = fromCloudEventHeaders(kafkaHeaderPairs(record.headers), "kafka");
  const value = record.value;
  if (value === null || value === undefined) throw new BridgeError("not_our_record", ["value"], "record has no value (a tombstone)");
  if (!(value instanceof Uint8Array)) throw new BridgeError("invalid_type", ["value"], "record value is not bytes");
  const message = value.length > 0 && value[0] === CONFLUENT_MAGIC_BYTE ? fromConfluent(value).message : value;
  const event = decodeEventMessage(message, attributes.type);
  const id = eventId(event);
  if (attributes.id !== id) {
    throw new BridgeError(
      "header_mismatch",
      ["headers", "ce_id"],
      `ce_id ${JSON.stringify(attributes.id)} does not name the event in the value (${JSON.stringify(id)})`,
      { value: attributes.id },
    );
  }
  if (record.key !== null && record.key !== undefined) {
    const key = headerText(record.key, ["key"]);
    if (key !== event.itemId) {
      throw new BridgeError(
        "header_mismatch",
        ["key"],
        `key ${JSON.stringify(key)} is not the item_id of the event in the value (${JSON.stringify(event.itemId)})`,
        { value: key },
      );
    }
  }
  return { event, attributes };
}

/** Normalizes headers of any client's shape to text pairs (values decoded as strict UTF-8). */
export function kafkaHeaderPairs(headers: KafkaHeadersInput | undefined): [string, string][] {
  const pairs: [string, string][] = [];
  if (headers === undefined || headers === null) return pairs;
  const add = (name: Uint8Array | string | null, value: KafkaHeaderValue) => {
    if (name === null) return;
    const text = headerText(name, ["headers"]);
    if (value === null || value === undefined) {
      pairs.push([text, ""]);
      return;
    }
    pairs.push([text, headerText(value, ["headers", text])]);
  };
  if (headers instanceof Map || isIterable(headers)) {
    for (const [name, value] of headers as Iterable<readonly [Uint8Array | string | null, KafkaHeaderValue]>) add(name, value);
  } else {
    for (const name of Object.keys(headers)) {
      const value = (headers as Record<string, KafkaHeaderValue | KafkaHeaderValue[]>)[name];
      if (Array.isArray(value)) for (const v of value) add(name, v);
      else add(name, value);
    }
  }
  return pairs;
}

function isIterable(value: object): value is Iterable<unknown> {
  return typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
}
