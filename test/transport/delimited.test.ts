import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encode, fromJson, type ImageGenCallCompletedEvent, toWireJson } from "../../src/index.js";
import { DelimitedWriter, decodeDelimited, delimit, encodeDelimited, undelimit } from "../../src/transport/index.js";
import { anyLifecycleEvent } from "../support/arbitraries.js";
import { codeAndPath } from "../support/refusal.js";

const T = "response.image_generation_call.completed" as const;
const events: ImageGenCallCompletedEvent[] = Array.from({ length: 300 }, (_, i) => ({
  type: T,
  itemId: `ig_${i}`,
  outputIndex: i % 3,
  sequenceNumber: i,
  ...(i % 7 === 0 ? { note: "x".repeat(i) } : {}),
}));

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

async function errorOf(source: AsyncIterable<unknown>): Promise<{ code: string; record?: number }> {
  try {
    await collect(source);
  } catch (err) {
    const { code, record } = err as { code: string; record?: number };
    return { code, record };
  }
  throw new Error("expected an error");
}

/** Splits bytes into chunks of the given sizes, cycling, to cut frames anywhere. */
function chunked(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let pos = 0, i = 0; pos < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    chunks.push(bytes.slice(pos, pos + n));
    pos += n;
  }
  return chunks;
}

describe("size-delimited streams", () => {
  it("round-trip events however the stream is cut into chunks", async () => {
    const stream = Buffer.concat(await collect(encodeDelimited(events)));
    for (const sizes of [[1], [2, 3], [7], [64], [1000, 1], [stream.length]]) {
      expect(await collect(decodeDelimited(chunked(stream, sizes)))).toEqual(events);
    }
  });

  it("write protobuf's writeDelimitedTo format: a varint length, then the message", () => {
    const message = encode(events[0]!);
    expect(Array.from(delimit(message))).toEqual([message.length, ...message]);
    const big = new Uint8Array(300);
    expect(Array.from(delimit(big).subarray(0, 2))).toEqual([0xac, 0x02]);
  });

  it("read back with the defaults what they write with the defaults: a 16 MiB message", async () => {
    const event = { ...events[0]!, big: "x".repeat((16 << 20) - 100) };
    const stream = await collect(encodeDelimited([event]));
    expect((await collect(decodeDelimited(stream)))[0]!.itemId).toBe(event.itemId);
  });

  it("refuse, on the writing side, a message above maxMessageBytes, naming the record", async () => {
    const big = { ...events[1]!, note: "x".repeat(200) };
    expect(await errorOf(encodeDelimited([events[0]!, big], { maxMessageBytes: 100 }))).toEqual({ code: "too_large", record: 2 });
    expect(await errorOf(encodeDelimited([{ ...events[0]!, big: "x".repeat(16 << 20) }]))).toEqual({ code: "too_large", record: 1 });
  });

  it("yield every event before a broken length prefix, then refuse it", async () => {
    const good = [delimit(encode(events[0]!)), delimit(encode(events[1]!))];
    const stream = Buffer.concat([...good, Buffer.alloc(11, 0xff)]);
    const got: unknown[] = [];
    const error = await errorOf(
      (async function* () {
        for await (const e of decodeDelimited([stream])) {
          got.push(e);
          yield e;
        }
      })(),
    );
    expect(got).toEqual([events[0], events[1]]);
    expect(error).toEqual({ code: "varint_overflow", record: 3 });
  });

  it("refuse a length prefix above the maximum, naming the record", async () => {
    const frames = [delimit(encode(events[0]!)), delimit(new Uint8Array(100))];
    expect(await errorOf(undelimit(frames, { maxMessageBytes: 99 }))).toEqual({ code: "too_large", record: 2 });
  });

  it("refuse a stream that ends inside a frame, naming the record", async () => {
    const stream = Buffer.concat([delimit(encode(events[0]!)), delimit(encode(events[1]!))]);
    expect(await errorOf(undelimit([stream.subarray(0, stream.length - 1)]))).toEqual({ code: "truncated", record: 2 });
    expect(await errorOf(undelimit([Uint8Array.of(0x80)]))).toEqual({ code: "truncated", record: 1 });
  });

  it("refuse an over-long length prefix", async () => {
    expect(await errorOf(undelimit([Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0x01)]))).toEqual({ code: "varint_overflow", record: 1 });
  });

  it("name the record of a message that does not decode", async () => {
    const stream = [delimit(encode(events[0]!)), delimit(Uint8Array.of(0x0a, 0x01, 0xff, 0x10, 0x00, 0x18, 0x00))];
    expect(await errorOf(decodeDelimited(stream))).toEqual({ code: "invalid_utf8", record: 2 });
  });

  it("name the record of an event that does not encode", async () => {
    const bad = [events[0]!, events[1]!, { ...events[2]!, outputIndex: Number.NaN }];
    expect(await errorOf(encodeDelimited(bad))).toEqual({ code: "not_finite", record: 3 });
  });
});

describe("DelimitedWriter", () => {
  it.each([
    ["in its chunk", 1 << 18],
    ["on a buffer of its own", 64],
  ])("refuses a message above maxMessageBytes %s, and writes nothing for it", (_, chunkBytes) => {
    const writer = new DelimitedWriter({ maxMessageBytes: 100, chunkBytes });
    writer.write(events[0]!);
    const big = { ...events[1]!, note: "x".repeat(200) };
    expect(() => writer.write(big)).toThrow(expect.objectContaining({ code: "too_large", path: [] }));
    const line = new TextEncoder().encode(`{"type":"${T}","item_id":"${"i".repeat(200)}","output_index":0,"sequence_number":1}`);
    expect(writer.writePlainJson(line, 0, line.length)).toBe(false);
    writer.write(events[2]!);
    expect(Buffer.concat(writer.drain())).toEqual(Buffer.concat([delimit(encode(events[0]!)), delimit(encode(events[2]!))]));
  });

  it("writes a message of exactly maxMessageBytes", () => {
    const size = encode(events[0]!).length;
    const writer = new DelimitedWriter({ maxMessageBytes: size });
    writer.write(events[0]!);
    expect(Buffer.concat(writer.drain())).toEqual(Buffer.from(delimit(encode(events[0]!))));
  });
});

describe("DelimitedWriter.writeJson", () => {
  const frames = (write: (w: DelimitedWriter) => void) => {
    const writer = new DelimitedWriter({ chunkBytes: 64 });
    write(writer);
    return Buffer.concat(writer.drain());
  };

  it("writes what write(fromJson(value)) and writeEvent(fromJson(value)) write, for any event in either shape", () => {
    fc.assert(
      fc.property(anyLifecycleEvent, fc.boolean(), (event, wire) => {
        const value = wire ? toWireJson(event) : event;
        expect(frames((w) => w.writeJson(value, true))).toEqual(frames((w) => w.writeEvent(fromJson(value))));
        if (event.type === "response.image_generation_call.completed") {
          expect(frames((w) => w.writeJson(value, false))).toEqual(frames((w) => w.write(fromJson(value) as ImageGenCallCompletedEvent)));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("refuses another lifecycle type as a completed message, and a shape it was not told", () => {
    const inProgress = { type: "response.image_generation_call.in_progress", item_id: "ig_1", output_index: 0, sequence_number: 1 };
    expect(codeAndPath(() => new DelimitedWriter().writeJson(inProgress, false))).toEqual({ code: "invalid_literal", path: ["type"] });
    expect(codeAndPath(() => new DelimitedWriter().writeJson(inProgress, true, "sdk"))).toEqual({
      code: "missing_field",
      path: ["itemId"],
    });
  });
});
