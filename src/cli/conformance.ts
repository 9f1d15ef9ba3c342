/** `orwire conformance`: its flags, and the kit's report as PASS/FAIL lines or JSON. */
import { parseArgs } from "node:util";
import {
  type ConformanceCase,
  type ConformanceOptions,
  type ConformanceReport,
  DEFAULT_CONFORMANCE_OPTIONS,
  runConformance,
} from "../conformance/kit.js";
import { UsageError } from "./usage-error.js";

/** Options of `orwire conformance`. */
export interface ConformanceCommand {
  codec: string;
  random: number;
  /** Random lifecycle events through the envelope commands. */
  randomEvents: number;
  /** `false` with `--no-events`: skip `decode-event` / `encode-event` (a codec that has only the completed message). */
  events: boolean;
  seed: number;
  jobs: number;
  /** `--protocol auto|serve|one-shot` (default `auto`: serve when the codec offers it). */
  protocol: ConformanceOptions["protocol"];
  json: boolean;
  /** Case name -> reason, from `--known-difference "NAME=REASON"`. */
  knownDifferences: Record<string, string>;
}

const SHOWN = 300;
const PROTOCOLS: readonly ConformanceOptions["protocol"][] = ["auto", "serve", "one-shot"];

const FLAGS = {
  codec: { type: "string" },
  random: { type: "string" },
  "random-events": { type: "string" },
  "no-events": { type: "boolean" },
  seed: { type: "string" },
  jobs: { type: "string" },
  protocol: { type: "string" },
  "known-difference": { type: "string", multiple: true },
  json: { type: "boolean" },
} as const;

/** Reads `--codec "<command>" [--random N] [--random-events N] [--no-events] [--seed S] [--jobs N] [--protocol auto|serve|one-shot] [--known-difference "NAME=REASON"]... [--json]`. */
export function parseConformanceCommand(args: string[]): ConformanceCommand {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof FLAGS; allowPositionals: false; strict: true }>>;
  try {
    parsed = parseArgs({ args, options: FLAGS, allowPositionals: false, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values } = parsed;
  if (values.codec === undefined || values.codec.trim() === "") throw new UsageError('conformance needs --codec "<command>"');
  const protocol = PROTOCOLS.find((p) => p === (values.protocol ?? DEFAULT_CONFORMANCE_OPTIONS.protocol));
  if (protocol === undefined) throw new UsageError(`--protocol must be one of ${PROTOCOLS.join(", ")}, not ${values.protocol}`);
  return {
    codec: values.codec,
    random: integer(values.random, "--random", 0, 10_000_000) ?? DEFAULT_CONFORMANCE_OPTIONS.random,
    randomEvents: integer(values["random-events"], "--random-events", 0, 10_000_000) ?? DEFAULT_CONFORMANCE_OPTIONS.randomEvents,
    events: values["no-events"] !== true,
    seed: integer(values.seed, "--seed", -(2 ** 31), 2 ** 32 - 1) ?? DEFAULT_CONFORMANCE_OPTIONS.seed,
    jobs: integer(values.jobs, "--jobs", 1, 64) ?? DEFAULT_CONFORMANCE_OPTIONS.concurrency,
    protocol,
    json: values.json === true,
    knownDifferences: Object.fromEntries((values["known-difference"] ?? []).map(knownDifference)),
  };
}

/**
 * `orwire conformance`: runs the kit against a codec, prints `PASS`/`FAIL` per case (a diff under
 * each failure) and a summary line, or with `--json` the whole report. Resolves to whether every
 * case passed.
 */
export async function runConformanceCommand(args: string[]): Promise<boolean> {
  const command = parseConformanceCommand(args);
  const report = await runConformance(command.codec, {
    random: command.random,
    randomEvents: command.randomEvents,
    events: command.events,
    seed: command.seed,
    concurrency: command.jobs,
    protocol: command.protocol,
    knownDifferences: command.knownDifferences,
    onCase: command.json ? undefined : (result) => process.stdout.write(caseLines(result)),
  });
  process.stdout.write(command.json ? `${JSON.stringify(report, null, 2)}\n` : `${summaryLine(report)}\n`);
  return report.failed === 0 && report.aborted === undefined;
}

/** `PASS <name>`, or `FAIL <name>` (`KNOWN <name>: <reason>` for a known difference) followed by the expected and actual values and the diff, indented. */
export function caseLines(result: ConformanceCase): string {
  const name = result.layer === undefined ? result.name : `${result.name} (${result.layer})`;
  if (result.pass) return `PASS ${name}\n`;
  const head = result.known === undefined ? `FAIL ${name}` : `KNOWN ${name}: ${result.known}`;
  const lines = [
    head,
    ...labelled("expected", result.expected),
    ...labelled("actual", result.actual),
    ...result.diff.split("\n").map((line) => `  ${line}`),
  ];
  return `${lines.join("\n")}\n`;
}

/** `conformance: 1335 passed, 0 failed (…; envelope: …; seed S; serve) in 83.4s: <command>`, with a note when the codec has no envelope commands. */
export function summaryLine(report: ConformanceReport): string {
  const seconds = (report.durationMs / 1000).toFixed(1);
  if (report.aborted !== undefined) return `conformance: aborted in ${seconds}s, ${report.aborted}: ${report.codec}`;
  const counts = (cases: ConformanceCase[]): string => {
    const kinds = new Map<string, number>();
    for (const c of cases) kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
    return [...kinds].map(([kind, n]) => `${n} ${kind}`).join(", ");
  };
  const envelope = report.cases.filter((c) => c.envelope === true);
  const parts = [counts(report.cases.filter((c) => c.envelope !== true))];
  if (!report.events) parts.push("envelope: skipped (--no-events)");
  else if (report.noEvents !== undefined) parts.push("envelope: no decode-event/encode-event");
  else if (envelope.length > 0) parts.push(`envelope: ${counts(envelope)}`);
  const known = report.known === 0 ? "" : `, ${report.known} known ${report.known === 1 ? "difference" : "differences"}`;
  return `conformance: ${report.passed} passed, ${report.failed} failed${known} (${parts.join("; ")}; seed ${report.seed}; ${report.protocol}) in ${seconds}s: ${report.codec}`;
}

function labelled(label: string, text: string): string[] {
  return text
    .split("\n")
    .map((line, i) => `  ${i === 0 ? `${label}:`.padEnd(10) : "".padEnd(10)}${line.length > SHOWN ? `${line.slice(0, SHOWN)}…` : line}`);
}

function knownDifference(value: string): [string, string] {
  const at = value.indexOf("=");
  const name = (at < 0 ? value : value.slice(0, at)).trim();
  if (name === "") throw new UsageError(`--known-difference needs a case name (NAME or NAME=REASON), not ${JSON.stringify(value)}`);
  return [name, at < 0 ? "a known difference of this codec" : value.slice(at + 1).trim()];
}

function integer(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, not ${value}`);
  return n;
}
