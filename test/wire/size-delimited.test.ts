import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Deframer, defaultDelimitedOptions, delimit, undelimit } from "../../src/wire/size-delimited.js";
import { runs, seed } from "../support/arbitraries.js";
import { codeAndPath, refusal } from "../support/refusal.js";

const frame = (n: number, fill = n & 0xff) => delimit(new Uint8Array(n).fill(fill));
const concat = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
/** The varint length prefix announcing `n` bytes. */
const announce = (n: number) => {
  const bytes: number[] = [];
  for (; n > 0x7f; n = Math.floor(n / 128)) bytes.push((n & 0x7f) | 0x80);
  return Uint8Array.from([...bytes, n]);
};
const hex = (frames: Uint8Array[]) => frames.map((f) => Buffer.from(f).toString("hex"));

/** Feeds chunks to a deframer; returns the frames it gave and the refusal, if any. */
function run(chunks: Uint8Array[], deframer = new Deframer()): { frames: Uint8Array[]; error?: { code: string; record?: number } } {
  const frames: Uint8Array[] = [];
  try {
    for (const chunk of chunks) frames.push(...deframer.push(chunk));
    deframer.end();
  } catch (err) {
    const { code, record } = err as { code: string; record?: number };
    return { frames, error: { code, record } };
  }
  return { frames };
}

describe("Deframer", () => {
  it("gives the same frames however the stream is cut into chunks", () => {
    const messages = [0, 1, 127, 128, 300, 5000].map((n) => new Uint8Array(n).fill(n & 0xff));
    const stream = concat(messages.map(delimit));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 20 }), (cuts) => {
        const at = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks = [0, ...at].map((from, i) => stream.subarray(from, at[i] ?? stream.length)).filter((c) => c.length > 0);
        expect(hex(run(chunks).frames)).toEqual(hex(messages));
      }),
      { numRuns: runs(300, 10_000), seed },
    );
  });

  it("gives every frame before a broken prefix in the same chunk, then refuses it naming the record", () => {
    const good = Array.from({ length: 10_000 }, () => frame(3));
    for (const [broken, code] of [
      [new Uint8Array(11).fill(0xff), "varint_overflow"],
      [Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f), "too_large"],
    ] as const) {
      const { frames, error } = run([concat([...good, broken])]);
      expect(frames).toHaveLength(10_000);
      expect(error).toEqual({ code, record: 10_001 });
    }
  });

  it("refuses again on every later push and at the end", () => {
    const deframer = new Deframer({ maxMessageBytes: 4 });
    expect(deframer.push(concat([frame(4), frame(5)]))).toHaveLength(1);
    expect(codeAndPath(() => deframer.push(frame(1)))).toEqual({ code: "too_large", path: [] });
    expect(refusal(() => deframer.end()).record).toBe(2);
  });

  it("copies a frame cut into many chunks once, when it completes", () => {
    const big = frame(1 << 20, 7);
    const chunks = Array.from({ length: big.length / 1024 + 1 }, (_, i) => big.subarray(i * 1024, (i + 1) * 1024));
    const set = Uint8Array.prototype.set;
    let copied = 0;
    Uint8Array.prototype.set = function (this: Uint8Array, source: ArrayLike<number>, offset?: number) {
      copied += source.length;
      return set.call(this, source, offset);
    };
    let frames: Uint8Array[];
    try {
      frames = run(chunks).frames;
    } finally {
      Uint8Array.prototype.set = set;
    }
    expect(frames).toHaveLength(1);
    expect(frames[0]!.length).toBe(1 << 20);
    expect(copied).toBeLessThanOrEqual(2 * big.length);
  });

  it("defaults to a 16 MiB maximum message size", () => {
    expect(defaultDelimitedOptions.maxMessageBytes).toBe(16 << 20);
    expect(run([announce(16 << 20)]).error).toEqual({ code: "truncated", record: 1 });
    expect(run([announce((16 << 20) + 1)]).error).toEqual({ code: "too_large", record: 1 });
  });

  it.each([
    ["undefined", undefined, "keeps the default"],
    ["NaN", Number.NaN, "invalid_value"],
    ["a negative number", -1, "invalid_value"],
    ["a string", "5", "invalid_value"],
  ])("takes maxMessageBytes given as %s: %s", (_, value, outcome) => {
    const make = () => new Deframer({ maxMessageBytes: value as number });
    if (outcome === "invalid_value") expect(codeAndPath(make)).toEqual({ code: "invalid_value", path: ["maxMessageBytes"] });
    else expect(run([announce((16 << 20) + 1)], make()).error).toEqual({ code: "too_large", record: 1 });
  });

  it("refuses a stream that ends inside a frame or a prefix", () => {
    expect(run([frame(3).subarray(0, 2)]).error).toEqual({ code: "truncated", record: 1 });
    expect(run([Uint8Array.of(0x80)]).error).toEqual({ code: "truncated", record: 1 });
  });
});

describe("undelimit", () => {
  it("yields every frame before a broken prefix, then refuses it", async () => {
    const frames: Uint8Array[] = [];
    let code: string | undefined;
    try {
      for await (const f of undelimit([concat([frame(2), frame(3), new Uint8Array(11).fill(0xff)])])) frames.push(f);
    } catch (err) {
      code = (err as { code: string }).code;
    }
    expect(frames.map((f) => f.length)).toEqual([2, 3]);
    expect(code).toBe("varint_overflow");
  });
});
