/**
 * JSON text that keeps what `JSON.stringify` loses: `-0` is written as `-0`, so a value parsed
 * back with `JSON.parse` is `Object.is`-equal to the original.
 */

/** Serializes a JSON value compactly, writing negative zero as `-0`. */
export function stringifyJson(value: unknown): string {
  return hasNegativeZero(value) ? write(value) : JSON.stringify(value);
}

function hasNegativeZero(value: unknown): boolean {
  if (typeof value === "number") return Object.is(value, -0);
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) return value.some(hasNegativeZero);
  for (const key in value) if (hasNegativeZero((value as Record<string, unknown>)[key])) return true;
  return false;
}

function write(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : JSON.stringify(value);
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(write).join(",")}]`;
  const parts: string[] = [];
  for (const key in value) parts.push(`${JSON.stringify(key)}:${write((value as Record<string, unknown>)[key])}`);
  return `{${parts.join(",")}}`;
}
