import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scanPubAck } from "../src/nats/pub-ack.js";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("scanPubAck", () => {
  it.each([
    ['{"stream":"S", "seq":200001}', false],
    ['{"stream":"S", "seq":200001,"duplicate": true}', true],
    ['{"stream":"ORDERS_1","seq":7}', false],
    ['{"stream":"ORDERS_1","seq":7,"duplicate":true}', true],
    ['{"stream":"é", "seq":1}', false],
  ])("reads %s as the server writes it", (ack, duplicate) => {
    expect(scanPubAck(bytes(ack))).toBe(duplicate);
    expect(JSON.parse(ack).duplicate === true).toBe(duplicate);
  });

  it.each([
    '{"error":{"code":503,"err_code":10008,"description":"JetStream system temporarily unavailable"}}',
    '{"stream":"", "seq":1}',
    '{"stream":"S", "seq":}',
    '{"stream":"S", "seq":1,"duplicate": false}',
    '{"stream":"S", "domain":"hub", "seq":1}',
    '{"stream":"S\\"x", "seq":1}',
    '{"stream":"S", "seq":1} ',
    '{"stream":"S", "seq":1,"duplicate": true',
    '{"stream":"S", "seq":1,"duplicate": truex}',
    '{"stream":"S", "seq":1,"error":{}}',
    '{"stream":"S',
    "not json",
    "",
  ])("leaves %s to JSON.parse", (ack) => {
    expect(scanPubAck(bytes(ack))).toBeUndefined();
  });

  it("never reads a duplicate flag JSON.parse would not give", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const got = scanPubAck(bytes(s));
        if (got === undefined) return;
        const parsed = JSON.parse(s);
        expect(typeof parsed.stream === "string" && parsed.stream !== "" && parsed.error === undefined).toBe(true);
        expect(parsed.duplicate === true).toBe(got);
      }),
    );
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => [...s].every((c) => c !== '"' && c !== "\\" && c.charCodeAt(0) >= 0x20)),
        fc.nat(),
        fc.boolean(),
        (stream, seq, dup) => {
          const s = JSON.stringify({ stream, seq, ...(dup ? { duplicate: true } : {}) });
          expect(scanPubAck(bytes(s))).toBe(dup);
        },
      ),
    );
  });
});
