/**
 * The one way options are read: an `XOptions` interface, a frozen object of defaults, and
 * `withDefaults` merging what a caller gives over them.
 */
import { BridgeError } from "./errors.js";

/**
 * Merges `options` over `defaults`. A member given as `undefined` keeps its default. A member
 * whose default is a number must be a finite number of at least 0, and a member whose default is a
 * string or boolean must have that type: anything else is refused as `invalid_value`, naming the
 * option, rather than silently lifting a bound (`NaN` compares false with every limit).
 */
export function withDefaults<T extends object>(defaults: Readonly<T>, options: Partial<T> | undefined): T {
  const merged = { ...defaults } as T;
  if (options === undefined || options === null) return merged;
  if (typeof options !== "object") throw new BridgeError("invalid_type", [], `options must be an object, got ${typeof options}`);
  for (const key of Object.keys(options) as (keyof T & string)[]) {
    const value = options[key];
    if (value === undefined) continue;
    const fallback = defaults[key];
    if (typeof fallback === "number" && !(typeof value === "number" && Number.isFinite(value) && value >= 0)) {
      throw new BridgeError("invalid_value", [key], `option ${key} must be a finite number of at least 0`, { value: shown(value) });
    }
    if ((typeof fallback === "string" || typeof fallback === "boolean") && typeof value !== typeof fallback) {
      throw new BridgeError("invalid_value", [key], `option ${key} must be a ${typeof fallback}`, { value: shown(value) });
    }
    merged[key] = value as T[keyof T & string];
  }
  return merged;
}

function shown(value: unknown): unknown {
  return typeof value === "object" || typeof value === "function" ? typeof value : value;
}
