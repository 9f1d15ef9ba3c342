import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { orwire } from "./support/cli.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const line = '{"type":"response.image_generation_call.completed","item_id":"ig_1","output_index":0,"sequence_number":7}\n';

describe("orwire publish / consume: usage", () => {
  it.each([
    [["publish"], "orwire publish needs exactly one of --nats URLS or --kafka BROKERS"],
    [["consume", "--nats", "nats://127.0.0.1:4222", "--kafka", "127.0.0.1:9092"], "needs exactly one of --nats URLS or --kafka BROKERS"],
    [["publish", "--nats", "nats://127.0.0.1:4222", "--topic", "t"], "--topic goes with --kafka"],
    [["consume", "--kafka", "127.0.0.1:9092", "--subject", "s"], "--subject, --subject-prefix and --stream go with --nats"],
    [["publish", "--kafka", "127.0.0.1:9092", "--subject-prefix", "p"], "--subject, --subject-prefix and --stream go with --nats"],
    [
      ["consume", "--nats", "nats://127.0.0.1:4222", "--subject", "s", "--subject-prefix", "p"],
      "--subject and --subject-prefix exclude each other",
    ],
    [["publish", "--nats", "nats://127.0.0.1:4222", "--input", "xml"], "--input must be one of json, sse, not xml"],
    [["publish", "--kafka", "localhost"], '--kafka: "localhost" is not host:port (expected host:port[,host:port...])'],
    [["publish", "--kafka", "127.0.0.1:9092,127.0.0.1:99999"], '--kafka: "127.0.0.1:99999" has no valid port'],
    [["publish", "--kafka", " , "], "--kafka: no Kafka broker given"],
    [
      ["consume", "--nats", "http://127.0.0.1:4222"],
      '--nats: "http://127.0.0.1:4222" is not a NATS server URL (expected nats://host:port[,nats://host:port...])',
    ],
    [["consume", "--nats", ""], "--nats: no NATS server given"],
    [
      ["consume", "--nats", "nats://127.0.0.1:4222", "--connect-timeout", "0"],
      "--connect-timeout must be a positive number of seconds, not 0",
    ],
    [
      ["publish", "--kafka", "127.0.0.1:9092", "--delivery-timeout", "soon"],
      "--delivery-timeout must be a positive number of seconds, not soon",
    ],
    [["publish", "--kafka", "127.0.0.1:9092", "--replicas", "0"], "--replicas must be a positive integer, not 0"],
    [["consume", "--kafka", "127.0.0.1:9092", "--count", "0"], "--count must be a positive integer"],
    [["consume", "--kafka", "127.0.0.1:9092", "--timeout", "soon"], "--timeout must be a positive number"],
    [["consume", "--nats", "nats://127.0.0.1:4222", "--shape", "camel"], "--shape must be one of sdk, wire"],
    [["consume", "--nats", "nats://127.0.0.1:4222", "extra"], "unexpected argument extra"],
    [["publish", "--nats", "nats://127.0.0.1:4222", "a", "b"], "expected at most one input file"],
    [
      ["demo", "--nats", "nats://127.0.0.1:4222", "--kafka", "127.0.0.1:9092"],
      "orwire demo needs exactly one of --nats URLS or --kafka BROKERS",
    ],
  ])("exits 2 for %j", (args, message) => {
    const run = orwire(args);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it("lists the queue commands and their defaults in --help", () => {
    const help = orwire(["--help"]).stdout.toString();
    expect(help).toContain("orwire publish (--nats URLS [--subject S] [--stream NAME] | --kafka BROKERS [--topic T])");
    expect(help).toContain("orwire consume (--nats URLS");
    expect(help).toContain("[--count N] [--timeout SECONDS] [--shape sdk|wire]");
    expect(help).toContain("orwire demo [--events FILE] [--keep] [--nats URLS | --kafka BROKERS]");
    expect(help).toContain("[--input json|sse] [--replicas N] [--delivery-timeout SECONDS]");
    expect(help).toContain("within --connect-timeout SECONDS (default 10).");
    expect(help).toContain(
      "Defaults: subjects openresponses.image_generation_call.<type> (stream\nOPENRESPONSES_IMAGE_GENERATION_CALL), topic openresponses.image-generation-call (every type).",
    );
  });

  it("publishing nothing publishes nothing and connects to nothing", () => {
    const run = orwire(["publish", "--kafka", "127.0.0.1:1"], "\n\n");
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("orwire publish: no events in the input, nothing published\n");
  });

  it("--input sse: a stream without image generation call events publishes nothing, says what it skipped, and connects to nothing", () => {
    const sse = 'event: response.created\ndata: {"type":"response.created","sequence_number":0}\n\ndata: [DONE]\n\n';
    const run = orwire(["publish", "--kafka", "127.0.0.1:1", "--input", "sse"], sse);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("orwire publish: no events in the input, nothing published; 1 other events skipped (response.created 1)\n");
  });

  it("--input sse: malformed SSE, or a lifecycle event that does not convert, is named before any broker is contacted", () => {
    const bad = orwire(["publish", "--nats", "nats://127.0.0.1:1", "--input", "sse"], "event: x\nbogus: 1\n\n");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^orwire: .*line 2.* \(invalid_sse\)\n$/);
    const event = 'data: {"type":"response.image_generation_call.generating","item_id":"ig_1","output_index":"0","sequence_number":1}\n\n';
    const wrong = orwire(["publish", "--nats", "nats://127.0.0.1:1", "--input", "sse"], `data: {"type":"response.created"}\n\n${event}`);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toBe("orwire: record 1 (line 3): output_index: expected a number, got a string (invalid_type)\n");
  });

  it("a bad first line is named before any broker is contacted", () => {
    const run = orwire(["publish", "--nats", "nats://127.0.0.1:1"], "\n{nope\n");
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^orwire: record 1 \(line 2\): \(root\): not JSON: .* \(invalid_json\)\n$/);
  });

  it("without the client libraries: --kafka and --nats exit 2 saying what to install, encode still works", () => {
    // the built CLI with @bufbuild/protobuf only, as an install without the optional peers
    const dir = mkdtempSync(join(tmpdir(), "orwire-no-clients-"));
    cpSync(join(root, "dist"), join(dir, "dist"), { recursive: true });
    mkdirSync(join(dir, "node_modules/@bufbuild"), { recursive: true });
    symlinkSync(join(root, "node_modules/@bufbuild/protobuf"), join(dir, "node_modules/@bufbuild/protobuf"));
    writeFileSync(join(dir, "package.json"), '{"name":"openresponses-wire","version":"0.0.0","type":"module"}');
    const cli = join(dir, "dist/src/cli/main.js");
    const run = (args: string[], input = line) => {
      const r = spawnSync(process.execPath, [cli, ...args], { input, encoding: "utf8", cwd: dir });
      return { status: r.status, stderr: r.stderr };
    };
    expect(run(["publish", "--kafka", "127.0.0.1:9092"])).toEqual({
      status: 2,
      stderr: "orwire: --kafka needs the Kafka client: npm install @platformatic/kafka@1\nRun 'orwire --help' for usage.\n",
    });
    expect(run(["consume", "--nats", "nats://127.0.0.1:4222"])).toEqual({
      status: 2,
      stderr:
        "orwire: --nats needs the NATS client: npm install @nats-io/transport-node@3 @nats-io/jetstream@3\nRun 'orwire --help' for usage.\n",
    });
    expect(run(["encode"]).status).toBe(0);
  });
});

describe("orwire publish / consume: connecting is bounded", () => {
  /** A TCP server that accepts connections and never says a word (a hung broker). */
  async function silentServer(): Promise<{ port: number; close(): void }> {
    const sockets: Socket[] = [];
    const server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
      port: (server.address() as AddressInfo).port,
      close() {
        for (const socket of sockets) socket.destroy();
        server.close();
      },
    };
  }

  it.each([
    ["consume", "--kafka", "Kafka"],
    ["publish", "--kafka", "Kafka"],
    ["consume", "--nats", "NATS"],
    ["publish", "--nats", "NATS"],
  ])("%s %s at a server that accepts and never answers fails after --connect-timeout, in one line", async (command, flag, name) => {
    const server = await silentServer();
    try {
      const at = flag === "--nats" ? `nats://127.0.0.1:${server.port}` : `127.0.0.1:${server.port}`;
      const started = Date.now();
      const run = orwire([command, flag, at, "--connect-timeout", "2", ...(command === "consume" ? ["--timeout", "3"] : [])], line);
      const took = Date.now() - started;
      expect(run.stderr).toBe(`orwire: cannot connect to ${name} at ${at}: no answer within 2 s (--connect-timeout)\n`);
      expect(run.status).toBe(1);
      // 2 s, plus loading the client and closing it on a loaded machine; never the minutes of the client's own retries
      expect(took).toBeGreaterThanOrEqual(2000);
      expect(took).toBeLessThan(15_000);
    } finally {
      server.close();
    }
  });

  it("consume --kafka where nothing listens fails within the default connect timeout of 10 s", () => {
    const started = Date.now();
    const run = orwire(["consume", "--kafka", "127.0.0.1:1", "--timeout", "3"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe("orwire: cannot connect to Kafka at 127.0.0.1:1: no answer within 10 s (--connect-timeout)\n");
    expect(Date.now() - started).toBeLessThan(25_000);
  });
});
