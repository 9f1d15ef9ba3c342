/**
 * The golden vectors, `test/vectors/*.json` of this package (shipped with it): the one source of
 * truth that this codec's tests, the interop codecs and the conformance kit all check against.
 */
import { existsSync, readFileSync } from "node:fs";
import type { BridgeErrorCode, BridgePath } from "../errors.js";
import type { ImageGenCallCompletedEvent, ImageGenCallLifecycleEvent, JsonObject } from "../json/event.js";

/** A valid case: an event in both JSON shapes and its message bytes; `decode_only` bytes are another producer's. */
export interface ValidVector {
  name: string;
  description: string;
  sdk: ImageGenCallCompletedEvent;
  wire: JsonObject;
  hex: string;
  decode_only?: boolean;
}

/** Bytes every decoder refuses; `layer` says whether protobuf itself or the bridge's contract refuses them. */
export interface InvalidBinaryVector {
  name: string;
  layer: "protobuf" | "bridge";
  hex: string;
  code: BridgeErrorCode;
  path: BridgePath;
}

/** JSON text (in the given shape) every encoder refuses. */
export interface InvalidJsonVector {
  name: string;
  shape: "sdk" | "wire";
  json: string;
  code: BridgeErrorCode;
  path: BridgePath;
}

/** A valid envelope case (`events.json`): a lifecycle event in both JSON shapes and its `ImageGenCallEvent` bytes. */
export interface EventVector {
  name: string;
  description: string;
  sdk: ImageGenCallLifecycleEvent;
  wire: JsonObject;
  hex: string;
}

/** Envelope bytes every decoder refuses (`invalid-events.json`). */
export interface InvalidEventVector {
  name: string;
  hex: string;
  code: BridgeErrorCode;
  path: BridgePath;
}

/** The vector files: the completed message's three and the envelope's two. */
export interface GoldenVectors {
  valid: ValidVector[];
  invalidBinary: InvalidBinaryVector[];
  invalidJson: InvalidJsonVector[];
  /** Envelope cases; absent in vectors built by hand for the completed message only. */
  events?: EventVector[];
  invalidEvents?: InvalidEventVector[];
}

// src/golden-vectors.ts and dist/src/golden-vectors.js both find the package's test/vectors/
const CANDIDATES = ["../../test/vectors/", "../../../test/vectors/"];

/** The directory of the golden vectors of this package. */
export function goldenVectorsDir(): URL {
  for (const candidate of CANDIDATES) {
    const dir = new URL(candidate, import.meta.url);
    if (existsSync(new URL("valid.json", dir))) return dir;
  }
  throw new Error(`the golden vectors (test/vectors/valid.json) are not next to ${import.meta.url}`);
}

/** Reads the golden vectors (JSON.parse keeps the vectors' `-0`). */
export function loadGoldenVectors(dir: URL = goldenVectorsDir()): GoldenVectors {
  const load = <T>(file: string): T[] => (JSON.parse(readFileSync(new URL(file, dir), "utf8")) as { cases: T[] }).cases;
  return {
    valid: load<ValidVector>("valid.json"),
    invalidBinary: load<InvalidBinaryVector>("invalid-binary.json"),
    invalidJson: load<InvalidJsonVector>("invalid-json.json"),
    events: load<EventVector>("events.json"),
    invalidEvents: load<InvalidEventVector>("invalid-events.json"),
  };
}
