/**
 * Reading a topic with fetches of our own on a `@platformatic/kafka` `Consumer`: the consumer keeps
 * the group (join, heartbeats, assignment), offsets and commits; the records come from Fetch
 * requests parsed by us, batch by batch from one buffer per partition.
 */
import { isBridgeError } from "../errors.js";
import { sleep, watchIdle } from "../transport/batched.js";
import type { ConsumeReport, EventHandler } from "../transport/types.js";
import type { KafkaConsumeOptions, KafkaConsumerLike, KafkaDeadLetterRecord, KafkaEventContext } from "./client.js";
import { UserFailure } from "./consume-stream.js";
import { createFetchApi, type FetchCall, type FetchedPartition, type KafkaFetchModule } from "./fetch-api.js";
import { RecordBatchReader } from "./record-batch.js";
import { copyKafkaRecord, kafkaRecordViewReader } from "./record-view.js";

/** The parts of a `@platformatic/kafka` `Consumer` the fetch path uses beyond `KafkaConsumerLike`. */
export interface KafkaGroupConsumer extends KafkaConsumerLike {
  clientId: string;
  memberId: string | null;
  generationId: number;
  assignments: { topic: string; partitions: number[] }[] | null;
  topics: { current: string[]; track(topic: string): boolean };
  joinGroup(options: Record<string, never>): Promise<unknown>;
  metadata(options: { topics: string[]; forceUpdate?: boolean }): Promise<{
    brokers: Map<number, { host: string; port: number }>;
    topics: Map<string, { id: string; partitions: { leader: number; leaderEpoch: number }[] }>;
  }>;
  listOffsets(options: { topics: string[]; timestamp?: bigint }): Promise<Map<string, bigint[]>>;
  listCommittedOffsets(options: { topics: { topic: string; partitions: number[] }[] }): Promise<Map<string, bigint[]>>;
  commit(options: { offsets: { topic: string; partition: number; offset: bigint; leaderEpoch: number }[] }): Promise<void>;
  on(event: string, listener: () => void): unknown;
  removeListener(event: string, listener: () => void): unknown;
}

/** What is used of the `@platformatic/kafka` module. */
export interface KafkaFetchPackage extends KafkaFetchModule {
  ConnectionPool: new (
    clientId: string,
    options: object,
  ) => {
    get(broker: { host: string; port: number }, callback: (error: Error | null, connection: unknown) => void): void;
    close(callback: (error?: Error | null) => void): void;
  };
  compressionsAlgorithmsByBitmask: Record<number, { decompressSync(data: Buffer): Buffer } | undefined>;
  crc32c(data: Buffer): number;
  kGetApi: symbol;
  kOptions: symbol;
}

/** The group changed (a rebalance, a new generation): resume from the committed offsets. */
export class KafkaRebalance extends Error {
  constructor() {
    super("the consumer group rebalanced");
    this.name = "KafkaRebalance";
  }
}

/** Whether `consumer` is a `@platformatic/kafka` `Consumer` the fetch path can drive. */
export function isGroupConsumer(consumer: KafkaConsumerLike): consumer is KafkaGroupConsumer {
  const c = consumer as Partial<KafkaGroupConsumer>;
  return (
    typeof c.joinGroup === "function" &&
    typeof c.commit === "function" &&
    typeof c.listOffsets === "function" &&
    typeof c.listCommittedOffsets === "function" &&
    typeof c.metadata === "function" &&
    typeof c.on === "function" &&
    typeof c.topics?.track === "function"
  );
}

/** Options of the fetch path, from the consumer's own (`maxBytes`, `maxWaitTime`, ...). */
interface FetchSettings {
  maxWaitTime: number;
  minBytes: number;
  maxBytes: number;
  maxBytesPerPartition: number;
  isolationLevel: number;
  checkCrcs: boolean;
}

/** The negotiated Fetch API of the consumer's broker, or `undefined` when our parser does not read that version. */
async function negotiatedFetch(consumer: KafkaGroupConsumer, kafka: KafkaFetchPackage): Promise<FetchCall | undefined> {
  const getApi = (consumer as unknown as Record<symbol, (name: string, cb: (e: Error | null, api?: { version: number }) => void) => void>)[
    kafka.kGetApi
  ];
  if (typeof getApi !== "function") return undefined;
  const api = await new Promise<{ version: number }>((resolve, reject) =>
    getApi.call(consumer, "Fetch", (e, a) => (e !== null || a === undefined ? reject(e) : resolve(a))),
  );
  return createFetchApi(kafka, api.version);
}

interface Leader {
  broker: { host: string; port: number };
  partitions: number[];
  inflight: boolean;
  buffered: number;
}

interface Fetched {
  leader: Leader;
  readers: { partition: number; reader: RecordBatchReader }[];
}

/**
 * One session of the fetch path, with the contract of `consumeStream`: `"done"` when the consumer
 * is done, `{ error }` when the client failed or the group rebalanced (to resume from the committed
 * offsets), `"unsupported"` before anything was read if the broker's Fetch version is not one we
 * parse; a handler's error is thrown after committing what it finished.
 */
export async function consumeFetched(
  consumer: KafkaGroupConsumer,
  kafka: KafkaFetchPackage,
  handler: EventHandler<KafkaEventContext>,
  deadLetter: (record: KafkaDeadLetterRecord) => void | Promise<void>,
  o: KafkaConsumeOptions,
  report: ConsumeReport,
  progressed: () => void,
  mode: "committed" | "earliest",
): Promise<"done" | "unsupported" | { error: unknown }> {
  const topic = o.topic;
  let rebalanced = false;
  let stopped = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  // commits in flight: the client retries a commit refused by a rebalance after joining the new
  // generation, with the same offsets array; partitions this member lost are taken out of it, so that
  // no offset it handled overwrites what their new owner committed since
  const inflightCommits = new Set<{ partition: number }[]>();
  const onJoin = () => {
    rebalanced = true;
    const owned = new Set(assigned(consumer, topic));
    for (const offsets of inflightCommits) {
      const kept = offsets.filter((x) => owned.has(x.partition));
      offsets.splice(0, offsets.length, ...kept);
    }
    poke();
  };
  const stop = () => {
    stopped = true;
    poke();
  };
  let lastSeen = Date.now();
  const endIdle = watchIdle(o.idleTimeout, () => lastSeen, stop);
  o.signal?.addEventListener("abort", stop, { once: true });
  if (o.signal?.aborted) stopped = true;
  const settings = fetchSettings(consumer, kafka);
  let pool: InstanceType<KafkaFetchPackage["ConnectionPool"]> | undefined;
  // commits: what the handler finished, per partition, committed per batch in the background
  const handled = new Map<number, number>();
  const committed = new Map<number, number>();
  const epochs = new Map<number, number>();
  let uncommitted = 0;
  let lastCommit = Date.now();
  let committing: Promise<void> | undefined;
  let commitError: { error: unknown } | undefined;
  const commitNow = async () => {
    const offsets: { topic: string; partition: number; offset: bigint; leaderEpoch: number }[] = [];
    // only partitions still assigned: after a rebalance, a lost partition's records come again to its new owner
    const owned = new Set(assigned(consumer, topic));
    for (const [partition, offset] of handled) {
      if (committed.get(partition) === offset || !owned.has(partition)) continue;
      offsets.push({ topic, partition, offset: BigInt(offset), leaderEpoch: epochs.get(partition) ?? -1 });
    }
    uncommitted = 0;
    lastCommit = Date.now();
    if (o.flush !== undefined) await o.flush();
    if (offsets.length === 0) return;
    inflightCommits.add(offsets);
    try {
      await consumer.commit({ offsets });
    } finally {
      inflightCommits.delete(offsets);
    }
    for (const { partition, offset } of offsets) committed.set(partition, Number(offset));
  };
  const commitInBackground = () => {
    if (committing !== undefined) return;
    committing = commitNow().then(
      () => (committing = undefined),
      (error) => {
        committing = undefined;
        commitError ??= { error };
      },
    );
  };
  const commitAll = async () => {
    await committing;
    if (commitError !== undefined) throw commitError.error;
    if (uncommitted > 0 || [...handled].some(([p, offset]) => committed.get(p) !== offset)) await commitNow();
  };
  consumer.on("consumer:group:join", onJoin);
  try {
    // the group: join (or stay), and wait for partitions of the topic
    if (consumer.topics.track(topic) || consumer.memberId === null) await consumer.joinGroup({});
    rebalanced = false;
    const generation = consumer.generationId;
    let partitions = assigned(consumer, topic);
    while (partitions.length === 0) {
      if (stopped) return "done";
      if (rebalanced || consumer.generationId !== generation) return { error: new KafkaRebalance() };
      await sleep(50);
      partitions = assigned(consumer, topic);
    }
    const fetch = await negotiatedFetch(consumer, kafka);
    if (fetch === undefined) return "unsupported";
    const metadata = await consumer.metadata({ topics: [topic], forceUpdate: true });
    const info = metadata.topics.get(topic);
    if (info === undefined) throw new Error(`topic ${topic} is not in the cluster metadata`);
    // where to start: the committed offset (never before the log start), else the earliest
    const earliest = (await consumer.listOffsets({ topics: [topic], timestamp: -2n })).get(topic) ?? [];
    const commits =
      mode === "committed" ? (await consumer.listCommittedOffsets({ topics: [{ topic, partitions }] })).get(topic) : undefined;
    const position = new Map<number, number>();
    for (const p of partitions) {
      const start = Number(earliest[p] ?? 0n);
      const c = commits?.[p];
      const at = c !== undefined && c >= 0n ? Math.max(Number(c), start) : start;
      position.set(p, at);
      epochs.set(p, info.partitions[p]?.leaderEpoch ?? -1);
      if (c !== undefined && c >= 0n) committed.set(p, Number(c));
    }
    const leaders = new Map<number, Leader>();
    for (const p of partitions) {
      const node = info.partitions[p]?.leader ?? -1;
      const broker = metadata.brokers.get(node);
      if (broker === undefined) throw new Error(`partition ${p} of ${topic} has no leader in the cluster metadata (a node restarting?)`);
      let leader = leaders.get(node);
      if (leader === undefined) leaders.set(node, (leader = { broker, partitions: [], inflight: false, buffered: 0 }));
      leader.partitions.push(p);
    }
    // fetches go on connections of their own: a fetch waiting on the broker holds up its connection
    pool = new kafka.ConnectionPool(consumer.clientId, { ...((consumer as unknown as Record<symbol, object>)[kafka.kOptions] ?? {}) });
    const activePool = pool;
    const ready: Fetched[] = [];
    const decompress = (codec: number, bytes: Buffer) => {
      const algorithm = kafka.compressionsAlgorithmsByBitmask[codec];
      if (algorithm === undefined) throw new Error(`record batch compressed with unknown codec ${codec}`);
      return algorithm.decompressSync(bytes);
    };
    const crc32c = settings.checkCrcs ? (bytes: Buffer) => kafka.crc32c(bytes) : undefined;
    const fail = (error: unknown) => {
      failure ??= { error };
      poke();
    };
    const send = (leader: Leader) => {
      if (leader.inflight || failure !== undefined || stopped || rebalanced) return;
      leader.inflight = true;
      const request = [
        {
          topicId: info.id,
          partitions: leader.partitions.map((p) => ({
            partition: p,
            fetchOffset: BigInt(position.get(p)!),
            partitionMaxBytes: settings.maxBytesPerPartition,
            currentLeaderEpoch: epochs.get(p) ?? -1,
            lastFetchedEpoch: -1,
          })),
        },
      ];
      activePool.get(leader.broker, (error, connection) => {
        if (error !== null) {
          leader.inflight = false;
          fail(error);
          return;
        }
        fetch(
          connection,
          settings.maxWaitTime,
          settings.minBytes,
          settings.maxBytes,
          settings.isolationLevel,
          0,
          0,
          request,
          [],
          "",
          (error: Error | null, response: FetchedPartition[]) => {
            leader.inflight = false;
            if (error !== null) {
              fail(error);
              return;
            }
            try {
              const readers: Fetched["readers"] = [];
              for (const part of response) {
                if (part.records === null) continue;
                const from = position.get(part.partition);
                if (from === undefined) continue;
                const reader = new RecordBatchReader(part.records, {
                  fromOffset: from,
                  crc32c,
                  decompress,
                  aborted: settings.isolationLevel === 1 && part.aborted.length > 0 ? sortAborted(part.aborted) : undefined,
                });
                position.set(part.partition, reader.nextOffset);
                readers.push({ partition: part.partition, reader });
              }
              leader.buffered++;
              ready.push({ leader, readers });
              // one fetch in flight while one is handled
              if (leader.buffered <= 1) send(leader);
              poke();
            } catch (err) {
              fail(err);
            }
          },
        );
      });
    };
    for (const leader of leaders.values()) send(leader);
    const read = kafkaRecordViewReader();
    let lastProgress = 0;
    let now = Date.now();
    for (;;) {
      if (stopped) break;
      if (rebalanced || consumer.generationId !== generation) throw new KafkaRebalance();
      if (failure !== undefined) throw failure.error;
      if (commitError !== undefined) throw new UserFailure(commitError.error);
      const next = ready.shift();
      if (next === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      for (const { partition, reader } of next.readers) {
        if (reader.batches > 0) lastSeen = Date.now();
        while (reader.next()) {
          const offset = reader.offset;
          let got: ReturnType<typeof read> | undefined;
          try {
            got = read(reader);
          } catch (err) {
            if (!isBridgeError(err)) throw new UserFailure(err);
            const copy = copyKafkaRecord(reader);
            try {
              await deadLetter({ error: err, topic, partition, offset: BigInt(offset), ...copy });
            } catch (failure) {
              throw new UserFailure(failure);
            }
            report.deadLettered++;
          }
          if (got !== undefined) {
            try {
              const done = handler(got.event, {
                topic,
                partition,
                offset: BigInt(offset),
                eventId: got.attributes.id,
                attributes: got.attributes,
              });
              if (done !== undefined) await done;
            } catch (err) {
              throw new UserFailure(err);
            }
            report.events++;
          }
          handled.set(partition, offset + 1);
          uncommitted++;
          if (o.count !== undefined && report.events >= o.count) {
            stopped = true;
            break;
          }
          if ((uncommitted & 255) === 0) {
            now = Date.now();
            if (now - lastProgress > 100) {
              progressed();
              lastProgress = now;
            }
          }
          if (uncommitted >= o.commitEvery) commitInBackground();
          if (rebalanced || failure !== undefined || (o.signal?.aborted ?? false)) break;
        }
        if (stopped || rebalanced || failure !== undefined) break;
      }
      now = Date.now();
      if (now - lastProgress > 100) {
        progressed();
        lastProgress = now;
      }
      if (uncommitted > 0 && now - lastCommit >= o.commitInterval) commitInBackground();
      // backpressure: while a commit (and the output's flush before it) is behind, fetch no more
      if (committing !== undefined && uncommitted >= o.commitEvery) await committing;
      next.leader.buffered--;
      if (next.leader.buffered <= 1) send(next.leader);
    }
    progressed();
    try {
      await commitAll();
    } catch (err) {
      throw new UserFailure(err);
    }
    return "done";
  } catch (err) {
    if (err instanceof UserFailure) {
      await commitAll().catch(() => {});
      throw err.error;
    }
    // the group changed: commit what was handled of the partitions kept, then resume from there;
    // the client failed: wait only for the commit in flight (a new one to a coordinator that went
    // away is retried for as long as the client's retries last, ~10 s in the cluster faults), and
    // what was handled since comes again
    if (err instanceof KafkaRebalance) await commitAll().catch(() => {});
    else await committing;
    return { error: err };
  } finally {
    consumer.removeListener("consumer:group:join", onJoin);
    endIdle();
    o.signal?.removeEventListener("abort", stop);
    const p = pool;
    if (p !== undefined) await new Promise<void>((resolve) => p.close(() => resolve()));
  }
}

function assigned(consumer: KafkaGroupConsumer, topic: string): number[] {
  return consumer.assignments?.find((a) => a.topic === topic)?.partitions ?? [];
}

function sortAborted(aborted: FetchedPartition["aborted"]): FetchedPartition["aborted"] {
  return [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
}

function fetchSettings(consumer: KafkaGroupConsumer, kafka: KafkaFetchPackage): FetchSettings {
  const options = ((consumer as unknown as Record<symbol, Record<string, unknown>>)[kafka.kOptions] ?? {}) as Record<string, unknown>;
  const num = (name: string, fallback: number) => (typeof options[name] === "number" ? (options[name] as number) : fallback);
  const maxBytes = num("maxBytes", 1 << 20);
  return {
    maxWaitTime: num("maxWaitTime", 500),
    minBytes: num("minBytes", 1),
    maxBytes,
    maxBytesPerPartition: num("maxBytesPerPartition", maxBytes),
    isolationLevel: num("isolationLevel", 1),
    checkCrcs: options.checkCrcs !== false,
  };
}
