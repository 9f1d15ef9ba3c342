/** Stable machine-readable reasons a value or byte sequence is refused. */
export type BridgeErrorCode =
  // the SDK object / wire JSON side
  | "invalid_type"
  | "invalid_literal"
  | "missing_field"
  | "not_finite"
  | "lone_surrogate"
  | "ambiguous_key"
  | "unsupported_value"
  | "too_deep"
  | "invalid_json"
  | "invalid_sse"
  // the binary side
  | "truncated"
  | "varint_overflow"
  | "invalid_field_number"
  | "invalid_wire_type"
  | "wire_type_mismatch"
  | "unexpected_end_group"
  | "invalid_utf8"
  | "unsafe_integer"
  | "invalid_value"
  | "too_large"
  // queues: records, headers, framing, delivery
  | "unsupported_content_type"
  | "not_our_record"
  | "invalid_header"
  | "header_mismatch"
  | "invalid_framing"
  | "publish_failed";

/** A path from the event's root to the offending member: keys and array indexes. */
export type BridgePath = readonly (string | number)[];

/** Extra facts an error may carry besides its code and path. */
export interface BridgeErrorOptions {
  /** The offending value, when it is small and safe to show. */
  value?: unknown;
  /** Byte offset into the decoded input, for binary errors. */
  offset?: number;
  /** 1-based record number in a stream. */
  record?: number;
  /** The error this one wraps. */
  cause?: unknown;
}

/** The one error type of the bridge: a refusal, as data (`code`, `path`, `cause`). */
export class BridgeError extends Error {
  override readonly name = "BridgeError";
  /** Why the input was refused. */
  readonly code: BridgeErrorCode;
  /** Where in the event the problem is (`[]` for the whole input): a copy, taken when the error is made. */
  readonly path: BridgePath;
  /**
   * The reason alone, without the record and path prefix of `message`, and whole: `message`
   * cuts a reason longer than `MAX_REASON_CHARS` in the middle.
   */
  readonly reason: string;
  /** The offending value, where safe to show. */
  declare readonly value?: unknown;
  /** Byte offset into a binary input. */
  declare readonly offset?: number;
  /** 1-based record number in a stream. */
  declare readonly record?: number;

  constructor(code: BridgeErrorCode, path: BridgePath, reason: string, options: BridgeErrorOptions = {}) {
    super(describe(code, path, reason, options.record), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = [...path];
    this.reason = reason;
    const self = this as { value?: unknown; offset?: number; record?: number };
    if ("value" in options) self.value = options.value;
    if (options.offset !== undefined) self.offset = options.offset;
    if (options.record !== undefined) self.record = options.record;
  }

  /** The same error, located at a 1-based record number of a stream. */
  atRecord(record: number): BridgeError {
    return new BridgeError(this.code, this.path, this.reason, {
      ...(Object.hasOwn(this, "value") ? { value: this.value } : {}),
      offset: this.offset,
      record,
      cause: this.cause,
    });
  }
}

/** Tells whether a value is a `BridgeError` (also across realms and duplicate installs). */
export function isBridgeError(value: unknown): value is BridgeError {
  return (
    value instanceof BridgeError ||
    (value instanceof Error && value.name === "BridgeError" && typeof (value as BridgeError).code === "string")
  );
}

/** How many characters of a value (or a path key) an error message shows whole; `clipText` cuts longer ones. */
export const MAX_SHOWN_CHARS = 200;

/**
 * How many characters of a whole reason a message shows: reasons that quote a value cut it to
 * `MAX_SHOWN_CHARS` themselves; this bound catches the ones that do not.
 */
export const MAX_REASON_CHARS = 4 * MAX_SHOWN_CHARS;

/**
 * Cuts a text longer than `max` characters in the middle, saying how long it was, so that a huge
 * value (a 1 MB id) cannot flood an error line: `ig_aaaa…[1200000 characters]…aaaa"`. Never
 * splits a surrogate pair.
 */
export function clipText(text: string, max = MAX_SHOWN_CHARS): string {
  if (text.length <= max) return text;
  let head = Math.ceil(max * 0.75);
  let tail = text.length - (max - head);
  if (isHighSurrogate(text.charCodeAt(head - 1))) head--;
  if (isHighSurrogate(text.charCodeAt(tail - 1))) tail++;
  return `${text.slice(0, head)}…[${text.length} characters]…${text.slice(tail)}`;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/** Renders a path as `itemId`, `extra.tags[2]`, or `(root)`; a very long key is cut (`clipText`). */
export function formatPath(path: BridgePath): string {
  if (path.length === 0) return "(root)";
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (part.length <= MAX_SHOWN_CHARS && /^[A-Za-z_$][\w$]*$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${clipText(JSON.stringify(part))}]`;
  }
  return out;
}

function describe(code: BridgeErrorCode, path: BridgePath, reason: string, record: number | undefined): string {
  const where = record === undefined ? "" : `record ${record}: `;
  return `${where}${formatPath(path)}: ${clipText(reason, MAX_REASON_CHARS)} (${code})`;
}
