import { headers as natsHeaders } from "@nats-io/transport-node";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  encode,
  encodeEventMessage,
  equalJson,
  IMAGE_GEN_CALL_COMPLETED,
  type ImageGenCallCompletedEvent,
  messageNameOf,
} from "../src/index.js";
import {
  DEFAULT_NATS_SUBJECT,
  DEFAULT_NATS_SUBJECT_PREFIX,
  fromNatsMessage,
  jetStreamNames,
  type NatsMessageInput,
  natsHeaderPairs,
  natsSubjectOf,
  toNatsMessage,
} from "../src/nats/index.js";
import { percentEncode } from "../src/transport/cloudevents.js";
import { anyEvent, anyLifecycleEvent, seed } from "./support/arbitraries.js";
import { sseSample } from "./support/events.js";
import { codeAndPath } from "./support/refusal.js";

const T = IMAGE_GEN_CALL_COMPLETED;
const event: ImageGenCallCompletedEvent = {
  type: T,
  itemId: "ig_0c24cad2e1cb59201b3d503d387b03578e70c950ca42f",
  outputIndex: 0,
  sequenceNumber: 7,
};

/** The headers as nats.js delivers them: a MsgHdrs. */
function asDelivered(m: { data: Uint8Array; headers: Record<string, string>; msgID: string }): NatsMessageInput {
  const h = natsHeaders();
  for (const [k, v] of Object.entries(m.headers)) h.set(k, v);
  h.set("Nats-Msg-Id", m.msgID);
  return { data: m.data, headers: h };
}

describe("toNatsMessage", () => {
  it("subject, the message bytes, ce- headers, and the event id as the JetStream message id", () => {
    expect(toNatsMessage(event)).toEqual({
      subject: DEFAULT_NATS_SUBJECT,
      data: encode(event),
      headers: {
        "ce-datacontenttype": "application/protobuf",
        "ce-specversion": "1.0",
        "ce-id": `${event.itemId}:7`,
        "ce-source": "/openresponses-wire",
        "ce-type": T,
        "ce-dataschema": "urn:openresponses-wire:openresponses.v1.ImageGenCallCompleted",
      },
      msgID: `${event.itemId}:7`,
    });
    expect(DEFAULT_NATS_SUBJECT).toBe("openresponses.image_generation_call.completed");
  });

  it("percent-encodes header values and the message id, so any item_id makes valid headers", () => {
    const m = toNatsMessage({ ...event, itemId: "ig 1\r\nX-Injected: 1" }, { subject: "a.b", source: "urn:x y" });
    expect(m.subject).toBe("a.b");
    expect(m.headers["ce-id"]).toBe("ig%201%0D%0AX-Injected:%201:7");
    expect(m.msgID).toBe(m.headers["ce-id"]);
    expect(m.headers["ce-source"]).toBe("urn:x%20y");
    for (const value of [...Object.values(m.headers), m.msgID]) expect(value).toMatch(/^[\x21-\x7e]+$/);
  });

  it("gives distinct events of one item distinct message ids, -0 and 0 included", () => {
    expect(toNatsMessage({ ...event, sequenceNumber: -0 }).msgID).not.toBe(toNatsMessage({ ...event, sequenceNumber: 0 }).msgID);
  });
});

describe("fromNatsMessage", () => {
  it("reads back any event, Object.is-equal, from the message as written or as nats.js delivers it", () => {
    fc.assert(
      fc.property(anyEvent, (e) => {
        const message = toNatsMessage(e as ImageGenCallCompletedEvent);
        expect(equalJson(fromNatsMessage(message), e)).toBe(true);
        expect(equalJson(fromNatsMessage(asDelivered(message)), e)).toBe(true);
        expect(message.msgID).toBe(
          percentEncode(
            `${(e as ImageGenCallCompletedEvent).itemId}:${Object.is(e.sequenceNumber, -0) ? "-0" : JSON.stringify(e.sequenceNumber)}`,
          ),
        );
      }),
      { seed, numRuns: 300 },
    );
  });

  const ours = toNatsMessage(event);
  const withHeaders = (changes: Record<string, string | undefined>): NatsMessageInput => {
    const headers: Record<string, string> = { ...ours.headers };
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined) delete headers[k];
      else headers[k] = v;
    }
    return { data: ours.data, headers };
  };

  it.each([
    ["no headers", { data: ours.data }, "unsupported_content_type", ["headers", "ce-datacontenttype"]],
    [
      "JSON content",
      withHeaders({ "ce-datacontenttype": "application/json" }),
      "unsupported_content_type",
      ["headers", "ce-datacontenttype"],
    ],
    [
      "structured mode",
      { data: ours.data, headers: { "content-type": "application/cloudevents+json" } },
      "unsupported_content_type",
      ["headers", "content-type"],
    ],
    ["another event type", withHeaders({ "ce-type": "response.output_text.delta" }), "not_our_record", ["headers", "ce-type"]],
    [
      "a completed message labelled a partial image",
      withHeaders({ "ce-type": "response.image_generation_call.partial_image" }),
      "missing_field",
      ["partialImageB64"],
    ],
    ["a ce-id of another event", withHeaders({ "ce-id": "ig_2:7" }), "header_mismatch", ["headers", "ce-id"]],
    ["a malformed escape", withHeaders({ "ce-source": "%zz" }), "invalid_header", ["headers", "ce-source"]],
    ["bytes that are not a message", { ...withHeaders({}), data: Uint8Array.of(0x10, 0x01) }, "missing_field", ["itemId"]],
  ] as const)("refuses %s", (_, message, code, path) => {
    expect(codeAndPath(() => fromNatsMessage(message as NatsMessageInput))).toEqual({ code, path });
  });

  it("normalizes header shapes to pairs, one per value", () => {
    const h = natsHeaders();
    h.append("a", "1");
    h.append("a", "2");
    expect(natsHeaderPairs(h)).toEqual([
      ["a", "1"],
      ["a", "2"],
    ]);
    expect(natsHeaderPairs({ a: ["1", "2"], b: "3" })).toEqual([
      ["a", "1"],
      ["a", "2"],
      ["b", "3"],
    ]);
  });
});

describe("messages of every lifecycle type", () => {
  const sample = sseSample();
  const oneOfEach = [...new Map(sample.map((e) => [e.type, e])).values()];

  it.each(oneOfEach.map((e) => [e.type, e] as const))("%s: its own message on its own subject, ce-type its type", (type, e) => {
    const m = toNatsMessage(e);
    const suffix = type.slice("response.image_generation_call.".length);
    expect(m.subject).toBe(`openresponses.image_generation_call.${suffix}`);
    expect(m.subject).toBe(natsSubjectOf(type));
    expect(m.data).toEqual(encodeEventMessage(e));
    expect(m.headers["ce-type"]).toBe(type);
    expect(m.headers["ce-dataschema"]).toBe(`urn:openresponses-wire:${messageNameOf(type)}`);
    expect(equalJson(fromNatsMessage(asDelivered(m)), e)).toBe(true);
  });

  it("subjects follow subjectPrefix; an explicit subject carries every type", () => {
    expect(oneOfEach.map((e) => toNatsMessage(e, { subjectPrefix: "svc.img" }).subject)).toEqual([
      "svc.img.in_progress",
      "svc.img.generating",
      "svc.img.partial_image",
      "svc.img.completed",
    ]);
    expect(new Set(oneOfEach.map((e) => toNatsMessage(e, { subject: "one.subject" }).subject))).toEqual(new Set(["one.subject"]));
    expect(DEFAULT_NATS_SUBJECT_PREFIX).toBe("openresponses.image_generation_call");
    expect(codeAndPath(() => natsSubjectOf("response.output_text.delta" as never))).toEqual({ code: "invalid_value", path: ["type"] });
  });

  it("reads back any lifecycle event, Object.is-equal; a completed event's data is exactly encode(event)", () => {
    fc.assert(
      fc.property(anyLifecycleEvent, (e) => {
        const m = toNatsMessage(e);
        expect(equalJson(fromNatsMessage(asDelivered(m)), e)).toBe(true);
        if (e.type === T) expect(Buffer.from(m.data).equals(Buffer.from(encode(e)))).toBe(true);
      }),
      { seed, numRuns: 300 },
    );
  });
});

describe("jetStreamNames", () => {
  it("by default one stream captures every type's subject under the prefix, and the dead letter does not overlap it", () => {
    expect(jetStreamNames()).toEqual({
      subject: "openresponses.image_generation_call.*",
      stream: "OPENRESPONSES_IMAGE_GENERATION_CALL",
      deadLetterSubject: "openresponses.image_generation_call.*.dead-letter",
      deadLetterStream: "OPENRESPONSES_IMAGE_GENERATION_CALL_DEAD_LETTER",
    });
    expect(jetStreamNames({ subjectPrefix: "svc.img" })).toMatchObject({
      subject: "svc.img.*",
      stream: "SVC_IMG",
      deadLetterSubject: "svc.img.*.dead-letter",
    });
  });

  it("an explicit subject is captured alone, its dead letter at <subject>.dead-letter; explicit names win", () => {
    expect(jetStreamNames({ subject: DEFAULT_NATS_SUBJECT })).toEqual({
      subject: DEFAULT_NATS_SUBJECT,
      stream: "OPENRESPONSES_IMAGE_GENERATION_CALL_COMPLETED",
      deadLetterSubject: `${DEFAULT_NATS_SUBJECT}.dead-letter`,
      deadLetterStream: "OPENRESPONSES_IMAGE_GENERATION_CALL_COMPLETED_DEAD_LETTER",
    });
    expect(jetStreamNames({ subject: "a.b", stream: "S", deadLetterSubject: "dl", deadLetterStream: "DL" })).toEqual({
      subject: "a.b",
      stream: "S",
      deadLetterSubject: "dl",
      deadLetterStream: "DL",
    });
  });
});
