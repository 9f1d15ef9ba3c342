/** The longest value an error message quotes in full, in characters. */
export const CLIP_LENGTH = 200;

/**
 * A value for an error message: as it is up to `max` characters, else its start, `…` and its
 * length, so that one huge value (a 1 MB id) does not flood a terminal or a log line.
 */
export function clipText(value: string, max: number = CLIP_LENGTH): string {
  if (value.length <= max) return value;
  let end = max;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // do not cut a surrogate pair in two
  return `${value.slice(0, end)}… (${value.length} characters)`;
}
