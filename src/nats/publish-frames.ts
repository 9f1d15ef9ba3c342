/**
 * `HPUB` frames written straight into a slab and handed to a nats.js 3.x connection's outbound
 * buffer as one chunk per slab or per turn of the event loop, byte for byte what its `publish`
 * writes, for the async publisher: no protocol line string, encoder call or four-part buffer fill
 * per message. Anything unusual (a closed or draining connection, a subject it would refuse, a
 * message above `max_payload`, a server without headers) goes through the client's own `publish`.
 */

/** What the frame writer uses of a nats.js 3.x `ProtocolHandler` (`nc.protocol`, public in its typings). */
export interface NatsProtocolLike {
  sendCommand(cmd: Uint8Array): void;
  info?: { max_payload: number; headers?: boolean } | undefined;
  noMorePublishing: boolean;
  outBytes: number;
  outMsgs: number;
}

const SLAB = 64 * 1024;
const encoder = new TextEncoder();
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
/** What nats.js refuses as a subject or reply: empty, or holding whitespace. */
const BAD_SUBJECT = /^$|\s/;

/** The `protocol` of a nats.js 3.x connection when it is one the frame writer can write to, or `undefined`. */
export function natsProtocolOf(nc: unknown): NatsProtocolLike | undefined {
  const p = (nc as { protocol?: Partial<NatsProtocolLike> } | undefined)?.protocol;
  if (p === undefined || p === null || typeof p.sendCommand !== "function") return undefined;
  if (typeof p.outBytes !== "number" || typeof p.outMsgs !== "number" || typeof p.noMorePublishing !== "boolean") return undefined;
  if (typeof (nc as { isClosed?: unknown }).isClosed !== "function") return undefined;
  return p as NatsProtocolLike;
}

/**
 * Writes `HPUB <subject> <reply prefix><token> <header length> <total length>\r\n<headers><data>\r\n`
 * frames into a slab, in order, and hands what it holds to the connection when the slab is full
 * and in a microtask after the first frame of a turn (before nats.js's own flush of that turn runs).
 * A slab's bytes are never written again once handed over: the socket may still hold them.
 */
export class NatsFrameWriter {
  private slab = new Uint8Array(SLAB);
  private start = 0;
  private used = 0;
  private scheduled = false;
  private readonly heads = new Map<string, Uint8Array | null>();
  private readonly reply: Uint8Array;
  private readonly handOver = () => {
    this.scheduled = false;
    this.flush();
  };

  constructor(
    private readonly protocol: NatsProtocolLike,
    private readonly isClosed: () => boolean,
    replyPrefix: string,
  ) {
    this.reply = BAD_SUBJECT.test(replyPrefix) ? new Uint8Array(0) : encoder.encode(replyPrefix);
  }

  /**
   * Writes one message's frame, replying to the reply prefix followed by `token`; `false` (nothing
   * written, what was written before handed over) when the client's own `publish` must send it.
   */
  write(subject: string, token: number, headers: Uint8Array, data: Uint8Array): boolean {
    const p = this.protocol;
    const head = this.headOf(subject);
    const info = p.info;
    const length = headers.length + data.length;
    if (
      head === null ||
      this.reply.length === 0 ||
      info === undefined ||
      info.headers === false ||
      length > info.max_payload ||
      p.noMorePublishing ||
      this.isClosed()
    ) {
      this.flush();
      return false;
    }
    const size = head.length + this.reply.length + 3 * 16 + length + 2;
    if (this.slab.length - this.used < size) this.renew(size);
    const s = this.slab;
    s.set(head, this.used);
    let at = this.used + head.length;
    s.set(this.reply, at);
    at += this.reply.length;
    at = writeDigits(s, at, token);
    s[at++] = SPACE;
    at = writeDigits(s, at, headers.length);
    s[at++] = SPACE;
    at = writeDigits(s, at, length);
    s[at++] = CR;
    s[at++] = LF;
    s.set(headers, at);
    at += headers.length;
    s.set(data, at);
    at += data.length;
    s[at++] = CR;
    s[at++] = LF;
    this.used = at;
    p.outBytes += length;
    p.outMsgs++;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.handOver);
    }
    return true;
  }

  /** Hands what the slab holds and was not handed yet to the connection. */
  flush(): void {
    if (this.used === this.start) return;
    const chunk = this.slab.subarray(this.start, this.used);
    this.start = this.used;
    this.protocol.sendCommand(chunk);
  }

  /** Hands the slab over and starts a new one of at least `size` bytes. */
  private renew(size: number): void {
    this.flush();
    this.slab = new Uint8Array(Math.max(SLAB, size));
    this.start = 0;
    this.used = 0;
  }

  /** `HPUB <subject> ` as bytes, or `null` for a subject nats.js would refuse. */
  private headOf(subject: string): Uint8Array | null {
    let head = this.heads.get(subject);
    if (head === undefined) {
      head = BAD_SUBJECT.test(subject) ? null : encoder.encode(`HPUB ${subject} `);
      if (this.heads.size >= 1024) this.heads.clear(); // subjects are per type: a few
      this.heads.set(subject, head);
    }
    return head;
  }
}

/** Writes a non-negative integer's decimal digits at `at`; gives the index after them. */
function writeDigits(s: Uint8Array, at: number, n: number): number {
  if (n < 10) {
    s[at] = 0x30 + n;
    return at + 1;
  }
  let digits = 1;
  for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
  let i = at + digits;
  for (let m = n; i > at; m = Math.floor(m / 10)) s[--i] = 0x30 + (m % 10);
  return at + digits;
}
