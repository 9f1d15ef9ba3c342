import { readFileSync } from "node:fs";
import {
  fromWireJson,
  IMAGE_GEN_CALL_COMPLETED,
  type ImageGenCallCompletedEvent,
  type ImageGenCallLifecycleEvent,
} from "../../src/index.js";
import { SseParser } from "../../src/transport/index.js";
import { lifecycleEvents } from "../../src/transport/sse.js";

/** A small deterministic PRNG (mulberry32), so a failing run reproduces. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AWKWARD_NUMBERS = [3469.55, -0, 2 ** 53, 1e308, 5e-324, -(2 ** 53 - 1), 0.1];
const AWKWARD_IDS = ["", "ig_é😀", "ig_\u0000nul", 'ig_ "quoted" %41', "\uFEFFig_bom", "ig_a:b:c"];

/**
 * `count` events over `items` item ids, `perItem`-style: each item's events have increasing
 * sequence numbers and are interleaved with other items', as a stream of many calls looks. Every
 * 97th event carries an awkward number, id or unknown member, so that a broker round trip is
 * checked for exactness too. `tag` makes the ids unique to one test run.
 */
export function makeEvents(count: number, options: { items?: number; tag?: string; seed?: number } = {}): ImageGenCallCompletedEvent[] {
  const items = options.items ?? Math.max(1, Math.floor(count / 20));
  const tag = options.tag ?? "";
  const random = prng(options.seed ?? 20261126);
  const next = new Array<number>(items).fill(0);
  const events: ImageGenCallCompletedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const item = Math.floor(random() * items);
    const awkward = i % 97 === 0;
    const itemId =
      awkward && item < AWKWARD_IDS.length
        ? `${AWKWARD_IDS[item]}${tag}`
        : `ig_${tag}${item.toString(16).padStart(8, "0")}${"0c24cad2e1cb59201b3d503d387b03578e70c950ca42f".slice(0, 37 - tag.length)}`;
    const event: ImageGenCallCompletedEvent = {
      type: IMAGE_GEN_CALL_COMPLETED,
      itemId,
      outputIndex: awkward ? AWKWARD_NUMBERS[i % AWKWARD_NUMBERS.length]! : item % 4,
      sequenceNumber: next[item]!++,
    };
    if (awkward && i % 2 === 0) event.output_format = { kind: "png", sizes: [1024, -0], note: "ünïcödé 😀" };
    events.push(event);
  }
  return events;
}

/**
 * The image generation call events of the shipped Responses API stream, examples/image-generation.sse:
 * 10 events of two calls, every lifecycle type, four partial images included, in stream order.
 */
export function sseSample(): ImageGenCallLifecycleEvent[] {
  const parser = new SseParser();
  const text = readFileSync(new URL("../../examples/image-generation.sse", import.meta.url), "utf8");
  return lifecycleEvents([...parser.push(text), ...parser.end()], new Map()).map((e) => fromWireJson(e.data));
}
