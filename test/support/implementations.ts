import { vi } from "vitest";
import * as node from "../../src/index.js";

/** Loads modules afresh as a runtime without `Buffer` (browsers, Deno) would. */
export async function withoutBuffer<T>(load: () => Promise<T>): Promise<T> {
  vi.resetModules();
  vi.stubGlobal("Buffer", undefined);
  try {
    return await load();
  } finally {
    vi.unstubAllGlobals();
    vi.resetModules();
  }
}

/** The library as loaded where `Buffer` does not exist: the portable UTF-8 path. */
export function loadPortable(): Promise<typeof node> {
  return withoutBuffer(() => import("../../src/index.js"));
}

/** Both UTF-8 paths of the codec, for tests that must hold for each: `[name, library]`. */
export async function implementations(): Promise<[string, typeof node][]> {
  const portable = await loadPortable();
  return [
    ["Buffer path", node],
    ["portable path", portable],
  ];
}
