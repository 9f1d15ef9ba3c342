import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IMAGE_GEN_CALL_COMPLETED, IMAGE_GEN_CALL_PARTIAL_IMAGE, isBridgeError } from "../../src/index.js";
import {
  consumeFromJetStream,
  ensureJetStream,
  type JetStreamDeadLetterMessage,
  type JetStreamNames,
  publishToJetStream,
  toNatsMessage,
} from "../../src/nats/index.js";
import { NATS_URL, ROOT, requireBroker, runTag } from "../support/brokers.js";
import { natsClients } from "../support/queue-clients.js";

const available = await requireBroker("nats");
const tag = runTag();
const run = promisify(execFile);

/**
 * Publishes one message over the NATS protocol itself, with a header block given as bytes, as a
 * client that does not check its headers could.
 */
async function publishRaw(subject: string, headerBlock: Uint8Array, data: Uint8Array): Promise<void> {
  const url = new URL(NATS_URL.replace(/^nats:/, "http:"));
  const socket = tcpConnect({ host: url.hostname, port: Number(url.port || 4222) });
  await new Promise<void>((resolve, reject) => {
    let seen = "";
    socket.on("error", reject);
    socket.on("data", (chunk) => {
      seen += chunk.toString("latin1");
      if (seen.startsWith("INFO") && !seen.includes("CONNECT_SENT")) {
        seen += "CONNECT_SENT";
        socket.write('CONNECT {"verbose":false,"pedantic":false,"headers":true,"protocol":1}\r\n');
        socket.write(`HPUB ${subject} ${headerBlock.length} ${headerBlock.length + data.length}\r\n`);
        socket.write(Buffer.concat([headerBlock, data, Buffer.from("\r\nPING\r\n")]));
      }
      if (seen.includes("PONG")) resolve();
      if (seen.includes("-ERR")) reject(new Error(seen));
    });
  });
  socket.end();
}

describe.skipIf(!available)("hostile input on NATS", () => {
  let clients: Awaited<ReturnType<typeof natsClients>>;
  const created: JetStreamNames[] = [];
  const stream = async (name: string) => {
    const names = await ensureJetStream(clients.jsm, { subject: `orwire.it.hostile.${name}.${tag}` });
    created.push(names);
    return names;
  };

  beforeAll(async () => {
    clients = await natsClients();
  });

  afterAll(async () => {
    for (const names of created) {
      await clients.jsm.streams.delete(names.stream).catch(() => {});
      await clients.jsm.streams.delete(names.deadLetterStream).catch(() => {});
    }
    await clients.nc.close();
  });

  it("a ce-source header of raw bytes that are not UTF-8 is refused, as on Kafka, and the dead-letter file keeps them as base64", async () => {
    const names = await stream("utf8");
    const m = toNatsMessage({ type: IMAGE_GEN_CALL_COMPLETED, itemId: "ig_hostile", outputIndex: 0, sequenceNumber: 1 });
    const lines = Object.entries({ ...m.headers, "ce-source": "\u0000" }).map(([k, v]) =>
      Buffer.concat([Buffer.from(`${k}: `), k === "ce-source" ? Buffer.from([0xff, 0xfe]) : Buffer.from(v), Buffer.from("\r\n")]),
    );
    await publishRaw(names.subject, Buffer.concat([Buffer.from("NATS/1.0\r\n"), ...lines, Buffer.from("\r\n")]), m.data);

    const dead: JetStreamDeadLetterMessage[] = [];
    const report = await consumeFromJetStream(clients.js, () => {}, {
      stream: names.stream,
      idleTimeout: 1500,
      deadLetter: (d) => void dead.push(d),
    });
    expect(report).toEqual({ events: 0, deadLettered: 1 });
    expect(dead[0]!.error.code).toBe("invalid_header");
    expect(dead[0]!.error.path).toEqual(["headers", "ce-source"]);

    const dir = mkdtempSync(join(tmpdir(), "orwire-hostile-"));
    try {
      const file = join(dir, "dead.ndjson");
      await run(
        process.execPath,
        [
          join(ROOT, "dist/src/cli/main.js"),
          "consume",
          "--nats",
          NATS_URL,
          "--stream",
          names.stream,
          "--timeout",
          "2",
          "--dead-letter",
          file,
        ],
        { cwd: ROOT },
      );
      const entry = JSON.parse(readFileSync(file, "utf8").trim()) as { code: string; headers: [unknown, unknown][] };
      expect(entry.code).toBe("invalid_header");
      expect(entry.headers).toContainEqual(["ce-source", { base64: Buffer.from([0xff, 0xfe]).toString("base64") }]);
      expect(entry.headers).toContainEqual(["ce-id", "ig_hostile:1"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an event whose 1.2 MB id the server refuses (its headers exceed 64 KiB) fails at once, with the first record and its id cut short", async () => {
    const names = await stream("large");
    const huge = `ig_${"x".repeat(1_200_000)}`;
    const events = [
      { type: IMAGE_GEN_CALL_COMPLETED, itemId: "ig_small", outputIndex: 0, sequenceNumber: 1 },
      { type: IMAGE_GEN_CALL_COMPLETED, itemId: huge, outputIndex: 0, sequenceNumber: 2 },
    ] as const;
    const error = await publishToJetStream(clients.js, events, { subject: names.subject, retryDelay: 10, onAcknowledged: () => {} }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isBridgeError(error) && error.code).toBe("publish_failed");
    const e = error as { record: number; reason: string; message: string };
    expect(e.record).toBe(2);
    expect(e.reason).toMatch(/header size exceeds/);
    expect(e.reason).not.toMatch(/attempts/);
    expect(e.message.length).toBeLessThan(1000);
    expect(e.reason).toMatch(/…\[1200005 characters\]…/);
    expect((await clients.jsm.streams.info(names.stream)).state.messages).toBe(1);
  });

  it("an event above the server's max_payload fails at once, naming max_payload as the setting to raise", async () => {
    const names = await stream("payload");
    const image = "A".repeat(18 * 1024 * 1024 + 1); // not canonical base64: travels as the 18 MiB string
    const events = [
      { type: IMAGE_GEN_CALL_COMPLETED, itemId: "ig_small", outputIndex: 0, sequenceNumber: 1 },
      {
        type: IMAGE_GEN_CALL_PARTIAL_IMAGE,
        itemId: "ig_big",
        outputIndex: 0,
        sequenceNumber: 2,
        partialImageB64: image,
        partialImageIndex: 0,
      },
    ] as const;
    const error = await publishToJetStream(clients.js, events, { subject: names.subject, retryDelay: 10, onAcknowledged: () => {} }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isBridgeError(error) && error.code).toBe("publish_failed");
    const e = error as { record: number; reason: string };
    expect(e.record).toBe(2);
    expect(e.reason).toMatch(/raise max_payload/);
    expect(e.reason).not.toMatch(/attempts/);
    expect((await clients.jsm.streams.info(names.stream)).state.messages).toBe(1);
  });
});
