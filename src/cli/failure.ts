import { formatPath, type BridgeError } from "../errors.js";

/** A run that failed on its input or its delivery: exit code 1, the message on stderr. */
export class Failure extends Error {
  override readonly name = "Failure";
}

/** Describes a refused record for stderr: `record 3 (line 4): itemId: reason (code)`. */
export function describeRecord(error: BridgeError, record: number, line?: number): string {
  const where = line === undefined || line === record ? `record ${record}` : `record ${record} (line ${line})`;
  return `${where}: ${formatPath(error.path)}: ${error.reason} (${error.code})`;
}
