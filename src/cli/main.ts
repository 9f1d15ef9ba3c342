#!/usr/bin/env node
/** `orwire`: the command line, each command's help, and the exit codes. */

import { readFileSync } from "node:fs";
import { clipText, isBridgeError, MAX_REASON_CHARS } from "../errors.js";
import { DEFAULT_KAFKA_TOPIC } from "../kafka/records.js";
import { jetStreamNames } from "../nats/client.js";
import { DEFAULT_NATS_SUBJECT_PREFIX } from "../nats/records.js";
import { DEFAULT_CONNECT_TIMEOUT } from "../transport/limits.js";
import { runConsume } from "./consume.js";
import { runDecode } from "./decode.js";
import { runDemo } from "./demo.js";
import { runEncode } from "./encode.js";
import { describeSystemError, Failure } from "./failure.js";
import { parseFlags, wantsHelp } from "./flags.js";
import { boundHeapGrowth } from "./heap-growth.js";
import { runPublish } from "./publish.js";
import { BROKER_OPTIONS, brokerTarget, seconds } from "./queues.js";
import { UsageError } from "./usage-error.js";

/** Exit codes of `orwire`. */
export const EXIT = Object.freeze({ ok: 0, failure: 1, usage: 2 });

/** Each command's usage and description, as `orwire <command> --help` prints it. */
const COMMAND_HELP: Readonly<Record<string, string>> = Object.freeze({
  encode: `  orwire encode [--format raw|delimited] [--message completed|event] [--dead-letter FILE]
                [--max-message-bytes N] [FILE|-]
  orwire encode --input sse [--format delimited] [--dead-letter FILE] [--max-message-bytes N] [FILE|-]
      JSON in (SDK or wire shape, detected per object), protobuf out.
      raw: one JSON value in, the message bytes out. delimited: NDJSON in
      (blank lines skipped), length-prefixed messages out; a message above
      --max-message-bytes (default 16 MiB, 16777216) is refused as too_large.
      --message event writes ImageGenCallEvent envelopes, for any lifecycle
      event. --input sse reads a Responses API event stream and writes
      envelopes of its image generation call events; other events are
      counted and skipped. JSON with a member name twice is refused
      (ambiguous_key); one UTF-8 BOM at the start of the input is skipped.
`,
  decode: `  orwire decode [--format raw|delimited] [--shape sdk|wire] [--message auto|completed|event]
                [--dead-letter FILE] [--max-message-bytes N] [FILE|-]
      Protobuf in (completed messages or envelopes, told apart per record),
      one compact JSON object per line out (SDK shape by default).
      delimited: a frame announcing more than --max-message-bytes (default
      16 MiB, 16777216, the same bound encode writes with) is refused as
      too_large; every record before a broken frame is written first.
`,
  demo: `  orwire demo [--events FILE] [--keep] [--nats URLS | --kafka BROKERS]
      Encodes the shipped sample to a size-delimited file (or, with --nats or
      --kafka, publishes it to a topic or stream of its own), reads it back,
      checks that nothing changed, and prints sizes and rates.
`,
  publish: `  orwire publish (--nats URLS [--subject S] [--stream NAME] | --kafka BROKERS [--topic T])
                 [--input json|sse] [--replicas N] [--delivery-timeout SECONDS]
                 [--connect-timeout SECONDS] [FILE|-]
      NDJSON events (any lifecycle type, either shape) in, or with --input sse
      a Responses API event stream (other events counted and skipped), one
      record or message each, with CloudEvents headers; the topic or stream is
      created if missing, with min(3, nodes in the cluster) replicas (or N),
      2 of 3 in sync before an acknowledgment, and room for 17 MiB messages.
      Counts an event only once the broker acknowledged it; an event not
      acknowledged within the delivery timeout (Kafka 120, NATS 60) ends the
      run, naming it and how many were acknowledged.
`,
  consume: `  orwire consume (--nats URLS [--subject S] [--stream NAME] | --kafka BROKERS [--topic T])
                 [--count N] [--timeout SECONDS] [--shape sdk|wire] [--group NAME]
                 [--dead-letter FILE] [--connect-timeout SECONDS]
      Events of any lifecycle type from the beginning of the stream or topic
      (or where the consumer group / durable consumer --group left off), one
      compact JSON object per line, until N events or SECONDS without a new one.
      NATS: one subject per type under --subject-prefix P, or all on --subject S.
`,
  conformance: `  orwire conformance --codec "<command>" [--random N] [--random-events N]
                     [--no-events] [--seed S] [--jobs N]
                     [--protocol auto|serve|one-shot]
                     [--known-difference "NAME=REASON"]... [--json]
      Runs the golden vectors and N seeded random events (default 1000)
      against a codec executable (\`<command> decode\` / \`<command> encode\`, see
      the README's Interop section; over --jobs long-lived \`<command> serve\`
      processes when the codec offers it), then the envelope vectors and
      --random-events N random lifecycle events (default 200) through
      \`<command> decode-event\` / \`<command> encode-event\` (--no-events: skip
      them); PASS or FAIL per case with a diff, exit 1 if any case fails. A
      case named by --known-difference is reported as KNOWN and does not fail
      the run.
`,
});

const EXIT_HELP = `Exit codes: 0 success; 1 invalid input (stderr names the record, the field
and the reason), an event the broker did not acknowledge, or output that
cannot be written; 2 usage error (an unknown flag, a flag given twice with
different values, a file named on the command line that cannot be opened).
With --dead-letter FILE, refused records go to FILE as JSON lines (input and
reason), the run goes on and exits 0; a stream that cannot be read past a
broken frame still exits 1, after every record before it.
`;

const HELP = `orwire: Responses API image generation events between JSON and Protobuf

Usage:
${Object.values(COMMAND_HELP).join("")}  orwire <command> --help | orwire --help | orwire --version

Servers: BROKERS is host:port[,host:port...]; URLS is nats://host:port[,...]:
the nodes of a cluster, tried in turn. The first connection must succeed
within --connect-timeout SECONDS (default ${DEFAULT_CONNECT_TIMEOUT / 1000}).

Defaults: subjects ${DEFAULT_NATS_SUBJECT_PREFIX}.<type> (stream
${jetStreamNames().stream}), topic ${DEFAULT_KAFKA_TOPIC} (every type).

${EXIT_HELP}`;

/** The help of one command. */
function commandHelp(command: string): string {
  return `Usage:\n${COMMAND_HELP[command]}\n${EXIT_HELP}`;
}

/** Runs `orwire` with the given arguments and returns its exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command !== undefined && Object.hasOwn(COMMAND_HELP, command) && wantsHelp(rest)) {
      process.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    switch (command) {
      case "encode": {
        const { values, positionals } = parseFlags(rest, {
          format: { type: "string" },
          input: { type: "string", default: "json" },
          message: { type: "string" },
          "dead-letter": { type: "string" },
          "max-message-bytes": { type: "string" },
        });
        const input = oneOf(values.input, ["json", "sse"], "--input");
        const format = oneOf(values.format ?? (input === "sse" ? "delimited" : "raw"), ["raw", "delimited"], "--format");
        if (input === "sse" && format === "raw") throw new UsageError("--input sse writes many messages: use --format delimited");
        const message = oneOf(values.message ?? (input === "sse" ? "event" : "completed"), ["completed", "event"], "--message");
        if (input === "sse" && message === "completed")
          throw new UsageError("--input sse carries every lifecycle event: use --message event");
        await runEncode({
          format,
          input,
          message,
          deadLetter: values["dead-letter"] as string | undefined,
          maxMessageBytes: maxMessageBytes(values["max-message-bytes"]),
          file: single(positionals),
        });
        return EXIT.ok;
      }
      case "decode": {
        const { values, positionals } = parseFlags(rest, {
          format: { type: "string", default: "raw" },
          shape: { type: "string", default: "sdk" },
          message: { type: "string", default: "auto" },
          "dead-letter": { type: "string" },
          "max-message-bytes": { type: "string" },
        });
        await runDecode({
          format: oneOf(values.format, ["raw", "delimited"], "--format"),
          shape: oneOf(values.shape, ["sdk", "wire"], "--shape"),
          message: oneOf(values.message, ["auto", "completed", "event"], "--message"),
          deadLetter: values["dead-letter"] as string | undefined,
          maxMessageBytes: maxMessageBytes(values["max-message-bytes"]),
          file: single(positionals),
        });
        return EXIT.ok;
      }
      case "demo": {
        const { values, positionals } = parseFlags(rest, {
          events: { type: "string" },
          keep: { type: "boolean" },
          nats: { type: "string" },
          kafka: { type: "string" },
        });
        if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
        const target = values.nats === undefined && values.kafka === undefined ? undefined : brokerTarget(values, "demo");
        await runDemo({ events: values.events as string | undefined, keep: values.keep as boolean | undefined, target });
        return EXIT.ok;
      }
      case "publish": {
        const { values, positionals } = parseFlags(rest, {
          ...BROKER_OPTIONS,
          input: { type: "string", default: "json" },
          replicas: { type: "string" },
          "delivery-timeout": { type: "string" },
        });
        boundHeapGrowth();
        await runPublish({
          target: brokerTarget(values, "publish"),
          input: oneOf<"json" | "sse">(values.input, ["json", "sse"], "--input"),
          file: single(positionals),
          replicas: values.replicas === undefined ? undefined : positiveInteger(values.replicas, "--replicas"),
          deliveryTimeout: seconds(values["delivery-timeout"], "--delivery-timeout"),
        });
        return EXIT.ok;
      }
      case "consume": {
        const { values, positionals } = parseFlags(rest, {
          ...BROKER_OPTIONS,
          count: { type: "string" },
          timeout: { type: "string" },
          shape: { type: "string", default: "sdk" },
          group: { type: "string" },
          "dead-letter": { type: "string" },
        });
        if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
        boundHeapGrowth();
        await runConsume({
          target: brokerTarget(values, "consume"),
          shape: oneOf(values.shape, ["sdk", "wire"], "--shape"),
          count: values.count === undefined ? undefined : positiveInteger(values.count, "--count"),
          timeout: values.timeout === undefined ? undefined : positiveNumber(values.timeout, "--timeout"),
          group: values.group as string | undefined,
          deadLetter: values["dead-letter"] as string | undefined,
        });
        return EXIT.ok;
      }
      case "conformance": {
        // loaded on demand: the kit brings fast-check, which no other command needs
        const { runConformanceCommand } = await import("./conformance.js");
        return (await runConformanceCommand(rest)) ? EXIT.ok : EXIT.failure;
      }
      case "--version":
      case "-v":
        process.stdout.write(`${version()}\n`);
        return EXIT.ok;
      case "--help":
      case "-h":
      case "help":
        process.stdout.write(HELP);
        return EXIT.ok;
      case undefined:
        process.stderr.write(HELP);
        return EXIT.usage;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (err) {
    return reportFailure(err);
  }
}

/** Prints why a run failed as one line on stderr (no stack) and returns the exit code. */
function reportFailure(err: unknown): number {
  if (err instanceof UsageError) {
    process.stderr.write(`orwire: ${clipText(err.message, MAX_REASON_CHARS)}\nRun 'orwire --help' for usage.\n`);
    return EXIT.usage;
  }
  if (err instanceof Failure || isBridgeError(err)) {
    process.stderr.write(`orwire: ${err.message}\n`);
    return EXIT.failure;
  }
  process.stderr.write(`orwire: ${describeSystemError(err)}\n`);
  return EXIT.failure;
}

function maxMessageBytes(value: unknown): number | undefined {
  return value === undefined ? undefined : positiveInteger(value, "--max-message-bytes");
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], flag: string): T {
  if (allowed.includes(value as T)) return value as T;
  throw new UsageError(`${flag} must be one of ${allowed.join(", ")}, not ${String(value)}`);
}

function single(positionals: string[]): string | undefined {
  if (positionals.length > 1) throw new UsageError(`expected at most one input file, got ${positionals.length}`);
  return positionals[0];
}

function positiveInteger(value: unknown, flag: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive integer, not ${String(value)}`);
  return n;
}

function positiveNumber(value: unknown, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, not ${String(value)}`);
  return n;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

// a reader that stops early (`orwire decode … | head`) is not an error; any other write error is
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(EXIT.ok);
  process.stderr.write(`orwire: cannot write stdout: ${describeSystemError(err)}\n`);
  process.exit(EXIT.failure);
});
process.exitCode = await main(process.argv.slice(2));
// a failed run ends even when a client still holds a socket (e.g. a NATS connect to a server that never answers)
if (process.exitCode !== EXIT.ok) setTimeout(() => process.exit(), 1000).unref();
