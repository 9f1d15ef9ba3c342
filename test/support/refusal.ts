import { type BridgeError, isBridgeError } from "../../src/index.js";

/** Runs `fn` and returns the `BridgeError` it throws; fails the test on a result or another error. */
export function refusal(fn: () => unknown): BridgeError {
  let result: unknown;
  try {
    result = fn();
  } catch (err) {
    if (isBridgeError(err)) return err;
    throw err;
  }
  throw new Error(`expected a BridgeError, got ${String(result)}`);
}

/** The `code` and `path` of a refusal, for table assertions. */
export function codeAndPath(fn: () => unknown): { code: string; path: readonly (string | number)[] } {
  const { code, path } = refusal(fn);
  return { code, path };
}
