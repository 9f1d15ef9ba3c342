/**
 * openresponses-wire/kafka: the event as Kafka records (client-agnostic), and thin adapters for
 * `@platformatic/kafka` 1.x, an optional peer dependency that this module never imports.
 */
export {
  consumeFromKafka,
  defaultKafkaConsumeOptions,
  defaultKafkaPublishOptions,
  KAFKA_DEAD_LETTER_HEADERS,
  kafkaDeadLetterProducer,
  publishToKafka,
  type ConsumeReport,
  type EventHandler,
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
  type PublishReport,
} from "./client.js";
export { defaultKafkaTopicOptions, ensureKafkaTopic, kafkaReplication, type KafkaAdminLike, type KafkaTopicOptions } from "./admin.js";
export { kafkaPartition, murmur2 } from "./partition.js";
export { DEFAULT_CONNECT_TIMEOUT, MAX_MESSAGE_BYTES } from "../transport/limits.js";
export { kafkaServers, type ServerList } from "../transport/servers.js";
export {
  DEFAULT_KAFKA_TOPIC,
  defaultKafkaRecordOptions,
  fromKafkaRecord,
  kafkaHeaderPairs,
  readKafkaRecord,
  toKafkaRecord,
  type KafkaHeadersInput,
  type KafkaHeaderValue,
  type KafkaRecord,
  type KafkaRecordInput,
  type KafkaRecordOptions,
} from "./records.js";
