/** The demo's second part: the shipped Responses API event stream through the envelope and back. */
import { createReadStream } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { equalJson } from "../json/equal.js";
import type { ImageGenCallLifecycleEvent } from "../json/event.js";
import { EVENT_KINDS } from "../json/event.js";
import { fromWireJson } from "../json/wire-json.js";
import { decodeEvent, encodeEvent } from "../lifecycle.js";
import { SseParser } from "../transport/sse.js";
import { delimit, undelimit } from "../wire/size-delimited.js";

/** The event stream shipped with the package: two image generation calls among other Responses events. */
export const SAMPLE_STREAM = fileURLToPath(new URL("../../../examples/image-generation.sse", import.meta.url));

/** What the lifecycle part of the demo measured. */
export interface StreamReport {
  events: number;
  skipped: number;
  identical: number;
  /** Per event type: how many, their JSON bytes as streamed, their envelope bytes. */
  types: { type: string; events: number; jsonBytes: number; protobufBytes: number }[];
}

/**
 * The demo's lifecycle part: the image generation call events of a Responses API event stream
 * become a size-delimited file of envelopes in `dir`, which is read back and compared with the
 * stream's JSON.
 */
export async function streamDemo(dir: string, file = SAMPLE_STREAM): Promise<StreamReport> {
  const parser = new SseParser();
  const sse = [...parser.push(await readFile(file, "utf8")), ...parser.end()];
  const events: ImageGenCallLifecycleEvent[] = [];
  const frames: Uint8Array[] = [];
  const types = new Map<string, StreamReport["types"][number]>();
  for (const e of sse) {
    const type = (e.data as { type?: unknown }).type;
    if (typeof type !== "string" || !EVENT_KINDS.has(type)) continue;
    const event = fromWireJson(e.data);
    const envelope = encodeEvent(event);
    events.push(event);
    frames.push(delimit(envelope));
    const row = types.get(type) ?? { type, events: 0, jsonBytes: 0, protobufBytes: 0 };
    row.events++;
    row.jsonBytes += Buffer.byteLength(e.text);
    row.protobufBytes += envelope.length;
    types.set(type, row);
  }
  const queue = join(dir, "image-generation.pb");
  await writeFile(queue, Buffer.concat(frames));
  const decoded: ImageGenCallLifecycleEvent[] = [];
  for await (const message of undelimit(createReadStream(queue))) decoded.push(decodeEvent(message));
  const identical = decoded.length === events.length ? decoded.filter((e, i) => equalJson(e, events[i])).length : 0;
  return { events: events.length, skipped: sse.length - events.length, identical, types: [...types.values()] };
}

/** The lifecycle part of the demo's summary. */
export function formatStreamDemo(r: StreamReport, source: string): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const rows = [`  lifecycle  ${n(r.events)} image generation call events from ${source} (${n(r.skipped)} other events skipped)`];
  for (const t of r.types) {
    rows.push(
      `    ${t.type.split(".").at(-1)!.padEnd(14)} ${String(t.events).padStart(3)} events  ${n(t.jsonBytes).padStart(8)} bytes of JSON -> ${n(t.protobufBytes).padStart(8)} of protobuf (${((100 * t.protobufBytes) / t.jsonBytes).toFixed(1)}%)`,
    );
  }
  rows.push(`  lossless   ${n(r.identical)} of ${n(r.events)} lifecycle events identical after the round trip`);
  return `${rows.join("\n")}\n`;
}
