import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumeFromKafka, ensureKafkaTopic } from "../../src/kafka/index.js";
import { eventId } from "../../src/transport/index.js";
import { runTag } from "../support/brokers.js";
import {
  type ClusterNode,
  clusterAdmin,
  clusterConsumer,
  clusterUp,
  KAFKA_CLUSTER,
  kafkaLeader,
  nodePid,
  signalNode,
} from "../support/cluster.js";
import { makeEvents } from "../support/events.js";
import { describeFigures, type FaultFigures, type FaultRun, runFault } from "../support/fault-run.js";

/**
 * Faults on the 3-node Kafka cluster (scripts/cluster-up.sh) under load: each publishes 100,000
 * events with `orwire publish` (acks from all in-sync replicas, 2 of 3) while a consumer reads
 * along, breaks nodes in the middle, and checks that no acknowledged event is lost.
 */

const N = 100_000;
const tag = runTag();
const results: FaultFigures[] = [];
let admin: ReturnType<typeof clusterAdmin> | undefined;
const topics: string[] = [];

/** A fresh topic made as `orwire publish` makes it (3 replicas, min ISR 2), and a run reading it along. */
async function kafkaRun(
  name: string,
  fault: string,
  script: FaultRun["script"],
  extra: { args?: string[]; recover?: () => Promise<unknown> } = {},
): Promise<FaultRun & { topic: string }> {
  const topic = `orwire-cluster-${name}-${tag}`;
  topics.push(topic);
  await ensureKafkaTopic(admin!, { topic });
  return {
    topic,
    fault,
    events: makeEvents(N, { items: 2000, tag: `${name.slice(0, 4)}${tag}` }),
    args: ["--kafka", KAFKA_CLUSTER.join(","), "--topic", topic, ...(extra.args ?? [])],
    consume: (take, signal) => supervised(`orwire-cluster-${name}-${tag}`, topic, name, take, signal),
    script,
    recover: extra.recover,
  };
}

/** How long a consumer may go without a record, while records are due, before it is replaced. */
const STALL = 30_000;

/**
 * Reads the topic as a service's supervisor would run its consumer: a consumer that gave up on a
 * broker going away, or that delivered nothing for `STALL` ms, is replaced by a new one of the
 * group, which resumes at the committed offsets (the records since come again, as duplicates the
 * event id identifies).
 */
async function supervised(
  group: string,
  topic: string,
  name: string,
  take: Parameters<FaultRun["consume"]>[0],
  signal: AbortSignal,
): Promise<void> {
  for (let first = true; !signal.aborted; first = false) {
    const consumer = clusterConsumer(group);
    const instance = new AbortController();
    const stopInstance = () => instance.abort();
    signal.addEventListener("abort", stopInstance, { once: true });
    let last = Date.now();
    const watchdog = setInterval(() => {
      if (Date.now() - last > STALL && !instance.signal.aborted) {
        console.log(`kafka cluster fault ${name}: consumer replaced after ${STALL / 1000} s without a record`);
        instance.abort();
      }
    }, 1000);
    const consuming = consumeFromKafka(
      consumer,
      (event, c) => {
        last = Date.now();
        take(event, c.eventId);
      },
      { topic, from: first ? "earliest" : "committed", signal: instance.signal, reconnectTimeout: 240_000, deadLetter: () => {} },
    );
    try {
      // a consumer stuck on a broker that went away may not even stop: it is left behind
      await Promise.race([
        consuming,
        new Promise((resolve) => instance.signal.addEventListener("abort", () => setTimeout(resolve, 5000), { once: true })),
      ]);
    } catch (err) {
      if (!signal.aborted) {
        console.log(`kafka cluster fault ${name}: consumer replaced after: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      clearInterval(watchdog);
      signal.removeEventListener("abort", stopInstance);
      instance.abort();
      consuming.catch(() => {});
      // leaving the group can hang on a coordinator that went away: the next consumer does not wait for it
      await Promise.race([consumer.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
    }
  }
}

/** Writes `events` in `parts` equal parts, calling `between(i)` after part i (not after the last). */
async function inParts(
  write: (e: FaultRun["events"]) => Promise<void>,
  events: FaultRun["events"],
  parts: number,
  between: (i: number) => Promise<void>,
): Promise<void> {
  const size = Math.ceil(events.length / parts);
  for (let i = 0; i < parts; i++) {
    await write(events.slice(i * size, (i + 1) * size));
    if (i < parts - 1) await between(i);
  }
}

/** Waits until the consumer has seen `n` events, so the fault hits a publish in full flow. */
async function flowing(receiver: { unique: number }, n: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (receiver.unique < n) {
    if (Date.now() > deadline) throw new Error(`the consumer saw only ${receiver.unique} events`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Registers the Kafka fault tests: one after the other, concurrently with the NATS ones (another cluster). */
export function kafkaFaults(up: boolean): void {
  describe.skipIf(!up).concurrent("a 3-node Kafka cluster under faults, 100,000 events each", () => {
    beforeAll(async () => {
      await clusterUp("kafka");
      admin = clusterAdmin();
    });

    afterAll(async () => {
      for (const f of results) console.log(`kafka cluster fault ${describeFigures(f)}`);
      await admin?.deleteTopics({ topics }).catch(() => {});
      await admin?.close();
    });

    it.sequential("publish creates topics with 3 replicas and min.insync.replicas 2 on the cluster, --replicas overrides", async () => {
      const topic = `orwire-cluster-replicas-${tag}`;
      topics.push(topic, `${topic}-r2`);
      expect(await ensureKafkaTopic(admin!, { topic })).toBe(true);
      expect(await ensureKafkaTopic(admin!, { topic: `${topic}-r2`, replicas: 2 })).toBe(true);
      const metadata = await admin!.metadata({ topics: [topic, `${topic}-r2`], forceUpdate: true });
      expect(metadata.topics.get(topic)!.partitions.map((p) => p.replicas.length)).toEqual([3, 3, 3]);
      expect(metadata.topics.get(`${topic}-r2`)!.partitions.map((p) => p.replicas.length)).toEqual([2, 2, 2]);
      const configs = await admin!.describeConfigs({
        resources: [
          { resourceType: 2, resourceName: topic, configurationKeys: ["min.insync.replicas", "max.message.bytes"] },
          { resourceType: 2, resourceName: `${topic}-r2`, configurationKeys: ["min.insync.replicas"] },
        ],
      });
      const value = (i: number, name: string) => configs[i]!.configs.find((c) => c.name === name)?.value;
      expect(value(0, "min.insync.replicas")).toBe("2");
      expect(value(0, "max.message.bytes")).toBe(String(17 * 1024 * 1024));
      expect(value(1, "min.insync.replicas")).toBe("1");
    });

    it.sequential("kill -9 of the partition leader mid-publish, then a restart: the publish exits 0 and nothing acknowledged is lost", async () => {
      let killed: ClusterNode | undefined;
      let restarted: Promise<unknown> | undefined;
      const run = await kafkaRun(
        "kill-leader",
        "kill -9 of the partition leader, then restart",
        async (pub, receiver) => {
          let faultAt = 0;
          await inParts(pub.write, run.events, 4, async (i) => {
            if (i !== 0) return;
            await flowing(receiver, 10_000);
            killed = await kafkaLeader(admin!, run.topic);
            faultAt = performance.now();
            await signalNode(killed, "SIGKILL");
            restarted = clusterUp("kafka");
          });
          return faultAt;
        },
        { recover: () => restarted! },
      );
      const { figures } = await runFault(run);
      results.push(figures);
      expect(nodePid(killed!)).toBeDefined();
      expect(figures).toMatchObject({ exit: 0, acknowledged: N, lost: 0, unique: N, changed: 0 });
      expect(figures.received).toBe(N + figures.duplicates);
    });

    it.sequential("SIGSTOP of the partition leader for longer than the session timeout, then SIGCONT (a hung node): exits 0, nothing lost", async () => {
      let hung: ClusterNode | undefined;
      const run = await kafkaRun(
        "hung-leader",
        "SIGSTOP of the partition leader for 12 s, then SIGCONT",
        async (pub, receiver) => {
          let faultAt = 0;
          await inParts(pub.write, run.events, 4, async (i) => {
            if (i !== 0) return;
            await flowing(receiver, 10_000);
            hung = await kafkaLeader(admin!, run.topic);
            faultAt = performance.now();
            await signalNode(hung, "SIGSTOP");
            // broker.session.timeout.ms is 6 s: the controller fences the hung node and moves its leaderships
            setTimeout(() => void signalNode(hung!, "SIGCONT"), 12_000);
          });
          return faultAt;
        },
        {
          recover: async () => {
            await new Promise((r) => setTimeout(r, 500));
            await clusterUp("kafka");
          },
        },
      );
      try {
        const { figures } = await runFault(run);
        results.push(figures);
        expect(figures).toMatchObject({ exit: 0, acknowledged: N, lost: 0, unique: N, changed: 0 });
        expect(figures.received).toBe(N + figures.duplicates);
      } finally {
        if (hung !== undefined && nodePid(hung) !== undefined) await signalNode(hung, "SIGCONT");
      }
    });

    it.sequential("a rolling restart of all three nodes during a publish: exits 0, nothing lost", async () => {
      const run = await kafkaRun("rolling", "rolling restart of kafka-1, kafka-2, kafka-3", async (pub, receiver) => {
        let faultAt = 0;
        let restarting: Promise<unknown> = Promise.resolve();
        await inParts(pub.write, run.events, 4, async (i) => {
          await restarting;
          if (i === 0) {
            await flowing(receiver, 10_000);
            faultAt = performance.now();
          }
          const node = `kafka-${i + 1}` as ClusterNode;
          // SIGTERM: a controlled shutdown hands the node's leaderships over; the next part is written while it restarts
          restarting = signalNode(node, "SIGTERM").then(() => clusterUp("kafka"));
        });
        await restarting;
        return faultAt;
      });
      const { figures } = await runFault(run);
      results.push(figures);
      expect(figures).toMatchObject({ exit: 0, acknowledged: N, lost: 0, unique: N, changed: 0 });
      expect(figures.received).toBe(N + figures.duplicates);
    });

    it.sequential("two of three nodes killed: the publish exits 1 within its delivery timeout naming the first unacknowledged record; once they are back every acknowledged event is there", async () => {
      const deliveryTimeout = 15;
      let killedAt = 0;
      const run = await kafkaRun(
        "two-down",
        "kill -9 of two of three nodes (no in-sync quorum), restart after the publish failed",
        async (pub, receiver) => {
          await inParts(pub.write, run.events, 4, async (i) => {
            if (i !== 0) return;
            await flowing(receiver, 10_000);
            killedAt = performance.now();
            const leader = await kafkaLeader(admin!, run.topic);
            const other = (["kafka-1", "kafka-2", "kafka-3"] as const).find((n) => n !== leader)!;
            await Promise.all([signalNode(leader, "SIGKILL"), signalNode(other, "SIGKILL")]);
          });
          return killedAt;
        },
        { args: ["--delivery-timeout", String(deliveryTimeout)], recover: () => clusterUp("kafka") },
      );
      const { figures, stderr, exitedAt, received } = await runFault(run);
      results.push(figures);
      expect(figures.exit).toBe(1);
      const m = new RegExp(
        `^orwire: record (\\d+)(?: \\(line \\d+\\))?: event (\\S+): not acknowledged within ${deliveryTimeout * 1000} ms \\(\\d+ attempts\\): .*; (\\d+) events were acknowledged\\n$`,
      ).exec(stderr);
      expect(m, stderr).not.toBeNull();
      const [record, id, acknowledged] = [Number(m![1]), m![2], Number(m![3])];
      expect(id).toBe(eventId(run.events[record - 1]!));
      expect(acknowledged).toBe(figures.acknowledged);
      expect(acknowledged).toBeGreaterThanOrEqual(10_000);
      expect(acknowledged).toBeLessThan(N);
      // every record before the first unacknowledged one was acknowledged, and is there; each
      // partition is acknowledged in order, so more may have been: at least as many came back
      expect(run.events.slice(0, record - 1).filter((e) => !received.has(eventId(e)))).toEqual([]);
      expect(figures.unique).toBeGreaterThanOrEqual(acknowledged);
      // failed within the delivery timeout of the first record it could not deliver, plus the requests in flight then
      const failedAfter = (exitedAt - killedAt) / 1000;
      console.log(
        `kafka cluster fault two-down: the publish failed ${failedAfter.toFixed(1)} s after the kill (delivery timeout ${deliveryTimeout} s)`,
      );
      expect(failedAfter).toBeGreaterThanOrEqual(deliveryTimeout);
      expect(failedAfter).toBeLessThan(deliveryTimeout + 20);
      expect(figures.lost).toBe(0);
      expect(figures.changed).toBe(0);
    });
  });
}
