/**
 * Kafka RecordBatch v2 (magic 2) read straight from one contiguous buffer: a fetch's records of one
 * partition, batch after batch, each record's key, value and headers as byte ranges of that buffer.
 */

/** The batch attribute bits this reader looks at (Kafka's `DefaultRecordBatch`). */
export const RECORD_BATCH_ATTRIBUTES = Object.freeze({ compression: 0b111, transactional: 1 << 4, control: 1 << 5 });

/** Decompresses a batch's records for a compression code of the attributes (1 gzip, 2 snappy, 3 lz4, 4 zstd). */
export type RecordBatchDecompress = (codec: number, compressed: Buffer) => Buffer;

/** How a fetch's record batches are read. */
export interface RecordBatchReadOptions {
  /** Records before this offset are skipped (a batch can start before the offset that was fetched). */
  fromOffset: number;
  /** CRC-32C of the batch (attributes to its end), as the broker sent it; `undefined` skips the check. */
  crc32c: ((bytes: Buffer) => number) | undefined;
  /** For compressed batches; without it a compressed batch is refused. */
  decompress: RecordBatchDecompress | undefined;
  /** `read_committed`: the partition's aborted transactions (producer id, first offset), sorted by first offset; else `undefined`. */
  aborted: { producerId: bigint; firstOffset: bigint }[] | undefined;
}

/** A record batch that cannot be read: the fetch is refused, nothing of it is handed on silently changed. */
export class RecordBatchError extends Error {
  constructor(
    message: string,
    /** The batch's first offset. */
    readonly offset: number,
  ) {
    super(message);
    this.name = "RecordBatchError";
  }
}

const BATCH_HEAD = 12; // firstOffset int64, length int32
const RECORDS_START = 61; // the records of a batch start after its 61-byte header

/**
 * Walks the complete batches of one partition's fetched records; a truncated last batch is left
 * for the next fetch (`nextOffset` stops before it). `next()` moves to the next data record at or
 * after `fromOffset` (control batches, aborted transactions and earlier records are skipped), and
 * the fields describe it until the next call; `bytes` is the buffer its ranges point into (the
 * decompressed records for a compressed batch). No object is made per record.
 */
export class RecordBatchReader {
  /** The offset to fetch next: after the last complete batch, or `fromOffset` if there was none. */
  readonly nextOffset: number;
  /** Complete batches in the buffer. */
  readonly batches: number;
  /** The buffer the current record's ranges point into. */
  bytes: Buffer;
  /** The current record's offset. */
  offset = -1;
  /** The current record's timestamp, ms. */
  timestamp = 0;
  /** Key range; `keyLength` -1 for a null key. */
  keyStart = 0;
  keyLength = -1;
  /** Value range; `valueLength` -1 for a null value. */
  valueStart = 0;
  valueLength = -1;
  /** Header count, and per header `[nameStart, nameLength, valueStart, valueLength]` (-1 for a null value). */
  headerCount = 0;
  headers: Int32Array = new Int32Array(32);

  readonly #buffer: Buffer;
  readonly #end: number;
  readonly #options: RecordBatchReadOptions;
  #batchStart = 0;
  #pos = 0;
  #recordsEnd = 0;
  #left = 0;
  #baseOffset = 0;
  #baseTimestamp = 0;
  #abortedProducers: Set<bigint> | undefined;
  #abortedNext = 0;

  constructor(buffer: Buffer, options: RecordBatchReadOptions) {
    this.#buffer = buffer;
    this.bytes = buffer;
    this.#options = options;
    let at = 0;
    let next = options.fromOffset;
    let batches = 0;
    while (buffer.length - at >= BATCH_HEAD) {
      const length = buffer.readInt32BE(at + 8);
      if (length < RECORDS_START - BATCH_HEAD)
        throw new RecordBatchError(`record batch length ${length} is shorter than a batch header`, int64(buffer, at));
      if (buffer.length - at - BATCH_HEAD < length) break;
      const last = int64(buffer, at) + buffer.readInt32BE(at + 23) + 1;
      if (last > next) next = last;
      at += BATCH_HEAD + length;
      batches++;
    }
    this.#end = at;
    this.nextOffset = next;
    this.batches = batches;
    this.#batchStart = 0;
  }

  /** Moves to the next record; `false` once the complete batches are read. */
  next(): boolean {
    for (;;) {
      while (this.#left > 0) {
        this.#left--;
        if (this.#readRecord() && this.offset >= this.#options.fromOffset) return true;
      }
      if (this.#batchStart >= this.#end) return false;
      this.#openBatch();
    }
  }

  #openBatch(): void {
    const b = this.#buffer;
    const start = this.#batchStart;
    const end = start + BATCH_HEAD + b.readInt32BE(start + 8);
    this.#batchStart = end;
    const firstOffset = int64(b, start);
    const magic = b[start + 16]!;
    if (magic !== 2) {
      throw new RecordBatchError(
        `record batch at offset ${firstOffset} has magic ${magic}: only magic 2 (Kafka 0.11 and later) is read`,
        firstOffset,
      );
    }
    const crc = this.#options.crc32c;
    if (crc !== undefined) {
      const expected = b.readUInt32BE(start + 17);
      const actual = crc(b.subarray(start + 21, end));
      if (actual !== expected) {
        throw new RecordBatchError(`record batch at offset ${firstOffset} is corrupt: CRC-32C ${actual} is not ${expected}`, firstOffset);
      }
    }
    const attributes = b.readInt16BE(start + 21);
    const count = b.readInt32BE(start + 57);
    this.#left = 0;
    if (this.#options.aborted !== undefined && this.#skipAborted(b, start, attributes, firstOffset + b.readInt32BE(start + 23))) return;
    if ((attributes & RECORD_BATCH_ATTRIBUTES.control) !== 0) return;
    this.#baseOffset = firstOffset;
    this.#baseTimestamp = Number(b.readBigInt64BE(start + 27));
    const codec = attributes & RECORD_BATCH_ATTRIBUTES.compression;
    if (codec === 0) {
      this.bytes = b;
      this.#pos = start + RECORDS_START;
      this.#recordsEnd = end;
    } else {
      const decompress = this.#options.decompress;
      if (decompress === undefined)
        throw new RecordBatchError(
          `record batch at offset ${firstOffset} is compressed (codec ${codec}) and no decompressor was given`,
          firstOffset,
        );
      const records = decompress(codec, b.subarray(start + RECORDS_START, end));
      this.bytes = records;
      this.#pos = 0;
      this.#recordsEnd = records.length;
    }
    this.#left = count;
  }

  /** `read_committed`: whether the batch belongs to an aborted transaction (or is a control batch ending one). */
  #skipAborted(b: Buffer, start: number, attributes: number, lastOffset: number): boolean {
    const aborted = this.#options.aborted!;
    this.#abortedProducers ??= new Set();
    while (this.#abortedNext < aborted.length && Number(aborted[this.#abortedNext]!.firstOffset) <= lastOffset) {
      this.#abortedProducers.add(aborted[this.#abortedNext]!.producerId);
      this.#abortedNext++;
    }
    if ((attributes & RECORD_BATCH_ATTRIBUTES.transactional) === 0) return false;
    const producerId = b.readBigInt64BE(start + 43);
    if (!this.#abortedProducers.has(producerId)) return false;
    if ((attributes & RECORD_BATCH_ATTRIBUTES.control) !== 0) {
      // an ABORT marker (control record key: version int16, type int16 0) ends the producer's aborted transaction
      this.#abortedProducers.delete(producerId);
    }
    return true;
  }

  /** Reads one record at `#pos`; `false` for none (never: every record of a data batch is a record). */
  #readRecord(): boolean {
    const b = this.bytes;
    const length = this.#varint(b);
    const end = this.#pos + length;
    if (length < 0 || end > this.#recordsEnd) throw this.#malformed("a record runs past its batch");
    this.#pos++; // attributes, unused
    this.timestamp = this.#baseTimestamp + this.#varlong(b);
    this.offset = this.#baseOffset + this.#varint(b);
    this.keyLength = this.#varint(b);
    this.keyStart = this.#pos;
    if (this.keyLength > 0) this.#pos += this.keyLength;
    this.valueLength = this.#varint(b);
    this.valueStart = this.#pos;
    if (this.valueLength > 0) this.#pos += this.valueLength;
    const count = this.#varint(b);
    if (count < 0 || count > length) throw this.#malformed("a record has a negative header count");
    if (this.headers.length < count * 4) this.headers = new Int32Array(count * 4);
    const h = this.headers;
    for (let i = 0; i < count; i++) {
      const nameLength = this.#varint(b);
      if (nameLength < 0) throw this.#malformed("a header has no name");
      h[i * 4] = this.#pos;
      h[i * 4 + 1] = nameLength;
      this.#pos += nameLength;
      const valueLength = this.#varint(b);
      h[i * 4 + 2] = this.#pos;
      h[i * 4 + 3] = valueLength;
      if (valueLength > 0) this.#pos += valueLength;
    }
    this.headerCount = count;
    if (this.#pos !== end || this.keyLength < -1 || this.valueLength < -1)
      throw this.#malformed("a record's fields do not fill its length");
    return true;
  }

  #malformed(what: string): RecordBatchError {
    return new RecordBatchError(`record batch at offset ${this.#baseOffset} is malformed: ${what}`, this.#baseOffset);
  }

  /** A zigzag varint of at most 5 bytes (int32). */
  #varint(b: Buffer): number {
    let pos = this.#pos;
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      if (pos >= this.#recordsEnd || shift > 28) throw this.#malformed("a varint runs past its batch");
      byte = b[pos++]!;
      value |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte >= 0x80);
    this.#pos = pos;
    return (value >>> 1) ^ -(value & 1);
  }

  /** A zigzag varint of at most 10 bytes (int64), as a number (timestamps deltas fit). */
  #varlong(b: Buffer): number {
    let pos = this.#pos;
    let value = 0;
    let scale = 1;
    let byte: number;
    do {
      if (pos >= this.#recordsEnd || scale > 2 ** 63) throw this.#malformed("a varint runs past its batch");
      byte = b[pos++]!;
      value += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte >= 0x80);
    this.#pos = pos;
    // zigzag: even values are non-negative
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }
}

function int64(b: Buffer, at: number): number {
  return b.readInt32BE(at) * 2 ** 32 + b.readUInt32BE(at + 4);
}
