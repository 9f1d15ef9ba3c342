/** Kafka topics as `publish` creates them: partitions, replicas and min ISR for the cluster, room for large messages. */
import { withDefaults } from "../options.js";
import { MAX_MESSAGE_BYTES } from "../transport/limits.js";
import { DEFAULT_KAFKA_TOPIC } from "./records.js";

/** `ConfigResourceTypes.TOPIC` and `IncrementalAlterConfigOperationTypes.SET` of the Kafka protocol. */
const TOPIC_RESOURCE = 2 as const;
const SET = 0 as const;

/** What `ensureKafkaTopic` uses of a `@platformatic/kafka` `Admin`. */
export interface KafkaAdminLike {
  createTopics(options: { topics: string[]; partitions?: number; replicas?: number }): Promise<unknown>;
  metadata(options: { topics: string[] }): Promise<{ brokers: Map<number, unknown> }>;
  incrementalAlterConfigs(options: {
    resources: {
      resourceType: typeof TOPIC_RESOURCE;
      resourceName: string;
      configs: { name: string; configOperation: typeof SET; value: string }[];
    }[];
  }): Promise<unknown>;
}

/** Options of `ensureKafkaTopic`. */
export interface KafkaTopicOptions {
  topic: string;
  /** Partitions of a new topic. Default 3. */
  partitions: number;
  /** Replicas of a new topic. Default: min(3, brokers in the cluster). */
  replicas: number | undefined;
  /** `min.insync.replicas` of a new topic: how many replicas have a record before acks=all acknowledges it. Default 2 with 3 or more replicas, else 1. */
  minInsyncReplicas: number | undefined;
  /** `max.message.bytes` of a new topic. Default `MAX_MESSAGE_BYTES` (17 MiB: a 16 MiB frame and its headers). */
  maxMessageBytes: number;
}

/** The defaults of `KafkaTopicOptions`. */
export const defaultKafkaTopicOptions: Readonly<KafkaTopicOptions> = Object.freeze({
  topic: DEFAULT_KAFKA_TOPIC,
  partitions: 3,
  replicas: undefined,
  minInsyncReplicas: undefined,
  maxMessageBytes: MAX_MESSAGE_BYTES,
});

/** The replicas and min ISR a new topic gets on a cluster of `brokers`, unless given: min(3, brokers), and 2 in sync of 3. */
export function kafkaReplication(
  brokers: number,
  options: Partial<Pick<KafkaTopicOptions, "replicas" | "minInsyncReplicas">> = {},
): { replicas: number; minInsyncReplicas: number } {
  const replicas = options.replicas ?? Math.max(1, Math.min(3, brokers));
  return { replicas, minInsyncReplicas: options.minInsyncReplicas ?? (replicas >= 3 ? 2 : 1) };
}

/**
 * Creates a topic unless it exists; returns whether it was created. A new topic gets `replicas`
 * copies of each partition (by default as many as the cluster has brokers, up to 3),
 * `min.insync.replicas` (2 of 3) and `max.message.bytes`; an existing topic is left as it is.
 */
export async function ensureKafkaTopic(admin: KafkaAdminLike, options: Partial<KafkaTopicOptions> = {}): Promise<boolean> {
  const o = withDefaults(defaultKafkaTopicOptions, options);
  const brokers = o.replicas === undefined ? (await admin.metadata({ topics: [] })).brokers.size : 0;
  const { replicas, minInsyncReplicas } = kafkaReplication(brokers, o);
  try {
    await admin.createTopics({ topics: [o.topic], partitions: o.partitions, replicas });
  } catch (err) {
    if ((err as { findBy?: (k: string, v: unknown) => unknown }).findBy?.("apiId", "TOPIC_ALREADY_EXISTS")) return false;
    throw err;
  }
  await admin.incrementalAlterConfigs({
    resources: [
      {
        resourceType: TOPIC_RESOURCE,
        resourceName: o.topic,
        configs: [
          { name: "min.insync.replicas", configOperation: SET, value: String(minInsyncReplicas) },
          { name: "max.message.bytes", configOperation: SET, value: String(o.maxMessageBytes) },
        ],
      },
    ],
  });
  return true;
}
