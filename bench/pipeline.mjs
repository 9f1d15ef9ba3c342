// The CLI pipeline benchmark: NDJSON -> size-delimited protobuf file for N events, against a bare
// JSON.parse-per-line loop over the same file, each in its own process, with peak RSS.
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Writes (once) an NDJSON file of `n` realistic events and returns its path and size. */
export function sampleFile(n) {
  mkdirSync(`${root}.run/bench`, { recursive: true });
  const file = `${root}.run/bench/events-${n}.ndjson`;
  if (!existsSync(file)) {
    const fd = openSync(file, "w");
    const base = readFileSync(`${root}examples/completed-events.ndjson`, "utf8").trim().split("\n").slice(0, 1000);
    for (let i = 0; i < n; i += 1000) {
      const lines = base
        .slice(0, Math.min(1000, n - i))
        .map((l, j) => l.replace(/"ig_[0-9a-f]{8}/, `"ig_${(i + j).toString(16).padStart(8, "0")}`));
      writeFileSync(fd, `${lines.join("\n")}\n`);
    }
    closeSync(fd);
  }
  return file;
}

function run(job, file) {
  const report = `${root}.run/bench/report-${job}.json`;
  const out = openSync("/dev/null", "w");
  const child = spawnSync(process.execPath, [`${root}bench/measured.mjs`, job, file], {
    stdio: ["ignore", out, "inherit"],
    env: { ...process.env, ORWIRE_BENCH_REPORT: report },
  });
  closeSync(out);
  if (child.status !== 0) throw new Error(`${job} exited ${child.status}`);
  return JSON.parse(readFileSync(report, "utf8"));
}

/** Runs both jobs `rounds` times, interleaved, and returns the medians. */
export function pipeline(n, rounds) {
  const file = sampleFile(n);
  const runs = { cli: [], "parse-loop": [] };
  for (let r = 0; r < rounds; r++) for (const job of Object.keys(runs)) runs[job].push(run(job, file));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const summary = (job) => ({
    eventsPerSecond: n / median(runs[job].map((x) => x.seconds)),
    peakRssMB: Math.max(...runs[job].map((x) => x.maxRssBytes)) / 2 ** 20,
  });
  return { events: n, fileMB: statSync(file).size / 2 ** 20, cli: summary("cli"), parseLoop: summary("parse-loop") };
}
