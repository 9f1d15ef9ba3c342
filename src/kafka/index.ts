/**
 * openresponses-wire/kafka: the event as Kafka records (client-agnostic), and thin adapters for
 * `@platformatic/kafka` 1.x, an optional peer dependency that this module never imports.
 */
export {
  consumeFromKafka,
  defaultKafkaConsumeOptions,
  defaultKafkaPublishOptions,
  defaultKafkaTopicOptions,
  ensureKafkaTopic,
  KAFKA_DEAD_LETTER_HEADERS,
  kafkaDeadLetterProducer,
  publishToKafka,
  type ConsumeReport,
  type EventHandler,
  type KafkaAdminLike,
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
  type KafkaTopicOptions,
  type PublishReport,
} from "./client.js";
export { kafkaPartition, murmur2 } from "./partition.js";
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
