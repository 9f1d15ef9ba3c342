/**
 * Confluent Schema Registry's wire format for protobuf values: the magic byte `0x00`, the schema id
 * as a big-endian int32, the message indexes, then the message bytes.
 * Spec: https://docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/index.html#wire-format
 */
import { file_openresponses_v1_image_gen_call } from "../../gen/openresponses/v1/image_gen_call_pb.js";
import { BridgeError } from "../errors.js";
import type { ImageGenCallLifecycleEvent } from "../json/event.js";
import { EVENT_KINDS } from "../json/event.js";
import { withDefaults } from "../options.js";
import { readVarint32, VARINT_INCOMPLETE, varint32End, varint32Size, writeVarint32 } from "../wire/varint.js";

/** The first byte of a Confluent-framed value that carries a schema id. */
export const CONFLUENT_MAGIC_BYTE = 0x00;

/** How a message is framed for the registry. */
export interface ConfluentOptions {
  /** The id the registry gave the schema: an integer in 0..2^31-1. */
  schemaId: number;
  /**
   * The message's position in its `.proto` file: `[0]` for the first top-level message
   * (`ImageGenCallCompleted`), `[1, 0]` for the first message nested in the second. Default `[0]`;
   * `toKafkaRecord` defaults to the event type's own index (`confluentMessageIndexes`).
   */
  messageIndexes: readonly number[];
}

/** The defaults of `ConfluentOptions` (the schema id has none). */
export const defaultConfluentOptions: Readonly<Pick<ConfluentOptions, "messageIndexes">> = Object.freeze({
  messageIndexes: Object.freeze([0]),
});

const MESSAGE_INDEXES: ReadonlyMap<string, readonly number[]> = new Map(
  [...EVENT_KINDS.values()].map((kind) => {
    const index = file_openresponses_v1_image_gen_call.messages.findIndex((m) => m.typeName === kind.message);
    if (index < 0) throw new Error(`${kind.message} is not a top-level message of openresponses/v1/image_gen_call.proto`);
    return [kind.type, Object.freeze([index])];
  }),
);

/**
 * The message indexes of a lifecycle type's message in `openresponses/v1/image_gen_call.proto`, as
 * the generated file descriptor orders its messages: `[0]` completed, `[1]` in progress, `[2]`
 * generating, `[3]` partial image.
 */
export function confluentMessageIndexes(type: ImageGenCallLifecycleEvent["type"]): readonly number[] {
  const indexes = MESSAGE_INDEXES.get(type);
  if (indexes === undefined)
    throw new BridgeError("invalid_value", ["type"], `${JSON.stringify(type)} is not a lifecycle event type`, { value: type });
  return indexes;
}

/** A Confluent-framed value taken apart. */
export interface ConfluentFrame {
  schemaId: number;
  messageIndexes: number[];
  /** The protobuf message bytes (a view into the input). */
  message: Uint8Array;
}

const MAX_INT32 = 0x7fffffff;

function isInt32(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= MAX_INT32;
}

/**
 * Frames message bytes for the registry: `0x00`, the schema id (int32, big-endian), the message
 * indexes (their count, then each index, as zig-zag varints; `[0]` as the single byte `0x00`),
 * then the message. Refuses, as `invalid_value`, a schema id or index outside 0..2^31-1.
 */
export function toConfluent(message: Uint8Array, options: Partial<ConfluentOptions> & Pick<ConfluentOptions, "schemaId">): Uint8Array {
  if (!(message instanceof Uint8Array)) throw new BridgeError("invalid_type", [], "expected a Uint8Array of message bytes");
  const { schemaId, messageIndexes } = withDefaults<Partial<ConfluentOptions>>(defaultConfluentOptions, options) as ConfluentOptions;
  if (!isInt32(schemaId))
    throw new BridgeError("invalid_value", ["schemaId"], "the schema id must be a whole number in 0..2^31-1", { value: schemaId });
  if (!Array.isArray(messageIndexes) || messageIndexes.length === 0) {
    throw new BridgeError("invalid_value", ["messageIndexes"], "the message indexes must be an array naming a message: at least one index");
  }
  messageIndexes.forEach((index, i) => {
    if (!isInt32(index))
      throw new BridgeError("invalid_value", ["messageIndexes", i], "a message index must be a whole number in 0..2^31-1", {
        value: index,
      });
  });
  const single = messageIndexes.length === 1 && messageIndexes[0] === 0;
  const indexes = single ? [] : [messageIndexes.length, ...messageIndexes];
  const indexBytes = single ? 1 : indexes.reduce((n, i) => n + varint32Size(i * 2), 0);
  const out = new Uint8Array(5 + indexBytes + message.length);
  out[0] = CONFLUENT_MAGIC_BYTE;
  new DataView(out.buffer).setInt32(1, schemaId, false);
  let pos = 5;
  if (single) out[pos++] = 0;
  else for (const i of indexes) pos = writeVarint32(i * 2, out, pos);
  out.set(message, pos);
  return out;
}

/**
 * Takes a Confluent-framed value apart. Refuses, as `invalid_framing`, another magic byte (`0x01`
 * is the GUID form, not read here), a negative schema id, and a negative index count or index;
 * as `truncated`, bytes that end inside the frame; as `varint_overflow`, an index wider than 32 bits.
 */
export function fromConfluent(bytes: Uint8Array): ConfluentFrame {
  if (bytes.length === 0)
    throw new BridgeError("truncated", [], "no bytes: a Confluent frame starts with the magic byte 0x00", { offset: 0 });
  if (bytes[0] !== CONFLUENT_MAGIC_BYTE) {
    const what =
      bytes[0] === 0x01
        ? "the GUID form (magic byte 0x01), which is not read here"
        : `not Confluent framing: the first byte is 0x${bytes[0]!.toString(16).padStart(2, "0")}, not the magic byte 0x00`;
    throw new BridgeError("invalid_framing", [], what, { offset: 0, value: bytes[0] });
  }
  if (bytes.length < 6)
    throw new BridgeError("truncated", [], "bytes end inside the Confluent frame (magic byte, schema id, message indexes)", {
      offset: bytes.length,
    });
  const schemaId = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt32(1, false);
  if (schemaId < 0) throw new BridgeError("invalid_framing", [], `schema id ${schemaId} is negative`, { offset: 1, value: schemaId });
  let pos = 5;
  const readZigZag = (what: string): number => {
    const at = pos;
    const n = readVarint32(bytes, pos, bytes.length);
    if (n === VARINT_INCOMPLETE) throw new BridgeError("truncated", [], `bytes end inside the ${what}`, { offset: at });
    if (n < 0) throw new BridgeError("varint_overflow", [], `the ${what} is wider than 32 bits`, { offset: at });
    pos = varint32End;
    const value = n % 2 === 0 ? n / 2 : -(n + 1) / 2;
    if (value < 0) throw new BridgeError("invalid_framing", [], `the ${what} is negative (${value})`, { offset: at, value });
    return value;
  };
  const count = readZigZag("message index count");
  const messageIndexes: number[] = [];
  if (count === 0) messageIndexes.push(0);
  for (let i = 0; i < count; i++) messageIndexes.push(readZigZag("message indexes"));
  return { schemaId, messageIndexes, message: bytes.subarray(pos) };
}
