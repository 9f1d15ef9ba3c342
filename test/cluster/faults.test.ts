import { requireCluster } from "../support/cluster.js";
import { kafkaFaults } from "./kafka-faults.js";
import { natsFaults } from "./nats-faults.js";

/**
 * Fault tests on the replicated clusters of `npm run cluster:up`. The Kafka faults and the NATS
 * faults break nodes of different clusters, so the two run at the same time; within each, one
 * fault after the other.
 */
kafkaFaults(await requireCluster("kafka"));
natsFaults(await requireCluster("nats"));
