/** Batches from an event source for the publishers, by count or by time. */
import type { Source } from "../source.js";

const LINGERED = Symbol("lingered");

/** Where an `ArraySource` keeps its arrays. */
const ARRAYS = Symbol("arrays");

/**
 * A source whose items come in arrays (e.g. the events of one chunk of a file): iterated, it gives
 * the items one by one like any source; `batched` takes it an array at a time, with one await per
 * array instead of a promise or two per item.
 */
export interface ArraySource<T> extends AsyncIterable<T> {
  readonly [ARRAYS]: AsyncIterable<T[]>;
}

/** The `ArraySource` of `arrays`: their items in order; an array's items are read before the next array is asked for. */
export function arraySource<T>(arrays: AsyncIterable<T[]>): ArraySource<T> {
  return {
    [ARRAYS]: arrays,
    async *[Symbol.asyncIterator]() {
      for await (const items of arrays) yield* items;
    },
  };
}

/**
 * Groups items into arrays of at most `size`, in order. A partly filled group is handed on once
 * `linger` ms have passed since its first item (one timer per group, not per item), so a slow
 * source (a terminal, a pipe) does not hold items back. If the source throws, the items read
 * before the error are handed on first. An `ArraySource`'s arrays are handed on as they come (cut to
 * `size`), without lingering: each is whole when it comes.
 */
export async function* batched<T>(source: Source<T>, size: number, linger: number): AsyncGenerator<T[]> {
  if (ARRAYS in source) {
    yield* batchedArrays((source as ArraySource<T>)[ARRAYS], size);
    return;
  }
  const it = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : toAsync(source[Symbol.iterator]());
  let batch: T[] = [];
  let pending: Promise<IteratorResult<T>> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lingered: Promise<typeof LINGERED> | undefined;
  const handOn = () => {
    clearTimeout(timer);
    lingered = undefined;
    const full = batch;
    batch = [];
    return full;
  };
  try {
    for (;;) {
      pending ??= it.next();
      let result: IteratorResult<T> | typeof LINGERED;
      try {
        if (batch.length === 0) {
          result = await pending;
        } else {
          lingered ??= new Promise<typeof LINGERED>((resolve) => {
            timer = setTimeout(resolve, linger, LINGERED);
          });
          result = await Promise.race([pending, lingered]);
        }
      } catch (err) {
        clearTimeout(timer);
        if (batch.length > 0) yield handOn();
        throw err;
      }
      if (result === LINGERED) {
        yield handOn();
        continue;
      }
      pending = undefined;
      if (result.done) break;
      batch.push(result.value);
      if (batch.length >= size) yield handOn();
    }
    if (batch.length > 0) yield handOn();
  } finally {
    clearTimeout(timer);
    if (pending === undefined) await it.return?.();
  }
}

async function* batchedArrays<T>(arrays: AsyncIterable<T[]>, size: number): AsyncGenerator<T[]> {
  for await (const items of arrays) {
    if (items.length <= size) {
      if (items.length > 0) yield items;
      continue;
    }
    for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
  }
}

function toAsync<T>(it: Iterator<T>): AsyncIterator<T> {
  return {
    next: () => Promise.resolve(it.next()),
    return: async () => it.return?.() ?? { done: true, value: undefined },
  };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `stop` once `idleTimeout` ms passed since `lastSeen()` (checked at most every 100 ms, one
 * timer for a whole consumer); returns the function that ends the watch. No timeout, no timer.
 */
export function watchIdle(idleTimeout: number | undefined, lastSeen: () => number, stop: () => void): () => void {
  if (idleTimeout === undefined) return () => {};
  const timer = setInterval(() => Date.now() - lastSeen() >= idleTimeout && stop(), Math.max(1, Math.min(idleTimeout, 100)));
  return () => clearInterval(timer);
}
