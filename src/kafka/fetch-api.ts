/**
 * The Fetch request of `@platformatic/kafka` (its own request writer, the version the broker
 * negotiated) with a response parser of ours: each partition's records come as one contiguous
 * buffer, for `RecordBatchReader`, instead of the client's decoded records.
 */

/** What is used of the `@platformatic/kafka` module (loaded by the caller, never imported here). */
export interface KafkaFetchModule {
  createAPI(
    apiKey: number,
    apiVersion: number,
    createRequest: (...args: never[]) => unknown,
    parseResponse: (correlationId: number, apiKey: number, apiVersion: number, reader: KafkaReaderLike) => unknown,
  ): (connection: unknown, ...args: unknown[]) => void;
  ResponseError: new (apiKey: number, apiVersion: number, errors: Record<string, [number, null]>, response: unknown) => Error;
  [name: `fetchV${number}`]: { createRequest: (...args: never[]) => unknown } | undefined;
}

/** The parts of the package's `Reader` (over the response's socket chunks) the parser uses. */
export interface KafkaReaderLike {
  position: number;
  buffer: { slice(start: number, end: number): Buffer };
  readInt16(): number;
  readInt32(): number;
  readInt64(): bigint;
  readUnsignedVarInt(): number;
  skip(length: number): unknown;
}

/** One partition of a fetch response. */
export interface FetchedPartition {
  partition: number;
  highWatermark: bigint;
  /** Aborted transactions (`read_committed`), in the broker's order. */
  aborted: { producerId: bigint; firstOffset: bigint }[];
  /** The partition's record batches, one buffer (a copy only if they spanned socket chunks), or `null`. */
  records: Buffer | null;
}

/** Fetch versions whose response this parser reads (topic ids: Kafka 3.1 and later). */
export const FETCH_VERSIONS = Object.freeze({ min: 13, max: 17 });

/** A Fetch call on a connection: `(connection, maxWaitMs, minBytes, maxBytes, isolationLevel, sessionId, sessionEpoch, topics, forgotten, rackId, callback)`. */
export type FetchCall = (connection: unknown, ...args: unknown[]) => void;

/**
 * The Fetch API of version `version` with our parser, or `undefined` when the package has no request
 * writer of that version or the version is outside `FETCH_VERSIONS`.
 */
export function createFetchApi(kafka: KafkaFetchModule, version: number): FetchCall | undefined {
  if (version < FETCH_VERSIONS.min || version > FETCH_VERSIONS.max) return undefined;
  const writer = kafka[`fetchV${version}`];
  if (writer === undefined) return undefined;
  return kafka.createAPI(1, version, writer.createRequest, (_id, apiKey, apiVersion, r) =>
    parseFetchResponse(kafka, apiKey, apiVersion, r),
  );
}

/**
 * Reads a Fetch response (v13–17): throttle, error, session, then per topic (by id) its partitions;
 * a partition's records are taken as one buffer. An error code anywhere throws the package's
 * `ResponseError`, as its own parser does, so that the caller's retry rules see the same errors.
 */
export function parseFetchResponse(kafka: KafkaFetchModule, apiKey: number, apiVersion: number, r: KafkaReaderLike): FetchedPartition[] {
  const errors: Record<string, [number, null]> = {};
  let failed = false;
  r.readInt32(); // throttle_time_ms
  const errorCode = r.readInt16();
  if (errorCode !== 0) {
    errors[""] = [errorCode, null];
    failed = true;
  }
  r.readInt32(); // session_id
  const partitions: FetchedPartition[] = [];
  const topics = r.readUnsignedVarInt() - 1;
  for (let t = 0; t < topics; t++) {
    r.skip(16); // topic_id: the session fetches one topic
    const count = r.readUnsignedVarInt() - 1;
    for (let j = 0; j < count; j++) {
      const partition = r.readInt32();
      const code = r.readInt16();
      const highWatermark = r.readInt64();
      r.readInt64(); // last_stable_offset
      r.readInt64(); // log_start_offset
      const aborted: FetchedPartition["aborted"] = [];
      const abortedCount = r.readUnsignedVarInt() - 1;
      for (let a = 0; a < abortedCount; a++) {
        aborted.push({ producerId: r.readInt64(), firstOffset: r.readInt64() });
        skipTaggedFields(r);
      }
      r.readInt32(); // preferred_read_replica
      const size = r.readUnsignedVarInt() - 1;
      let records: Buffer | null = null;
      if (size > 0) {
        records = r.buffer.slice(r.position, r.position + size);
        r.skip(size);
      }
      skipTaggedFields(r);
      if (code !== 0) {
        errors[`/responses/${t}/partitions/${j}`] = [code, null];
        failed = true;
      }
      partitions.push({ partition, highWatermark, aborted, records });
    }
    skipTaggedFields(r);
  }
  if (failed) throw new kafka.ResponseError(apiKey, apiVersion, errors, { partitions });
  return partitions;
}

/** Skips a TAG_BUFFER: a count, then per field its tag and its size-prefixed bytes. */
function skipTaggedFields(r: KafkaReaderLike): void {
  const count = r.readUnsignedVarInt();
  for (let i = 0; i < count; i++) {
    r.readUnsignedVarInt();
    r.skip(r.readUnsignedVarInt());
  }
}
