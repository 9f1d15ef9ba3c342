/**
 * openresponses-wire/nats: the event as NATS messages (client-agnostic), and thin adapters for
 * JetStream with `@nats-io/jetstream` and `@nats-io/transport-node` 3.x, optional peer
 * dependencies that this module never imports up front.
 */
export {
  consumeFromJetStream,
  defaultJetStreamConsumeOptions,
  defaultJetStreamPublishOptions,
  defaultJetStreamStreamOptions,
  ensureJetStream,
  jetStreamDeadLetterPublisher,
  jetStreamNames,
  NATS_DEAD_LETTER_HEADERS,
  publishToJetStream,
  type ConsumeReport,
  type EventHandler,
  type JetStreamConsumeOptions,
  type JetStreamDeadLetter,
  type JetStreamDeadLetterMessage,
  type JetStreamEventContext,
  type JetStreamNames,
  type JetStreamPublishOptions,
  type JetStreamStreamOptions,
  type PublishReport,
} from "./client.js";
export { jetStreamLimits, natsClusterSize, type JetStreamLimits } from "./stream.js";
export { DEFAULT_CONNECT_TIMEOUT, MAX_MESSAGE_BYTES } from "../transport/limits.js";
export { natsServers, type ServerList } from "../transport/servers.js";
export {
  DEFAULT_NATS_SUBJECT,
  DEFAULT_NATS_SUBJECT_PREFIX,
  defaultNatsMessageOptions,
  fromNatsMessage,
  natsHeaderPairs,
  natsSubjectOf,
  readNatsMessage,
  toNatsMessage,
  type NatsHeadersInput,
  type NatsMessage,
  type NatsMessageInput,
  type NatsMessageOptions,
} from "./records.js";
