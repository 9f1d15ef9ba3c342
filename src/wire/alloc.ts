/**
 * New byte arrays for encoded messages. V8 keeps a typed array of up to 64 bytes on its heap,
 * where making one is cheap; a larger one gets memory of its own outside the heap, allocated,
 * zeroed and later freed, which on a Struct-heavy event costs about a third of `encode`. On Node,
 * those sizes are taken from the pool `Buffer.allocUnsafe` keeps (the pool `Buffer.from` and
 * protobufjs use), as a plain `Uint8Array`: its `buffer` may then be shared with other bytes, so
 * it is read through `byteOffset` and `byteLength`, as any Node `Buffer` is.
 */

/** The largest typed array V8 makes on its heap (its `typed_array_max_size_in_heap`). */
const ON_HEAP_MAX = 64;

/** The part of Node's `Buffer` that `newBytes` uses. */
type BufferPool = { allocUnsafe(size: number): Uint8Array };

const pool = (globalThis as { Buffer?: BufferPool }).Buffer;
const hasPool = typeof pool?.allocUnsafe === "function";

/**
 * A `Uint8Array` of `size` bytes that the caller overwrites whole: zeroed up to 64 bytes, and
 * on runtimes without `Buffer`; above that on Node, not zeroed and possibly sharing its `buffer`.
 */
export function newBytes(size: number): Uint8Array {
  if (size <= ON_HEAP_MAX || !hasPool) return new Uint8Array(size);
  const b = (pool as BufferPool).allocUnsafe(size);
  return new Uint8Array(b.buffer, b.byteOffset, size);
}

/**
 * Zeroes `buf` from `end`, where its writer stopped: nothing when the message's plan was right,
 * and otherwise what a new zeroed array would have held, never other bytes from the pool.
 */
export function zeroFrom(buf: Uint8Array, end: number): void {
  if (end < buf.length) buf.fill(0, end);
}
