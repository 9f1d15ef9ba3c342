/**
 * openresponses-wire/nats: the event as NATS messages (client-agnostic), and thin adapters for
 * JetStream with `@nats-io/jetstream` and `@nats-io/transport-node` 3.x, optional peer
 * dependencies that this module never imports up front.
 */

export { DEFAULT_CONNECT_TIMEOUT, MAX_MESSAGE_BYTES } from "../transport/limits.js";
export { natsServers, type ServerList } from "../transport/servers.js";
export type { ConsumeReport, EventHandler, PublishReport } from "../transport/types.js";
export {
  consumeFromJetStream,
  defaultJetStreamConsumeOptions,
  defaultJetStreamPublishOptions,
  defaultJetStreamStreamOptions,
  ensureJetStream,
  type JetStreamConsumeOptions,
  type JetStreamDeadLetter,
  type JetStreamDeadLetterMessage,
  type JetStreamEventContext,
  type JetStreamNames,
  type JetStreamPublishOptions,
  type JetStreamStreamOptions,
  jetStreamDeadLetterPublisher,
  jetStreamNames,
  NATS_DEAD_LETTER_HEADERS,
  publishToJetStream,
} from "./client.js";
export {
  DEFAULT_NATS_SUBJECT,
  DEFAULT_NATS_SUBJECT_PREFIX,
  defaultNatsMessageOptions,
  fromNatsMessage,
  type NatsHeadersInput,
  type NatsMessage,
  type NatsMessageInput,
  type NatsMessageOptions,
  natsHeaderPairs,
  natsSubjectOf,
  readNatsMessage,
  toNatsMessage,
} from "./records.js";
export { type JetStreamLimits, jetStreamLimits, natsClusterSize } from "./stream.js";
