/**
 * openresponses-wire/transport: the bridge's events in files and on queues, whatever the broker:
 * size-delimited streams, CloudEvents attributes and headers, Confluent Schema Registry framing,
 * and the strict reader of the Responses API's event streams (SSE).
 */

export { Deframer, type DelimitedOptions, defaultDelimitedOptions, delimit, undelimit } from "../wire/size-delimited.js";
export {
  type Binding,
  CLOUDEVENTS_SPECVERSION,
  type CloudEventAttributes,
  type CloudEventsOptions,
  defaultCloudEventsOptions,
  defaultDataschema,
  eventId,
  fromCloudEventHeaders,
  type LifecycleType,
  PROTOBUF_MEDIA_TYPE,
  PROTOBUF_MEDIA_TYPES,
  toCloudEventAttributes,
  toCloudEventHeaders,
} from "./cloudevents.js";
export {
  CONFLUENT_MAGIC_BYTE,
  type ConfluentFrame,
  type ConfluentOptions,
  confluentMessageIndexes,
  defaultConfluentOptions,
  fromConfluent,
  toConfluent,
} from "./confluent.js";
export {
  DelimitedWriter,
  type DelimitedWriterOptions,
  decodeDelimited,
  defaultDelimitedWriterOptions,
  encodeDelimited,
} from "./delimited.js";
export { readSse, type SseEvent, SseParser } from "./sse.js";
