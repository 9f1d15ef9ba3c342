/** Batches from an event source for the publishers, by count or by time. */
import type { Source } from "../source.js";

const LINGERED = Symbol("lingered");

/**
 * Groups items into arrays of at most `size`, in order. A partly filled group is handed on once
 * `linger` ms have passed since its first item (one timer per group, not per item), so a slow
 * source (a terminal, a pipe) does not hold items back. If the source throws, the items read
 * before the error are handed on first.
 */
export async function* batched<T>(source: Source<T>, size: number, linger: number): AsyncGenerator<T[]> {
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
