/**
 * The partition a key goes to, as Kafka's Java client (and kafkajs) choose it: the positive
 * 32-bit murmur2 hash of the key's bytes, modulo the partition count. Using the same rule as the
 * Java client keeps one `item_id` on one partition whichever of them produced it.
 */
export function kafkaPartition(key: string | Uint8Array, partitions: number): number {
  if (!Number.isSafeInteger(partitions) || partitions <= 0)
    throw new RangeError(`partitions must be a positive integer, not ${partitions}`);
  return (murmur2(typeof key === "string" ? utf8.encode(key) : key) & 0x7fffffff) % partitions;
}

/** Kafka's murmur2 hash (MurmurHash2, seed 0x9747b28c) of bytes, as a signed 32-bit integer. */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const blocks = length - (length % 4);
  for (let i = 0; i < blocks; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  switch (length % 4) {
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: murmur2 mixes in the tail bytes from the last down
    case 3:
      h ^= data[blocks + 2]! << 16;
    // falls through
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: murmur2 mixes in the tail bytes from the last down
    case 2:
      h ^= data[blocks + 1]! << 8;
    // falls through
    case 1:
      h ^= data[blocks]!;
      h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

const utf8 = new TextEncoder();
