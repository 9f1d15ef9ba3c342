import { readFileSync } from "node:fs";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { ProtobufDeserializer, ProtobufSerializer, SchemaId, SchemaRegistryClient, SerdeType } from "@confluentinc/schemaregistry";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decode,
  decodeEventMessage,
  encode,
  encodeEventMessage,
  equalJson,
  fromJson,
  fromMessage,
  IMAGE_GEN_CALL_COMPLETED,
  type ImageGenCallCompletedEvent,
  ImageGenCallCompletedSchema,
  ImageGenCallGeneratingSchema,
  ImageGenCallInProgressSchema,
  type ImageGenCallLifecycleEvent,
  ImageGenCallPartialImageSchema,
  toMessage,
} from "../src/index.js";
import { toKafkaRecord } from "../src/kafka/index.js";
import { confluentMessageIndexes, fromConfluent, toConfluent } from "../src/transport/index.js";
import { anyEvent, anyLifecycleEvent, seed } from "./support/arbitraries.js";
import { sseSample } from "./support/events.js";
import { codeAndPath } from "./support/refusal.js";

const T = IMAGE_GEN_CALL_COMPLETED;
const TOPIC = "openresponses.image-generation-call";
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

// Confluent's own serializer and deserializer, against its in-memory registry
const client = SchemaRegistryClient.newClient({ baseURLs: ["mock://"], cacheCapacity: 100 });
const serializer = new ProtobufSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: true });
serializer.registry.add(ImageGenCallCompletedSchema);
const deserializer = new ProtobufDeserializer(client, SerdeType.VALUE, {});
const theirs = (event: ImageGenCallCompletedEvent) => serializer.serialize(TOPIC, toMessage(event));
const readTheirs = async (bytes: Uint8Array) =>
  fromMessage(await deserializer.deserialize(TOPIC, Buffer.from(bytes))) as ImageGenCallCompletedEvent;
// the id the registry gave the schema on the first serialize
await theirs({ type: T, itemId: "ig_0", outputIndex: 0, sequenceNumber: 0 });
const schemaId = (await client.getLatestSchemaMetadata(`${TOPIC}-value`)).id!;

const sample = readFileSync(new URL("../examples/completed-events.ndjson", import.meta.url), "utf8")
  .trim()
  .split("\n")
  .slice(0, 200)
  .map((line) => fromJson(JSON.parse(line)) as ImageGenCallCompletedEvent);
const edges: ImageGenCallCompletedEvent[] = [
  { type: T, itemId: "", outputIndex: -0, sequenceNumber: 3469.55 },
  { type: T, itemId: "ig_😀\u0000", outputIndex: 2 ** 53, sequenceNumber: -(2 ** 53 - 1) },
  {
    type: T,
    itemId: "ig_1",
    outputIndex: 5e-324,
    sequenceNumber: 1e308,
    output_format: "png",
    meta: { tags: ["a", -0, null, true], z: {} },
  },
];

describe("Confluent framing, byte for byte against @confluentinc/schemaregistry", () => {
  it("the registry gave the schema an id", () => {
    expect(schemaId).toBeGreaterThan(0);
  });

  it("toConfluent writes exactly the bytes of Confluent's ProtobufSerializer", async () => {
    for (const event of [...sample, ...edges]) {
      const ours = toConfluent(encode(event), { schemaId });
      expect(hex(ours)).toBe(hex(await theirs(event)));
      expect(hex(ours.subarray(0, 6))).toBe(`00${schemaId.toString(16).padStart(8, "0")}00`);
    }
  });

  it("Confluent's ProtobufDeserializer reads our bytes, and we read theirs, to the same event", async () => {
    for (const event of [...sample, ...edges]) {
      expect(equalJson(await readTheirs(toConfluent(encode(event), { schemaId })), event)).toBe(true);
      const frame = fromConfluent(await theirs(event));
      expect(frame.schemaId).toBe(schemaId);
      expect(frame.messageIndexes).toEqual([0]);
      expect(equalJson(decode(frame.message), event)).toBe(true);
    }
  });

  it("both directions hold for any event", async () => {
    await fc.assert(
      fc.asyncProperty(anyEvent, async (event) => {
        expect(equalJson(await readTheirs(toConfluent(encode(event), { schemaId })), event)).toBe(true);
        expect(equalJson(decode(fromConfluent(await theirs(event)).message), event)).toBe(true);
      }),
      { seed, numRuns: 200 },
    );
  });

  it("message indexes: the same prefix as Confluent's SchemaId for any id and index path", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0x7fffffff }),
        fc.array(fc.integer({ min: 0, max: 0x7fffffff }), { minLength: 1, maxLength: 5 }),
        (id, indexes) => {
          const ours = toConfluent(new Uint8Array(0), { schemaId: id, messageIndexes: indexes });
          expect(hex(ours)).toBe(hex(new SchemaId("PROTOBUF", id, undefined, indexes).idToBytes()));
          const back = new SchemaId("PROTOBUF");
          expect(back.fromBytes(Buffer.from(ours))).toBe(ours.length);
          expect([back.id, back.messageIndexes]).toEqual([id, indexes]);
          expect(fromConfluent(ours)).toEqual({ schemaId: id, messageIndexes: indexes, message: new Uint8Array(0) });
        },
      ),
      { seed, numRuns: 500 },
    );
  });
});

describe("Confluent framing of the other lifecycle messages, against @confluentinc/schemaregistry", () => {
  // the file's other messages, by type: Confluent's serializer finds each one's index in the file itself
  const SCHEMAS = {
    "response.image_generation_call.in_progress": ImageGenCallInProgressSchema,
    "response.image_generation_call.generating": ImageGenCallGeneratingSchema,
    "response.image_generation_call.partial_image": ImageGenCallPartialImageSchema,
  } as const;
  for (const schema of Object.values(SCHEMAS)) serializer.registry.add(schema);
  const schemaOf = (type: string) => SCHEMAS[type as keyof typeof SCHEMAS];
  const theirsAny = (event: ImageGenCallLifecycleEvent) =>
    event.type === T ? theirs(event) : serializer.serialize(TOPIC, fromBinary(schemaOf(event.type), encodeEventMessage(event)));
  const others = sseSample().filter((e) => e.type !== T);

  it("toKafkaRecord's framed value is exactly Confluent's, with each type's message index; one schema id for the file", async () => {
    expect(new Set(others.map((e) => e.type)).size).toBe(3);
    for (const event of others) {
      const ours = toKafkaRecord(event, { confluent: { schemaId } }).value;
      expect(hex(ours)).toBe(hex(await theirsAny(event)));
      expect(fromConfluent(ours).messageIndexes).toEqual([...confluentMessageIndexes(event.type)]);
    }
    expect(
      fromConfluent(toKafkaRecord(others.find((e) => e.type.endsWith("partial_image"))!, { confluent: { schemaId } }).value).messageIndexes,
    ).toEqual([3]);
  });

  it("Confluent's ProtobufDeserializer reads our partial image and other values, and we read theirs, to the same event", async () => {
    for (const event of others) {
      const schema = schemaOf(event.type);
      const message = await deserializer.deserialize(TOPIC, Buffer.from(toKafkaRecord(event, { confluent: { schemaId } }).value));
      expect(message.$typeName).toBe(schema.typeName);
      expect(equalJson(decodeEventMessage(toBinary(schema, message), event.type), event)).toBe(true);
      const frame = fromConfluent(await theirsAny(event));
      expect(equalJson(decodeEventMessage(frame.message, event.type), event)).toBe(true);
    }
  });

  it("both directions hold for any lifecycle event: the same frame, each side reads the other's value", async () => {
    // (protobuf-es orders an unknown member's Struct keys its own way, so only the frame is compared byte for byte)
    await fc.assert(
      fc.asyncProperty(anyLifecycleEvent, async (event) => {
        const ours = fromConfluent(toKafkaRecord(event, { confluent: { schemaId } }).value);
        const theirsFrame = fromConfluent(await theirsAny(event));
        expect([theirsFrame.schemaId, theirsFrame.messageIndexes]).toEqual([ours.schemaId, ours.messageIndexes]);
        expect(equalJson(decodeEventMessage(theirsFrame.message, event.type), event)).toBe(true);
        if (event.type !== T) {
          const schema = schemaOf(event.type);
          const message = await deserializer.deserialize(TOPIC, Buffer.from(toKafkaRecord(event, { confluent: { schemaId } }).value));
          expect(equalJson(decodeEventMessage(toBinary(schema, message), event.type), event)).toBe(true);
        }
      }),
      { seed, numRuns: 200 },
    );
  });
});

describe("toConfluent", () => {
  it.each([
    [[0], "00"],
    [[1], "0202"],
    [[1, 0], "040200"],
    [[0, 0], "040000"],
    [[64], "028001"],
  ])("writes message indexes %j as zig-zag varints %s", (messageIndexes, indexHex) => {
    expect(hex(toConfluent(Uint8Array.of(0x0a, 0x00), { schemaId: 0x01020304, messageIndexes }))).toBe(`0001020304${indexHex}0a00`);
  });

  it("keeps the default message indexes for an option given as undefined", () => {
    expect(hex(toConfluent(Uint8Array.of(0x0a, 0x00), { schemaId: 1, messageIndexes: undefined as unknown as number[] }))).toBe(
      "0000000001000a00",
    );
  });

  it.each([
    [{ schemaId: -1 }, ["schemaId"]],
    [{ schemaId: 2 ** 31 }, ["schemaId"]],
    [{ schemaId: 1.5 }, ["schemaId"]],
    [{ schemaId: 1, messageIndexes: [] }, ["messageIndexes"]],
    [{ schemaId: 1, messageIndexes: [-1] }, ["messageIndexes", 0]],
  ])("refuses options %j as invalid_value at %j", (options, path) => {
    expect(codeAndPath(() => toConfluent(new Uint8Array(0), options))).toEqual({ code: "invalid_value", path });
  });
});

describe("fromConfluent refuses what is not a Confluent frame", () => {
  it.each([
    ["no bytes", "", "truncated"],
    ["a plain protobuf message", "0a0469675f31", "invalid_framing"],
    ["the GUID form (magic byte 1)", "01000000000000000000000000000000000000", "invalid_framing"],
    ["a cut schema id", "000000", "truncated"],
    ["no message indexes", "0000000001", "truncated"],
    ["a negative schema id", "00ffffffff00", "invalid_framing"],
    ["a negative index count", "000000000101", "invalid_framing"],
    ["fewer indexes than counted", "00000000010402", "truncated"],
    ["a negative index", "0000000001020300", "invalid_framing"],
    ["an index wider than 32 bits", "00000000010280808080f001", "varint_overflow"],
  ])("%s (%s): %s", (_, bytesHex, code) => {
    expect(codeAndPath(() => fromConfluent(Buffer.from(bytesHex, "hex")))).toEqual({ code, path: [] });
  });
});
