import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const buf = join(root, "node_modules/.bin/buf");
const dir = mkdtempSync(join(tmpdir(), "orwire-buf-"));
const image = join(dir, "image.binpb");
let built = false;

/** The message type every conversion uses. */
export const TYPE = "openresponses.v1.ImageGenCallCompleted";

/**
 * Decodes bytes with Go's protobuf through `buf convert` and returns its protojson, or the
 * error it printed: an independent implementation of the wire format.
 */
export function goDecode(bytes: Uint8Array, type: string = TYPE): { json: Record<string, unknown> } | { error: string } {
  if (!built) {
    execFileSync(buf, ["build", "-o", image], { cwd: root });
    built = true;
  }
  const input = join(dir, "input.binpb");
  writeFileSync(input, bytes);
  const run = spawnSync(buf, ["convert", image, "--type", type, "--from", input, "--to", "-#format=json"], { encoding: "utf8" });
  if (run.status !== 0) return { error: run.stderr.trim() };
  return { json: JSON.parse(run.stdout) as Record<string, unknown> };
}

const number = (int: unknown, double: unknown): unknown => (int !== undefined ? Number(int as string) : double);

/** Maps Go's protojson of a lifecycle message to the SDK object, by the schema's mapping rules. */
export function sdkFromProtoJson(
  json: Record<string, unknown>,
  type = "response.image_generation_call.completed",
): Record<string, unknown> {
  const event: Record<string, unknown> = {
    type,
    itemId: json.itemId,
    outputIndex: number(json.outputIndex, json.outputIndexDouble),
    sequenceNumber: number(json.sequenceNumber, json.sequenceNumberDouble),
  };
  if (type.endsWith(".partial_image")) {
    // protojson writes the bytes variant as canonical base64, which is the SDK's text
    event.partialImageB64 = json.partialImage ?? json.partialImageB64;
    event.partialImageIndex = number(json.partialImageIndex, json.partialImageIndexDouble);
  }
  return { ...event, ...(json.extra as Record<string, unknown> | undefined) };
}

const CASES: Record<string, string> = {
  inProgress: "in_progress",
  generating: "generating",
  partialImage: "partial_image",
  completed: "completed",
};

/** Maps Go's protojson of an `ImageGenCallEvent` envelope to the SDK object of the event it holds. */
export function sdkFromEnvelopeJson(json: Record<string, unknown>): Record<string, unknown> {
  const [name, inner] = Object.entries(json)[0]!;
  return sdkFromProtoJson(inner as Record<string, unknown>, `response.image_generation_call.${CASES[name]}`);
}
