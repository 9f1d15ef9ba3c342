/** Events (or chunks) from an array, a generator or a stream: what every streaming function takes. */
export type Source<T> = AsyncIterable<T> | Iterable<T>;
