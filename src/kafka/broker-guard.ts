/**
 * A guard for `@platformatic/kafka` 1.x clients against a broker missing from their metadata.
 *
 * While nodes restart, the cluster metadata can leave out the node that a request is meant for (a
 * group coordinator, a partition leader). The 1.x clients then ask their connection pool for
 * `undefined`, which throws a `TypeError` from inside a callback: an uncaught exception that ends
 * the process, rather than an error the request's retries see. The guard turns that call into a
 * retriable error, so the request is retried, and fails the usual way if the node stays away.
 */

type GetConnection = (broker: unknown, callback: (error: Error | null, connection?: unknown) => void) => void;

/**
 * Makes a `@platformatic/kafka` client fail, not throw, when it asks for a broker its metadata
 * does not hold; `getConnection` is the package's `kGetConnection` export. Returns the client.
 */
export function guardKafkaClient<T extends object>(client: T, getConnection: symbol): T {
  const target = client as Record<symbol, GetConnection | undefined>;
  const original = target[getConnection];
  if (typeof original !== "function") {
    throw new TypeError("guardKafkaClient: the client has no method under that symbol (pass @platformatic/kafka's kGetConnection)");
  }
  target[getConnection] = function guarded(this: unknown, broker, callback) {
    if (broker === undefined || broker === null) {
      callback(new Error("the broker this request is for is not in the cluster metadata (a node restarting?)"));
      return;
    }
    original.call(this, broker, callback);
  };
  return client;
}
