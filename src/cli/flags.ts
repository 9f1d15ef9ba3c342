/** Command-line flags: strict parsing, a single-valued flag given twice with different values refused, per-command help. */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { clipText } from "../errors.js";
import { UsageError } from "./usage-error.js";

/** The flags a command takes, as `node:util`'s `parseArgs` describes them. */
export type FlagOptions = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses a command's flags strictly: an unknown flag, a missing value, or a single-valued flag
 * given twice with different values (which one was meant is in doubt) is a `UsageError`. The
 * same flag twice with the same value is accepted.
 */
export function parseFlags(args: string[], options: FlagOptions) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: FlagOptions; allowPositionals: true; strict: true; tokens: true }>>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const seen = new Map<string, string | boolean>();
  for (const token of parsed.tokens) {
    if (token.kind !== "option" || options[token.name]?.multiple === true) continue;
    const value = token.value ?? true;
    const earlier = seen.get(token.name);
    if (earlier !== undefined && earlier !== value) {
      throw new UsageError(
        `--${token.name} is given twice with different values (${clipText(JSON.stringify(earlier))}, ${clipText(JSON.stringify(value))}); give it once`,
      );
    }
    seen.set(token.name, value);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/** Tells whether a command's arguments ask for its help: `--help` or `-h` before any `--`. */
export function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === "--") return false;
    if (arg === "--help" || arg === "-h") return true;
  }
  return false;
}
