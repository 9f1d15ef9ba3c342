import { createReadStream, createWriteStream } from "node:fs";
import { access } from "node:fs/promises";
import type { Writable } from "node:stream";
import { UsageError } from "./usage-error.js";

/** The bytes of a file, or of stdin for `-` or no file, as a stream of chunks. */
export async function openInput(file: string | undefined): Promise<AsyncIterable<Uint8Array>> {
  if (file === undefined || file === "-") return process.stdin;
  try {
    await access(file);
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  return createReadStream(file, { highWaterMark: 1 << 20 });
}

/** Reads a whole stream into one buffer. */
export async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

/** A buffered writer that respects backpressure: small writes are batched into large ones. */
export class Output {
  private parts: (string | Uint8Array)[] = [];
  private size = 0;

  constructor(
    private readonly stream: Writable,
    private readonly batchBytes = 1 << 16,
  ) {}

  /** Queues text or bytes; flushes when the batch is full. Resolves at once unless the stream is busy. */
  write(data: string | Uint8Array): Promise<void> | undefined {
    this.parts.push(data);
    this.size += data.length;
    return this.size >= this.batchBytes ? this.flush() : undefined;
  }

  /** Writes what is queued and waits for the stream to drain if it asks to. */
  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const parts = this.parts;
    const chunk = parts.length === 1 && typeof parts[0] !== "string" ? parts[0]! : Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : p)));
    this.parts = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await new Promise<void>((resolve) => this.stream.once("drain", resolve));
  }

  /** Flushes and, for a file, closes the stream. */
  async close(): Promise<void> {
    await this.flush();
    if (this.stream === process.stdout || this.stream === process.stderr) return;
    await new Promise<void>((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

/** Opens a file for writing as an `Output`. */
export function openOutput(file: string): Output {
  return new Output(createWriteStream(file));
}
