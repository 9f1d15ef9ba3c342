import type { ImageGenCallLifecycleEvent } from "../../src/index.js";
import { eventId } from "../../src/transport/index.js";
import { waitFor } from "./brokers.js";
import { type Publisher, publisher } from "./cluster.js";
import { type Tally, tally } from "./queue-clients.js";

/** What a consumer reading along saw: every delivery, and when each event id first came. */
export class Receiver {
  readonly got: { event: ImageGenCallLifecycleEvent; id: string }[] = [];
  readonly firstSeen = new Map<string, number>();
  private readonly arrivals: number[] = [];

  /** The handler to give the consumer. */
  readonly take = (event: ImageGenCallLifecycleEvent, id: string): void => {
    this.got.push({ event, id });
    if (!this.firstSeen.has(id)) {
      const now = performance.now();
      this.firstSeen.set(id, now);
      this.arrivals.push(now);
    }
  };

  /** Events seen at least once. */
  get unique(): number {
    return this.firstSeen.size;
  }

  /** The longest wait for a new event between `from` and the last arrival, in ms: how long the pipeline stood still. */
  longestGap(from: number): number {
    let longest = 0;
    let previous = from;
    for (const t of this.arrivals) {
      if (t < from) continue;
      longest = Math.max(longest, t - previous);
      previous = t;
    }
    return longest;
  }
}

/** The figures a fault test reports. */
export interface FaultFigures extends Tally {
  fault: string;
  acknowledged: number;
  /** The publisher's exit code. */
  exit: number | null;
  /** The longest time no new event reached the consumer after the fault began, in s. */
  recovery: number;
  /** From the first event written to the publisher's exit, in s. */
  publish: number;
}

/** One fault run: a publisher fed by `script`, a consumer reading along, and the tally at the end. */
export interface FaultRun {
  fault: string;
  events: ImageGenCallLifecycleEvent[];
  /** `orwire publish` arguments (broker, topic or subject, timeouts). */
  args: string[];
  /** Starts the consumer; it hands each event to `take` and stops on `signal`. */
  consume(take: Receiver["take"], signal: AbortSignal): Promise<unknown>;
  /** Writes the events to the publisher with the fault in between; returns when the fault began (performance.now()). */
  script(publisher: Publisher, receiver: Receiver): Promise<number>;
  /** After the publisher exited: waits until the nodes are back (e.g. a restart of those it killed). */
  recover?: () => Promise<unknown>;
}

/** Runs a fault and returns its figures and the publisher's stderr; every acknowledged event is awaited at the consumer (up to 3 minutes). */
export async function runFault(
  run: FaultRun,
): Promise<{ figures: FaultFigures; stderr: string; acknowledgedIds: string[]; exitedAt: number; received: Set<string> }> {
  const receiver = new Receiver();
  const stop = new AbortController();
  let consumerError: unknown;
  const consuming = run.consume(receiver.take, stop.signal).catch((err: unknown) => {
    consumerError = err;
  });
  const started = performance.now();
  const pub = publisher(run.args);
  let faultAt = started;
  let exit: { status: number | null; stderr: string };
  try {
    faultAt = await run.script(pub, receiver);
    exit = await pub.end();
    await run.recover?.();
    const acknowledged = acknowledgedCount(exit.status, exit.stderr);
    // after a full success, every event; after a failure, the events before the first one that was
    // not acknowledged (the publisher names it), which were all acknowledged
    const certain = exit.status === 0 ? acknowledged : firstUnacknowledged(exit.stderr) - 1;
    const acknowledgedIds = run.events.slice(0, certain).map(eventId);
    await waitFor(
      () => consumerError !== undefined || acknowledgedIds.every((id) => receiver.firstSeen.has(id)),
      180_000,
      "the consumer to see every acknowledged event",
      200,
    );
    // a little longer, so that late duplicates are counted too
    await new Promise((r) => setTimeout(r, 1000));
    if (consumerError !== undefined) throw consumerError;
    const t = tally(run.events, receiver.got);
    const lostAcknowledged = acknowledgedIds.filter((id) => !receiver.firstSeen.has(id)).length;
    const figures: FaultFigures = {
      fault: run.fault,
      ...t,
      lost: lostAcknowledged,
      acknowledged,
      exit: exit.status,
      recovery: receiver.longestGap(faultAt) / 1000,
      publish: ((pub.exitedAt() ?? performance.now()) - started) / 1000,
    };
    return {
      figures,
      stderr: exit.stderr,
      acknowledgedIds,
      exitedAt: pub.exitedAt() ?? performance.now(),
      received: new Set(receiver.firstSeen.keys()),
    };
  } finally {
    stop.abort();
    await consuming;
  }
}

/** How many events `orwire publish` says were acknowledged (its last stderr line). */
function acknowledgedCount(status: number | null, stderr: string): number {
  const m =
    status === 0
      ? /orwire publish: (\d+) events acknowledged/.exec(stderr)
      : /; (\d+) events (?:before it )?were acknowledged/.exec(stderr);
  if (m === null) throw new Error(`orwire publish exited ${status} without saying how many events were acknowledged: ${stderr}`);
  return Number(m[1]);
}

/** The record `orwire publish` names as the first one not acknowledged. */
function firstUnacknowledged(stderr: string): number {
  const m = /^orwire: record (\d+)/.exec(stderr);
  if (m === null) throw new Error(`orwire publish failed without naming the first record not acknowledged: ${stderr}`);
  return Number(m[1]);
}

/** One line of figures for the log and the closing note. */
export function describeFigures(f: FaultFigures): string {
  return `${f.fault}: sent ${f.sent}, acknowledged ${f.acknowledged}, received ${f.received}, unique ${f.unique}, lost ${f.lost}, duplicates ${f.duplicates}, changed ${f.changed}; publish exit ${f.exit} after ${f.publish.toFixed(1)} s; recovery ${f.recovery.toFixed(1)} s (longest wait for a new event after the fault)`;
}
