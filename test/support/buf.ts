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
export function goDecode(bytes: Uint8Array): { json: Record<string, unknown> } | { error: string } {
  if (!built) {
    execFileSync(buf, ["build", "-o", image], { cwd: root });
    built = true;
  }
  const input = join(dir, "input.binpb");
  writeFileSync(input, bytes);
  const run = spawnSync(buf, ["convert", image, "--type", TYPE, "--from", input, "--to", "-#format=json"], { encoding: "utf8" });
  if (run.status !== 0) return { error: run.stderr.trim() };
  return { json: JSON.parse(run.stdout) as Record<string, unknown> };
}

/** Maps Go's protojson of the message to the SDK object, by the schema's mapping rules. */
export function sdkFromProtoJson(json: Record<string, unknown>): Record<string, unknown> {
  const number = (int: unknown, double: unknown): unknown => (int !== undefined ? Number(int as string) : double);
  return {
    type: "response.image_generation_call.completed",
    itemId: json.itemId,
    outputIndex: number(json.outputIndex, json.outputIndexDouble),
    sequenceNumber: number(json.sequenceNumber, json.sequenceNumberDouble),
    ...(json.extra as Record<string, unknown> | undefined),
  };
}
