/** `orwire decode`: protobuf (raw or size-delimited) to NDJSON in either shape. */
import { decode } from "../codec.js";
import type { ImageGenCallLifecycleEvent, Shape } from "../json/event.js";
import { stringifyJson } from "../json/json-text.js";
import { toWireJson } from "../json/wire-json.js";
import { decodeAny, decodeEvent } from "../lifecycle.js";
import { Deframer } from "../wire/size-delimited.js";
import { asBridgeError, openDeadLetter } from "./dead-letter.js";
import { describeRecord, Failure } from "./failure.js";
import { Output, openInput, readAll } from "./io.js";
import { Progress } from "./progress.js";

/** Options of `orwire decode`. */
export interface DecodeCommand {
  format: "raw" | "delimited";
  shape: Shape;
  /** `auto`: a completed message or an envelope, whichever each record is; or force one. */
  message: "auto" | "completed" | "event";
  deadLetter?: string | undefined;
  maxMessageBytes?: number | undefined;
  file?: string | undefined;
}

/** Renders a decoded event as one compact JSON line in the shape asked for. */
export function eventLine(event: ImageGenCallLifecycleEvent, shape: Shape): string {
  return `${stringifyJson(shape === "wire" ? toWireJson(event) : event)}\n`;
}

/** `orwire decode`: protobuf in (raw or size-delimited), one JSON object per line out. */
export async function runDecode(command: DecodeCommand): Promise<void> {
  const input = await openInput(command.file);
  const out = new Output(process.stdout);
  const deadLetter = command.deadLetter === undefined ? undefined : await openDeadLetter(command.deadLetter);
  let decoded = 0;
  let record = 0;
  const decodeRecord = command.message === "completed" ? decode : command.message === "event" ? decodeEvent : decodeAny;
  // synchronous unless output is busy or a record is refused: no await per record
  const handle = (bytes: Uint8Array): Promise<void> | undefined => {
    let line: string;
    try {
      line = eventLine(decodeRecord(bytes), command.shape);
    } catch (err) {
      const error = asBridgeError(err);
      if (deadLetter === undefined) {
        return out.flush().then(() => {
          throw new Failure(describeRecord(error, record));
        });
      }
      return deadLetter.send(record, { bytes }, error);
    }
    decoded++;
    return out.write(line);
  };
  try {
    if (command.format === "raw") {
      record = 1;
      await handle(await readAll(input));
    } else {
      const progress = new Progress("records decoded");
      const deframer = new Deframer({ maxMessageBytes: command.maxMessageBytes });
      const frames = async function* () {
        for await (const chunk of input) yield deframer.push(chunk);
        deframer.end();
      };
      try {
        for await (const batch of frames()) {
          for (const frame of batch) {
            record++;
            const busy = handle(frame);
            if (busy !== undefined) await busy;
          }
          progress.tick(batch.length);
        }
      } catch (err) {
        if (err instanceof Failure) throw err;
        const error = asBridgeError(err);
        await out.flush();
        throw new Failure(`${describeRecord(error, error.record ?? record + 1)}; the stream cannot be read past it`);
      } finally {
        progress.done();
      }
    }
  } finally {
    await out.flush();
    await deadLetter?.close();
  }
  if (deadLetter !== undefined) {
    process.stderr.write(`orwire decode: ${decoded} of ${record} records decoded, ${deadLetter.count} sent to ${deadLetter.file}\n`);
  }
}
