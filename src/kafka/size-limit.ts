/** Records too large for Kafka: telling them apart, and which settings to raise. */

/** The broker's answers to a record above its limit. */
const TOO_LARGE = ["MESSAGE_TOO_LARGE", "RECORD_LIST_TOO_LARGE"];

/**
 * What to say when Kafka refused a record as too large: which settings to raise. Empty for any
 * other error. (A too-large record is not retried: the broker gives the same answer every time.)
 */
export function kafkaSizeLimitHint(err: unknown): string {
  const find = (err as { findBy?: (k: string, v: unknown) => unknown })?.findBy;
  if (typeof find !== "function" || !TOO_LARGE.some((apiId) => find.call(err, "apiId", apiId))) return "";
  return "; the record is larger than the topic takes: raise the topic's max.message.bytes (orwire publish creates topics with 17 MiB) and the brokers' message.max.bytes and replica.fetch.max.bytes";
}
