/** JetStream streams as `publish` creates them: replicas for the cluster, room for large messages. */
import type { JetStreamManager } from "@nats-io/jetstream";

/** What a new stream gets besides its subjects: its replicas and its largest message. */
export interface JetStreamLimits {
  num_replicas: number;
  max_msg_size: number;
}

/** The server's INFO as the connection behind a `JetStreamManager` last received it, if it can be read. */
function serverInfo(jsm: JetStreamManager): { connect_urls?: string[]; cluster?: string; max_payload?: number } | undefined {
  return (jsm as { nc?: { info?: { connect_urls?: string[]; cluster?: string; max_payload?: number } } }).nc?.info;
}

/** How many servers of the connection's cluster are up: its INFO's client URLs (each server's own included); 1 outside a cluster. */
export function natsClusterSize(jsm: JetStreamManager): number {
  const info = serverInfo(jsm);
  return info?.cluster === undefined ? 1 : Math.max(1, info.connect_urls?.length ?? 1);
}

/**
 * The replicas and largest message of a new stream: `replicas`, else min(3, servers up in the
 * cluster), so a 3-node cluster gets R3 streams that keep every acknowledged message when one node
 * dies; and `maxMessageBytes`, but no more than the server's `max_payload`, which a bigger message
 * could not pass anyway.
 */
export function jetStreamLimits(
  jsm: JetStreamManager,
  options: { replicas: number | undefined; maxMessageBytes: number },
): JetStreamLimits {
  const maxPayload = serverInfo(jsm)?.max_payload;
  return {
    num_replicas: options.replicas ?? Math.min(3, natsClusterSize(jsm)),
    max_msg_size: maxPayload === undefined || maxPayload <= 0 ? options.maxMessageBytes : Math.min(options.maxMessageBytes, maxPayload),
  };
}
