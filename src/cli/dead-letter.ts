/** Dead-letter files: one JSON line per refused record, with its input (or its bytes as base64) and the reason. */
import { type BridgeError, isBridgeError } from "../errors.js";
import { stringifyJson } from "../json/json-text.js";
import { type Output, openOutput } from "./io.js";

/** Where refused records go when the user asked to keep going: one JSON line per record. */
export class DeadLetter {
  /** How many records were sent. */
  count = 0;

  constructor(
    private readonly output: Output,
    readonly file: string,
  ) {}

  /** Records a refused input as given (text, or base64 for bytes) with the reason. */
  async send(record: number, input: { text: string } | { bytes: Uint8Array }, error: BridgeError): Promise<void> {
    this.count++;
    const entry = {
      record,
      code: error.code,
      path: error.path,
      reason: error.reason,
      ...("text" in input ? { input: input.text } : { input_base64: Buffer.from(input.bytes).toString("base64") }),
    };
    await this.output.write(`${stringifyJson(entry)}\n`);
  }

  /** Closes the file. */
  close(): Promise<void> {
    return this.output.close();
  }
}

/**
 * Opens the dead-letter file of a run, before any input is read: a file that cannot be written
 * (its folder missing, a directory) is a `UsageError` naming it.
 */
export async function openDeadLetter(file: string): Promise<DeadLetter> {
  const output = openOutput(file);
  await output.opened();
  return new DeadLetter(output, file);
}

/** Rethrows anything that is not a refusal of the input. */
export function asBridgeError(err: unknown): BridgeError {
  if (isBridgeError(err)) return err;
  throw err;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A header name or value for a dead-letter line: its text, or `{ base64 }` of its bytes when they are not UTF-8 (never a lossy decoding). */
export type DeadLetterHeaderText = string | { base64: string };

/** Header byte pairs as dead-letter entries, text where the bytes are UTF-8, else base64; a header without a value (`null`) gives "". */
export function deadLetterHeaders(
  pairs: Iterable<readonly [Uint8Array, Uint8Array | null]>,
): [DeadLetterHeaderText, DeadLetterHeaderText][] {
  const text = (bytes: Uint8Array | null): DeadLetterHeaderText => {
    if (bytes === null) return "";
    try {
      return strictUtf8.decode(bytes);
    } catch {
      return { base64: Buffer.from(bytes).toString("base64") };
    }
  };
  return [...pairs].map(([name, value]) => [text(name), text(value)]);
}
