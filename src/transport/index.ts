/**
 * openresponses-wire/transport: the bridge's events in files and on queues, whatever the broker:
 * size-delimited streams, CloudEvents attributes and headers, Confluent Schema Registry framing,
 * and the strict reader of the Responses API's event streams (SSE).
 */
export {
  CLOUDEVENTS_SPECVERSION,
  defaultCloudEventsOptions,
  defaultDataschema,
  eventId,
  fromCloudEventHeaders,
  PROTOBUF_MEDIA_TYPE,
  PROTOBUF_MEDIA_TYPES,
  toCloudEventAttributes,
  toCloudEventHeaders,
  type Binding,
  type CloudEventAttributes,
  type CloudEventsOptions,
  type LifecycleType,
} from "./cloudevents.js";
export {
  CONFLUENT_MAGIC_BYTE,
  confluentMessageIndexes,
  defaultConfluentOptions,
  fromConfluent,
  toConfluent,
  type ConfluentFrame,
  type ConfluentOptions,
} from "./confluent.js";
export { decodeDelimited, defaultDelimitedWriterOptions, DelimitedWriter, encodeDelimited, type DelimitedWriterOptions } from "./delimited.js";
export { readSse, SseParser, type SseEvent } from "./sse.js";
export { defaultDelimitedOptions, Deframer, delimit, undelimit, type DelimitedOptions } from "../wire/size-delimited.js";
