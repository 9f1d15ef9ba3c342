/**
 * Human-readable differences for conformance reports: between two JSON values (numbers compared
 * with `Object.is`, so `-0` differs from `0`) and between two byte strings.
 */
import { type BridgePath, formatPath } from "../errors.js";
import { stringifyJson } from "../json/json-text.js";

const SHOWN = 160;

/** Lists where `actual` differs from `expected`, one line per difference, with field paths; empty when equal. */
export function diffJson(expected: unknown, actual: unknown, path: BridgePath = []): string[] {
  if (isObject(expected) && isObject(actual)) {
    const lines: string[] = [];
    for (const key of Object.keys(expected)) {
      if (!Object.hasOwn(actual, key)) lines.push(`${formatPath([...path, key])}: missing, expected ${show(expected[key])}`);
      else lines.push(...diffJson(expected[key], actual[key], [...path, key]));
    }
    for (const key of Object.keys(actual)) {
      if (!Object.hasOwn(expected, key)) lines.push(`${formatPath([...path, key])}: unexpected ${show(actual[key])}`);
    }
    return lines;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const lines: string[] = [];
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      if (i >= actual.length) lines.push(`${formatPath([...path, i])}: missing, expected ${show(expected[i])}`);
      else if (i >= expected.length) lines.push(`${formatPath([...path, i])}: unexpected ${show(actual[i])}`);
      else lines.push(...diffJson(expected[i], actual[i], [...path, i]));
    }
    return lines;
  }
  const same = typeof expected === "object" && expected !== null ? false : Object.is(expected, actual);
  return same ? [] : [`${formatPath(path)}: expected ${show(expected)}, got ${show(actual)}`];
}

/** Describes two byte strings that should be identical: the first byte where they part, and both lengths. */
export function diffBytes(expected: Uint8Array, actual: Uint8Array): string[] {
  let at = 0;
  while (at < expected.length && at < actual.length && expected[at] === actual[at]) at++;
  if (at === expected.length && at === actual.length) return [];
  return [`first difference at byte ${at} (expected ${expected.length} bytes, got ${actual.length})`];
}

/** Bytes as lowercase hex. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = stringifyJson(value);
  return text.length > SHOWN ? `${text.slice(0, SHOWN)}…` : text;
}
