import { afterEach, describe, expect, it, vi } from "vitest";
import { arraySource, batched } from "../../src/transport/batched.js";

afterEach(() => {
  vi.useRealTimers();
});

/** Collects what `batched` hands on. */
async function collect<T>(groups: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const g of groups) out.push(g);
  return out;
}

describe("batched", () => {
  it("groups a fast source's items in order, at most `size` a group", async () => {
    expect(await collect(batched([1, 2, 3, 4, 5, 6, 7], 3, 5))).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    async function* source() {
      for (let i = 1; i <= 5; i++) yield i;
    }
    expect(await collect(batched(source(), 2, 5))).toEqual([[1, 2], [3, 4], [5]]);
  });

  it("hands on a partly filled group when the source keeps it waiting", async () => {
    let release: () => void = () => {};
    async function* source() {
      yield 1;
      yield 2;
      await new Promise<void>((resolve) => (release = resolve));
      yield 3;
    }
    const groups = batched(source(), 10, 1);
    expect((await groups.next()).value).toEqual([1, 2]);
    release();
    expect((await groups.next()).value).toEqual([3]);
    expect((await groups.next()).done).toBe(true);
  });

  it("hands on a group `linger` ms after its first item even when items keep trickling in", async () => {
    vi.useFakeTimers();
    async function* source() {
      for (let i = 1; i <= 6; i++) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        yield i;
      }
    }
    const groups = collect(batched(source(), 100, 5));
    await vi.advanceTimersByTimeAsync(100);
    const got = await groups;
    expect(got.flat()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(got.length).toBeGreaterThan(1);
  });

  it("hands on the items read before the source failed, then the failure", async () => {
    async function* source() {
      yield 1;
      yield 2;
      throw new Error("broken");
    }
    const seen: number[][] = [];
    await expect(
      (async () => {
        for await (const g of batched(source(), 10, 5)) seen.push(g);
      })(),
    ).rejects.toThrow("broken");
    expect(seen).toEqual([[1, 2]]);
  });
});

describe("batched, of an ArraySource", () => {
  /** Arrays from a generator, counting how many times it was asked for the next one. */
  function counted(arrays: number[][]) {
    const asked = { n: 0 };
    const source = arraySource({
      [Symbol.asyncIterator]() {
        let i = 0;
        return {
          async next() {
            asked.n++;
            return i < arrays.length ? { done: false, value: arrays[i++]! } : { done: true, value: undefined };
          },
        };
      },
    });
    return { source, asked };
  }

  it("hands each array on as it comes, cut to `size`, skipping empty ones, one request to the source per array", async () => {
    const { source, asked } = counted([[1, 2, 3], [], [4, 5, 6, 7, 8], [9]]);
    expect(await collect(batched(source, 3, 5))).toEqual([[1, 2, 3], [4, 5, 6], [7, 8], [9]]);
    expect(asked.n).toBe(5);
  });

  it("does not wait for a partly filled group: an array is handed on before the next is asked for", async () => {
    let release: () => void = () => {};
    async function* arrays() {
      yield [1, 2];
      await new Promise<void>((resolve) => (release = resolve));
      yield [3];
    }
    const groups = batched(arraySource(arrays()), 10, 60_000);
    expect((await groups.next()).value).toEqual([1, 2]);
    const next = groups.next();
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect((await next).value).toEqual([3]);
    expect((await groups.next()).done).toBe(true);
  });

  it("hands on the items of the arrays before the source failed, then the failure", async () => {
    async function* arrays() {
      yield [1, 2];
      throw new Error("broken");
    }
    const seen: number[][] = [];
    await expect(
      (async () => {
        for await (const g of batched(arraySource(arrays()), 10, 5)) seen.push(g);
      })(),
    ).rejects.toThrow("broken");
    expect(seen).toEqual([[1, 2]]);
  });

  it("gives its items one by one when iterated, and closes the arrays' source when the reader stops", async () => {
    let closed = false;
    async function* arrays() {
      try {
        yield [1, 2];
        yield [3, 4];
      } finally {
        closed = true;
      }
    }
    const items: number[] = [];
    for await (const x of arraySource(arrays())) items.push(x);
    expect(items).toEqual([1, 2, 3, 4]);
    const early = arrays();
    for await (const g of batched(arraySource(early), 10, 5)) {
      expect(g).toEqual([1, 2]);
      break;
    }
    expect(closed).toBe(true);
  });
});
