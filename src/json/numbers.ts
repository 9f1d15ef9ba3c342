/**
 * The one number rule of the bridge. A JSON number travels as the `int64` variant of its
 * `oneof` whenever it is a safe integer other than -0 (every real event), and as the exact
 * IEEE-754 `double` variant otherwise (3469.55, -0, 2^53, 1e308).
 */

/** Which variant of a number `oneof` carries a value. */
export type NumberVariant = "int64" | "double";

/** Picks the variant that carries `n` exactly; `n` must be finite. */
export function numberVariant(n: number): NumberVariant {
  return Number.isSafeInteger(n) && !Object.is(n, -0) ? "int64" : "double";
}

/** The largest magnitude an `int64` variant may hold to come back as the same JS number. */
export const MAX_SAFE_INT64 = BigInt(Number.MAX_SAFE_INTEGER);

/** Converts a decoded `int64` to a number, or returns `undefined` when it is outside ±(2^53-1). */
export function int64ToNumber(value: bigint): number | undefined {
  return value <= MAX_SAFE_INT64 && value >= -MAX_SAFE_INT64 ? Number(value) : undefined;
}
