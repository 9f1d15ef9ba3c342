import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { promisify } from "node:util";
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Admin, Consumer, kGetConnection } from "@platformatic/kafka";
import type { ImageGenCallLifecycleEvent } from "../../src/index.js";
import { stringifyJson } from "../../src/json/json-text.js";
import { guardKafkaClient } from "../../src/kafka/index.js";
import { ROOT } from "./brokers.js";
import { ORWIRE } from "./cli.js";

const run = promisify(execFile);

/** The 3-node clusters of scripts/cluster-up.sh: Kafka bootstrap brokers and NATS server URLs. */
export const KAFKA_CLUSTER = ["127.0.0.1:19092", "127.0.0.1:19093", "127.0.0.1:19094"];
export const NATS_CLUSTER = ["nats://127.0.0.1:14222", "nats://127.0.0.1:14223", "nats://127.0.0.1:14224"];

/** Where scripts/cluster-up.sh keeps pid files, logs and data. */
export const CLUSTER_DIR = process.env.ORWIRE_CLUSTER_DIR ?? `${ROOT}.run/cluster`;

/** A node of the clusters: `kafka-1` … `kafka-3`, `nats-1` … `nats-3`. */
export type ClusterNode = `${"kafka" | "nats"}-${1 | 2 | 3}`;

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Whether the cluster of a broker runs (every node's pid file alive and its client port open).
 * With `CI=true` a missing cluster fails the test file (it throws); otherwise its tests are
 * skipped with a loud warning.
 */
export async function requireCluster(kind: "kafka" | "nats"): Promise<boolean> {
  // a cluster-up still starting it (CI starts the clusters in the background) holds this lock
  const lock = `${CLUSTER_DIR}/.${kind}.lock`;
  if (existsSync(lock)) await run("flock", ["-w", "600", lock, "true"]).catch(() => {});
  const ports = kind === "kafka" ? [19092, 19093, 19094] : [14222, 14223, 14224];
  const up =
    ([1, 2, 3] as const).every((n) => nodePid(`${kind}-${n}`) !== undefined) && (await Promise.all(ports.map(accepts))).every(Boolean);
  if (up) return true;
  const message = `the 3-node ${kind} cluster is not running: start it with \`npm run cluster:up\``;
  if (process.env.CI === "true") throw new Error(`CI=true: ${message}`);
  console.warn(
    `\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n!!! SKIPPING ${kind} cluster tests: ${message}\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n`,
  );
  return false;
}

/** The pid of a running node, from its pid file; `undefined` when it does not run. */
export function nodePid(node: ClusterNode): number | undefined {
  const file = `${CLUSTER_DIR}/${node}.pid`;
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, "utf8").trim());
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Sends a signal to a node (`SIGKILL`, `SIGSTOP`, `SIGCONT`, `SIGTERM`); with SIGKILL and SIGTERM, resolves once it is gone. */
export async function signalNode(node: ClusterNode, signal: NodeJS.Signals): Promise<number> {
  const pid = nodePid(node);
  if (pid === undefined) throw new Error(`${node} is not running`);
  if (signal === "SIGTERM") process.kill(pid, "SIGCONT");
  process.kill(pid, signal);
  if (signal === "SIGKILL" || signal === "SIGTERM") {
    const deadline = Date.now() + 60_000;
    while (existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z")) {
      if (Date.now() > deadline) throw new Error(`${node} (pid ${pid}) still runs 60 s after ${signal}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return pid;
}

/** `scripts/cluster-up.sh KIND`: starts the nodes of that cluster that do not run, and resolves once all have rejoined. */
export async function clusterUp(kind: "kafka" | "nats"): Promise<string> {
  const { stdout, stderr } = await run("bash", [`${ROOT}scripts/cluster-up.sh`, kind], { cwd: ROOT, timeout: 300_000 });
  return `${stdout}${stderr}`;
}

/** An admin client on the Kafka cluster. */
export function clusterAdmin(): Admin {
  return guardKafkaClient(
    new Admin({ clientId: "orwire-cluster-test-admin", bootstrapBrokers: KAFKA_CLUSTER, retries: 20, retryDelay: 250 }),
    kGetConnection,
  );
}

/** A consumer of a group on the Kafka cluster that rides out nodes going away. */
export function clusterConsumer(groupId: string): Consumer {
  return guardKafkaClient(
    new Consumer({
      clientId: "orwire-cluster-test-consumer",
      groupId,
      bootstrapBrokers: KAFKA_CLUSTER,
      maxWaitTime: 200,
      retries: 40,
      retryDelay: 250,
      sessionTimeout: 20_000,
      heartbeatInterval: 2000,
    }),
    kGetConnection,
  );
}

/** The node that leads a partition of a topic. */
export async function kafkaLeader(admin: Admin, topic: string, partition = 0): Promise<ClusterNode> {
  const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
  const leader = metadata.topics.get(topic)?.partitions[partition]?.leader;
  if (leader === undefined || leader < 1 || leader > 3) throw new Error(`no leader for ${topic}/${partition}`);
  return `kafka-${leader as 1 | 2 | 3}`;
}

/** A NATS connection with JetStream to the cluster, that fails over between its nodes. */
export async function clusterNats(): Promise<{ nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager }> {
  const nc = await connect({
    servers: NATS_CLUSTER,
    name: "orwire-cluster-test",
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 5000,
    maxPingOut: 2,
  });
  return { nc, js: jetstream(nc), jsm: await jetstreamManager(nc) };
}

/** The node that leads a stream. */
export async function natsLeader(jsm: JetStreamManager, stream: string): Promise<ClusterNode> {
  const leader = (await jsm.streams.info(stream)).cluster?.leader;
  if (leader === undefined || !/^nats-[123]$/.test(leader)) throw new Error(`no leader for stream ${stream}: ${String(leader)}`);
  return leader as ClusterNode;
}

/** A running `orwire publish`, fed through its stdin. */
export interface Publisher {
  /** Writes events as NDJSON lines (waiting when the pipe is full). */
  write(events: readonly ImageGenCallLifecycleEvent[]): Promise<void>;
  /** Ends the input and resolves with the exit code and stderr. */
  end(): Promise<{ status: number | null; stderr: string }>;
  /** When the process exited (performance.now()), once it did. */
  exitedAt(): number | undefined;
}

/** Spawns `orwire publish ARGS…` reading NDJSON from its stdin. */
export function publisher(args: string[]): Publisher {
  const child = spawn(process.execPath, [ORWIRE, "publish", ...args], { stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  let exitedAt: number | undefined;
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  child.stdin.on("error", () => {}); // a publisher that failed stops reading
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      exitedAt = performance.now();
      resolve(code);
    }),
  );
  return {
    async write(events) {
      for (let i = 0; i < events.length; i += 1000) {
        if (exitedAt !== undefined) return;
        const chunk = `${events
          .slice(i, i + 1000)
          .map((e) => stringifyJson(e))
          .join("\n")}\n`;
        if (!child.stdin.write(chunk)) await Promise.race([new Promise((r) => child.stdin.once("drain", r)), exited]);
      }
    },
    async end() {
      child.stdin.end();
      const status = await exited;
      return { status, stderr };
    },
    exitedAt: () => exitedAt,
  };
}
