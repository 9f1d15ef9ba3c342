// Queues at broker speed: orwire (the CLI end to end from an NDJSON file, and the library
// functions) beside the brokers' own load generators and the raw JS clients, on the same brokers,
// with records of the same total size, in one run. Prints a Markdown table and writes an SVG chart.
//
// Anchors: Kafka's ProducerPerformance (acks=all, idempotence on) and ConsumerPerformance from the
// kafka-tools jar of the broker's version (resolved by Maven from scripts/kafka/tools-pom.xml);
// natscli's `nats bench js pub async` (with Nats-Msg-Id) and `nats bench js ordered`, built with
// `go install` at a pinned version into <cache>/go-bin.
//
// Rates of the brokers' tools are their own (without their start-up); the others' are marginal: each participant runs with N and with N/10 events, and its rate is
// (N - N/10) / (t(N) - t(N/10)), so that start-up and connecting drop out. t is the process's
// wall clock, or for the JS participants the time they report from connecting to the last
// acknowledgment or event (their file reading is not timed). Peak RSS is the process's (GNU time).
//
// Usage: npm run bench:queues [-- --events N --rounds R --calls C --out DIR]
//   (default 300,000 events of 1,000 calls, 1 round; brokers from ORWIRE_KAFKA_BROKERS and
//   ORWIRE_NATS_URL, else the local ones of scripts/brokers-up.sh; cache in ORWIRE_CACHE_DIR or .cache)

import { execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { Admin } from "@platformatic/kafka";
import { fromJson, stringifyJson, toWireJson } from "openresponses-wire";
import { toKafkaRecord } from "openresponses-wire/kafka";
import { ensureJetStream, toNatsMessage } from "openresponses-wire/nats";
import { escapeXml } from "../bench/svg.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  options: {
    events: { type: "string", default: "300000" },
    rounds: { type: "string", default: "1" },
    calls: { type: "string", default: "1000" },
    out: { type: "string", default: join(ROOT, "docs") },
    only: { type: "string" },
  },
});
const N = Number(values.events);
const SMALL = Math.round(N / 10);
const CALLS = Number(values.calls);
const ROUNDS = Number(values.rounds);
const KAFKA = process.env.ORWIRE_KAFKA_BROKERS ?? "127.0.0.1:9092";
const NATS = process.env.ORWIRE_NATS_URL ?? "nats://127.0.0.1:4222";
const CACHE = resolve(ROOT, process.env.ORWIRE_CACHE_DIR ?? ".cache");
const NATSCLI_VERSION = "v0.5.0";
const PARTITIONS = 3;
const tag = randomBytes(3).toString("hex");
const work = join(tmpdir(), `orwire-bench-queues-${tag}`);
mkdirSync(work, { recursive: true });
const log = (s) => process.stderr.write(`${s}\n`);

// ------------------------------------------------------------------ tools

function kafkaTools() {
  const pom = join(ROOT, "scripts/kafka/tools-pom.xml");
  const libs = join(CACHE, "kafka-tools-libs");
  const hash = createHash("sha256").update(readFileSync(pom)).digest("hex");
  const stamp = join(libs, ".pom.sha256");
  if (!existsSync(stamp) || readFileSync(stamp, "utf8").trim() !== hash) {
    log("resolving kafka-tools with Maven (the first run can take minutes)");
    rmSync(libs, { recursive: true, force: true });
    execFileSync("mvn", ["-B", "-q", "-f", pom, "dependency:copy-dependencies", `-DoutputDirectory=${libs}`, "-DincludeScope=runtime"], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    writeFileSync(stamp, `${hash}\n`);
  }
  return `${libs}/*`;
}

function natsCli() {
  const bin = join(CACHE, "go-bin");
  const nats = join(bin, "nats");
  const stamp = join(bin, ".natscli-version");
  if (!existsSync(nats) || !existsSync(stamp) || readFileSync(stamp, "utf8").trim() !== NATSCLI_VERSION) {
    log(`building natscli ${NATSCLI_VERSION} with go install (the first run can take minutes)`);
    mkdirSync(bin, { recursive: true });
    execFileSync("go", ["install", `github.com/nats-io/natscli/nats@${NATSCLI_VERSION}`], {
      env: { ...process.env, GOBIN: bin },
      stdio: ["ignore", "inherit", "inherit"],
    });
    writeFileSync(stamp, `${NATSCLI_VERSION}\n`);
  }
  return nats;
}

// ------------------------------------------------------------------ events

/** `n` completed events of `CALLS` calls, the calls interleaved as concurrent calls are: event i is call i % CALLS's (i / CALLS)-th. */
function eventsFile(n) {
  const template = fromJson(JSON.parse(readFileSync(join(ROOT, "examples/completed-events.ndjson"), "utf8").split("\n")[0]));
  const lines = [];
  for (let i = 0; i < n; i++) {
    const call = (i % CALLS).toString(16).padStart(8, "0");
    const itemId = `${template.itemId.slice(0, template.itemId.length - 8 - tag.length)}${tag}${call}`;
    lines.push(stringifyJson(toWireJson({ ...template, itemId, sequenceNumber: Math.floor(i / CALLS) })));
  }
  const file = join(work, `events-${n}.ndjson`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return {
    file,
    sample: {
      ...template,
      itemId: `${template.itemId.slice(0, template.itemId.length - 8 - tag.length)}${tag}00000000`,
      sequenceNumber: Math.floor((n - 1) / CALLS),
    },
  };
}

/** The total bytes of a Kafka record (key, value, header names and values) and of a NATS message (headers as sent, data). */
function recordSizes(event) {
  const k = toKafkaRecord(event);
  const kafka =
    Buffer.byteLength(k.key) +
    k.value.length +
    Object.entries(k.headers).reduce((s, [n, v]) => s + Buffer.byteLength(n) + Buffer.byteLength(v), 0);
  const m = toNatsMessage(event);
  const headerBlock = `NATS/1.0\r\n${Object.entries({ ...m.headers, "Nats-Msg-Id": m.msgID })
    .map(([n, v]) => `${n}: ${v}\r\n`)
    .join("")}\r\n`;
  return { kafka, nats: Buffer.byteLength(headerBlock) + m.data.length, natsHeader: Buffer.byteLength(headerBlock) };
}

// ------------------------------------------------------------------ running

/** Runs a command under GNU time; resolves with its wall seconds, peak RSS (MB), stdout, and what it reported. */
function timed(command, args, options = {}) {
  const timeFile = join(work, `time-${randomBytes(4).toString("hex")}`);
  return new Promise((resolveRun, reject) => {
    const start = performance.now();
    const child = spawn("/usr/bin/time", ["-f", "%M %U %S", "-o", timeFile, command, ...args], {
      stdio: ["ignore", options.stdout ?? "pipe", "pipe"],
      env: { ...process.env, ...options.env },
    });
    let out = "";
    let err = "";
    child.stdout?.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => {
      const wall = (performance.now() - start) / 1000;
      if (code !== 0) return reject(new Error(`${command} ${args.join(" ")} exited ${code}:\n${err.slice(-2000)}`));
      const [rssKb, user, sys] = readFileSync(timeFile, "utf8").trim().split("\n").at(-1).split(" ").map(Number);
      rmSync(timeFile, { force: true });
      let reported;
      try {
        reported = JSON.parse(out.trim().split("\n").at(-1));
      } catch {
        reported = undefined;
      }
      resolveRun({ wall, seconds: reported?.seconds ?? wall, cpu: user + sys, rss: rssKb / 1024, out, err });
    });
  });
}

const node = process.execPath;
const orwire = join(ROOT, "dist/src/cli/main.js");
const participant = join(ROOT, "bench/queues/participant.mjs");

/** The participants of each measure: name, and how to run it on `n` events (publish) or read `n` (consume). */
function participants(tools, sizes, files) {
  const java = (main, args) =>
    timed("java", [
      "-Xmx512m",
      `-Dkafka.logs.dir=${work}`,
      "-cp",
      tools.kafka,
      `-Dlog4j2.configurationFile=${join(ROOT, "scripts/kafka/log4j2.properties")}`,
      main,
      ...args,
    ]);
  return {
    "Kafka publish": [
      {
        name: "ProducerPerformance (acks=all, idempotent)",
        anchor: true,
        reported: (out) =>
          Number(
            /([\d.]+) records\/sec/.exec(
              out
                .split("\n")
                .filter((l) => l.includes("records sent"))
                .at(-1),
            )[1],
          ),
        run: (n, t) =>
          java("org.apache.kafka.tools.ProducerPerformance", [
            "--topic",
            t,
            "--num-records",
            String(n),
            "--record-size",
            String(sizes.kafka),
            "--throughput",
            "-1",
            "--producer-props",
            `bootstrap.servers=${KAFKA}`,
            "acks=all",
            "enable.idempotence=true",
          ]),
      },
      {
        name: "@platformatic/kafka send(), prepared records",
        run: (n, t) => timed(node, [participant, "raw-kafka-publish", t, files[n].file]),
      },
      { name: "publishToKafka (library)", run: (n, t) => timed(node, [participant, "library-kafka-publish", t, files[n].file]) },
      {
        name: "orwire publish --kafka (CLI, NDJSON file)",
        cli: true,
        run: (n, t) => timed(node, [orwire, "publish", "--kafka", KAFKA, "--topic", t, files[n].file]),
      },
    ],
    "Kafka consume": [
      {
        name: "ConsumerPerformance (fetch rate)",
        anchor: true,
        reported: (out) => {
          const lines = out.trim().split("\n");
          const at = lines.findIndex((l) => l.includes("fetch.nMsg.sec"));
          const names = lines[at].split(",").map((x) => x.trim());
          return Number(lines[at + 1].split(",")[names.indexOf("fetch.nMsg.sec")]);
        },
        run: (n, t) =>
          java("org.apache.kafka.tools.ConsumerPerformance", [
            "--bootstrap-server",
            KAFKA,
            "--topic",
            t,
            "--messages",
            String(n),
            "--group",
            `orwire-bench-cp-${randomBytes(4).toString("hex")}`,
            "--timeout",
            "60000",
          ]),
      },
      { name: "@platformatic/kafka consume(), no decoding", run: (n, t) => timed(node, [participant, "raw-kafka-consume", t, String(n)]) },
      { name: "consumeFromKafka (library)", run: (n, t) => timed(node, [participant, "library-kafka-consume", t, String(n)]) },
      {
        name: "orwire consume --kafka (CLI, NDJSON out)",
        cli: true,
        run: (n, t) => timed(node, [orwire, "consume", "--kafka", KAFKA, "--topic", t, "--count", String(n)], { stdout: "ignore" }),
      },
    ],
    "NATS publish": [
      {
        name: "nats bench js pub async (Nats-Msg-Id)",
        anchor: true,
        reported: natsBenchRate,
        run: (n, t) =>
          timed(tools.nats, [
            "bench",
            "js",
            "pub",
            "async",
            `${t}.completed`,
            "--server",
            NATS,
            "--stream",
            streamOf(t),
            "--create",
            "--storage",
            "file",
            "--dedup",
            "--msgs",
            String(n),
            "--size",
            String(sizes.nats - sizes.natsBenchHeader),
            "--no-progress",
          ]),
      },
      {
        name: "@nats-io/jetstream js.publish(), 1,000 in flight",
        run: (n, t) => timed(node, [participant, "raw-nats-publish", t, files[n].file]),
      },
      { name: "publishToJetStream (library)", run: (n, t) => timed(node, [participant, "library-nats-publish", t, files[n].file]) },
      {
        name: "orwire publish --nats (CLI, NDJSON file)",
        cli: true,
        run: (n, t) => timed(node, [orwire, "publish", "--nats", NATS, "--subject-prefix", t, files[n].file]),
      },
    ],
    "NATS consume": [
      {
        name: "nats bench js ordered",
        anchor: true,
        reported: natsBenchRate,
        run: (n, s) => timed(tools.nats, ["bench", "js", "ordered", "--server", NATS, "--stream", s, "--msgs", String(n), "--no-progress"]),
      },
      {
        name: "@nats-io/jetstream ordered consumer, no decoding",
        run: (n, s) => timed(node, [participant, "raw-nats-consume", s, String(n)]),
      },
      { name: "consumeFromJetStream (library)", run: (n, s) => timed(node, [participant, "library-nats-consume", s, String(n)]) },
      {
        name: "orwire consume --nats (CLI, NDJSON out)",
        cli: true,
        run: (n, s) => timed(node, [orwire, "consume", "--nats", NATS, "--stream", s, "--count", String(n)], { stdout: "ignore" }),
      },
    ],
  };
}

/** The rate `nats bench` reports for its run. */
function natsBenchRate(out) {
  return Number(/stats: ([\d,]+) msgs\/sec/.exec(out)[1].replace(/,/g, ""));
}

/** The stream orwire names for a subject prefix (`jetStreamNames`). */
const streamOf = (prefix) => prefix.replace(/[^A-Za-z0-9_-]/g, "_").toUpperCase();

// ------------------------------------------------------------------ brokers

async function withAdmin(f) {
  const admin = new Admin({ clientId: "orwire-bench", bootstrapBrokers: KAFKA.split(",") });
  try {
    return await f(admin);
  } finally {
    await admin.close();
  }
}
const createTopic = (topic) => withAdmin((a) => a.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 }));
const deleteTopics = (topics) => withAdmin((a) => a.deleteTopics({ topics }).catch(() => {}));
const topicBytes = (topic) =>
  withAdmin(async (a) => {
    const dirs = await a.describeLogDirs({ topics: [{ name: topic, partitions: Array.from({ length: PARTITIONS }, (_, i) => i) }] });
    let bytes = 0;
    for (const broker of dirs)
      for (const dir of broker.results) for (const t of dir.topics) for (const p of t.partitions) bytes += Number(p.partitionSize);
    return bytes;
  });
async function withJsm(f) {
  const nc = await connect({ servers: NATS, name: "orwire-bench" });
  try {
    return await f(await jetstreamManager(nc));
  } finally {
    await nc.drain();
  }
}
const streamBytes = (stream) => withJsm(async (jsm) => (await jsm.streams.info(stream)).state.bytes);
const deleteStreams = (streams) =>
  withJsm(async (jsm) => {
    for (const s of streams) await jsm.streams.delete(s).catch(() => {});
  });

// ------------------------------------------------------------------ main

const tools = { kafka: kafkaTools(), nats: natsCli() };
log(`writing ${N.toLocaleString("en-US")} and ${SMALL.toLocaleString("en-US")} events of ${CALLS} calls`);
const files = { [N]: eventsFile(N), [SMALL]: eventsFile(SMALL) };
const sizes = recordSizes(files[N].sample);
// `nats bench --dedup` adds its own Nats-Msg-Id header (a 22-character NUID) to the payload it is given
sizes.natsBenchHeader = Buffer.byteLength("NATS/1.0\r\nNats-Msg-Id: 0123456789012345678901\r\n\r\n");
const all = participants(tools, sizes, files);
const results = new Map(); // `${measure}|${name}` -> [{ rate, rss, bytes }]
const measures = values.only === undefined ? Object.keys(all) : values.only.split(",");

for (let round = 0; round < ROUNDS; round++) {
  const topics = [];
  const streams = [];
  const sources = {}; // what the consumers read: orwire's topic and stream of N events
  for (const measure of measures.filter((m) => m.endsWith("publish")).concat(measures.filter((m) => m.endsWith("consume")))) {
    const kafka = measure.startsWith("Kafka");
    const list = all[measure];
    // interleave: each round starts at another participant, and runs N/10 then N for each
    const order = list.map((_, i) => list[(i + round) % list.length]);
    for (const p of order) {
      const runs = {};
      for (const n of [SMALL, N]) {
        let where;
        if (measure.endsWith("publish")) {
          where = `orwire-bench-${list.indexOf(p)}-${n}-${round}-${tag}`.replace(/[^a-z0-9-]/g, "");
          if (kafka) {
            await createTopic(where);
            topics.push(where);
          } else {
            where = where.replace(/-/g, "_");
            streams.push(streamOf(where), `${streamOf(where)}_DEAD_LETTER`);
            const prefix = where;
            if (!p.anchor) await withJsm((jsm) => ensureJetStream(jsm, { subjectPrefix: prefix }));
          }
        } else {
          if (sources[kafka ? "kafka" : "nats"] === undefined) throw new Error(`${measure}: run the publish measures first`);
          where = sources[kafka ? "kafka" : "nats"];
        }
        const r = await p.run(n, where);
        runs[n] = r;
        if (measure.endsWith("publish") && p.cli && n === N) {
          sources[kafka ? "kafka" : "nats"] = kafka ? where : streamOf(where);
          r.bytes = kafka ? await topicBytes(where) : await streamBytes(streamOf(where));
        }
        if (measure.endsWith("publish") && p.anchor && n === N)
          r.bytes = kafka ? await topicBytes(where) : await streamBytes(streamOf(where));
      }
      // the brokers' tools report their own rate, without their start-up (a JVM's start-up varies
      // more than a whole small run takes); the JS participants' rate is marginal
      const rate = p.reported?.(runs[N].out + runs[N].err) ?? (N - SMALL) / (runs[N].seconds - runs[SMALL].seconds);
      // the client's own CPU per event (user and system), marginal too: steadier than rates on a shared machine
      const cpu = (1e6 * (runs[N].cpu - runs[SMALL].cpu)) / (N - SMALL);
      const key = `${measure}|${p.name}`;
      if (!results.has(key)) results.set(key, []);
      results.get(key).push({ rate, cpu, rss: Math.max(runs[N].rss, runs[SMALL].rss), bytes: runs[N].bytes });
      log(
        `round ${round + 1}: ${measure}: ${p.name}: ${Math.round(rate).toLocaleString("en-US")}/s, ${cpu.toFixed(1)} CPU µs/event, peak RSS ${runs[N].rss.toFixed(0)} MB (t(N) ${runs[N].seconds.toFixed(2)} s, t(N/10) ${runs[SMALL].seconds.toFixed(2)} s)`,
      );
    }
  }
  await deleteTopics(topics);
  await deleteStreams(streams);
}
rmSync(work, { recursive: true, force: true });

// ------------------------------------------------------------------ report

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const int = (x) => Math.round(x).toLocaleString("en-US");
const rows = [];
for (const measure of measures) {
  const list = all[measure];
  const anchor = median(results.get(`${measure}|${list.find((p) => p.anchor).name}`).map((r) => r.rate));
  for (const p of list) {
    const rs = results.get(`${measure}|${p.name}`);
    const rate = median(rs.map((r) => r.rate));
    rows.push({
      measure,
      name: p.name,
      anchor: p.anchor === true,
      rate,
      ratio: rate / anchor,
      cpu: median(rs.map((r) => r.cpu)),
      rss: Math.max(...rs.map((r) => r.rss)),
      bytes: rs[0].bytes,
    });
  }
}
const machine = { node: process.versions.node, cores: cpus().length, cpu: cpus()[0]?.model ?? "unknown" };
const lines = [
  `${int(N)} completed events of ${int(CALLS)} calls (interleaved), rates marginal (N minus N/10 events over the difference of their times), ${ROUNDS === 1 ? "one round" : `medians of ${ROUNDS} interleaved rounds`}; Kafka 3 partitions, a ${sizes.kafka}-byte record (key, value, CloudEvents headers), native tools sending ${sizes.kafka}-byte values; NATS JetStream file storage, a ${sizes.nats}-byte message (headers with Nats-Msg-Id, data), \`nats bench\` sending ${sizes.nats - sizes.natsBenchHeader}-byte payloads with its own Nats-Msg-Id. Node ${machine.node}, ${machine.cores} cores (${machine.cpu}).`,
  "",
  "| measure | participant | events/s | × anchor | client CPU µs/event | peak RSS MB | bytes on the broker |",
  "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ...rows.map(
    (r) =>
      `| ${r.measure} | ${r.anchor ? `**${r.name}**` : r.name} | ${int(r.rate)} | ${r.ratio.toFixed(2)} | ${r.cpu.toFixed(1)} | ${r.rss.toFixed(0)} | ${r.bytes === undefined ? "" : int(r.bytes)} |`,
  ),
];
lines.push("", ...goals(rows));
console.log(lines.join("\n"));
mkdirSync(values.out, { recursive: true });
writeFileSync(join(values.out, "queue-benchmark.svg"), svg(rows, machine));
log(`chart: ${join(values.out, "queue-benchmark.svg")}`);

/** The goals of issue #9, each checked against this run: the ratios of the library and the CLI, and the CLI's peak RSS. */
function goals(rows) {
  const minimum = { "Kafka publish": 0.7, "NATS publish": 0.6, "Kafka consume": 0.5, "NATS consume": 0.5 };
  const out = ["| goal | this run | met |", "| --- | --- | --- |"];
  for (const [measure, goal] of Object.entries(minimum)) {
    const ours = rows.filter((r) => r.measure === measure && (r.name.includes("(library)") || r.name.startsWith("orwire")));
    if (ours.length === 0) continue;
    const worst = Math.min(...ours.map((r) => r.ratio));
    out.push(
      `| ${measure} ≥ ${goal}× | ${ours.map((r) => `${r.name.split(" (")[0]} ${r.ratio.toFixed(2)}×`).join(", ")} | ${worst >= goal ? "yes" : "no"} |`,
    );
  }
  const cli = rows.filter((r) => r.name.startsWith("orwire"));
  if (cli.length > 0) {
    const peak = Math.max(...cli.map((r) => r.rss));
    const at = N >= 1_000_000 ? "" : ` (at ${int(N)} events; the goal is at 1,000,000)`;
    out.push(
      `| peak RSS of orwire publish and consume < 150 MB | ${cli.map((r) => `${r.name.split(" (")[0]} ${r.rss.toFixed(0)} MB`).join(", ")}${at} | ${peak < 150 && N >= 1_000_000 ? "yes" : "no"} |`,
    );
  }
  return out;
}

function svg(rows, machine) {
  const width = 960;
  const left = 380;
  const barH = 16;
  const out = [];
  let y = 50;
  for (const measure of [...new Set(rows.map((r) => r.measure))]) {
    const group = rows.filter((r) => r.measure === measure);
    const max = Math.max(...group.map((r) => r.rate));
    const scale = (width - left - 150) / max;
    out.push(`<text x="10" y="${y}" font-weight="bold">${escapeXml(measure)} (events/s, marginal; higher is better)</text>`);
    y += 10;
    for (const r of group) {
      out.push(`<text x="${left - 8}" y="${y + 12}" text-anchor="end">${escapeXml(r.name)}</text>`);
      out.push(
        `<rect x="${left}" y="${y}" width="${(r.rate * scale).toFixed(1)}" height="${barH}" fill="${r.anchor ? "#9ca3af" : r.name.startsWith("orwire") || r.name.includes("library") ? "#2563eb" : "#f59e0b"}"/>`,
      );
      out.push(`<text x="${left + r.rate * scale + 6}" y="${y + 12}">${int(r.rate)} (${r.ratio.toFixed(2)}×)</text>`);
      y += barH + 4;
    }
    y += 24;
  }
  const title = `orwire on the queues beside the brokers' own tools: ${int(N)} events, Node ${machine.node}, ${machine.cores} cores`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="sans-serif" font-size="13">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="10" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>
${out.join("\n")}
</svg>
`;
}
