import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Admin, Consumer, kGetConnection, Producer } from "@platformatic/kafka";
import { equalJson, type ImageGenCallLifecycleEvent } from "../../src/index.js";
import { guardKafkaClient } from "../../src/kafka/index.js";
import { eventId } from "../../src/transport/index.js";
import { KAFKA_BROKERS, NATS_URL } from "./brokers.js";

/** An idempotent producer on the test brokers that rides out a broker restart. */
export function kafkaProducer(): Producer {
  return guardKafkaClient(
    new Producer({ clientId: "orwire-test", bootstrapBrokers: KAFKA_BROKERS, idempotent: true, retries: 40, retryDelay: 250 }),
    kGetConnection,
  );
}

/** An admin client on the test brokers. */
export function kafkaAdmin(): Admin {
  return guardKafkaClient(
    new Admin({ clientId: "orwire-test-admin", bootstrapBrokers: KAFKA_BROKERS, retries: 20, retryDelay: 250 }),
    kGetConnection,
  );
}

/** A consumer of a group on the test brokers. */
export function kafkaConsumer(groupId: string): Consumer {
  return guardKafkaClient(
    new Consumer({
      clientId: "orwire-test-consumer",
      groupId,
      bootstrapBrokers: KAFKA_BROKERS,
      maxWaitTime: 200,
      retries: 40,
      retryDelay: 250,
    }),
    kGetConnection,
  );
}

/** A NATS connection with JetStream, that reconnects to a restarted server. */
export async function natsClients(): Promise<{ nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager }> {
  const nc = await connect({ servers: NATS_URL, name: "orwire-test", maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  return { nc, js: jetstream(nc), jsm: await jetstreamManager(nc) };
}

/** What came back from a broker, held against what was sent. */
export interface Tally {
  sent: number;
  received: number;
  unique: number;
  lost: number;
  duplicates: number;
  /** Received events not Object.is-equal, field by field, to the sent event of their id. */
  changed: number;
  /** Items whose events (first deliveries) came back in another order than sent. */
  reordered: number;
}

/**
 * Counts what came back by event id: lost and duplicate events, changed ones (compared with
 * `equalJson`, which is `Object.is` on every field), and items whose order was not kept.
 */
export function tally(sent: ImageGenCallLifecycleEvent[], received: { event: ImageGenCallLifecycleEvent; id: string }[]): Tally {
  const sentById = new Map(sent.map((e) => [eventId(e), e]));
  const seen = new Set<string>();
  const order = new Map<string, string[]>();
  let changed = 0;
  for (const { event, id } of received) {
    if (id !== eventId(event) || !equalJson(event, sentById.get(id))) changed++;
    if (seen.has(id)) continue;
    seen.add(id);
    const ids = order.get(event.itemId) ?? [];
    ids.push(id);
    order.set(event.itemId, ids);
  }
  const expected = new Map<string, string[]>();
  for (const e of sent) {
    const ids = expected.get(e.itemId) ?? [];
    ids.push(eventId(e));
    expected.set(e.itemId, ids);
  }
  let reordered = 0;
  for (const [item, ids] of expected) {
    const got = order.get(item) ?? [];
    if (got.join("\n") !== ids.filter((id) => seen.has(id)).join("\n")) reordered++;
  }
  let lost = 0;
  for (const id of sentById.keys()) if (!seen.has(id)) lost++;
  return {
    sent: sent.length,
    received: received.length,
    unique: seen.size,
    lost,
    duplicates: received.length - seen.size,
    changed,
    reordered,
  };
}
