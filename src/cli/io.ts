/** Input and output streams of the CLI: files or stdin, stdout with backpressure, one-line errors. */
import { constants, createReadStream, createWriteStream } from "node:fs";
import { access, stat } from "node:fs/promises";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { describeSystemError, Failure } from "./failure.js";
import { UsageError } from "./usage-error.js";

/**
 * The bytes of a file, or of stdin for `-` or no file, as a stream of chunks (of `chunkBytes` for
 * a file, 1 MiB by default). A file that cannot be read (missing, a directory, no permission) is a
 * `UsageError` naming it and the reason.
 */
export async function openInput(file: string | undefined, chunkBytes = 1 << 20): Promise<AsyncIterable<Uint8Array>> {
  if (file === undefined || file === "-") return process.stdin;
  try {
    if ((await stat(file)).isDirectory()) throw new UsageError(`cannot read ${file}: it is a directory`);
    await access(file, constants.R_OK);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${file}: ${describeSystemError(err)}`);
  }
  return createReadStream(file, { highWaterMark: chunkBytes });
}

/** Reads a whole stream into one buffer. */
export async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

/**
 * A buffered writer that respects backpressure: small writes are batched into large ones. A
 * stream error (a full disk) is kept and thrown by the next `write`, `flush` or `close` as a
 * `Failure` naming the output, never left as an unhandled `error` event.
 */
export class Output {
  private parts: Uint8Array[] = [];
  /** The text written since the last bytes, one string: lines are joined as they come, encoded once per batch. */
  private text = "";
  private size = 0;
  private failed: unknown;

  constructor(
    private readonly stream: Writable,
    private readonly batchBytes = 1 << 16,
    /** What the output is called in errors. */
    readonly name = "stdout",
  ) {
    stream.on("error", (err) => {
      this.failed ??= err;
    });
  }

  /** Queues text or bytes; flushes when the batch is full. Resolves at once unless the stream is busy. */
  write(data: string | Uint8Array): Promise<void> | undefined {
    this.check();
    if (typeof data === "string") {
      this.text += data;
    } else {
      if (this.text !== "") this.parts.push(Buffer.from(this.text));
      this.text = "";
      this.parts.push(data);
    }
    this.size += data.length;
    return this.size >= this.batchBytes ? this.flush() : undefined;
  }

  /** Writes what is queued and waits for the stream to drain if it asks to. */
  async flush(): Promise<void> {
    this.check();
    if (this.parts.length === 0 && this.text === "") return;
    const parts = this.parts;
    if (this.text !== "") parts.push(Buffer.from(this.text));
    const chunk = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    this.parts = [];
    this.text = "";
    this.size = 0;
    if (!this.stream.write(chunk)) await this.drained();
    this.check();
  }

  /** Flushes and, for a file, closes the stream and waits until its bytes are written. */
  async close(): Promise<void> {
    await this.flush();
    if (this.stream === process.stdout || this.stream === process.stderr) return;
    this.stream.end();
    try {
      await finished(this.stream);
    } catch (err) {
      this.failed ??= err;
    }
    this.check();
  }

  /** Resolves once a file is open; refuses, as a `UsageError`, a file that cannot be opened for writing. */
  async opened(): Promise<void> {
    const stream = this.stream as Writable & { pending?: boolean };
    if (stream.pending === true) {
      await new Promise<void>((resolve) => {
        const done = () => {
          stream.off("ready", done);
          stream.off("error", done);
          resolve();
        };
        stream.once("ready", done);
        stream.once("error", done);
      });
    }
    if (this.failed !== undefined) throw new UsageError(`cannot write ${this.name}: ${describeSystemError(this.failed)}`);
  }

  private drained(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off("drain", done);
        this.stream.off("error", done);
        this.stream.off("close", done);
        resolve();
      };
      this.stream.once("drain", done);
      this.stream.once("error", done);
      this.stream.once("close", done);
    });
  }

  private check(): void {
    if (this.failed !== undefined) throw new Failure(`cannot write ${this.name}: ${describeSystemError(this.failed)}`);
  }
}

/** Opens a file for writing as an `Output`; `opened()` tells whether that worked. */
export function openOutput(file: string): Output {
  return new Output(createWriteStream(file), undefined, file);
}
