// Writes examples/completed-events.ndjson: a reproducible sample of completed image generation
// events as the Responses API streams them (wire JSON, 48-character `ig_` ids), plus the SDK
// page's own example in SDK shape. Run: node scripts/make-sample.mjs
import { writeFileSync } from "node:fs";

let state = 0x2962b070;
const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const hex = (n) => Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join("");

const lines = [];
for (let i = 0; i < 1000; i++) {
  const outputIndex = next() < 0.8 ? 0 : next() < 0.7 ? 1 : 2;
  const partials = Math.floor(next() * 4);
  lines.push(
    JSON.stringify({
      type: "response.image_generation_call.completed",
      output_index: outputIndex,
      item_id: `ig_${hex(45)}`,
      sequence_number: 3 + outputIndex * 6 + partials * 2 + Math.floor(next() * 3),
    }),
  );
}
// the example of the SDK's reference page, in SDK shape: a fractional output index
lines.push(JSON.stringify({ type: "response.image_generation_call.completed", itemId: "<id>", outputIndex: 3469.55, sequenceNumber: 0 }));
writeFileSync(new URL("../examples/completed-events.ndjson", import.meta.url), `${lines.join("\n")}\n`);
