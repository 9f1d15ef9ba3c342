/**
 * Runs an external codec once, as the conformance contract defines it: `<command> decode` or
 * `<command> encode` (or `decode-event` / `encode-event`) through the shell, one message on stdin, the result on stdout.
 */
import { spawn } from "node:child_process";

/** A command of the codec contract: the completed message (`decode`, `encode`) or the lifecycle envelope (`decode-event`, `encode-event`). */
export type CodecMode = "decode" | "encode" | "decode-event" | "encode-event";

/** What one codec run did. */
export interface CodecRun {
  /** Exit code, or `null` when a signal ended it or it never started. */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  /** Why the shell could not be started, if it could not. */
  error?: string;
  /** Served requests only: why the request got no answer (the process ended or wrote garbage while on it, or answered `error`). */
  failure?: string;
}

const MAX_STDERR = 64 * 1024;

/**
 * Runs `<command> <mode>` through `/bin/sh` with `input` on stdin and collects stdout, stderr and
 * the exit status. A run past `timeoutMs` is killed with its whole process group.
 */
export function runCodec(command: string, mode: CodecMode | "serve", input: Uint8Array, timeoutMs: number): Promise<CodecRun> {
  return new Promise((resolve) => {
    const child = spawn(`${command} ${mode}`, { shell: true, detached: true, stdio: ["pipe", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    let stderr = "";
    let timedOut = false;
    let error: string | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      if (stderr.length < MAX_STDERR) stderr += chunk;
    });
    // a codec may exit without reading its input (a refusal, a usage error): not our error
    child.stdin.on("error", () => {});
    child.on("error", (err) => {
      error = err.message;
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      const run: CodecRun = { status, signal, stdout: Buffer.concat(stdout), stderr, timedOut };
      if (error !== undefined) run.error = error;
      resolve(run);
    });
    child.stdin.end(input);
  });
}

/** Kills a process started with `detached: true` together with its children (its process group). */
export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}
