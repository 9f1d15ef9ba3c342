/**
 * The conformance kit: runs every golden vector and N seeded random events against any executable
 * that follows the codec contract (`<command> decode`: one message on stdin, its wire JSON on
 * stdout; `<command> encode`: the reverse; `decode-event` / `encode-event`: the same for the
 * `ImageGenCallEvent` envelope of any lifecycle event; a refusal exits 1 with the reason on stderr
 * and nothing on stdout) and returns a result per case. A codec that offers `<command> serve` gets
 * every case over a few long-lived processes instead (`serve-codec.ts`). No CLI concerns:
 * `orwire conformance` prints it.
 */
import { availableParallelism } from "node:os";
import fc from "fast-check";
import { decode, encode } from "../codec.js";
import { isBridgeError } from "../errors.js";
import { equalJson } from "../json/equal.js";
import type { ImageGenCallCompletedEvent, ImageGenCallLifecycleEvent } from "../json/event.js";
import { stringifyJson } from "../json/json-text.js";
import { toWireJson } from "../json/wire-json.js";
import { decodeEvent, encodeEvent } from "../lifecycle.js";
import { anyEvent, anyLifecycleEvent } from "./arbitraries.js";
import { type GoldenVectors, loadGoldenVectors } from "./golden-vectors.js";
import { diffBytes, diffJson, hex } from "./json-diff.js";
import { type CodecMode, type CodecRun, runCodec } from "./run-codec.js";
import { probeServe, ServedCodec } from "./serve-codec.js";

/** What a case checks: `decode` a vector's bytes to its JSON, `encode` its JSON to its bytes, `refuse` bad input, `roundtrip` a random event both ways. */
export type ConformanceKind = "decode" | "encode" | "refuse" | "roundtrip";

/** The result of one conformance case. */
export interface ConformanceCase {
  /** `decode valid/typical`, `encode valid/typical`, `refuse invalid-binary/truncated_string`, `refuse invalid-json/missing_type`, `roundtrip random/17`. */
  name: string;
  kind: ConformanceKind;
  /** Which codec command the case ran (`roundtrip` runs both: `decode` and `encode`, or `decode-event` and `encode-event`). */
  mode: "decode" | "encode" | "both" | "decode-event" | "encode-event";
  /** Set on the cases of the `ImageGenCallEvent` envelope (`decode-event`, `encode-event`). */
  envelope?: true;
  /** For refused bytes: `protobuf` (any protobuf runtime refuses them) or `bridge` (the contract does). */
  layer?: "protobuf" | "bridge";
  pass: boolean;
  /** What the contract asks for, as text (JSON, hex, or the refusal). */
  expected: string;
  /** What the codec did, as text. */
  actual: string;
  /** Where they differ, one finding per line; empty when the case passes. */
  diff: string;
  /** Set on a failing case listed in `knownDifferences`: the documented reason. It does not count as failed. */
  known?: string;
}

/** The outcome of a conformance run. */
export interface ConformanceReport {
  codec: string;
  seed: number;
  random: number;
  /** Random lifecycle events run through the envelope commands (0 with `events: false`). */
  randomEvents: number;
  /** Whether the envelope commands were checked. */
  events: boolean;
  cases: ConformanceCase[];
  passed: number;
  /** Failing cases, known differences not included. */
  failed: number;
  /** Failing cases that `knownDifferences` lists. */
  known: number;
  /** How the cases ran: `serve` (a few long-lived processes) or `one-shot` (one process per message). */
  protocol: "serve" | "one-shot";
  /** Set when `protocol: "auto"` found no serve mode: why (the cases then ran one-shot). */
  noServe?: string;
  /** With `serve`: processes that crashed, hung or wrote garbage mid-stream, each failing its case and replaced. */
  restarts?: number;
  /** Set when the codec could not run at all (not found, not built, usage error): the first case says why, no other case ran. */
  aborted?: string;
  /**
   * Set when the codec runs but does not implement `decode-event` (exit 2, 126 or 127 on the first
   * envelope vector; over serve, no answer or an `error` answer): that case fails with this reason and no other envelope case ran. The
   * completed message's cases are not affected; `events: false` (`--no-events`) skips the envelope.
   */
  noEvents?: string;
  durationMs: number;
}

/** Options of `runConformance`. */
export interface ConformanceOptions {
  /** Random events after the vectors, each run through `decode` and `encode`. */
  random: number;
  /** Random lifecycle events (any of the four types), each run through `decode-event` and `encode-event`. */
  randomEvents: number;
  /** Whether to check the envelope commands (`decode-event`, `encode-event`) at all. */
  events: boolean;
  /** The fast-check seed of the random events: the same seed gives the same events. */
  seed: number;
  /** Codec processes at once (serve processes, or one-shot processes running at the same time). */
  concurrency: number;
  /**
   * `auto`: use `<command> serve` when the codec offers it (a one-request handshake), else one
   * process per message; `serve`: abort when it does not; `one-shot`: never try it.
   */
  protocol: "auto" | "serve" | "one-shot";
  /** Time one case may take (a one-shot process, or one served request) before the process is killed and the case fails. */
  timeoutMs: number;
  /** Called with each result, in case order, as soon as it and every case before it are done. */
  onCase: ((result: ConformanceCase, index: number, total: number) => void) | undefined;
  /** The golden vectors (default: the package's `test/vectors/`). */
  vectors: GoldenVectors | undefined;
  /**
   * Case names (`refuse invalid-binary/varint_tenth_byte`) where this codec's runtime is known to
   * differ, each with the documented reason: such a case still runs and is reported with its
   * diff, but does not count as failed.
   */
  knownDifferences: Readonly<Record<string, string>>;
}

/** Defaults of `ConformanceOptions`: 1,000 random events, 200 random lifecycle events, a fixed seed, 2 to 4 processes at once. */
export const DEFAULT_CONFORMANCE_OPTIONS: Readonly<ConformanceOptions> = Object.freeze({
  random: 1000,
  randomEvents: 200,
  events: true,
  seed: 20261126,
  concurrency: Math.min(4, Math.max(2, availableParallelism())),
  protocol: "auto",
  timeoutMs: 60_000,
  onCase: undefined,
  vectors: undefined,
  knownDifferences: Object.freeze({}),
});

const REFUSAL = "exit 1, nothing on stdout, the reason on stderr";
/** Cases in flight per serve process: requests written ahead of the answers. */
const WINDOW = 32;

type Task = () => Promise<ConformanceCase>;

/**
 * Runs the golden vectors and `random` seeded random events against the codec `command` (run
 * through the shell as `<command> serve` when it offers that, else as `<command> decode` /
 * `<command> encode`, one process per message) and returns a result per case. Decoded JSON is
 * compared with `Object.is` on numbers, encoded bytes must be identical to this bridge's.
 */
export async function runConformance(command: string, options: Partial<ConformanceOptions> = {}): Promise<ConformanceReport> {
  const opts: ConformanceOptions = { ...DEFAULT_CONFORMANCE_OPTIONS, ...options };
  const started = performance.now();
  const vectors = opts.vectors ?? loadGoldenVectors();
  let noEvents: string | undefined;
  let noServe: string | undefined;
  let protocol: ConformanceReport["protocol"] = "one-shot";
  const report = (cases: ConformanceCase[], aborted?: string): ConformanceReport => {
    const passed = cases.filter((c) => c.pass).length;
    const known = cases.filter((c) => c.known !== undefined).length;
    const randomEvents = opts.events ? opts.randomEvents : 0;
    const result: ConformanceReport = {
      codec: command,
      seed: opts.seed,
      random: opts.random,
      randomEvents,
      events: opts.events,
      protocol,
      cases,
      passed,
      failed: cases.length - passed - known,
      known,
      durationMs: performance.now() - started,
    };
    if (noServe !== undefined) result.noServe = noServe;
    if (aborted !== undefined) result.aborted = aborted;
    if (noEvents !== undefined) result.noEvents = noEvents;
    return result;
  };

  if (opts.protocol !== "one-shot") {
    noServe = await probeServe(command, Buffer.from(vectors.valid[0]?.hex ?? "", "hex"), opts.timeoutMs);
    if (noServe === undefined) protocol = "serve";
    else if (opts.protocol === "serve") {
      const reason = `the codec does not offer serve: ${noServe}`;
      const result: ConformanceCase = {
        name: "serve",
        kind: "decode",
        mode: "decode",
        pass: false,
        expected: "exit 0 and one size-delimited CodecResponse for one request",
        actual: noServe,
        diff: reason,
      };
      opts.onCase?.(result, 0, 1);
      return report([result], reason);
    }
  }
  const served = protocol === "serve" ? new ServedCodec(command, opts.concurrency, opts.timeoutMs) : undefined;
  const run: Run =
    served === undefined ? (mode, input) => runCodec(command, mode, input, opts.timeoutMs) : (mode, input) => served.run(mode, input);
  try {
    const result = await runCases(
      opts,
      vectors,
      run,
      served === undefined ? opts.concurrency : opts.concurrency * WINDOW,
      report,
      (reason) => (noEvents = reason),
    );
    if (served !== undefined) result.restarts = served.ended;
    return result;
  } finally {
    await served?.close();
  }
}

async function runCases(
  opts: ConformanceOptions,
  vectors: GoldenVectors,
  run: Run,
  inFlight: number,
  report: (cases: ConformanceCase[], aborted?: string) => ConformanceReport,
  setNoEvents: (reason: string) => void,
): Promise<ConformanceReport> {
  // one run alone first: a codec that cannot run at all fails once, not once per case
  const probe = vectors.valid[0];
  if (probe !== undefined) {
    const first = await run("decode", Buffer.from(probe.hex, "hex"));
    const reason = cannotRun(first);
    if (reason !== undefined) {
      const result: ConformanceCase = {
        name: `decode valid/${probe.name}`,
        kind: "decode",
        mode: "decode",
        ...checkDecode(first, probe.wire),
      };
      opts.onCase?.(result, 0, 1);
      return report([result], reason);
    }
  }
  const tasks = [...vectorTasks(vectors, run), ...randomTasks(opts.random, opts.seed, run)];
  const events = vectors.events ?? [];
  const eventProbe = events[0];
  if (opts.events && eventProbe !== undefined) {
    // a codec without the envelope commands fails one case, with the reason, not every envelope case
    const first = await run("decode-event", Buffer.from(eventProbe.hex, "hex"));
    const reason = cannotRun(first);
    if (reason === undefined) {
      tasks.push(...eventVectorTasks(vectors, run), ...randomEventTasks(opts.randomEvents, opts.seed, run));
    } else {
      setNoEvents(`the codec does not implement decode-event: ${describeRun(first, "text")}`);
      const result = checkDecode(first, eventProbe.wire);
      tasks.push(async () => ({
        name: `decode-event events/${eventProbe.name}`,
        kind: "decode",
        mode: "decode-event",
        envelope: true,
        ...result,
        diff: `${result.diff}\nno other envelope case ran; run with --no-events to check the completed message only`,
      }));
    }
  }
  for (let i = 0; i < tasks.length; i++) tasks[i] = withKnown(tasks[i]!, opts.knownDifferences);
  return report(await pool(tasks, inFlight, (result, i) => opts.onCase?.(result, i, tasks.length)));
}

function withKnown(task: Task, knownDifferences: Readonly<Record<string, string>>): Task {
  return async () => {
    const result = await task();
    const reason = Object.hasOwn(knownDifferences, result.name) ? knownDifferences[result.name] : undefined;
    return result.pass || reason === undefined ? result : { ...result, known: reason };
  };
}

type Run = (mode: CodecMode, input: Uint8Array) => Promise<CodecRun>;

function vectorTasks(vectors: GoldenVectors, run: Run): Task[] {
  const tasks: Task[] = [];
  for (const v of vectors.valid) {
    const bytes = Buffer.from(v.hex, "hex");
    tasks.push(async () => ({
      name: `decode valid/${v.name}`,
      kind: "decode",
      mode: "decode",
      ...checkDecode(await run("decode", bytes), v.wire),
    }));
    if (v.decode_only) continue;
    const json = Buffer.from(stringifyJson(v.wire));
    tasks.push(async () => ({
      name: `encode valid/${v.name}`,
      kind: "encode",
      mode: "encode",
      ...checkEncode(await run("encode", json), bytes, v.sdk),
    }));
  }
  for (const v of vectors.invalidBinary) {
    const bytes = Buffer.from(v.hex, "hex");
    tasks.push(async () => ({
      name: `refuse invalid-binary/${v.name}`,
      kind: "refuse",
      mode: "decode",
      layer: v.layer,
      ...checkRefusal(await run("decode", bytes), `the bridge refuses these bytes: ${v.code} at ${stringifyJson(v.path)}`),
    }));
  }
  for (const v of vectors.invalidJson) {
    const json = Buffer.from(v.json);
    tasks.push(async () => ({
      name: `refuse invalid-json/${v.name}`,
      kind: "refuse",
      mode: "encode",
      ...checkRefusal(await run("encode", json), `the bridge refuses this ${v.shape} JSON: ${v.code} at ${stringifyJson(v.path)}`),
    }));
  }
  return tasks;
}

function eventVectorTasks(vectors: GoldenVectors, run: Run): Task[] {
  const tasks: Task[] = [];
  for (const v of vectors.events ?? []) {
    const bytes = Buffer.from(v.hex, "hex");
    tasks.push(async () => ({
      name: `decode-event events/${v.name}`,
      kind: "decode",
      mode: "decode-event",
      envelope: true,
      ...checkDecode(await run("decode-event", bytes), v.wire),
    }));
    const json = Buffer.from(stringifyJson(v.wire));
    tasks.push(async () => ({
      name: `encode-event events/${v.name}`,
      kind: "encode",
      mode: "encode-event",
      envelope: true,
      ...checkEncode(await run("encode-event", json), bytes, v.sdk, decodeEvent),
    }));
  }
  for (const v of vectors.invalidEvents ?? []) {
    const bytes = Buffer.from(v.hex, "hex");
    tasks.push(async () => ({
      name: `refuse invalid-events/${v.name}`,
      kind: "refuse",
      mode: "decode-event",
      envelope: true,
      ...checkRefusal(await run("decode-event", bytes), `the bridge refuses this envelope: ${v.code} at ${stringifyJson(v.path)}`),
    }));
  }
  return tasks;
}

function randomEventTasks(count: number, seed: number, run: Run): Task[] {
  if (count <= 0) return [];
  return fc.sample(anyLifecycleEvent, { seed, numRuns: count }).map((event, i) => async () => {
    const bytes = encodeEvent(event);
    const wire = toWireJson(event);
    const decoded = checkDecode(await run("decode-event", bytes), wire);
    const encoded = checkEncode(await run("encode-event", Buffer.from(stringifyJson(wire))), bytes, event, decodeEvent);
    return { name: `roundtrip random-events/${i}`, kind: "roundtrip", mode: "both", envelope: true, ...bothWays(decoded, encoded) };
  });
}

function bothWays(decoded: Check, encoded: Check): Check {
  return {
    pass: decoded.pass && encoded.pass,
    expected: `decode: ${decoded.expected}\nencode: ${encoded.expected}`,
    actual: `decode: ${decoded.actual}\nencode: ${encoded.actual}`,
    diff: [decoded.diff && `decode:\n${indent(decoded.diff)}`, encoded.diff && `encode:\n${indent(encoded.diff)}`]
      .filter(Boolean)
      .join("\n"),
  };
}

function randomTasks(count: number, seed: number, run: Run): Task[] {
  if (count <= 0) return [];
  return fc.sample(anyEvent, { seed, numRuns: count }).map((event, i) => async () => {
    const bytes = encode(event);
    const wire = toWireJson(event);
    const decoded = checkDecode(await run("decode", bytes), wire);
    const encoded = checkEncode(await run("encode", Buffer.from(stringifyJson(wire))), bytes, event);
    return { name: `roundtrip random/${i}`, kind: "roundtrip", mode: "both", ...bothWays(decoded, encoded) };
  });
}

type Check = Pick<ConformanceCase, "pass" | "expected" | "actual" | "diff">;

/** `decode`: exit 0 and stdout one JSON value equal (`Object.is` on numbers) to the expected wire JSON. */
function checkDecode(run: CodecRun, wire: unknown): Check {
  const expected = stringifyJson(wire);
  if (run.status !== 0 || run.error !== undefined)
    return {
      pass: false,
      expected,
      actual: describeRun(run, "text"),
      diff: `expected exit 0 and the event as JSON, got ${describeExit(run)}`,
    };
  let text: string;
  let actual: unknown;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(run.stdout);
  } catch {
    return { pass: false, expected, actual: describeRun(run, "bytes"), diff: "stdout is not valid UTF-8" };
  }
  try {
    actual = JSON.parse(text);
  } catch (err) {
    return { pass: false, expected, actual: text, diff: `stdout is not one JSON value: ${(err as Error).message}` };
  }
  const pass = equalJson(actual, wire);
  return { pass, expected, actual: text.trim(), diff: pass ? "" : diffJson(wire, actual).join("\n") };
}

/** `encode`: exit 0 and stdout exactly the expected bytes; on a difference, also what this bridge decodes from them. */
function checkEncode(
  run: CodecRun,
  bytes: Uint8Array,
  event: ImageGenCallCompletedEvent | ImageGenCallLifecycleEvent,
  read: (bytes: Uint8Array) => ImageGenCallLifecycleEvent = decode,
): Check {
  const expected = hex(bytes);
  if (run.status !== 0 || run.error !== undefined)
    return {
      pass: false,
      expected,
      actual: describeRun(run, "bytes"),
      diff: `expected exit 0 and the message bytes, got ${describeExit(run)}`,
    };
  const actual = hex(run.stdout);
  let decoded: string;
  let same = false;
  try {
    const back = read(run.stdout);
    same = equalJson(back, event);
    decoded = same
      ? "this bridge decodes them to the same event"
      : `this bridge decodes them to another event:\n${indent(diffJson(toWireJson(event), toWireJson(back)).join("\n"))}`;
  } catch (err) {
    decoded = `this bridge refuses them: ${isBridgeError(err) ? err.message : String(err)}`;
  }
  const pass = actual === expected && same;
  return { pass, expected, actual, diff: pass ? "" : [...diffBytes(bytes, run.stdout), decoded].join("\n") };
}

/** `refuse`: exit 1, nothing on stdout, a reason on stderr. */
function checkRefusal(run: CodecRun, why: string): Check {
  const pass =
    run.status === 1 && run.stdout.length === 0 && run.stderr.trim() !== "" && run.error === undefined && run.failure === undefined;
  const problems = [
    run.status !== 1 && `expected exit 1, got ${describeExit(run)}`,
    run.stdout.length > 0 && `expected nothing on stdout, got ${run.stdout.length} bytes`,
    run.stderr.trim() === "" && "expected the reason on stderr, got nothing",
  ].filter(Boolean);
  return { pass, expected: REFUSAL, actual: describeRun(run, "text"), diff: pass ? "" : [...problems, why].join("\n") };
}

/** Why a codec cannot run at all (or a command of it), if it cannot: no shell, a hang, a command the shell cannot find (127) or run (126), the codec's usage/not-built/unknown-command exit (2), or a served request without an answer. */
function cannotRun(run: CodecRun): string | undefined {
  const startFailed =
    run.error !== undefined || run.failure !== undefined || run.timedOut || run.status === 2 || run.status === 126 || run.status === 127;
  return startFailed ? `the codec did not run: ${describeRun(run, "text")}` : undefined;
}

function describeExit(run: CodecRun): string {
  if (run.error !== undefined) return `could not start: ${run.error}`;
  if (run.failure !== undefined) return run.failure;
  if (run.timedOut) return "timed out";
  if (run.signal !== null) return `killed by ${run.signal}`;
  return `exit ${run.status}`;
}

function describeRun(run: CodecRun, stdout: "text" | "bytes"): string {
  const parts = [describeExit(run)];
  if (run.stdout.length > 0) parts.push(`stdout: ${stdout === "text" ? run.stdout.toString("utf8").trim() : hex(run.stdout)}`);
  const reason = run.stderr.trim();
  if (reason !== "") parts.push(`stderr: ${reason.split("\n").slice(0, 5).join(" | ")}`);
  return parts.join(", ");
}

function indent(text: string): string {
  return text.replace(/^/gm, "  ");
}

async function settle(task: Task, index: number): Promise<ConformanceCase> {
  try {
    return await task();
  } catch (err) {
    // a bug of the kit, not of the codec: still a failing case, never a lost one
    return {
      name: `internal error in case ${index}`,
      kind: "decode",
      mode: "decode",
      pass: false,
      expected: "",
      actual: String(err),
      diff: err instanceof Error ? (err.stack ?? err.message) : String(err),
    };
  }
}

/** Runs tasks with at most `concurrency` at once and reports each result in task order. */
async function pool(
  tasks: Task[],
  concurrency: number,
  onResult: (result: ConformanceCase, index: number) => void,
): Promise<ConformanceCase[]> {
  const results: ConformanceCase[] = new Array(tasks.length);
  const done: boolean[] = new Array(tasks.length).fill(false);
  let next = 0;
  let reported = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await settle(tasks[i] as Task, i);
      done[i] = true;
      while (reported < tasks.length && done[reported]) {
        onResult(results[reported] as ConformanceCase, reported);
        reported++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, tasks.length)) }, worker));
  return results;
}
