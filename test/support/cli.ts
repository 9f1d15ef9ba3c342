import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The built `orwire` binary (`npm run build` writes it). */
export const ORWIRE = fileURLToPath(new URL("../../dist/src/cli/main.js", import.meta.url));

/** The result of one `orwire` run. */
export interface Run {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Spawns the real `orwire` binary with arguments and stdin, and waits for it. */
export function orwire(args: string[], input: string | Uint8Array = "", env: NodeJS.ProcessEnv = {}): Run {
  if (!existsSync(ORWIRE)) throw new Error(`${ORWIRE} is missing: run npm run build first`);
  const run = spawnSync(process.execPath, [ORWIRE, ...args], { input, env: { ...process.env, ...env }, maxBuffer: 1 << 28 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr.toString("utf8") };
}
