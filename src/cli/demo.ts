/** `orwire demo`: the shipped sample to a size-delimited file and back, checked and measured. */
import { createReadStream } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { decode, encode } from "../codec.js";
import { equalJson } from "../json/equal.js";
import type { ImageGenCallCompletedEvent } from "../json/event.js";
import { COMPLETED } from "../json/event.js";
import { stringifyJson } from "../json/json-text.js";
import { checkType } from "../json/validate.js";
import { fromJson, toWireJson } from "../json/wire-json.js";
import { delimit, undelimit } from "../wire/size-delimited.js";
import { asBridgeError } from "./dead-letter.js";
import { runBrokerDemo } from "./demo-broker.js";
import { formatStreamDemo, SAMPLE_STREAM, streamDemo } from "./demo-stream.js";
import { describeRecord, Failure } from "./failure.js";
import { decodeText, parseJson } from "./lines.js";
import type { BrokerTarget } from "./queues.js";

/** The sample shipped with the package: completed events as the API streams them. */
export const SAMPLE_EVENTS = fileURLToPath(new URL("../../../examples/completed-events.ndjson", import.meta.url));

/** Options of `orwire demo`. */
export interface DemoCommand {
  events?: string | undefined;
  keep?: boolean | undefined;
  /** Run through this broker instead of a file. */
  target?: BrokerTarget | undefined;
}

/** What a demo run measured. */
export interface DemoReport {
  events: number;
  jsonBytes: number;
  protobufBytes: number;
  fileBytes: number;
  encodeSeconds: number;
  decodeSeconds: number;
  identical: number;
}

/**
 * `orwire demo`: the main job on the embedded samples. JSON events become a size-delimited
 * protobuf file (the local queue), which is read back, decoded and compared with the input; then
 * the image generation call events of a Responses API event stream do the same as envelopes.
 */
export async function runDemo(command: DemoCommand): Promise<void> {
  const source = command.events ?? SAMPLE_EVENTS;
  const events = readEvents(await readFile(source));
  if (command.target !== undefined) return runBrokerDemo(events, source, command.target, command.keep === true);
  const dir = await mkdtemp(join(tmpdir(), "orwire-demo-"));
  const queue = join(dir, "completed-events.pb");
  try {
    // the first round proves the round trip; later ones (at least 3, about 0.3 s) time it warm
    const first = await roundTrip(events, queue);
    const rounds = [first];
    for (let spent = 0; rounds.length < 4 || spent < 0.3; ) {
      const round = await roundTrip(events, queue);
      rounds.push(round);
      spent += round.encodeSeconds + round.decodeSeconds;
    }
    const { frames, decoded } = first;
    const encodeSeconds = median(rounds.slice(1).map((r) => r.encodeSeconds));
    const decodeSeconds = median(rounds.slice(1).map((r) => r.decodeSeconds));
    const report: DemoReport = {
      events: events.length,
      jsonBytes: events.reduce((n, e) => n + Buffer.byteLength(stringifyJson(toWireJson(e))), 0),
      protobufBytes: events.reduce((n, e) => n + encode(e).length, 0),
      fileBytes: frames.reduce((n, f) => n + f.length, 0),
      encodeSeconds,
      decodeSeconds,
      identical: decoded.filter((e, i) => equalJson(e, events[i])).length,
    };
    process.stdout.write(formatDemo(report, relative(process.cwd(), source) || source, command.keep ? queue : undefined));
    if (report.identical !== report.events || decoded.length !== events.length) {
      throw new Failure(`${report.events - report.identical} of ${report.events} events changed on the way`);
    }
    // the whole lifecycle, from the shipped Responses API event stream
    const stream = await streamDemo(dir);
    process.stdout.write(formatStreamDemo(stream, relative(process.cwd(), SAMPLE_STREAM) || SAMPLE_STREAM));
    if (stream.identical !== stream.events)
      throw new Failure(`${stream.events - stream.identical} of ${stream.events} lifecycle events changed on the way`);
  } finally {
    if (!command.keep) await rm(dir, { recursive: true, force: true });
  }
}

async function roundTrip(events: ImageGenCallCompletedEvent[], queue: string) {
  let start = performance.now();
  const frames = events.map((e) => delimit(encode(e)));
  await writeFile(queue, Buffer.concat(frames));
  const encodeSeconds = (performance.now() - start) / 1000;
  start = performance.now();
  const decoded: ImageGenCallCompletedEvent[] = [];
  for await (const message of undelimit(createReadStream(queue))) decoded.push(decode(message));
  const decodeSeconds = (performance.now() - start) / 1000;
  return { frames, decoded, encodeSeconds, decodeSeconds };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Parses an NDJSON file of events in either shape, naming the first bad record. */
export function readEvents(bytes: Uint8Array): ImageGenCallCompletedEvent[] {
  const events: ImageGenCallCompletedEvent[] = [];
  const lines = decodeText(bytes).split("\n");
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!.trim();
    if (text === "") continue;
    try {
      const event = fromJson(parseJson(text));
      checkType(event, COMPLETED);
      events.push(event as ImageGenCallCompletedEvent);
    } catch (err) {
      throw new Failure(describeRecord(asBridgeError(err), events.length + 1, i + 1));
    }
  }
  return events;
}

/** The demo's summary for a terminal. */
export function formatDemo(r: DemoReport, source: string, queue?: string): string {
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  const rows = [
    `orwire demo: ${n(r.events)} events from ${source}`,
    `  wire JSON  ${n(r.jsonBytes).padStart(10)} bytes  ${(r.jsonBytes / r.events).toFixed(1)} B/event`,
    `  protobuf   ${n(r.protobufBytes).padStart(10)} bytes  ${(r.protobufBytes / r.events).toFixed(1)} B/event, ${((100 * r.protobufBytes) / r.jsonBytes).toFixed(1)}% of JSON`,
    `  queue file ${n(r.fileBytes).padStart(10)} bytes  size-delimited${queue === undefined ? "" : `, kept at ${queue}`}`,
    `  encode     ${n(r.events / r.encodeSeconds).padStart(10)} events/s (JSON object -> file, median of warm rounds)`,
    `  decode     ${n(r.events / r.decodeSeconds).padStart(10)} events/s (file -> JSON object, median of warm rounds)`,
    `  lossless   ${n(r.identical)} of ${n(r.events)} events identical after the round trip (Object.is on every field)`,
  ];
  return `${rows.join("\n")}\n`;
}
