import { afterEach, describe, expect, it, vi } from "vitest";
import { batched } from "../../src/transport/batched.js";

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
