import { readFileSync } from "node:fs";
import type { BridgeErrorCode, BridgePath, ImageGenCallCompletedEvent, ImageGenCallCompletedWireJson, ImageGenCallLifecycleEvent } from "../../src/index.js";

/** A valid golden vector: an event in both JSON shapes and its bytes. */
export interface ValidVector {
  name: string;
  description: string;
  sdk: ImageGenCallCompletedEvent;
  wire: ImageGenCallCompletedWireJson;
  hex: string;
  decode_only?: boolean;
}

/** Bytes every decoder must refuse. */
export interface InvalidBinaryVector {
  name: string;
  layer: "protobuf" | "bridge";
  hex: string;
  code: BridgeErrorCode;
  path: BridgePath;
}

/** JSON text the encoder must refuse. */
export interface InvalidJsonVector {
  name: string;
  shape: "sdk" | "wire";
  json: string;
  code: BridgeErrorCode;
  path: BridgePath;
}

const load = <T>(file: string): T[] => (JSON.parse(readFileSync(new URL(`../vectors/${file}`, import.meta.url), "utf8")) as { cases: T[] }).cases;

/** A valid envelope vector: a lifecycle event in both JSON shapes and its envelope bytes. */
export interface EventVector {
  name: string;
  description: string;
  sdk: ImageGenCallLifecycleEvent;
  wire: Record<string, unknown>;
  hex: string;
}

/** The golden vectors in test/vectors/, shared by every language's tests. */
export const vectors = {
  events: load<EventVector>("events.json"),
  invalidEvents: load<Omit<InvalidBinaryVector, "layer">>("invalid-events.json"),
  valid: load<ValidVector>("valid.json"),
  invalidBinary: load<InvalidBinaryVector>("invalid-binary.json"),
  invalidJson: load<InvalidJsonVector>("invalid-json.json"),
};

/** Hex to bytes. */
export const fromHex = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, "hex"));
/** Bytes to hex. */
export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
