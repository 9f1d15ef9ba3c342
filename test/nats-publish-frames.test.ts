import { ProtocolHandler } from "@nats-io/nats-core/internal";
import { describe, expect, it } from "vitest";
import { NatsFrameWriter, type NatsProtocolLike, natsProtocolOf } from "../src/nats/publish-frames.js";

/** A protocol handler's stand-in that keeps what is handed to its outbound buffer, as nats.js's `sendCommand` takes it. */
function sink(info: NatsProtocolLike["info"] = { max_payload: 1024 * 1024, headers: true }) {
  const parts: Uint8Array[] = [];
  const p = {
    info,
    noMorePublishing: false,
    outBytes: 0,
    outMsgs: 0,
    sendCommand(cmd: string | Uint8Array, ...payloads: Uint8Array[]) {
      parts.push(typeof cmd === "string" ? new TextEncoder().encode(cmd) : cmd.slice(), ...payloads.map((b) => b.slice()));
    },
  };
  const bytes = () => Buffer.concat(parts);
  return { p, parts, bytes };
}

const block = (s: string) => ({ encode: () => new TextEncoder().encode(s) });
const cases: [string, number, string, Uint8Array][] = [
  ["a.completed", 1, "NATS/1.0\r\nce-id: x\r\nNats-Msg-Id: x\r\n\r\n", new Uint8Array([1, 2, 3])],
  ["p.é.partial_image", 9, "NATS/1.0\r\nA: b\r\n\r\n", new Uint8Array(0)],
  ["b", 10, "NATS/1.0\r\n\r\n", new Uint8Array(70_000).fill(7)], // larger than a slab
  ["c.x", 123_456_789, "NATS/1.0\r\nk: 漢字\r\n\r\n", new TextEncoder().encode("data")],
];

describe("NatsFrameWriter", () => {
  it("writes, in order, the bytes nats.js's own publish writes, and counts them as it does", async () => {
    const ours = sink();
    const theirs = sink();
    const writer = new NatsFrameWriter(ours.p, () => false, "_INBOX.abc.");
    for (const [subject, token, headers, data] of cases) {
      expect(writer.write(subject, token, block(headers).encode(), data)).toBe(true);
      ProtocolHandler.prototype.publish.call(theirs.p as unknown as ProtocolHandler, subject, data, {
        reply: `_INBOX.abc.${token}`,
        headers: block(headers) as never,
      });
    }
    await Promise.resolve(); // handed over in a microtask
    expect(ours.bytes().equals(theirs.bytes())).toBe(true);
    expect([ours.p.outBytes, ours.p.outMsgs]).toEqual([theirs.p.outBytes, theirs.p.outMsgs]);
    expect(ours.parts.length).toBeLessThan(cases.length); // chunks, not a part per message
  });

  it("hands over at the end of the turn, and what it wrote first goes first", async () => {
    const ours = sink();
    const writer = new NatsFrameWriter(ours.p, () => false, "_INBOX.x.");
    writer.write("s", 1, new Uint8Array(0), new Uint8Array(0));
    expect(ours.parts).toEqual([]);
    await Promise.resolve();
    writer.write("s", 2, new Uint8Array(0), new Uint8Array(0));
    writer.flush();
    expect(Buffer.concat(ours.parts).toString()).toBe("HPUB s _INBOX.x.1 0 0\r\n\r\nHPUB s _INBOX.x.2 0 0\r\n\r\n");
  });

  const one = new Uint8Array(1);
  it.each<[string, Partial<NatsProtocolLike>, string, number]>([
    ["a subject nats.js refuses", {}, "a b", 1],
    ["an empty subject", {}, "", 1],
    ["a message above max_payload", { info: { max_payload: 10, headers: true } }, "a", 10],
    ["a server without headers", { info: { max_payload: 100, headers: false } }, "a", 1],
    ["no server info yet", { info: undefined }, "a", 1],
    ["a draining connection", { noMorePublishing: true }, "a", 1],
  ])("leaves %s to the client's publish, after handing over what it wrote before", (_, change, subject, size) => {
    const ours = sink({ max_payload: 100, headers: true });
    const writer = new NatsFrameWriter(ours.p, () => false, "_INBOX.x.");
    expect(writer.write("s", 1, new Uint8Array(0), new Uint8Array(0))).toBe(true);
    Object.assign(ours.p, change);
    expect(writer.write(subject, 2, one, new Uint8Array(size))).toBe(false);
    expect(Buffer.concat(ours.parts).toString()).toBe("HPUB s _INBOX.x.1 0 0\r\n\r\n");
    expect(ours.p.outMsgs).toBe(1);
  });

  it("leaves a closed connection to the client's publish", () => {
    const ours = sink();
    const writer = new NatsFrameWriter(ours.p, () => true, "_INBOX.x.");
    expect(writer.write("s", 1, new Uint8Array(0), new Uint8Array(0))).toBe(false);
    expect(ours.parts).toEqual([]);
  });

  it("takes only a connection with a nats.js 3.x protocol handler", () => {
    expect(natsProtocolOf({ publish() {}, subscribe() {} })).toBeUndefined();
    expect(natsProtocolOf({ protocol: { sendCommand() {} }, isClosed: () => false })).toBeUndefined();
    const p = sink().p;
    expect(natsProtocolOf({ protocol: p, isClosed: () => false })).toBe(p);
  });
});
