/**
 * openresponses-wire/kafka: the event as Kafka records (client-agnostic), and thin adapters for
 * `@platformatic/kafka` 1.x, an optional peer dependency that this module never imports.
 */

export { DEFAULT_CONNECT_TIMEOUT, MAX_MESSAGE_BYTES } from "../transport/limits.js";
export { kafkaServers, type ServerList } from "../transport/servers.js";
export type { ConsumeReport, EventHandler, PublishReport } from "../transport/types.js";
export { defaultKafkaTopicOptions, ensureKafkaTopic, type KafkaAdminLike, type KafkaTopicOptions, kafkaReplication } from "./admin.js";
export { guardKafkaClient } from "./broker-guard.js";
export {
  consumeFromKafka,
  defaultKafkaConsumeOptions,
  defaultKafkaPublishOptions,
  KAFKA_DEAD_LETTER_HEADERS,
  type KafkaConsumedMessage,
  type KafkaConsumeOptions,
  type KafkaConsumerLike,
  type KafkaDeadLetter,
  type KafkaDeadLetterRecord,
  type KafkaEventContext,
  type KafkaMessagesStreamLike,
  type KafkaMessageToProduce,
  type KafkaProducerLike,
  type KafkaPublishOptions,
  kafkaDeadLetterProducer,
  publishToKafka,
} from "./client.js";
export { kafkaPartition, murmur2 } from "./partition.js";
export {
  DEFAULT_KAFKA_TOPIC,
  defaultKafkaRecordOptions,
  fromKafkaRecord,
  type KafkaHeadersInput,
  type KafkaHeaderValue,
  type KafkaRecord,
  type KafkaRecordInput,
  type KafkaRecordOptions,
  kafkaHeaderPairs,
  readKafkaRecord,
  toKafkaRecord,
} from "./records.js";
