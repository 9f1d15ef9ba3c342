/**
 * Reading our event from a record of a fetched batch (`RecordBatchReader`) without making a header
 * map, buffers or strings for what it can match bytewise; anything unusual goes to `readKafkaRecord`.
 */
import { EVENT_KINDS, type ImageGenCallLifecycleEvent } from "../json/event.js";
import { decodeEventMessage } from "../lifecycle.js";
import { CLOUDEVENTS_SPECVERSION, type CloudEventAttributes, eventId, PROTOBUF_MEDIA_TYPES } from "../transport/cloudevents.js";
import { CONFLUENT_MAGIC_BYTE } from "../transport/confluent.js";
import type { RecordBatchReader } from "./record-batch.js";
import { readKafkaRecord } from "./records.js";

/** A record of a batch as `readKafkaRecord` and the dead letter take it: copies of its key, value and headers. */
export interface KafkaRecordCopy {
  key: Buffer | null;
  value: Buffer | null;
  headers: [Buffer, Buffer | null][];
}

/** Copies the current record of `r` out of its fetch buffer. */
export function copyKafkaRecord(r: RecordBatchReader): KafkaRecordCopy {
  const b = r.bytes;
  const copy = (start: number, length: number) => (length < 0 ? null : Buffer.from(b.subarray(start, start + length)));
  const headers: [Buffer, Buffer | null][] = [];
  const h = r.headers;
  for (let i = 0; i < r.headerCount; i++) headers.push([copy(h[i * 4]!, h[i * 4 + 1]!)!, copy(h[i * 4 + 2]!, h[i * 4 + 3]!)]);
  return { key: copy(r.keyStart, r.keyLength), value: copy(r.valueStart, r.valueLength) as Buffer | null, headers };
}

const CONTENT_TYPE = 0;
const SPECVERSION = 1;
const ID = 2;
const SOURCE = 3;
const TYPE = 4;
const DATASCHEMA = 5;
const NAMES = ["content-type", "ce_specversion", "ce_id", "ce_source", "ce_type", "ce_dataschema"].map((n) => Buffer.from(n));
const SPECVERSION_BYTES = Buffer.from(CLOUDEVENTS_SPECVERSION);
const MEDIA_TYPES = PROTOBUF_MEDIA_TYPES.map((t) => ({ text: t, bytes: Buffer.from(t) }));
const TYPES = [...EVENT_KINDS.keys()].map((t) => ({ text: t, bytes: Buffer.from(t) }));

/** A one-entry cache of a header value that repeats (the source, a type's dataschema). */
interface Repeated {
  bytes: Buffer;
  text: string;
}

/**
 * A reader of our events from fetched records, exactly as `readKafkaRecord` reads them (same
 * events, same attributes, same refusals): records of the usual shape (the six CloudEvents headers
 * once each, ASCII values, an ASCII key) are matched bytewise with no allocation but the event,
 * its id and the attributes; any other record is copied and read by `readKafkaRecord`.
 */
export function kafkaRecordViewReader(): (r: RecordBatchReader) => { event: ImageGenCallLifecycleEvent; attributes: CloudEventAttributes } {
  const at = new Int32Array(6);
  let source: Repeated | undefined;
  const schemas: (Repeated | undefined)[] = TYPES.map(() => undefined);
  return (r) => fast(r) ?? readKafkaRecord(copyKafkaRecord(r));

  function fast(r: RecordBatchReader): { event: ImageGenCallLifecycleEvent; attributes: CloudEventAttributes } | undefined {
    const b = r.bytes;
    const h = r.headers;
    at.fill(-1);
    for (let i = 0; i < r.headerCount; i++) {
      const which = headerName(b, h[i * 4]!, h[i * 4 + 1]!);
      if (which < 0 || at[which] !== -1 || h[i * 4 + 3]! < 0) return undefined;
      at[which] = i;
    }
    if (at[CONTENT_TYPE]! < 0 || at[SPECVERSION]! < 0 || at[ID]! < 0 || at[SOURCE]! < 0 || at[TYPE]! < 0) return undefined;
    const media = oneOf(b, h, at[CONTENT_TYPE]!, MEDIA_TYPES);
    if (media < 0 || !equal(b, h[at[SPECVERSION]! * 4 + 2]!, h[at[SPECVERSION]! * 4 + 3]!, SPECVERSION_BYTES)) return undefined;
    const typeIndex = oneOf(b, h, at[TYPE]!, TYPES);
    if (typeIndex < 0) return undefined;
    const type = TYPES[typeIndex]!.text;
    const id = ascii(b, h[at[ID]! * 4 + 2]!, h[at[ID]! * 4 + 3]!);
    if (id === undefined) return undefined;
    source = repeated(b, h, at[SOURCE]!, source);
    if (source === undefined) return undefined;
    let dataschema: string | undefined;
    if (at[DATASCHEMA]! >= 0) {
      const schema = repeated(b, h, at[DATASCHEMA]!, schemas[typeIndex]);
      if (schema === undefined) return undefined;
      schemas[typeIndex] = schema;
      dataschema = schema.text;
    }
    if (r.valueLength < 1 || b[r.valueStart] === CONFLUENT_MAGIC_BYTE) return undefined;
    let event: ImageGenCallLifecycleEvent;
    try {
      event = decodeEventMessage(b.subarray(r.valueStart, r.valueStart + r.valueLength), type);
    } catch {
      return undefined;
    }
    if (eventId(event) !== id) return undefined;
    if (r.keyLength >= 0 && !equalsText(b, r.keyStart, r.keyLength, event.itemId)) return undefined;
    const attributes: CloudEventAttributes = {
      specversion: CLOUDEVENTS_SPECVERSION,
      id,
      source: source.text,
      type,
      datacontenttype: MEDIA_TYPES[media]!.text,
    };
    if (dataschema !== undefined) attributes.dataschema = dataschema;
    return { event, attributes };
  }
}

function headerName(b: Buffer, start: number, length: number): number {
  for (let n = 0; n < NAMES.length; n++) if (equal(b, start, length, NAMES[n]!)) return n;
  return -1;
}

function oneOf(b: Buffer, h: Int32Array, header: number, options: readonly { bytes: Buffer }[]): number {
  const start = h[header * 4 + 2]!;
  const length = h[header * 4 + 3]!;
  for (let i = 0; i < options.length; i++) if (equal(b, start, length, options[i]!.bytes)) return i;
  return -1;
}

function repeated(b: Buffer, h: Int32Array, header: number, last: Repeated | undefined): Repeated | undefined {
  const start = h[header * 4 + 2]!;
  const length = h[header * 4 + 3]!;
  if (last !== undefined && equal(b, start, length, last.bytes)) return last;
  const text = ascii(b, start, length);
  return text === undefined ? undefined : { bytes: Buffer.from(b.subarray(start, start + length)), text };
}

function equal(b: Buffer, start: number, length: number, bytes: Buffer): boolean {
  if (length !== bytes.length) return false;
  for (let i = 0; i < length; i++) if (b[start + i] !== bytes[i]) return false;
  return true;
}

/** The bytes as text if all are ASCII (then UTF-8 and Latin-1 agree), else `undefined`. */
function ascii(b: Buffer, start: number, length: number): string | undefined {
  for (let i = start; i < start + length; i++) if (b[i]! >= 0x80) return undefined;
  return (b as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice(start, start + length);
}

/** Whether the bytes are `text` as ASCII. */
function equalsText(b: Buffer, start: number, length: number, text: string): boolean {
  if (length !== text.length) return false;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80 || b[start + i] !== c) return false;
  }
  return true;
}
