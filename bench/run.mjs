// npm run bench [-- --json] [-- --svg FILE] [-- --smoke] [-- --rounds N] [-- --ms N] [-- --pipeline-events N]
// One process, every candidate in the same run, interleaved rounds, medians.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { encode } from "../dist/src/index.js";
import { candidates, sameBytes } from "./candidates.mjs";
import { typical, wireOf, worst } from "./events.mjs";
import { largePartialImage, lifecycleSizes, partialImageCandidates } from "./lifecycle.mjs";
import { pipeline } from "./pipeline.mjs";
import { chart } from "./svg.mjs";

const { values: args } = parseArgs({
  options: {
    json: { type: "boolean" },
    svg: { type: "string" },
    smoke: { type: "boolean" },
    rounds: { type: "string" },
    ms: { type: "string" },
    "pipeline-events": { type: "string" },
  },
});
const smoke = args.smoke === true;
const rounds = Number(args.rounds ?? (smoke ? 1 : 7));
const batchMs = Number(args.ms ?? (smoke ? 5 : 150));
const pipelineEvents = Number(args["pipeline-events"] ?? (smoke ? 10_000 : 1_000_000));
const root = fileURLToPath(new URL("..", import.meta.url));

// protobufjs static code, generated from our proto at bench time
mkdirSync(`${root}.run/bench`, { recursive: true });
execFileSync(`${root}node_modules/.bin/pbjs`, [
  "-t",
  "static-module",
  "-w",
  "es6",
  "--no-comments",
  "-p",
  `${root}proto`,
  "-o",
  `${root}.run/bench/pbjs.mjs`,
  `${root}proto/openresponses/v1/image_gen_call.proto`,
]);
const pbjs = await import(`${root}.run/bench/pbjs.mjs`);

/** ops/s of `fn` over about `batchMs`, calling it `step` times between clock reads. */
function measure(fn, step = 1000) {
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < step; i++) fn();
    n += step;
    elapsed = performance.now() - start;
  } while (elapsed < batchMs);
  return (n / elapsed) * 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const results = [];
for (const [eventName, event] of [
  ["typical", typical],
  ["worst case", worst],
]) {
  if (!sameBytes(event)) throw new Error(`encode differs from protobuf-es for the ${eventName} event`);
  const list = candidates(event, pbjs);
  const samples = new Map(list.flatMap((c) => ["encode", "decode"].filter((op) => c[op]).map((op) => [`${c.name}|${op}`, []])));
  for (const c of list) for (const op of ["encode", "decode"]) if (c[op]) measure(c[op]); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const op of ["encode", "decode"]) for (const c of list) if (c[op]) samples.get(`${c.name}|${op}`).push(measure(c[op]));
  }
  const json = Buffer.byteLength(JSON.stringify(wireOf(event)));
  const protobuf = encode(event).length;
  results.push({
    event: eventName,
    bytes: { protobuf, json, ratio: protobuf / json },
    candidates: list.map((c) => ({
      name: c.name,
      encode: c.encode ? median(samples.get(`${c.name}|encode`)) : null,
      decode: c.decode ? median(samples.get(`${c.name}|decode`)) : null,
      note: c.note ?? null,
    })),
  });
}

// a 256 KiB partial image through the envelope
const image = largePartialImage(256 * 1024);
const imageCandidates = partialImageCandidates(image);
const imageSamples = imageCandidates.map(() => ({ encode: [], decode: [] }));
for (let r = 0; r < rounds; r++) {
  imageCandidates.forEach((c, i) => {
    imageSamples[i].encode.push(measure(c.encode, 4));
    imageSamples[i].decode.push(measure(c.decode, 4));
  });
}
const partialImage = {
  imageBytes: 256 * 1024,
  candidates: imageCandidates.map((c, i) => ({
    name: c.name,
    encode: median(imageSamples[i].encode),
    decode: median(imageSamples[i].decode),
  })),
};
const sizes = lifecycleSizes();

const pipe = pipeline(pipelineEvents, smoke ? 1 : 3);
const typicalOf = (name) => results[0].candidates.find((c) => c.name.startsWith(name));
const ours = typicalOf("openresponses-wire");
const ratio = (a, b) => a / b;
const goals = [
  ["encode vs protobuf-es", ratio(ours.encode, typicalOf("protobuf-es").encode), 5],
  ["encode vs protobufjs", ratio(ours.encode, typicalOf("protobufjs").encode), 1.5],
  ["encode vs JSON.stringify+TextEncoder", ratio(ours.encode, typicalOf("JSON.stringify").encode), 3],
  ["decode vs protobuf-es fromBinary", ratio(ours.decode, typicalOf("protobuf-es").decode), 2],
  ["decode vs protobufjs", ratio(ours.decode, typicalOf("protobufjs").decode), 1.1],
  ["decode vs JSON.parse + SDK validation", ratio(ours.decode, typicalOf("JSON.parse + @openrouter").decode), 5],
  ["CLI pipeline vs bare JSON.parse loop", ratio(pipe.cli.eventsPerSecond, pipe.parseLoop.eventsPerSecond), 0.7],
].map(([goal, value, target]) => ({ goal, ratio: value, target, met: value >= target }));

const machine = { node: process.version, cpu: os.cpus()[0]?.model ?? "unknown", cores: os.cpus().length, rounds, batchMs };
const report = { machine, results, sizes, partialImage, pipeline: pipe, goals, rssGoalMet: pipe.cli.peakRssMB < 150 };

if (args.svg) writeFileSync(args.svg, chart(results[0], machine));
if (args.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  console.log(markdown(report));
}

function markdown({ machine, results, sizes, partialImage, pipeline: p, goals }) {
  const fmt = (x) => (x === null ? "n/a" : `${(x / 1e6).toFixed(2)}M`);
  const out = [
    `Node ${machine.node}, ${machine.cpu}, ${machine.cores} cores; ${machine.rounds} interleaved rounds of ${machine.batchMs} ms, medians (ops/s).`,
    "",
  ];
  for (const r of results) {
    const base = r.candidates[0];
    out.push(
      `**${r.event} event**: ${r.bytes.protobuf} bytes of protobuf vs ${r.bytes.json} bytes of wire JSON (${(100 * r.bytes.ratio).toFixed(1)}%)`,
      "",
    );
    out.push("| candidate | encode | ours ÷ it | decode | ours ÷ it |", "| --- | ---: | ---: | ---: | ---: |");
    for (const c of r.candidates) {
      const x = (op) => (c[op] === null || base[op] === null ? "" : c === base ? "1.00×" : `${(base[op] / c[op]).toFixed(2)}×`);
      out.push(`| ${c.name}${c.note ? ` (${c.note})` : ""} | ${fmt(c.encode)} | ${x("encode")} | ${fmt(c.decode)} | ${x("decode")} |`);
    }
    out.push("");
  }
  out.push("**The lifecycle**: bytes per event type in `examples/image-generation.sse`", "");
  out.push("| event type | events | wire JSON | own message | envelope | envelope ÷ JSON |", "| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const r of sizes)
    out.push(
      `| ${r.type.split(".").at(-1)} | ${r.events} | ${r.json.toLocaleString("en-US")} | ${r.message.toLocaleString("en-US")} | ${r.envelope.toLocaleString("en-US")} | ${((100 * r.envelope) / r.json).toFixed(1)}% |`,
    );
  out.push("");
  out.push(`**A ${partialImage.imageBytes / 1024} KiB partial image** (ops/s)`, "");
  out.push("| candidate | encode | ours ÷ it | decode | ours ÷ it |", "| --- | ---: | ---: | ---: | ---: |");
  for (const c of partialImage.candidates) {
    const b = partialImage.candidates[0];
    out.push(
      `| ${c.name} | ${Math.round(c.encode).toLocaleString("en-US")} | ${(b.encode / c.encode).toFixed(2)}× | ${Math.round(c.decode).toLocaleString("en-US")} | ${(b.decode / c.decode).toFixed(2)}× |`,
    );
  }
  out.push("");
  out.push(
    `**CLI pipeline**: ${p.events.toLocaleString("en-US")} events, ${p.fileMB.toFixed(0)} MB of NDJSON, median of ${smoke ? 1 : 3} runs`,
    "",
  );
  out.push("| job | events/s | peak RSS |", "| --- | ---: | ---: |");
  out.push(
    `| orwire encode --format delimited | ${Math.round(p.cli.eventsPerSecond).toLocaleString("en-US")} | ${p.cli.peakRssMB.toFixed(0)} MB |`,
  );
  out.push(
    `| bare JSON.parse per line | ${Math.round(p.parseLoop.eventsPerSecond).toLocaleString("en-US")} | ${p.parseLoop.peakRssMB.toFixed(0)} MB |`,
    "",
  );
  out.push("| goal | ratio | target | met |", "| --- | ---: | ---: | --- |");
  for (const g of goals) out.push(`| ${g.goal} | ${g.ratio.toFixed(2)}× | ≥ ${g.target}× | ${g.met ? "yes" : "no"} |`);
  out.push(
    `| CLI peak RSS for ${p.events.toLocaleString("en-US")} events | ${p.cli.peakRssMB.toFixed(0)} MB | < 150 MB | ${p.cli.peakRssMB < 150 ? "yes" : "no"} |`,
  );
  return out.join("\n");
}
