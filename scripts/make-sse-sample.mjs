// Writes examples/partial-image.png (a small real PNG) and examples/image-generation.sse: a
// Responses API server-sent-event stream of two image generation calls, their lifecycle events
// interleaved with other Responses events, partial images as base64 PNGs. Reproducible.
// Run: node scripts/make-sse-sample.mjs
import { writeFileSync } from "node:fs";
import { crc32, deflateSync } from "node:zlib";

let noise = 0x2962b070;
const grain = () => ((noise = (Math.imul(noise, 1664525) + 1013904223) >>> 0) >>> 27) - 16;

/** A true-colour PNG of `size`×`size` pixels whose detail grows with `pass` (0 = blurry preview). */
function png(size, pass, hue) {
  const raw = Buffer.alloc((size * 3 + 1) * size);
  const block = Math.max(1, size >> (pass + 2));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 3 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const bx = Math.floor(x / block) * block;
      const by = Math.floor(y / block) * block;
      const d = Math.hypot(bx - size / 2, by - size / 2) / (size / 2);
      const o = y * (size * 3 + 1) + 1 + x * 3;
      const g = pass > 0 ? grain() : 0; // film grain once the preview sharpens
      raw[o] = clamp(255 * Math.max(0, 1 - d) * hue[0] + g);
      raw[o + 1] = clamp(255 * (1 - Math.abs(0.5 - by / size)) * hue[1] + g);
      raw[o + 2] = clamp(255 * (bx / size) * hue[2] + g);
    }
  }
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function clamp(v) {
  return Math.max(0, Math.min(255, Math.round(v)));
}

const root = new URL("../examples/", import.meta.url);
writeFileSync(new URL("partial-image.png", root), png(96, 1, [1, 0.8, 0.9]));

let seq = 0;
const out = [];
const emit = (type, body) => {
  out.push(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...body })}\n\n`);
};
const response = { id: "resp_68b1c2f0a4d08190b1c7d0e5a3f2c1d4", object: "response", model: "gpt-4.1-mini", status: "in_progress" };
const calls = [
  { id: "ig_68b1c2f3e58c8191a0d6b2c4e1f7a9b30c24cad2e1cb592", index: 0, hue: [1, 0.8, 0.9] },
  { id: "ig_68b1c2f3e58c8191b7e0c3d5f2a8b0c41d35dbe3f2dc6a3", index: 1, hue: [0.6, 1, 0.7] },
];
emit("response.created", { response });
emit("response.in_progress", { response });
for (const c of calls) {
  emit("response.output_item.added", { output_index: c.index, item: { id: c.id, type: "image_generation_call", status: "in_progress" } });
  emit("response.image_generation_call.in_progress", { output_index: c.index, item_id: c.id });
}
for (const c of calls) emit("response.image_generation_call.generating", { output_index: c.index, item_id: c.id });
for (let pass = 0; pass < 2; pass++) {
  for (const c of calls) {
    emit("response.image_generation_call.partial_image", {
      output_index: c.index,
      item_id: c.id,
      partial_image_index: pass,
      partial_image_b64: png(96, pass, c.hue).toString("base64"),
    });
  }
}
for (const c of calls) {
  emit("response.image_generation_call.completed", { output_index: c.index, item_id: c.id });
  emit("response.output_item.done", {
    output_index: c.index,
    item: { id: c.id, type: "image_generation_call", status: "completed", result: png(96, 3, c.hue).toString("base64") },
  });
}
emit("response.completed", { response: { ...response, status: "completed" } });
out.push("data: [DONE]\n\n");
writeFileSync(new URL("image-generation.sse", root), out.join(""));
