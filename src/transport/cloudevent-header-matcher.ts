/**
 * A bytewise reader of CloudEvents headers for the common case: the headers the bridge writes,
 * matched by their bytes and decoded only for the values the attributes need. Anything it cannot
 * decide (a name in another case, a header given twice, an attribute it does not know, a percent
 * escape, a byte that is not ASCII, another content type) makes it answer `undefined`, and the
 * caller reads the headers the exact way (`fromCloudEventHeaders`), which gives every refusal.
 */
import { EVENT_KINDS } from "../json/event.js";
import { utf8 } from "../wire/utf8.js";
import { type Binding, CLOUDEVENTS_SPECVERSION, type CloudEventAttributes, PROTOBUF_MEDIA_TYPE } from "./cloudevents.js";

const CONTENT_TYPE = 0;
const SPECVERSION = 1;
const ID = 2;
const SOURCE = 3;
const TYPE = 4;
const DATASCHEMA = 5;
const SLOTS = 6;
const PERCENT = 0x25;

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const NAMES: Record<Binding, readonly Uint8Array[]> = {
  kafka: ["content-type", "ce_specversion", "ce_id", "ce_source", "ce_type", "ce_dataschema"].map(ascii),
  nats: ["ce-datacontenttype", "ce-specversion", "ce-id", "ce-source", "ce-type", "ce-dataschema"].map(ascii),
};
const CONTENT_TYPE_NAME = ascii("content-type");
const MEDIA_TYPE = ascii(PROTOBUF_MEDIA_TYPE);
const SPECVERSION_BYTES = ascii(CLOUDEVENTS_SPECVERSION);
const TYPES = [...EVENT_KINDS.keys()].map((type) => ({ type, bytes: ascii(type) }));

/**
 * Matches one record's headers at a time: `begin`, `header` for each header as byte ranges, then
 * `end` for the attributes, or `undefined` when the exact reader must decide. The attributes it
 * gives are those `fromCloudEventHeaders` gives for the same headers; a matcher is reused across
 * records (it keeps the last `source` and `dataschema` text, which rarely change).
 */
export class CloudEventHeaderMatcher {
  private readonly names: readonly Uint8Array[];
  /** The byte after `ce` in an attribute's name: `_` on Kafka, `-` on NATS. */
  private readonly separator: number;
  private readonly buffers: (Uint8Array | undefined)[] = new Array(SLOTS).fill(undefined);
  private readonly starts = new Int32Array(SLOTS);
  private readonly ends = new Int32Array(SLOTS);
  private unsure = false;
  private readonly nats: boolean;
  private lastSource: Uint8Array = new Uint8Array(0);
  private lastSourceText: string | undefined;
  private lastSchema: Uint8Array = new Uint8Array(0);
  private lastSchemaText: string | undefined;
  private lastType = 0;

  constructor(binding: Binding) {
    this.names = NAMES[binding];
    this.nats = binding === "nats";
    this.separator = binding === "kafka" ? 0x5f : 0x2d;
  }

  /** Starts a record. */
  begin(): void {
    this.buffers.fill(undefined);
    this.unsure = false;
  }

  /**
   * One header: its name `buf[nameStart, nameEnd)` and value `buf[valueStart, valueEnd)` (the two
   * may lie in different buffers: pass the value's as `valueBuf`). Returns `false` once the
   * record is one the exact reader must read; the caller may stop offering headers then.
   */
  header(buf: Uint8Array, nameStart: number, nameEnd: number, valueStart: number, valueEnd: number, valueBuf: Uint8Array = buf): boolean {
    if (!isAscii(buf, nameStart, nameEnd) || !isAscii(valueBuf, valueStart, valueEnd)) return this.giveUp();
    return this.asciiHeader(buf, nameStart, nameEnd, valueStart, valueEnd, valueBuf);
  }

  /** `header` for a caller that checked that every byte of the name and the value is ASCII (below 0x80). */
  asciiHeader(
    buf: Uint8Array,
    nameStart: number,
    nameEnd: number,
    valueStart: number,
    valueEnd: number,
    valueBuf: Uint8Array = buf,
  ): boolean {
    if (this.unsure) return false;
    const length = nameEnd - nameStart;
    let slot: number;
    if (
      length >= 3 &&
      (buf[nameStart]! | 0x20) === 0x63 &&
      (buf[nameStart + 1]! | 0x20) === 0x65 &&
      buf[nameStart + 2] === this.separator
    ) {
      // a CloudEvents attribute: one the bridge writes, spelled as it writes it, else the exact reader
      slot = this.slotOf(buf, nameStart, length);
    } else if (length === CONTENT_TYPE_NAME.length && equalsIgnoringCase(buf, nameStart, CONTENT_TYPE_NAME)) {
      slot = !this.nats && equals(buf, nameStart, nameEnd, CONTENT_TYPE_NAME) ? CONTENT_TYPE : -1;
    } else {
      return true; // another header: not read
    }
    if (slot < 0 || this.buffers[slot] !== undefined) return this.giveUp();
    this.buffers[slot] = valueBuf;
    this.starts[slot] = valueStart;
    this.ends[slot] = valueEnd;
    return true;
  }

  /** The attributes of the record's headers, or `undefined` when the exact reader must read them. */
  end(): CloudEventAttributes | undefined {
    if (this.unsure) return undefined;
    const b = this.buffers;
    const s = this.starts;
    const e = this.ends;
    for (let slot = 0; slot < DATASCHEMA; slot++) if (b[slot] === undefined) return undefined;
    if (!equals(b[CONTENT_TYPE]!, s[CONTENT_TYPE]!, e[CONTENT_TYPE]!, MEDIA_TYPE)) return undefined;
    if (!equals(b[SPECVERSION]!, s[SPECVERSION]!, e[SPECVERSION]!, SPECVERSION_BYTES)) return undefined;
    const type = this.typeOf(b[TYPE]!, s[TYPE]!, e[TYPE]!);
    if (type === undefined) return undefined;
    // a percent escape is decoded by the exact reader (the known values above hold none)
    if (this.nats && hasPercent(b[ID]!, s[ID]!, e[ID]!)) return undefined;
    const id = utf8.read(b[ID]!, s[ID]!, e[ID]!);
    if (id === undefined) return undefined;
    const source = this.source(b[SOURCE]!, s[SOURCE]!, e[SOURCE]!);
    if (source === undefined) return undefined;
    const attributes: CloudEventAttributes = {
      specversion: CLOUDEVENTS_SPECVERSION,
      id,
      source,
      type,
      datacontenttype: PROTOBUF_MEDIA_TYPE,
    };
    if (b[DATASCHEMA] !== undefined) {
      const dataschema = this.dataschema(b[DATASCHEMA], s[DATASCHEMA]!, e[DATASCHEMA]!);
      if (dataschema === undefined) return undefined;
      attributes.dataschema = dataschema;
    }
    return attributes;
  }

  private giveUp(): false {
    this.unsure = true;
    return false;
  }

  private slotOf(buf: Uint8Array, start: number, length: number): number {
    for (let slot = this.nats ? CONTENT_TYPE : SPECVERSION; slot < SLOTS; slot++) {
      const name = this.names[slot]!;
      if (name.length === length && equals(buf, start, start + length, name)) return slot;
    }
    return -1;
  }

  /** The lifecycle type the bytes spell, the last one first. */
  private typeOf(buf: Uint8Array, start: number, end: number): string | undefined {
    const last = TYPES[this.lastType]!;
    if (equals(buf, start, end, last.bytes)) return last.type;
    for (let i = 0; i < TYPES.length; i++) {
      if (equals(buf, start, end, TYPES[i]!.bytes)) {
        this.lastType = i;
        return TYPES[i]!.type;
      }
    }
    return undefined;
  }

  private source(buf: Uint8Array, start: number, end: number): string | undefined {
    if (this.lastSourceText !== undefined && equals(buf, start, end, this.lastSource)) return this.lastSourceText;
    if (this.nats && hasPercent(buf, start, end)) return undefined;
    this.lastSource = buf.slice(start, end);
    return (this.lastSourceText = utf8.read(buf, start, end));
  }

  private dataschema(buf: Uint8Array, start: number, end: number): string | undefined {
    if (this.lastSchemaText !== undefined && equals(buf, start, end, this.lastSchema)) return this.lastSchemaText;
    if (this.nats && hasPercent(buf, start, end)) return undefined;
    this.lastSchema = buf.slice(start, end);
    return (this.lastSchemaText = utf8.read(buf, start, end));
  }
}

/** Whether every byte of `buf[start, end)` is below 0x80. */
export function isAscii(buf: Uint8Array, start: number, end: number): boolean {
  let all = 0;
  for (let i = start; i < end; i++) all |= buf[i]!;
  return all < 0x80;
}

function hasPercent(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] === PERCENT) return true;
  return false;
}

/** Whether `buf[start, end)` holds exactly `bytes`. */
function equals(buf: Uint8Array, start: number, end: number, bytes: Uint8Array): boolean {
  if (end - start !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[start + i] !== bytes[i]) return false;
  return true;
}

/** Whether `buf` at `start` holds `lower` (lowercase ASCII letters and punctuation), letters in any case. */
function equalsIgnoringCase(buf: Uint8Array, start: number, lower: Uint8Array): boolean {
  for (let i = 0; i < lower.length; i++) {
    const c = buf[start + i]!;
    if (c !== lower[i] && (c | 0x20) !== lower[i]) return false;
  }
  return true;
}
