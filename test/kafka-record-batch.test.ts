import {
  compressionsAlgorithms,
  compressionsAlgorithmsByBitmask,
  crc32c,
  createRecordsBatch,
  Reader,
  readRecordsBatches,
} from "@platformatic/kafka";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BridgeError, isBridgeError } from "../src/index.js";
import { readKafkaRecord, toKafkaRecord } from "../src/kafka/index.js";
import { RecordBatchError, RecordBatchReader } from "../src/kafka/record-batch.js";
import { copyKafkaRecord, kafkaRecordViewReader } from "../src/kafka/record-view.js";
import { anyLifecycleEvent, seed } from "./support/arbitraries.js";

type Message = { key: Buffer | null; value: Buffer | null; headers: Map<Buffer, Buffer | null>; timestamp: bigint };

/** One batch as the package writes it, at base offset `base`. */
function batch(messages: Message[], base: number, options: Record<string, unknown> = {}): Buffer {
  const copy = messages.map((m) => ({ ...m, topic: "t", partition: 0 }));
  const bytes = Buffer.from((createRecordsBatch(copy as never, options as never) as unknown as { buffer: Buffer }).buffer);
  bytes.writeBigInt64BE(BigInt(base), 0); // the first offset is outside the CRC
  return bytes;
}

const ours = {
  crc32c: (b: Buffer) => crc32c(b),
  decompress: (codec: number, b: Buffer) => compressionsAlgorithmsByBitmask[codec]!.decompressSync(b),
};

function readAll(buffer: Buffer, fromOffset: number) {
  const r = new RecordBatchReader(buffer, { fromOffset, aborted: undefined, ...ours });
  const records: { offset: number; timestamp: number; key: Buffer | null; value: Buffer | null; headers: [Buffer, Buffer | null][] }[] = [];
  while (r.next()) records.push({ offset: r.offset, timestamp: r.timestamp, ...copyKafkaRecord(r) });
  return { records, nextOffset: r.nextOffset };
}

const bytes = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));
const anyMessage = fc.record({
  key: fc.option(bytes, { nil: null }),
  value: fc.option(bytes, { nil: null }),
  headers: fc.array(fc.tuple(bytes, fc.option(bytes, { nil: null })), { maxLength: 5 }).map((pairs) => new Map(pairs)),
  timestamp: fc.bigInt({ min: 0n, max: 2n ** 45n }),
});

describe("RecordBatchReader against @platformatic/kafka's own batches", () => {
  it("reads what the package writes and reads: offsets, timestamps, null and empty keys, values and header values", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(anyMessage, { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 200 }),
        (batches, start, cutBack) => {
          let base = start;
          const parts: Buffer[] = [];
          for (const messages of batches) {
            parts.push(batch(messages, base));
            base += messages.length;
          }
          const whole = Buffer.concat(parts);
          // a fetch may end inside its last batch
          const buffer = whole.subarray(0, Math.max(0, whole.length - cutBack));
          const fromOffset = start + (batches[0]!.length > 1 ? 1 : 0);
          const theirs = readRecordsBatches(Reader.from(buffer)).flatMap((b) =>
            b.records
              .map((r) => ({
                offset: Number(b.firstOffset) + r.offsetDelta,
                timestamp: Number(b.firstTimestamp + r.timestampDelta),
                key: r.key,
                value: r.value,
                headers: r.headers,
              }))
              .filter((r) => r.offset >= fromOffset),
          );
          const read = readAll(buffer, fromOffset);
          expect(read.records).toEqual(theirs);
          const complete = readRecordsBatches(Reader.from(buffer));
          const last = complete.at(-1);
          expect(read.nextOffset).toBe(last === undefined ? fromOffset : Number(last.firstOffset) + last.lastOffsetDelta + 1);
        },
      ),
      { seed, numRuns: 300 },
    );
  });

  it("reads gzip, snappy, lz4 and zstd batches with the package's decompressors", () => {
    const messages = [
      {
        key: Buffer.from("k"),
        value: Buffer.from("v".repeat(100)),
        headers: new Map([[Buffer.from("h"), Buffer.from("x")]]),
        timestamp: 5n,
      },
      { key: null, value: null, headers: new Map(), timestamp: 6n },
    ];
    // zstd where this Node has it (22.15 and later)
    const codecs = ["gzip", "snappy", "lz4", "zstd"].filter(
      (c) => (compressionsAlgorithms as Record<string, { available: boolean }>)[c]!.available,
    );
    expect(codecs.length).toBeGreaterThanOrEqual(3);
    for (const compression of codecs) {
      const read = readAll(batch(messages, 10, { compression }), 0);
      expect(read.records.map((r) => [r.offset, r.key, r.value])).toEqual([
        [10, Buffer.from("k"), Buffer.from("v".repeat(100))],
        [11, null, null],
      ]);
    }
    expect(() =>
      new RecordBatchReader(batch(messages, 0, { compression: "gzip" }), {
        fromOffset: 0,
        crc32c: undefined,
        decompress: undefined,
        aborted: undefined,
      }).next(),
    ).toThrow(/compressed \(codec 1\) and no decompressor/);
  });

  const one = () => batch([{ key: null, value: Buffer.from("v"), headers: new Map(), timestamp: 1n }], 7);
  it.each([
    [
      "a flipped byte (CRC-32C)",
      (b: Buffer): void => {
        b[b.length - 1]! ^= 1;
      },
      /is corrupt: CRC-32C/,
    ],
    [
      "magic 1",
      (b: Buffer): void => {
        b[16] = 1;
      },
      /has magic 1: only magic 2/,
    ],
    ["a length shorter than a batch header", (b: Buffer): void => void b.writeInt32BE(10, 8), /shorter than a batch header/],
  ] as const)("refuses %s", (_, damage, message) => {
    const b = one();
    damage(b);
    expect(() => readAll(b, 0)).toThrow(RecordBatchError);
    expect(() => readAll(b, 0)).toThrow(message);
  });

  it("skips control batches and, read_committed, the batches of aborted transactions", () => {
    const m = (v: string) => ({ key: null, value: Buffer.from(v), headers: new Map(), timestamp: 1n });
    const txn = (v: string, base: number) => {
      const b = batch([m(v)], base, { transactionalId: "x", producerId: 9n });
      return b;
    };
    const control = batch([{ key: Buffer.from([0, 0, 0, 0]), value: Buffer.alloc(6), headers: new Map(), timestamp: 1n }], 2, {
      producerId: 9n,
      transactionalId: "x",
    });
    control.writeInt16BE(control.readInt16BE(21) | (1 << 5), 21);
    control.writeUInt32BE(crc32c(control.subarray(21)), 17);
    const buffer = Buffer.concat([batch([m("a")], 0), txn("aborted", 1), control, batch([m("b")], 3)]);
    const committed = new RecordBatchReader(buffer, { fromOffset: 0, ...ours, aborted: [{ producerId: 9n, firstOffset: 1n }] });
    const seen: string[] = [];
    while (committed.next())
      seen.push(committed.bytes.toString("latin1", committed.valueStart, committed.valueStart + committed.valueLength));
    expect(seen).toEqual(["a", "b"]);
    expect(readAll(buffer, 0).records.map((r) => r.value?.toString())).toEqual(["a", "aborted", "b"]);
    expect(committed.nextOffset).toBe(4);
  });
});

describe("reading our events from fetched records", () => {
  const asMessage = (r: { key: string; value: Uint8Array; headers: Record<string, string> }): Message => ({
    key: Buffer.from(r.key),
    value: Buffer.from(r.value),
    headers: new Map(Object.entries(r.headers).map(([n, v]) => [Buffer.from(n), Buffer.from(v)])),
    timestamp: 1n,
  });
  const outcome = (fn: () => unknown) => {
    try {
      return { ok: fn() };
    } catch (err) {
      if (!isBridgeError(err)) throw err;
      const e = err as BridgeError;
      return { code: e.code, path: e.path, message: e.message };
    }
  };
  // the shapes that leave the usual path: each must read exactly as readKafkaRecord reads it
  const mutations: ((m: Message) => void)[] = [
    () => {},
    (m) => m.headers.set(Buffer.from("x-extra"), Buffer.from("1")),
    (m) => m.headers.set(Buffer.from("Content-Type"), Buffer.from("application/x-protobuf")),
    (m) => m.headers.set(Buffer.from("ce_source"), null),
    (m) => m.headers.set(Buffer.from("ce_source"), Buffer.from("/sourcé")),
    (m) => m.headers.set(Buffer.from("ce_id"), Buffer.from("ig_other:1")),
    (m) => m.headers.set(Buffer.from("ce_id"), Buffer.from([0xff])),
    (m) => m.headers.set(Buffer.from("ce_specversion"), Buffer.from("0.3")),
    (m) => m.headers.set(Buffer.from("content-type"), Buffer.from("application/json")),
    (m) => m.headers.set(Buffer.from("ce_type"), Buffer.from("response.image_generation_call.failed")),
    (m) => {
      for (const k of [...m.headers.keys()]) if (k.toString() === "ce_dataschema") m.headers.delete(k);
    },
    (m) => {
      for (const k of [...m.headers.keys()]) if (k.toString() === "ce_type") m.headers.delete(k);
    },
    (m) => (m.key = Buffer.from("ig_not_the_item")),
    (m) => (m.key = null),
    (m) => (m.value = null),
    (m) => (m.value = Buffer.from([0x0a, 0x05])),
    (m) => (m.value = Buffer.concat([Buffer.from([0, 0, 0, 0, 5, 0]), m.value!])),
  ];

  it("gives the events, attributes and refusals (code, path, message) of readKafkaRecord, record by record", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(anyLifecycleEvent, fc.nat(mutations.length - 1)), { minLength: 1, maxLength: 12 }), (cases) => {
        const messages = cases.map(([e, which]) => {
          const m = asMessage(toKafkaRecord(e));
          mutations[which]!(m);
          return m;
        });
        const r = new RecordBatchReader(batch(messages, 0), { fromOffset: 0, aborted: undefined, ...ours });
        const read = kafkaRecordViewReader();
        for (const m of messages) {
          expect(r.next()).toBe(true);
          const expected = outcome(() => readKafkaRecord({ key: m.key, value: m.value, headers: [...m.headers] }));
          expect(outcome(() => read(r))).toEqual(expected);
        }
        expect(r.next()).toBe(false);
      }),
      { seed, numRuns: 200 },
    );
  });
});
