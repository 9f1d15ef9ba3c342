/** `orwire encode`: JSON (either shape, NDJSON) or SSE to protobuf, raw or size-delimited. */
import { encode } from "../codec.js";
import { type BridgeError, clipText, formatPath, MAX_REASON_CHARS } from "../errors.js";
import { fromJson } from "../json/wire-json.js";
import { encodeEvent } from "../lifecycle.js";
import { DelimitedWriter } from "../transport/delimited.js";
import { lifecycleEvents, readSse } from "../transport/sse.js";
import { asBridgeError, type DeadLetter, openDeadLetter } from "./dead-letter.js";
import { describeRecord, Failure } from "./failure.js";
import { Output, openInput, readAll } from "./io.js";
import { decodeText, isBlank, LineSplitter, type Lines, lineText, parseJson } from "./lines.js";
import { Progress } from "./progress.js";
import { skippedSummary } from "./queues.js";

/** Options of `orwire encode`. */
export interface EncodeCommand {
  format: "raw" | "delimited";
  /** `json`: one JSON value (raw) or NDJSON (delimited); `sse`: a Responses API event stream. */
  input: "json" | "sse";
  /** `completed`: `ImageGenCallCompleted` messages; `event`: `ImageGenCallEvent` envelopes, any lifecycle type. */
  message: "completed" | "event";
  deadLetter?: string | undefined;
  /** The largest message a delimited frame may hold (`DelimitedOptions`); default 16 MiB. */
  maxMessageBytes?: number | undefined;
  file?: string | undefined;
}

/** `orwire encode`: JSON (either shape) or SSE in, protobuf out; raw or size-delimited. */
export async function runEncode(command: EncodeCommand): Promise<void> {
  const input = await openInput(command.file);
  const out = new Output(process.stdout);
  const deadLetter = command.deadLetter === undefined ? undefined : await openDeadLetter(command.deadLetter);
  const count = { encoded: 0, records: 0 };
  try {
    if (command.format === "raw") await encodeRaw(input, out, command, deadLetter, count);
    else if (command.input === "sse") await encodeSse(input, out, command, deadLetter, count);
    else await encodeLines(input, out, command, deadLetter, count);
  } finally {
    await out.flush();
    await deadLetter?.close();
  }
  if (deadLetter !== undefined) {
    process.stderr.write(
      `orwire encode: ${count.encoded} of ${count.records} records encoded, ${deadLetter.count} sent to ${deadLetter.file}\n`,
    );
  }
}

type Count = { encoded: number; records: number };

async function encodeRaw(
  input: AsyncIterable<Uint8Array>,
  out: Output,
  command: EncodeCommand,
  deadLetter: DeadLetter | undefined,
  count: Count,
): Promise<void> {
  const bytes = await readAll(input);
  count.records = 1;
  try {
    const event = fromJson(parseJson(decodeText(bytes)));
    await out.write(command.message === "event" ? encodeEvent(event) : encode(event));
    count.encoded++;
  } catch (err) {
    const error = asBridgeError(err);
    if (deadLetter === undefined) throw new Failure(describeRecord(error, 1));
    await deadLetter.send(1, textOrBytes(bytes), error);
  }
}

/** NDJSON: plain lines straight from their bytes, the others through `JSON.parse`; one await per chunk. */
async function encodeLines(
  input: AsyncIterable<Uint8Array>,
  out: Output,
  command: EncodeCommand,
  deadLetter: DeadLetter | undefined,
  count: Count,
): Promise<void> {
  const progress = new Progress("records encoded");
  const splitter = new LineSplitter();
  const writer = new DelimitedWriter({ maxMessageBytes: command.maxMessageBytes });
  const envelopes = command.message === "event";
  let lineNumber = 0;
  const take = async ({ buf, bounds }: Lines): Promise<void> => {
    for (let i = 0; i < bounds.length; i += 2) {
      const start = bounds[i]!;
      const end = bounds[i + 1]!;
      lineNumber++;
      if (!envelopes && writer.writePlainJson(buf, start, end)) {
        count.records++;
        count.encoded++;
        continue;
      }
      const text = lineText(buf, start, end);
      if (typeof text === "string" && isBlank(text)) continue;
      count.records++;
      try {
        if (typeof text !== "string") throw text;
        writer.writeJson(parseJson(text), envelopes);
        count.encoded++;
      } catch (err) {
        await refused(
          asBridgeError(err),
          count.records,
          lineNumber,
          typeof text === "string" ? { text } : { bytes: buf.subarray(start, end) },
        );
      }
    }
    await flush();
    progress.tick(bounds.length / 2);
  };
  const flush = async () => {
    for (const chunk of writer.drain()) await out.write(chunk);
  };
  const refused = async (error: BridgeError, record: number, line: number, given: { text: string } | { bytes: Uint8Array }) => {
    if (deadLetter === undefined) {
      await flush();
      throw new Failure(describeRecord(error, record, line));
    }
    await deadLetter.send(record, given, error);
  };
  for await (const chunk of input) await take(splitter.push(chunk));
  await take(splitter.end());
  progress.done();
}

/**
 * A Responses API event stream: the image generation call events become envelopes; other event
 * types are counted and skipped; malformed SSE stops the run with its line number.
 */
async function encodeSse(
  input: AsyncIterable<Uint8Array>,
  out: Output,
  command: EncodeCommand,
  deadLetter: DeadLetter | undefined,
  count: Count,
): Promise<void> {
  const progress = new Progress("events encoded");
  const writer = new DelimitedWriter({ maxMessageBytes: command.maxMessageBytes });
  const skipped = new Map<string, number>();
  const flush = async () => {
    for (const chunk of writer.drain()) await out.write(chunk);
  };
  try {
    for await (const batch of readSse(input)) {
      for (const e of lifecycleEvents(batch, skipped)) {
        count.records++;
        try {
          writer.writeJson(e.data, true, "wire");
          count.encoded++;
        } catch (err) {
          const error = asBridgeError(err);
          if (deadLetter === undefined) {
            await flush();
            throw new Failure(describeRecord(error, count.records, e.line));
          }
          await deadLetter.send(count.records, { text: e.text }, error);
        }
      }
      await flush();
      progress.tick(batch.length);
    }
  } catch (err) {
    if (err instanceof Failure) throw err;
    await flush();
    const error = asBridgeError(err);
    throw new Failure(
      error.path.length === 0
        ? `${clipText(error.reason, MAX_REASON_CHARS)} (${error.code})`
        : `${formatPath(error.path)}: ${clipText(error.reason, MAX_REASON_CHARS)} (${error.code})`,
    );
  } finally {
    progress.done();
  }
  process.stderr.write(`orwire encode: ${count.encoded} image generation call events encoded${skippedSummary(skipped)}\n`);
}

function textOrBytes(bytes: Uint8Array): { text: string } | { bytes: Uint8Array } {
  try {
    return { text: decodeText(bytes) };
  } catch {
    return { bytes };
  }
}
