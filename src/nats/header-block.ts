/** NATS header blocks as bytes: read strictly, so that a value that is not UTF-8 is refused, not repaired; and written. */
import { BridgeError } from "../errors.js";
import type { CloudEventHeaderMatcher } from "../transport/cloudevent-header-matcher.js";
import type { CloudEventAttributes } from "../transport/cloudevents.js";
import { utf8 } from "../wire/utf8.js";

/**
 * A NATS message's headers read from their bytes, as the server delivered them: the block
 * `NATS/1.0[ status]\r\n` then `Name: value\r\n` lines and an empty line. nats.js decodes the block
 * with a lossy decoder (bytes that are not UTF-8 become U+FFFD); reading the bytes lets the bridge
 * refuse such a header, as it does on Kafka.
 */

const textEncoder = new TextEncoder();
const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;

/** The header block of a received nats.js message (`Msg` or JetStream `JsMsg`), or `undefined` when the client does not expose its bytes. */
export function natsHeaderBlockOf(message: unknown): Uint8Array | undefined {
  // nats.js 3.x keeps the bytes of a message in `_rdata` and the header length in `_msg.hdr`
  const m = ((message as { msg?: unknown }).msg ?? message) as { _rdata?: unknown; _msg?: { hdr?: unknown } };
  const raw = m?._rdata;
  const length = m?._msg?.hdr;
  if (!(raw instanceof Uint8Array) || typeof length !== "number") return undefined;
  return length > 0 ? raw.subarray(0, length) : new Uint8Array(0);
}

/** The `Name: value` lines of a header block as byte pairs (the value without the spaces around it), in order. */
export function natsHeaderBytePairs(block: Uint8Array): [Uint8Array, Uint8Array][] {
  const pairs: [Uint8Array, Uint8Array][] = [];
  let start = lineEnd(block, 0); // skip the status line
  while (start < block.length) {
    const end = lineEnd(block, start);
    let stop = end;
    if (stop > start && block[stop - 1] === LF) stop--;
    if (stop > start && block[stop - 1] === CR) stop--;
    const line = block.subarray(start, stop);
    start = end;
    if (line.length === 0) break;
    const colon = line.indexOf(COLON);
    if (colon <= 0) continue;
    let from = colon + 1;
    let to = line.length;
    while (from < to && (line[from] === 0x20 || line[from] === 0x09)) from++;
    while (to > from && (line[to - 1] === 0x20 || line[to - 1] === 0x09)) to--;
    pairs.push([line.subarray(0, colon), line.subarray(from, to)]);
  }
  return pairs;
}

/**
 * Offers the `Name: value` lines of a block, as `natsHeaderBytePairs` splits them, to a matcher
 * (without copying or decoding them) and gives its attributes, or `undefined` when the exact
 * reader (`readNatsHeaderBlock`, `fromCloudEventHeaders`) must read the block.
 */
export function matchNatsHeaderBlock(block: Uint8Array, matcher: CloudEventHeaderMatcher): CloudEventAttributes | undefined {
  matcher.begin();
  const length = block.length;
  let start = lineEnd(block, 0); // skip the status line
  while (start < length) {
    let colon = -1;
    let end = start;
    let all = 0; // every byte of the line or-ed: below 0x80 when all are ASCII
    for (let c: number; end < length && (c = block[end]!) !== LF; end++) {
      all |= c;
      if (c === COLON && colon < 0) colon = end;
    }
    let stop = end;
    if (end < length) end++; // past the LF
    if (stop > start && block[stop - 1] === CR) stop--;
    if (stop === start) break;
    if (colon > start) {
      if (all >= 0x80) return undefined; // maybe not UTF-8: the exact reader decides
      let from = colon + 1;
      let to = stop;
      while (from < to && (block[from] === 0x20 || block[from] === 0x09)) from++;
      while (to > from && (block[to - 1] === 0x20 || block[to - 1] === 0x09)) to--;
      if (!matcher.asciiHeader(block, start, colon, from, to)) return undefined;
    }
    start = end;
  }
  return matcher.end();
}

/** The header pairs of a block as text, refusing a name or value that is not UTF-8 (`invalid_header`, path `["headers", name]`). */
export function readNatsHeaderBlock(block: Uint8Array): [string, string][] {
  return natsHeaderBytePairs(block).map(([name, value]) => {
    const text = decode(name, ["headers"], "header name");
    return [text, decode(value, ["headers", text], "header value")];
  });
}

function decode(bytes: Uint8Array, path: string[], what: string): string {
  const text = utf8.read(bytes, 0, bytes.length);
  if (text === undefined) throw new BridgeError("invalid_header", path, `${what} is not valid UTF-8`);
  return text;
}

/** Headers as nats.js 3.x's `publish` takes them: of its `MsgHdrs` it only calls `encode()`, for the block's bytes. */
export class NatsHeaderBlock {
  constructor(private readonly bytes: Uint8Array) {}

  /** The block's bytes. */
  encode(): Uint8Array {
    return this.bytes;
  }
}

/**
 * Writes header pairs as the block nats.js's `MsgHdrs` writes (`NATS/1.0`, one `Name: value` line
 * each in order, an empty line), without building a `MsgHdrs`; a name or value with CR or LF,
 * which would end the line early, is refused (`invalid_header`).
 */
export function writeNatsHeaderBlock(pairs: Iterable<readonly [string, string]>): NatsHeaderBlock {
  let s = "NATS/1.0";
  for (const [name, value] of pairs) {
    if (LINE_BREAK.test(name) || LINE_BREAK.test(value)) {
      throw new BridgeError("invalid_header", ["headers", name], "a header name or value holds CR or LF");
    }
    s += `\r\n${name}: ${value}`;
  }
  return new NatsHeaderBlock(textEncoder.encode(`${s}\r\n\r\n`));
}

const LINE_BREAK = /[\r\n]/;

/** The index after the next LF from `from`, or the end. */
function lineEnd(block: Uint8Array, from: number): number {
  const lf = block.indexOf(LF, from);
  return lf < 0 ? block.length : lf + 1;
}
