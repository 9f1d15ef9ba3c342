/**
 * The serve mode of the codec contract (interop/README.md): one long-lived `<command> serve`
 * process reads size-delimited `CodecRequest` messages on stdin and writes one size-delimited
 * `CodecResponse` for each on stdout, in order. `ServedCodec` keeps a few such processes, writes
 * requests ahead to them, and turns every answer into the `CodecRun` the one-shot command would
 * have given, so the kit checks both the same way.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { CodecRequestSchema, type CodecResponse, CodecResponseSchema, Operation } from "../../gen/openresponses/conformance/v1/codec_pb.js";
import { Deframer, delimit } from "../wire/size-delimited.js";
import { type CodecMode, type CodecRun, killGroup, runCodec } from "./run-codec.js";

const OPERATION: Readonly<Record<CodecMode, Operation>> = {
  decode: Operation.DECODE,
  encode: Operation.ENCODE,
  "decode-event": Operation.DECODE_EVENT,
  "encode-event": Operation.ENCODE_EVENT,
};
const MAX_RESPONSE_BYTES = 64 << 20;
const MAX_STDERR = 8 * 1024;
/** Processes in a row that end before their first answer, after which the rest of the run is not sent. */
const MAX_STRIKES = 8;
/** Time a process has to exit after its stdin closed, before it is killed. */
const CLOSE_GRACE_MS = 5_000;
const EMPTY = Buffer.alloc(0);

/** One request: its frame on the wire, and who waits for its answer. */
interface Request {
  frame: Uint8Array;
  resolve: (run: CodecRun) => void;
}

/** The size-delimited `CodecRequest` for one case. */
export function requestFrame(mode: CodecMode, input: Uint8Array): Uint8Array {
  return delimit(toBinary(CodecRequestSchema, create(CodecRequestSchema, { operation: OPERATION[mode], input })));
}

/** What the one-shot command would have done, from the codec's answer: `output` is exit 0, `refusal` exit 1 with the reason on stderr. */
export function toCodecRun(response: CodecResponse): CodecRun {
  switch (response.result.case) {
    case "output":
      return { status: 0, signal: null, stdout: Buffer.from(response.result.value), stderr: "", timedOut: false };
    case "refusal":
      return { status: 1, signal: null, stdout: EMPTY, stderr: response.result.value, timedOut: false };
    case "error":
      return noAnswer(`the codec answered error: ${response.result.value}`);
    default:
      return noAnswer("the codec answered a CodecResponse without a result");
  }
}

function noAnswer(failure: string, stderr = ""): CodecRun {
  return { status: null, signal: null, stdout: EMPTY, stderr, timedOut: false, failure };
}

/**
 * Whether `<command> serve` speaks the serve protocol: one process gets one request (`input` to
 * decode) and then the end of its stdin, and must exit 0 after writing exactly one size-delimited
 * `CodecResponse` with a result. Resolves to `undefined` if so, else to why not (a one-shot codec
 * exits 2 on the unknown command `serve`).
 */
export async function probeServe(command: string, input: Uint8Array, timeoutMs: number): Promise<string | undefined> {
  const run = await runCodec(command, "serve", requestFrame("decode", input), timeoutMs);
  const stderr = run.stderr.trim().split("\n")[0] ?? "";
  const how =
    run.error !== undefined
      ? `could not start: ${run.error}`
      : run.timedOut
        ? "timed out"
        : run.signal !== null
          ? `killed by ${run.signal}`
          : `exit ${run.status}`;
  if (run.status !== 0 || run.error !== undefined || run.timedOut)
    return `\`serve\` gave ${how}${stderr === "" ? "" : `, stderr: ${stderr}`}`;
  try {
    const deframer = new Deframer({ maxMessageBytes: MAX_RESPONSE_BYTES });
    const frames = deframer.push(run.stdout);
    deframer.end();
    if (frames.length !== 1) return `\`serve\` wrote ${frames.length} size-delimited messages for one request`;
    if (fromBinary(CodecResponseSchema, frames[0] as Uint8Array).result.case === undefined)
      return "`serve` answered a CodecResponse without a result";
  } catch (err) {
    return `\`serve\` did not write one size-delimited CodecResponse: ${(err as Error).message}`;
  }
  return undefined;
}

/**
 * Up to `processes` long-lived `<command> serve` processes, started when first needed. `run`
 * sends a request to the least busy one without waiting for earlier answers. A process that
 * ends, writes something that is not a response, or takes longer than `timeoutMs` on one request
 * is killed with its process group; the request it was on fails, the requests behind it go to a
 * new process. After `MAX_STRIKES` processes in a row end before any answer, the remaining
 * requests fail without being sent.
 */
export class ServedCodec {
  private readonly live: ServeProcess[] = [];
  private strikes = 0;
  private gaveUp: string | undefined;
  private closing = false;
  /** Processes that ended before `close`, each replaced by a new one when requests remained. */
  ended = 0;

  constructor(
    private readonly command: string,
    private readonly processes: number,
    private readonly timeoutMs: number,
  ) {}

  /** Sends one request and resolves to the codec's answer as a `CodecRun`. */
  run(mode: CodecMode, input: Uint8Array): Promise<CodecRun> {
    return new Promise((resolve) => this.dispatch({ frame: requestFrame(mode, input), resolve }));
  }

  /** Closes every process's stdin and waits for them to exit (killing any that do not). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.live.map((p) => p.close()));
  }

  private dispatch(request: Request): void {
    if (this.gaveUp !== undefined) return request.resolve(noAnswer(this.gaveUp));
    if (this.closing) return request.resolve(noAnswer("not sent: the kit was closing the codec"));
    let target: ServeProcess | undefined;
    let running = 0;
    for (const p of this.live) {
      if (!p.alive) continue;
      running++;
      if (target === undefined || p.load < target.load) target = p;
    }
    if (target === undefined || (target.load > 0 && running < this.processes)) target = this.start();
    target.send(request);
  }

  private start(): ServeProcess {
    const served = new ServeProcess(this.command, this.timeoutMs, (gone, why, rest) => this.gone(gone, why, rest));
    this.live.push(served);
    return served;
  }

  private gone(served: ServeProcess, why: string, rest: Request[]): void {
    this.live.splice(this.live.indexOf(served), 1);
    if (!this.closing) this.ended++;
    if (served.answered > 0) this.strikes = 0;
    else if (!this.closing && ++this.strikes >= MAX_STRIKES) {
      this.gaveUp = `not sent: ${MAX_STRIKES} serve processes in a row ended before their first answer (the last: ${why})`;
    }
    for (const request of rest) this.dispatch(request);
  }
}

/** One `<command> serve` process and the requests it has not answered yet, oldest first. */
class ServeProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly queue: Request[] = [];
  /** Bytes of stdout not yet read as a whole response. */
  private pending: Buffer = EMPTY;
  private readonly exited: Promise<void>;
  private stderr = "";
  private timer: NodeJS.Timeout | undefined;
  /** Frames of this turn of the event loop, written together after it. */
  private unsent: Uint8Array[] = [];
  /** Set when the kit kills the process: what the request it was on gets. */
  private fault: Partial<CodecRun> | undefined;
  /** Responses so far. */
  answered = 0;
  /** False once the process exited or is being killed: it gets no new requests. */
  alive = true;

  constructor(
    command: string,
    private readonly timeoutMs: number,
    private readonly onEnd: (process: ServeProcess, why: string, rest: Request[]) => void,
  ) {
    this.child = spawn(`${command} serve`, { shell: true, detached: true, stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout.on("data", (chunk: Buffer) => this.read(chunk));
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-MAX_STDERR);
    });
    // a process that ends early closes its stdin under our writes: its close event says why
    this.child.stdin.on("error", () => {});
    this.child.on("exit", () => {
      this.alive = false;
    });
    this.child.on("error", (err) => {
      this.fault ??= { failure: `the serve process could not start: ${err.message}` };
    });
    this.exited = new Promise((resolve) => {
      this.child.on("close", (status, signal) => {
        this.end(status, signal);
        resolve();
      });
    });
  }

  /** Requests written and not answered yet. */
  get load(): number {
    return this.queue.length;
  }

  /** Writes one request; the requests of one turn of the event loop go out in one write. */
  send(request: Request): void {
    if (this.queue.push(request) === 1) this.timer = setTimeout(() => this.kill({ timedOut: true }), this.timeoutMs);
    if (this.unsent.push(request.frame) === 1) {
      setImmediate(() => {
        const frames = this.unsent;
        this.unsent = [];
        this.child.stdin.write(frames.length === 1 ? (frames[0] as Uint8Array) : Buffer.concat(frames));
      });
    }
  }

  /** Ends stdin (a serve codec then exits 0) and waits for the exit, killing the process after a grace time. */
  close(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => killGroup(this.child.pid), CLOSE_GRACE_MS);
    return this.exited.finally(() => clearTimeout(timer));
  }

  private read(chunk: Buffer): void {
    if (this.fault !== undefined) return;
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let pos = 0;
    let answered = false;
    // frame by frame, so that the responses before a bad one still reach their requests
    for (;;) {
      let length = 0;
      let p = pos;
      let complete = false;
      for (let shift = 0; p < buf.length && shift < 35; shift += 7) {
        const b = buf[p++] as number;
        length += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) {
          complete = true;
          break;
        }
      }
      if (!complete && (p - pos >= 5 || p < buf.length))
        return this.kill({ failure: "the codec answered with a length prefix longer than 32 bits: not a size-delimited CodecResponse" });
      if (!complete) break;
      if (length > MAX_RESPONSE_BYTES)
        return this.kill({
          failure: `the codec answered with a length prefix of ${length} bytes, above the kit's maximum of ${MAX_RESPONSE_BYTES}`,
        });
      if (buf.length - p < length) break;
      const frame = buf.subarray(p, p + length);
      pos = p + length;
      if (this.queue.length === 0) return this.kill({ failure: "the codec wrote a response to no request" });
      let response: CodecResponse;
      try {
        response = fromBinary(CodecResponseSchema, frame);
      } catch (err) {
        return this.kill({ failure: `the codec answered with a frame that is not a CodecResponse: ${(err as Error).message}` });
      }
      this.answered++;
      answered = true;
      (this.queue.shift() as Request).resolve(toCodecRun(response));
    }
    this.pending = pos === buf.length ? EMPTY : Buffer.from(buf.subarray(pos));
    if (!answered) return;
    if (this.queue.length > 0) this.timer?.refresh();
    else clearTimeout(this.timer);
  }

  private kill(fault: Partial<CodecRun>): void {
    this.fault ??= fault;
    this.alive = false;
    clearTimeout(this.timer);
    killGroup(this.child.pid);
  }

  private end(status: number | null, signal: NodeJS.Signals | null): void {
    clearTimeout(this.timer);
    const exit = signal !== null ? `killed by ${signal}` : `exit ${status}`;
    const why =
      this.fault?.failure ?? (this.fault?.timedOut === true ? `timed out after ${this.timeoutMs} ms` : `the serve process ended (${exit})`);
    const [head, ...rest] = this.queue.splice(0);
    if (head !== undefined) {
      const stderr = this.stderr.trim();
      head.resolve(
        this.fault?.timedOut === true
          ? { status: null, signal: null, stdout: EMPTY, stderr, timedOut: true }
          : noAnswer(this.fault?.failure ?? `${why} while on this request`, stderr),
      );
    }
    this.onEnd(this, why, rest);
  }
}
