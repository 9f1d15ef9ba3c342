/**
 * Deep equality of JSON values with `Object.is` on every number (so `-0` differs from `0`) and
 * member order ignored: the bridge's notion of "nothing changed".
 */
import { BridgeError, type BridgePath } from "../errors.js";
import { MAX_NESTING } from "./json-text.js";

/**
 * Tells whether two JSON values are equal, numbers by `Object.is`. Refuses, as `too_deep`, values
 * nested deeper than `MAX_NESTING` (a cycle included) rather than overflowing the stack.
 */
export function equalJson(a: unknown, b: unknown): boolean {
  return equal(a, b, [], 0);
}

function equal(a: unknown, b: unknown, path: (string | number)[], depth: number): boolean {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (depth >= MAX_NESTING) throw tooDeep(path);
  if (Array.isArray(a)) {
    const list = b as unknown[];
    if (a.length !== list.length) return false;
    for (let i = 0; i < a.length; i++) {
      path.push(i);
      const same = equal(a[i], list[i], path, depth + 1);
      path.pop();
      if (!same) return false;
    }
    return true;
  }
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  for (const key of keysA) {
    if (!Object.hasOwn(b, key)) return false;
    path.push(key);
    const same = equal((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path, depth + 1);
    path.pop();
    if (!same) return false;
  }
  return true;
}

function tooDeep(path: BridgePath): BridgeError {
  return new BridgeError("too_deep", [...path], `nested deeper than ${MAX_NESTING} arrays and objects, or cyclic`);
}
