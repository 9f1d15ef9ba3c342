/**
 * JSON text that keeps what `JSON.stringify` loses: `-0` is written as `-0`, so a value parsed
 * back with `JSON.parse` is `Object.is`-equal to the original.
 */
import { BridgeError, clipText } from "../errors.js";

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

/**
 * Parses JSON text strictly, as I-JSON (RFC 7493) requires: a syntax error is refused as
 * `invalid_json`, and an object with the same member name twice (after unescaping, at any
 * depth) as `ambiguous_key`, with the path of the second one. `JSON.parse` keeps the last
 * duplicate silently; here it does the parsing, and duplicates are found by comparing the
 * members it made with the member separators in the text, outside strings: both counts are
 * equal exactly when no name repeats. Only then is the text walked again to name the path.
 * Spec: https://www.rfc-editor.org/rfc/rfc7493#section-2.3
 */
export function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new BridgeError("invalid_json", [], `not JSON: ${(cause as Error).message}`, { cause });
  }
  if (typeof value === "object" && value !== null && hasRepeatedName(text, membersOf(value))) {
    const found = firstDuplicate(text);
    if (found !== undefined) {
      throw new BridgeError(
        "ambiguous_key",
        found,
        `the member name ${clipText(JSON.stringify(found.at(-1)))} appears twice in one object; I-JSON (RFC 7493) requires unique names`,
      );
    }
  }
  return value;
}

/**
 * Tells whether valid JSON text has more `:` separators outside strings than its parsed value has
 * members. Counting every `:` (native `indexOf`, no walk) settles it for most text: it counts
 * at least the separators, so equality means none repeats; otherwise strings hold colons (URLs),
 * and only the separators outside strings are counted.
 */
function hasRepeatedName(text: string, members: number): boolean {
  let colons = 0;
  for (let i = text.indexOf(":"); i !== -1; i = text.indexOf(":", i + 1)) colons++;
  return colons !== members && separatorsIn(text) !== members;
}

/** The number of object members in a parsed JSON value, at every depth. */
function membersOf(root: object): number {
  let count = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== "object" || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value) if (typeof item === "object" && item !== null) stack.push(item);
      continue;
    }
    for (const key in value) {
      count++;
      const item = (value as Record<string, unknown>)[key];
      if (typeof item === "object" && item !== null) stack.push(item);
    }
  }
  return count;
}

/** The position of the quote that closes the string whose text starts at `from`. */
function closingQuote(text: string, from: number): number {
  for (;;) {
    const q = text.indexOf('"', from);
    if (q === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return q;
    from = q + 1;
  }
}

/** The number of `:` outside strings in valid JSON text: one per object member. */
function separatorsIn(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a) count++;
    else if (c === 0x22) i = closingQuote(text, i + 1);
  }
  return count;
}

/** The path of the first repeated member name in valid JSON text, or `undefined`. */
function firstDuplicate(text: string): (string | number)[] | undefined {
  const names: (Set<string> | undefined)[] = []; // per open container: its member names, or undefined for an array
  const path: (string | number)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) {
      names.push(c === 0x7b ? new Set() : undefined);
      path.push(c === 0x7b ? "" : 0);
    } else if (c === 0x7d || c === 0x5d) {
      names.pop();
      path.pop();
    } else if (c === 0x2c && names.at(-1) === undefined && path.length > 0) {
      path[path.length - 1] = (path.at(-1) as number) + 1;
    } else if (c === 0x22) {
      const close = closingQuote(text, i + 1);
      const seen = names.at(-1);
      let next = close + 1;
      while (next < text.length && " \t\r\n".includes(text[next]!)) next++;
      if (seen !== undefined && text.charCodeAt(next) === 0x3a) {
        const name = JSON.parse(text.slice(i, close + 1)) as string;
        path[path.length - 1] = name;
        if (seen.has(name)) return path;
        seen.add(name);
      }
      i = close;
    }
  }
  return undefined;
}
