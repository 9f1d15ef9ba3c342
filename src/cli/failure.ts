/** How a failed run is told: one line on stderr, long values cut short, and its exit code. */
import { type BridgeError, clipText, formatPath, MAX_REASON_CHARS } from "../errors.js";

/** A run that failed on its input or its delivery: exit code 1, the message on stderr. */
export class Failure extends Error {
  override readonly name = "Failure";
}

/** Describes a refused record for stderr: `record 3 (line 4): itemId: reason (code)`. */
export function describeRecord(error: BridgeError, record: number, line?: number): string {
  const where = line === undefined || line === record ? `record ${record}` : `record ${record} (line ${line})`;
  return `${where}: ${formatPath(error.path)}: ${clipText(error.reason, MAX_REASON_CHARS)} (${error.code})`;
}

const SYSTEM_REASONS: Readonly<Record<string, string>> = Object.freeze({
  ENOENT: "no such file or directory",
  ENOTDIR: "a part of the path is not a directory",
  EISDIR: "it is a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOSPC: "no space left on device",
  EROFS: "read-only file system",
  EMFILE: "too many open files",
  EIO: "input/output error",
  EPIPE: "the reader closed the pipe",
});

/** An error of the system or of code as one line, without its stack: `no space left on device (ENOSPC)`. */
export function describeSystemError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && Object.hasOwn(SYSTEM_REASONS, code)) return `${SYSTEM_REASONS[code]} (${code})`;
  const message = err instanceof Error ? err.message : String(err);
  return clipText(typeof code === "string" ? `${message} (${code})` : message);
}
