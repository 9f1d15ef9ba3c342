import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The NATS server the integration tests use: `ORWIRE_NATS_URL`, or the project's own local one. */
export const NATS_URL = process.env.ORWIRE_NATS_URL ?? "nats://127.0.0.1:4222";

/** The Kafka bootstrap brokers the integration tests use: `ORWIRE_KAFKA_BROKERS` (comma-separated), or the project's own local one. */
export const KAFKA_BROKERS = (process.env.ORWIRE_KAFKA_BROKERS ?? "127.0.0.1:9092").split(",").map((b) => b.trim());

/** The address of the first broker of a kind, as host and port. */
function address(kind: "nats" | "kafka"): { host: string; port: number } {
  if (kind === "kafka") {
    const [host, port] = KAFKA_BROKERS[0]!.split(":");
    return { host: host!, port: Number(port) };
  }
  const url = new URL(NATS_URL.replace(/^nats:/, "http:"));
  return { host: url.hostname, port: Number(url.port || 4222) };
}

/** Whether something accepts TCP connections at the broker's address, within `timeout` ms. */
export function reachable(kind: "nats" | "kafka", timeout = 2000): Promise<boolean> {
  const { host, port } = address(kind);
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeout, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Whether the integration tests of a broker can run. With `CI=true` an unreachable broker fails
 * the test file (it throws); otherwise the tests are skipped with a loud warning.
 */
export async function requireBroker(kind: "nats" | "kafka"): Promise<boolean> {
  if (await reachable(kind)) return true;
  const where = kind === "nats" ? `NATS at ${NATS_URL} (ORWIRE_NATS_URL)` : `Kafka at ${KAFKA_BROKERS.join(",")} (ORWIRE_KAFKA_BROKERS)`;
  const message = `${where} is unreachable: start the project's brokers with \`bash scripts/brokers-up.sh\`, or point the variable at a running one`;
  if (process.env.CI === "true") throw new Error(`CI=true: ${message}`);
  console.warn(
    `\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n!!! SKIPPING ${kind} integration tests: ${message}\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n`,
  );
  return false;
}

/**
 * Whether the broker is the project's own local one (started by scripts/brokers-up.sh, pid file
 * alive, no address override), the only kind the fault tests may kill and restart.
 */
export function ownBroker(kind: "nats" | "kafka"): boolean {
  if (kind === "nats" ? process.env.ORWIRE_NATS_URL !== undefined : process.env.ORWIRE_KAFKA_BROKERS !== undefined) return false;
  const pidFile = `${process.env.ORWIRE_RUN_DIR ?? `${ROOT}.run`}/${kind}.pid`;
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const run = promisify(execFile);

/** Runs one of the broker scripts (`brokers-up.sh`, `brokers-down.sh`) with arguments. */
export async function brokerScript(script: "brokers-up.sh" | "brokers-down.sh", ...args: string[]): Promise<string> {
  const { stdout, stderr } = await run("bash", [`${ROOT}scripts/${script}`, ...args], { cwd: ROOT, timeout: 180_000 });
  return `${stdout}${stderr}`;
}

/** A random tag that makes topic, stream and subject names unique to one test run. */
export function runTag(): string {
  return randomBytes(4).toString("hex");
}

/** Resolves when `condition` holds, polling every `interval` ms; rejects after `timeout` ms. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeout: number, what: string, interval = 50): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
