// Runs one pipeline job in this process and reports its wall time and peak RSS as JSON to the
// file named by ORWIRE_BENCH_REPORT. Jobs: `cli FILE` (orwire encode --format delimited FILE) and
// `parse-loop FILE` (the bare baseline: read the same file in the same chunks, JSON.parse each line).
import { createReadStream, writeFileSync } from "node:fs";

const [job, file] = process.argv.slice(2);
const started = performance.now();
let lines = 0;

process.on("exit", () => {
  const report = { job, lines, seconds: (performance.now() - started) / 1000, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
  writeFileSync(process.env.ORWIRE_BENCH_REPORT, JSON.stringify(report));
});

if (job === "cli") {
  process.argv = [process.argv[0], "orwire", "encode", "--format", "delimited", file];
  await import("../dist/src/cli/main.js");
} else if (job === "parse-loop") {
  let rest;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    // a line cut by the chunk boundary is carried over, as any line reader must
    let buf = chunk;
    if (rest) buf = Buffer.concat([rest, chunk]);
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      if (nl > start) {
        JSON.parse(buf.toString("utf8", start, nl));
        lines++;
      }
      start = nl + 1;
    }
    rest = start < buf.length ? buf.subarray(start) : undefined;
  }
} else {
  throw new Error(`unknown job ${job}`);
}
