import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumeFromJetStream, ensureJetStream } from "../../src/nats/index.js";
import { runTag } from "../support/brokers.js";
import { type ClusterNode, clusterNats, clusterUp, NATS_CLUSTER, natsLeader, nodePid, signalNode } from "../support/cluster.js";
import { makeEvents } from "../support/events.js";
import { describeFigures, type FaultFigures, type FaultRun, runFault } from "../support/fault-run.js";

/**
 * Faults on the 3-node JetStream cluster (scripts/cluster-up.sh) under load: each publishes 100,000
 * events with `orwire publish` to an R3 stream while a consumer reads along, breaks nodes in the
 * middle, and checks that nothing acknowledged is lost and that the stream stores each event once.
 */

const N = 100_000;
const tag = runTag();
const results: FaultFigures[] = [];
let clients: Awaited<ReturnType<typeof clusterNats>> | undefined;
const streams: string[] = [];

/** A fresh R3 stream made as `orwire publish` makes it, and a run reading it along. */
async function natsRun(
  name: string,
  fault: string,
  script: FaultRun["script"],
  recover?: () => Promise<unknown>,
): Promise<FaultRun & { stream: string }> {
  const subject = `orwire.cluster.${name}.${tag}`;
  const names = await ensureJetStream(clients!.jsm, { subject });
  streams.push(names.stream, names.deadLetterStream);
  return {
    stream: names.stream,
    fault,
    events: makeEvents(N, { items: 2000, tag: `${name.slice(0, 4)}${tag}` }),
    args: ["--nats", NATS_CLUSTER.join(","), "--subject", subject],
    consume: async (take, signal) => {
      await consumeFromJetStream(clients!.js, (event, c) => take(event, c.eventId), {
        stream: names.stream,
        signal,
        ackWait: 10_000,
        reconnectTimeout: 240_000,
        deadLetter: () => {},
      });
    },
    script,
    recover,
  };
}

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

async function flowing(receiver: { unique: number }, n: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (receiver.unique < n) {
    if (Date.now() > deadline) throw new Error(`the consumer saw only ${receiver.unique} events`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every event stored once: the stream holds exactly N messages (retried publishes were de-duplicated on their event ids). */
async function storedOnce(stream: string): Promise<void> {
  expect((await clients!.jsm.streams.info(stream)).state.messages).toBe(N);
}

/** Registers the NATS fault tests: one after the other, concurrently with the Kafka ones (another cluster). */
export function natsFaults(up: boolean): void {
  describe.skipIf(!up).concurrent("a 3-node JetStream cluster under faults, 100,000 events each", () => {
    beforeAll(async () => {
      await clusterUp("nats");
      clients = await clusterNats();
    });

    afterAll(async () => {
      for (const f of results) console.log(`nats cluster fault ${describeFigures(f)}`);
      for (const s of streams) await clients?.jsm.streams.delete(s).catch(() => {});
      await clients?.nc.close();
    });

    it.sequential("publish creates R3 streams with room for 17 MiB messages on the cluster, --replicas overrides", async () => {
      const names = await ensureJetStream(clients!.jsm, { subject: `orwire.cluster.r3.${tag}` });
      const r1 = await ensureJetStream(clients!.jsm, { subject: `orwire.cluster.r1.${tag}`, replicas: 1 });
      streams.push(names.stream, names.deadLetterStream, r1.stream, r1.deadLetterStream);
      const info = await clients!.jsm.streams.info(names.stream);
      expect(info.config).toMatchObject({ num_replicas: 3, max_msg_size: 17 * 1024 * 1024, duplicate_window: 120_000_000_000 });
      expect(info.cluster?.replicas).toHaveLength(2);
      expect((await clients!.jsm.streams.info(r1.stream)).config.num_replicas).toBe(1);
    });

    it.sequential("kill -9 of the stream leader mid-publish, then a restart: the publish exits 0, nothing lost, each event stored once", async () => {
      let killed: ClusterNode | undefined;
      let restarted: Promise<unknown> | undefined;
      const run = await natsRun(
        "kill-leader",
        "kill -9 of the stream leader, then restart",
        async (pub, receiver) => {
          let faultAt = 0;
          await inParts(pub.write, run.events, 4, async (i) => {
            if (i !== 0) return;
            await flowing(receiver, 10_000);
            killed = await natsLeader(clients!.jsm, run.stream);
            faultAt = performance.now();
            await signalNode(killed, "SIGKILL");
            restarted = clusterUp("nats");
          });
          return faultAt;
        },
        () => restarted!,
      );
      const { figures } = await runFault(run);
      results.push(figures);
      expect(nodePid(killed!)).toBeDefined();
      expect(figures).toMatchObject({ exit: 0, acknowledged: N, lost: 0, unique: N, changed: 0 });
      expect(figures.received).toBe(N + figures.duplicates);
      await storedOnce(run.stream);
    });

    it.sequential("SIGSTOP of the stream leader for longer than its election timeout, then SIGCONT (a hung node): exits 0, nothing lost, each event stored once", async () => {
      let hung: ClusterNode | undefined;
      const run = await natsRun(
        "hung-leader",
        "SIGSTOP of the stream leader for 12 s, then SIGCONT",
        async (pub, receiver) => {
          let faultAt = 0;
          await inParts(pub.write, run.events, 4, async (i) => {
            if (i !== 0) return;
            await flowing(receiver, 10_000);
            hung = await natsLeader(clients!.jsm, run.stream);
            faultAt = performance.now();
            await signalNode(hung, "SIGSTOP");
            // the two others elect a new leader within seconds; the hung one comes back as a follower
            setTimeout(() => void signalNode(hung!, "SIGCONT"), 12_000);
          });
          return faultAt;
        },
        async () => {
          await new Promise((r) => setTimeout(r, 500));
          await clusterUp("nats");
        },
      );
      try {
        const { figures } = await runFault(run);
        results.push(figures);
        expect(figures).toMatchObject({ exit: 0, acknowledged: N, lost: 0, unique: N, changed: 0 });
        expect(figures.received).toBe(N + figures.duplicates);
        await storedOnce(run.stream);
      } finally {
        if (hung !== undefined && nodePid(hung) !== undefined) await signalNode(hung, "SIGCONT");
      }
    });

    it.sequential("a rolling restart of all three nodes during a publish: exits 0, nothing lost, each event stored once", async () => {
      const run = await natsRun("rolling", "rolling restart of nats-1, nats-2, nats-3", async (pub, receiver) => {
        let faultAt = 0;
        let restarting: Promise<unknown> = Promise.resolve();
        await inParts(pub.write, run.events, 4, async (i) => {
          await restarting;
          if (i === 0) {
            await flowing(receiver, 10_000);
            faultAt = performance.now();
          }
          const node = `nats-${i + 1}` as ClusterNode;
          restarting = signalNode(node, "SIGTERM").then(() => clusterUp("nats"));
        });
        await restarting;
        return faultAt;
      });
      const { figures } = await runFault(run);
      results.push(figures);
      expect(figures).toMatchObject({ exit: 0, acknowledged: N, lost: 0, unique: N, changed: 0 });
      expect(figures.received).toBe(N + figures.duplicates);
      await storedOnce(run.stream);
    });
  });
}
