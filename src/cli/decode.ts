/** `orwire decode`: protobuf (raw or size-delimited) to NDJSON in either shape. */
import { decode } from "../codec.js";
import { EVENT_KINDS, type ImageGenCallLifecycleEvent, type Shape } from "../json/event.js";
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
  return plainEventLine(event, shape) ?? `${stringifyJson(shape === "wire" ? toWireJson(event) : event)}\n`;
}

/**
 * The line of an event that has `type` and its kind's known members and nothing else, all of them
 * strings or finite numbers, written member by member without building an object; the same text
 * as the general way. `undefined` for any other event.
 */
function plainEventLine(event: ImageGenCallLifecycleEvent, shape: Shape): string | undefined {
  const kind = EVENT_KINDS.get(event.type);
  if (kind === undefined) return undefined;
  const members = kind.members;
  let keys = 0;
  for (const _ in event) keys++;
  if (keys !== members.length + 1) return undefined;
  const values = event as unknown as Record<string, unknown>;
  // the SDK object is written in its own order, the wire JSON in the kind's (`toShape`)
  let line: string;
  if (shape === "wire") {
    line = `{"type":${quoted(kind.type)}`;
    for (const m of members) {
      const value = text(values[m.sdk]);
      if (value === undefined) return undefined;
      line += `,"${m.wire}":${value}`;
    }
  } else {
    const known = kind.keys.sdk;
    let first = true;
    line = "{";
    for (const key in event) {
      if (!known.has(key)) return undefined;
      const value = text(values[key]);
      if (value === undefined) return undefined;
      line += `${first ? "" : ","}"${key}":${value}`;
      first = false;
    }
  }
  return `${line}}\n`;
}

/** A string or finite number as JSON text (`-0` kept), `undefined` for anything else. */
function text(value: unknown): string | undefined {
  if (typeof value === "string") return quoted(value);
  if (typeof value !== "number" || !Number.isFinite(value)) return undefined;
  return Object.is(value, -0) ? "-0" : `${value}`;
}

/** A string as JSON text: as it is between quotes unless a character needs an escape. */
function quoted(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // control characters, `"`, `\\` and surrogates (a lone one is escaped): JSON's own writing
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return `"${s}"`;
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
