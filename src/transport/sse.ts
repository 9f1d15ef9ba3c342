/**
 * Server-sent events (the WHATWG `text/event-stream` format) as the Responses API streams them:
 * `event:` and `data:` lines, a blank line after each event, `data: [DONE]` at the end. Parsed
 * strictly, since a stream that is not well-formed may have lost events: an unknown field, data
 * that is not JSON (or has a member name twice: `ambiguous_key`), an `event:` name that is not the data's `type`, anything after `[DONE]`, or
 * a stream that stops inside an event is refused with its line number.
 */
import { BridgeError } from "../errors.js";
import { EVENT_KINDS } from "../json/event.js";
import { parseJson } from "../json/json-text.js";

/** One event of the stream. */
export interface SseEvent {
  /** The `event:` name, if the stream gave one. */
  event: string | undefined;
  /** The parsed `data:` JSON (lines joined with `\n`). */
  data: unknown;
  /** The `data:` text as given. */
  text: string;
  /** The 1-based line of the event's first field. */
  line: number;
}

const FIELDS = new Set(["event", "data", "id", "retry"]);

/** Splits and checks a stream of SSE text, chunk by chunk; `push` returns the events each chunk completes. */
export class SseParser {
  private rest = "";
  /** Chunks after `rest` that hold no line end yet. */
  private parts: string[] = [];
  private line = 0;
  private first = true;
  private done = false;
  private lastCr = false;
  private name: string | undefined;
  private data: string[] = [];
  private start = 0;
  private open = false; // a field of the next event has been seen
  private failed: BridgeError | undefined;

  /**
   * Takes the next chunk of text and returns the events it completes. At a malformed line it
   * returns the events before it, and the next `push` or `end` throws the refusal.
   */
  push(text: string): SseEvent[] {
    if (this.failed !== undefined) throw this.failed;
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a BOM before the stream is not data
    }
    const events: SseEvent[] = [];
    if (!this.lastCr && text.indexOf("\n") === -1 && text.indexOf("\r") === -1) {
      // a chunk inside a long line: kept, and joined once when the line ends (linear, not quadratic)
      if (text.length > 0) this.parts.push(text);
      return events;
    }
    let buf = this.rest + (this.parts.length > 0 ? this.parts.join("") : "") + text;
    this.parts = [];
    let pos = 0;
    if (this.lastCr && buf.startsWith("\n")) pos = 1; // the \n of a \r\n cut by the chunk
    this.lastCr = false;
    for (;;) {
      const nl = buf.indexOf("\n", pos);
      const cr = buf.indexOf("\r", pos);
      const end = nl === -1 ? cr : cr === -1 ? nl : Math.min(nl, cr);
      if (end === -1) break;
      try {
        this.take(buf.slice(pos, end), events);
      } catch (err) {
        this.failed = err as BridgeError;
        return events;
      }
      pos = end + 1;
      if (buf.charCodeAt(end) === 13) {
        if (end + 1 < buf.length) {
          if (buf.charCodeAt(end + 1) === 10) pos++;
        } else this.lastCr = true;
      }
    }
    buf = buf.slice(pos);
    this.rest = buf;
    return events;
  }

  /** Checks that the stream did not stop inside an event. */
  end(): SseEvent[] {
    if (this.failed !== undefined) throw this.failed;
    const events: SseEvent[] = [];
    const rest = this.rest + this.parts.join("");
    this.rest = "";
    this.parts = [];
    if (rest.length > 0) this.take(rest, events);
    if (this.open) {
      throw new BridgeError(
        "invalid_sse",
        [],
        `line ${this.line}: the stream ends inside the event that starts on line ${this.start}, before its blank line`,
      );
    }
    return events;
  }

  private take(line: string, events: SseEvent[]): void {
    this.line++;
    if (line.length === 0) return this.dispatch(events);
    if (line.charCodeAt(0) === 0x3a) return; // a comment
    if (this.done) throw this.refuse(`"${line.slice(0, 40)}" after data: [DONE]`);
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    if (!FIELDS.has(field)) throw this.refuse(`unknown field "${field.slice(0, 40)}"`);
    if (!this.open) {
      this.open = true;
      this.start = this.line;
    }
    if (field === "event") this.name = value;
    else if (field === "data") this.data.push(value);
  }

  private dispatch(events: SseEvent[]): void {
    this.open = false;
    if (this.data.length === 0) {
      if (this.name !== undefined) throw this.refuse(`event "${this.name}" has no data`, this.start);
      return;
    }
    const text = this.data.join("\n");
    const name = this.name;
    this.name = undefined;
    this.data = [];
    if (text === "[DONE]") {
      this.done = true;
      return;
    }
    let data: unknown;
    try {
      data = parseJson(text);
    } catch (cause) {
      const error = cause as BridgeError;
      if (error.code !== "invalid_json") throw new BridgeError(error.code, error.path, `line ${this.start}: ${error.reason}`, { cause });
      throw this.refuse(`data is ${error.reason}`, this.start);
    }
    const type = (data as { type?: unknown } | null)?.type;
    if (name !== undefined && name !== type) throw this.refuse(`event "${name}" carries data of type ${JSON.stringify(type)}`, this.start);
    events.push({ event: name, data, text, line: this.start });
  }

  private refuse(reason: string, line = this.line): BridgeError {
    return new BridgeError("invalid_sse", [], `line ${line}: ${reason}`);
  }
}

/**
 * Reads an event stream from byte chunks (strict UTF-8) and yields the events each chunk
 * completes; malformed input throws after the events before it were yielded.
 */
export async function* readSse(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent[]> {
  const parser = new SseParser();
  const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const text = (chunk?: Uint8Array): string => {
    try {
      return chunk === undefined ? utf8.decode() : utf8.decode(chunk, { stream: true });
    } catch (cause) {
      throw new BridgeError("invalid_utf8", [], "the stream is not valid UTF-8", { cause });
    }
  };
  for await (const chunk of chunks) yield parser.push(text(chunk));
  yield parser.push(text());
  yield parser.end();
}

/** Keeps the image generation call events of a batch and counts the others in `skipped`, by `type`. */
export function lifecycleEvents(events: SseEvent[], skipped: Map<string, number>): SseEvent[] {
  return events.filter((e) => {
    const type = (e.data as { type?: unknown } | null)?.type;
    if (typeof type === "string" && EVENT_KINDS.has(type)) return true;
    const name = typeof type === "string" ? type : "(no type)";
    skipped.set(name, (skipped.get(name) ?? 0) + 1);
    return false;
  });
}
