import { type EventVector, type InvalidEventVector, loadGoldenVectors } from "../../src/conformance/golden-vectors.js";

export type { EventVector, InvalidBinaryVector, InvalidJsonVector, ValidVector } from "../../src/conformance/golden-vectors.js";

const all = loadGoldenVectors();

/** The golden vectors in test/vectors/, shared by every language's tests. */
export const vectors = {
  ...all,
  events: all.events as EventVector[],
  invalidEvents: all.invalidEvents as InvalidEventVector[],
};

/** Hex to bytes. */
export const fromHex = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, "hex"));
/** Bytes to hex. */
export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
