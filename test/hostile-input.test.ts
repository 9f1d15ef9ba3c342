/**
 * Hostile and careless input to the core: user code that runs while an event is read (getters,
 * Proxies, re-entrant calls), values that change between reads, and arguments of the wrong kind.
 * Every case either encodes exactly what was checked or is a BridgeError with a code and a path.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decode,
  decodeAny,
  decodeEvent,
  encode,
  encodeEvent,
  encodeEventInto,
  encodeInto,
  equalJson,
  fromJson,
  type ImageGenCallCompletedEvent,
  stringifyJson,
  toWireJson,
  validateEvent,
} from "../src/index.js";
import { percentEncode } from "../src/transport/cloudevents.js";
import { toConfluent } from "../src/transport/confluent.js";
import { DelimitedWriter } from "../src/transport/delimited.js";
import { anyEvent } from "./support/arbitraries.js";
import { codeAndPath } from "./support/refusal.js";

const T = "response.image_generation_call.completed" as const;
const plain: ImageGenCallCompletedEvent = { type: T, itemId: "ig_plain", outputIndex: 1, sequenceNumber: 2 };
const other: ImageGenCallCompletedEvent = { type: T, itemId: "ig_other_event", outputIndex: 99, sequenceNumber: 100, note: "other" };

/** An event whose member `key` is a getter that runs `effect` and returns `value`. */
function withGetter(key: string, value: unknown, effect: () => void): ImageGenCallCompletedEvent {
  const event = { ...plain } as Record<string, unknown>;
  delete event[key];
  Object.defineProperty(event, key, {
    enumerable: true,
    get() {
      effect();
      return value;
    },
  });
  return event as ImageGenCallCompletedEvent;
}

/** An event whose member `key` gives the next of `values` at each read. */
function changing(key: string, values: unknown[]): ImageGenCallCompletedEvent {
  let reads = 0;
  return Object.defineProperty({ ...plain }, key, {
    enumerable: true,
    get: () => values[Math.min(reads++, values.length - 1)],
  }) as ImageGenCallCompletedEvent;
}

describe("re-entrant calls", () => {
  const reentrant: [string, string, unknown][] = [
    ["itemId", "itemId", "ig_plain"],
    ["an unknown member", "extra", { nested: [1, "two"] }],
  ];

  it.each(reentrant)("encode gives its own bytes when a getter on %s encodes another event", (_, key, value) => {
    const expected = encode({ ...plain, [key]: value } as ImageGenCallCompletedEvent);
    const event = withGetter(key, value, () => encode(other));
    expect(encode(event)).toEqual(expected);
    expect(decode(encode(event))).toEqual({ ...plain, [key]: value });
  });

  it.each(reentrant)("encodeInto, encodeEvent and DelimitedWriter do too (getter on %s)", (_, key, value) => {
    const clean = { ...plain, [key]: value } as ImageGenCallCompletedEvent;
    const event = withGetter(key, value, () => {
      encodeEvent(other);
      encodeInto(other, new Uint8Array(256), 0);
    });
    const buf = new Uint8Array(256);
    const end = encodeInto(event, buf, 0);
    expect(buf.subarray(0, end)).toEqual(encode(clean));
    expect(encodeEvent(event)).toEqual(encodeEvent(clean));
    const into = new Uint8Array(256);
    expect(into.subarray(0, encodeEventInto(event, into, 0))).toEqual(encodeEvent(clean));
    const writer = new DelimitedWriter();
    writer.write(event);
    const other_ = new DelimitedWriter();
    other_.write(clean);
    expect(Buffer.concat(writer.drain())).toEqual(Buffer.concat(other_.drain()));
  });
});

describe("values that change between reads", () => {
  const cases: [string, string, unknown[]][] = [
    ["itemId: a string, then null", "itemId", ["ig_ok", null]],
    ["itemId: a string, then a number string", "itemId", ["ig_ok", "7"]],
    ["itemId: well-formed, then a lone surrogate", "itemId", ["ig_ok", "\uD800"]],
    ["outputIndex: a number, then a bigint", "outputIndex", [3, 3n]],
    ["an unknown member: a string, then an object holding undefined", "meta", ["fine", { bad: undefined }]],
  ];

  it.each(cases)("%s: each value is read once and the checked one is written", (_, key, values) => {
    const event = changing(key, values);
    const bytes = encode(event);
    expect(decode(bytes)).toEqual({ ...plain, [key]: values[0] });
    expect(decode(encode(changing(key, values)))).toEqual(decode(encodeEvent(changing(key, values)).subarray(2)));
  });

  it("reads each member of a Proxy once", () => {
    const reads = new Map<PropertyKey, number>();
    const target = { ...plain, meta: { a: [1, 2], b: "x" } };
    const proxy = new Proxy(target, {
      get(t, key, receiver) {
        reads.set(key, (reads.get(key) ?? 0) + 1);
        return Reflect.get(t, key, receiver);
      },
    });
    encode(proxy as ImageGenCallCompletedEvent);
    for (const key of ["type", "itemId", "outputIndex", "sequenceNumber", "meta"]) expect(reads.get(key)).toBe(1);
  });
});

describe("values as JSON.stringify sees them", () => {
  it("reads arrays by index and length, never by their iterator", () => {
    const list = [1, 2, 3];
    Object.defineProperty(list, Symbol.iterator, { value: () => [9][Symbol.iterator]() });
    expect(decode(encode({ ...plain, list } as ImageGenCallCompletedEvent)).list).toEqual([1, 2, 3]);
  });

  it("ignores symbol keys and non-enumerable properties", () => {
    const event = { ...plain, [Symbol("s")]: 1 } as ImageGenCallCompletedEvent;
    Object.defineProperty(event, "hidden", { value: 1, enumerable: false });
    expect(encode(event)).toEqual(encode(plain));
    expect(JSON.parse(JSON.stringify(event))).toEqual(decode(encode(event)));
  });

  it("ignores members inherited through the prototype, even polluted ones", () => {
    const proto = { itemId: "polluted", outputIndex: 1, sequenceNumber: 2 };
    const event = Object.setPrototypeOf({ type: T }, proto);
    expect(codeAndPath(() => encode(event))).toEqual({ code: "invalid_type", path: [] });
    const bare = Object.assign(Object.create(null), { type: T, outputIndex: 1, sequenceNumber: 2 });
    expect(codeAndPath(() => encode(bare))).toEqual({ code: "missing_field", path: ["itemId"] });
  });

  const arrays: [string, unknown, (string | number)[]][] = [
    ["an extra named property", Object.assign([1, 2], { label: "x" }), ["list", "label"]],
    ["a hole and an extra property", Object.assign([1, , 3], { x: 1 }), ["list", 1]],
    ["a hole at the end", [1, 2, ,], ["list", 2]],
  ];
  it.each(arrays)("refuses an array with %s", (_, list, path) => {
    expect(codeAndPath(() => encode({ ...plain, list } as unknown as ImageGenCallCompletedEvent))).toEqual({
      code: "unsupported_value",
      path,
    });
    expect(codeAndPath(() => validateEvent({ ...plain, list }))).toEqual({ code: "unsupported_value", path });
  });

  it("checks and converts any event the same way through every entry point", () => {
    fc.assert(
      fc.property(anyEvent, (event) => {
        const wire = toWireJson(event);
        expect(equalJson(fromJson(wire), event)).toBe(true);
        expect(encode(fromJson(wire))).toEqual(encode(event));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("arguments of the wrong kind are BridgeErrors", () => {
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;

  const refusals: [string, () => unknown, string, (string | number)[]][] = [
    ["decodeAny(undefined)", () => decodeAny(undefined as never), "invalid_type", []],
    ["decodeAny(null)", () => decodeAny(null as never), "invalid_type", []],
    ["decodeEvent(a string)", () => decodeEvent("0a" as never), "invalid_type", []],
    ["toConfluent with a schema id past int32", () => toConfluent(new Uint8Array(1), { schemaId: 2 ** 31 }), "invalid_value", ["schemaId"]],
    ["toConfluent with a negative schema id", () => toConfluent(new Uint8Array(1), { schemaId: -1 }), "invalid_value", ["schemaId"]],
    [
      "toConfluent with a fractional index",
      () => toConfluent(new Uint8Array(1), { schemaId: 1, messageIndexes: [0.5] }),
      "invalid_value",
      ["messageIndexes", 0],
    ],
    [
      "toConfluent with no indexes",
      () => toConfluent(new Uint8Array(1), { schemaId: 1, messageIndexes: [] }),
      "invalid_value",
      ["messageIndexes"],
    ],
    [
      "toConfluent with indexes not an array",
      () => toConfluent(new Uint8Array(1), { schemaId: 1, messageIndexes: 3 as never }),
      "invalid_value",
      ["messageIndexes"],
    ],
    ["toConfluent with a string id", () => toConfluent(new Uint8Array(1), { schemaId: "7" as never }), "invalid_value", ["schemaId"]],
    ["percentEncode(null)", () => percentEncode(null as never), "invalid_type", []],
    ["percentEncode(a number)", () => percentEncode(7 as never), "invalid_type", []],
    ["equalJson on cyclic input", () => equalJson(cyclic, cyclic), "too_deep", []],
    ["equalJson on 100,000-deep input", () => equalJson(deep, deep), "too_deep", []],
    ["stringifyJson on cyclic input", () => stringifyJson(cyclic), "too_deep", []],
    ["stringifyJson on 100,000-deep input", () => stringifyJson(deep), "too_deep", []],
    ["stringifyJson on a bigint", () => stringifyJson({ n: 1n }), "unsupported_value", []],
    ["encodeInto at NaN", () => encodeInto(plain, new Uint8Array(64), Number.NaN), "invalid_value", []],
    ["encodeInto at -1", () => encodeInto(plain, new Uint8Array(64), -1), "invalid_value", []],
    ["encodeInto at 1.5", () => encodeInto(plain, new Uint8Array(64), 1.5), "invalid_value", []],
    ["encodeInto past the end", () => encodeInto(plain, new Uint8Array(64), 65), "invalid_value", []],
    ["encodeInto a plain array", () => encodeInto(plain, [] as never, 0), "invalid_type", []],
    ["encodeEventInto at NaN", () => encodeEventInto(plain, new Uint8Array(64), Number.NaN), "invalid_value", []],
  ];

  it.each(refusals)("%s", (_, fn, code, path) => {
    const result = codeAndPath(fn);
    expect(result.code).toBe(code);
    if (code !== "too_deep") expect(result.path).toEqual(path);
  });

  it("toConfluent with messageIndexes undefined keeps the default", () => {
    expect(toConfluent(new Uint8Array([7]), { schemaId: 1, messageIndexes: undefined })).toEqual(
      toConfluent(new Uint8Array([7]), { schemaId: 1 }),
    );
  });
});
