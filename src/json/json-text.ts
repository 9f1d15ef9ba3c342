/**
 * JSON text that keeps what `JSON.stringify` loses: `-0` is written as `-0`, so a value parsed
 * back with `JSON.parse` is `Object.is`-equal to the original.
 */
import { BridgeError } from "../errors.js";

/**
 * The deepest nesting of arrays and objects the JSON utilities (`stringifyJson`, `equalJson`)
 * walk; deeper values, and cyclic ones, are refused as `too_deep` instead of overflowing the stack.
 */
export const MAX_NESTING = 1000;

/** Serializes a JSON value compactly, writing negative zero as `-0`. */
export function stringifyJson(value: unknown): string {
  if (hasNegativeZero(value, 0)) return write(value, 0);
  try {
    return JSON.stringify(value);
  } catch (err) {
    throw new BridgeError("unsupported_value", [], "the value has no JSON form", { cause: err });
  }
}

/** Looks for a `-0` (which `JSON.stringify` writes as `0`), refusing values nested deeper than `MAX_NESTING`. */
function hasNegativeZero(value: unknown, depth: number): boolean {
  if (typeof value === "number") return Object.is(value, -0);
  if (typeof value !== "object" || value === null) return false;
  if (depth >= MAX_NESTING) throw tooDeep();
  if (Array.isArray(value)) {
    for (const item of value) if (hasNegativeZero(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) if (hasNegativeZero((value as Record<string, unknown>)[key], depth + 1)) return true;
  return false;
}

function tooDeep(): BridgeError {
  return new BridgeError("too_deep", [], `nested deeper than ${MAX_NESTING} arrays and objects, or cyclic`);
}

function write(value: unknown, depth: number): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : JSON.stringify(value);
  if (typeof value === "bigint") throw new BridgeError("unsupported_value", [], "a bigint has no JSON form");
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  if (depth >= MAX_NESTING) throw tooDeep();
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return write((value as { toJSON(): unknown }).toJSON(), depth);
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      out += `${i === 0 ? "" : ","}${item === undefined || typeof item === "function" || typeof item === "symbol" ? "null" : write(item, depth + 1)}`;
    }
    return `${out}]`;
  }
  let out = "";
  for (const key of Object.keys(value)) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined || typeof member === "function" || typeof member === "symbol") continue;
    out += `${out === "" ? "" : ","}${JSON.stringify(key)}:${write(member, depth + 1)}`;
  }
  return `{${out}}`;
}
