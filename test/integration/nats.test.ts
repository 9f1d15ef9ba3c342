import { headers as natsHeaders } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IMAGE_GEN_CALL_COMPLETED, type ImageGenCallCompletedEvent, type ImageGenCallLifecycleEvent } from "../../src/index.js";
import {
  consumeFromJetStream,
  ensureJetStream,
  type JetStreamEventContext,
  type JetStreamNames,
  jetStreamNames,
  NATS_DEAD_LETTER_HEADERS,
  natsSubjectOf,
  publishToJetStream,
  toNatsMessage,
} from "../../src/nats/index.js";
import { percentDecode } from "../../src/transport/cloudevents.js";
import { requireBroker, runTag } from "../support/brokers.js";
import { makeEvents, sseSample } from "../support/events.js";
import { natsClients, tally } from "../support/queue-clients.js";

const available = await requireBroker("nats");
const tag = runTag();
const T = IMAGE_GEN_CALL_COMPLETED;

describe.skipIf(!available)("NATS JetStream (@nats-io/jetstream against a real server)", () => {
  let clients: Awaited<ReturnType<typeof natsClients>>;
  const created: JetStreamNames[] = [];
  const stream = async (name: string) => {
    const names = await ensureJetStream(clients.jsm, { subject: `orwire.it.${name}.${tag}` });
    created.push(names);
    return names;
  };
  const received =
    (into: { event: ImageGenCallLifecycleEvent; id: string; deliveries: number }[]) =>
    (event: ImageGenCallLifecycleEvent, c: JetStreamEventContext) => {
      into.push({ event, id: c.eventId, deliveries: c.deliveries });
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

  it("creates the stream with a duplicate window, file storage, and a dead-letter stream; a second call keeps them", async () => {
    const names = await stream("setup");
    const info = await clients.jsm.streams.info(names.stream);
    expect(info.config).toMatchObject({ subjects: [names.subject], duplicate_window: 120_000_000_000, storage: "file" });
    expect((await clients.jsm.streams.info(names.deadLetterStream)).config.subjects).toEqual([names.deadLetterSubject]);
    await ensureJetStream(clients.jsm, { subject: names.subject });
    expect((await clients.jsm.streams.info(names.stream)).created).toBe(info.created);
  });

  it("the SSE sample's 10 lifecycle events go to one subject per type in one stream, and come back identical, each call's in order", async () => {
    const subjectPrefix = `orwire.it.lifecycle.${tag}`;
    const names = await ensureJetStream(clients.jsm, { subjectPrefix });
    created.push(names);
    expect(names).toEqual(jetStreamNames({ subjectPrefix }));
    expect((await clients.jsm.streams.info(names.stream)).config.subjects).toEqual([`${subjectPrefix}.*`]);
    expect((await clients.jsm.streams.info(names.deadLetterStream)).config.subjects).toEqual([`${subjectPrefix}.*.dead-letter`]);
    const events = sseSample();
    expect(await publishToJetStream(clients.js, events, { subjectPrefix, stream: names.stream })).toEqual({
      published: 10,
      duplicates: 0,
      retries: 0,
    });

    const got: { event: ImageGenCallLifecycleEvent; id: string; deliveries: number; subject: string }[] = [];
    const all = await consumeFromJetStream(
      clients.js,
      (event, c) => void got.push({ event, id: c.eventId, deliveries: c.deliveries, subject: c.subject }),
      { stream: names.stream, count: 10, idleTimeout: 10_000 },
    );
    expect(all).toEqual({ events: 10, deadLettered: 0 });
    expect(tally(events, got)).toEqual({ sent: 10, received: 10, unique: 10, lost: 0, duplicates: 0, changed: 0, reordered: 0 });
    for (const g of got) expect(g.subject).toBe(natsSubjectOf(g.event.type, subjectPrefix));
    expect(new Set(got.map((g) => g.subject)).size).toBe(4);

    // one type when asked: a consumer filtered on that type's subject
    const partial: ImageGenCallLifecycleEvent[] = [];
    const type = "response.image_generation_call.partial_image";
    expect(
      await consumeFromJetStream(clients.js, (event) => void partial.push(event), {
        stream: names.stream,
        type,
        subjectPrefix,
        idleTimeout: 1500,
      }),
    ).toEqual({ events: 4, deadLettered: 0 });
    expect(partial.map((e) => e.type)).toEqual(new Array(4).fill(type));
    expect(partial).toEqual(events.filter((e) => e.type === type));

    // a refused message goes to its own subject's dead letter, which the dead-letter stream (not the events' stream) holds
    const bad = toNatsMessage(events[0]!, { subjectPrefix });
    const h = natsHeaders();
    for (const [k, v] of Object.entries({ ...bad.headers, "ce-id": "ig_other:1" })) h.set(k, v);
    await clients.js.publish(bad.subject, bad.data, { headers: h });
    expect(
      await consumeFromJetStream(clients.js, () => {}, { stream: names.stream, consumer: `orwire-it-lifecycle-${tag}`, idleTimeout: 1500 }),
    ).toEqual({ events: 10, deadLettered: 1 });
    const dead = await clients.jsm.streams.getMessage(names.deadLetterStream, { seq: 1 });
    expect(dead!.subject).toBe(`${subjectPrefix}.in_progress.dead-letter`);
    expect((await clients.jsm.streams.info(names.stream)).state.messages).toBe(11);
  });

  it("10,000 events round-trip Object.is-equal, each item's events in order", async () => {
    const names = await stream("round-trip");
    const events = makeEvents(10_000, { items: 400, tag });
    expect(await publishToJetStream(clients.js, events, { subject: names.subject, stream: names.stream })).toEqual({
      published: 10_000,
      duplicates: 0,
      retries: 0,
    });
    expect((await clients.jsm.streams.info(names.stream)).state.messages).toBe(10_000);

    const got: { event: ImageGenCallLifecycleEvent; id: string; deliveries: number }[] = [];
    expect(await consumeFromJetStream(clients.js, received(got), { stream: names.stream, count: 10_000, idleTimeout: 20_000 })).toEqual({
      events: 10_000,
      deadLettered: 0,
    });
    expect(tally(events, got)).toEqual({
      sent: 10_000,
      received: 10_000,
      unique: 10_000,
      lost: 0,
      duplicates: 0,
      changed: 0,
      reordered: 0,
    });
  });

  it("stores the same event published twice once: JetStream de-duplicates on the event id", async () => {
    const names = await stream("dedup");
    const event: ImageGenCallCompletedEvent = { type: T, itemId: `ig_dup_${tag}`, outputIndex: 0, sequenceNumber: 3 };
    expect(await publishToJetStream(clients.js, [event], { subject: names.subject })).toEqual({ published: 1, duplicates: 0, retries: 0 });
    expect(await publishToJetStream(clients.js, [event, { ...event }], { subject: names.subject })).toEqual({
      published: 2,
      duplicates: 2,
      retries: 0,
    });
    // any client publishing the message with its msgID gets the same answer
    const m = toNatsMessage(event, { subject: names.subject });
    const h = natsHeaders();
    for (const [k, v] of Object.entries(m.headers)) h.set(k, v);
    expect(await clients.js.publish(m.subject, m.data, { msgID: m.msgID, headers: h })).toMatchObject({ seq: 1, duplicate: true });
    // a different event of the same item is a different id
    expect((await publishToJetStream(clients.js, [{ ...event, sequenceNumber: 4 }], { subject: names.subject })).duplicates).toBe(0);
    const state = (await clients.jsm.streams.info(names.stream)).state;
    expect(state.messages).toBe(2);
    const stored = await clients.jsm.streams.getMessage(names.stream, { seq: 1 });
    expect(stored!.header.get("Nats-Msg-Id")).toBe(`ig_dup_${tag}:3`);
  });

  it("acks only what the handler finished: a failed event is delivered again, handled ones are not", async () => {
    const names = await stream("acks");
    const events = makeEvents(40, { items: 4, tag: `${tag}a` });
    await publishToJetStream(clients.js, events, { subject: names.subject });
    const failId = toNatsMessage(events[20]!).msgID;
    const boom = new Error("handler failed");
    const first: { event: ImageGenCallLifecycleEvent; id: string; deliveries: number }[] = [];
    // the default ackWait (30 s): what the first run fetched but did not handle must come again at once
    const options = { stream: names.stream, consumer: `orwire-it-${tag}`, maxMessages: 8 };
    await expect(
      consumeFromJetStream(
        clients.js,
        (event, c) => {
          if (c.eventId === failId) throw boom;
          first.push({ event, id: c.eventId, deliveries: c.deliveries });
        },
        { ...options, idleTimeout: 10_000 },
      ),
    ).rejects.toBe(boom);

    const second: { event: ImageGenCallLifecycleEvent; id: string; deliveries: number }[] = [];
    await consumeFromJetStream(clients.js, received(second), { ...options, idleTimeout: 2000 });
    const firstIds = new Set(first.map((r) => r.id));
    expect(first.length).toBeGreaterThan(0);
    expect(second.find((r) => r.id === failId)?.deliveries).toBeGreaterThan(1);
    // nothing handled in the first run comes again, and nothing is missing
    expect(second.filter((r) => firstIds.has(r.id))).toEqual([]);
    expect(tally(events, [...first, ...second])).toMatchObject({ received: 40, lost: 0, duplicates: 0, changed: 0 });
    expect((await clients.jsm.consumers.info(names.stream, options.consumer)).num_ack_pending).toBe(0);
  });

  it("sends messages that are not ours, or do not decode, to the dead-letter subject with the reason, and goes on", async () => {
    const names = await stream("poison");
    const good = makeEvents(2, { items: 1, tag: `${tag}p` });
    const publish = async (data: Uint8Array, headers: Record<string, string>) => {
      const h = natsHeaders();
      for (const [k, v] of Object.entries(headers)) h.set(k, v);
      await clients.js.publish(names.subject, data, { headers: h });
    };
    const ours = toNatsMessage(good[0]!);
    const bad = toNatsMessage({ type: T, itemId: "ig_bad", outputIndex: 0, sequenceNumber: 1 });
    await publish(ours.data, ours.headers);
    await publish(Uint8Array.of(0x0a, 0x09, 0x69), bad.headers);
    await publish(ours.data, { ...ours.headers, "ce-type": "response.output_text.delta" });
    await publish(new TextEncoder().encode('{"hello":"world"}'), { "content-type": "application/json" });
    await publishToJetStream(clients.js, [good[1]!], { subject: names.subject });

    const got: { event: ImageGenCallLifecycleEvent; id: string; deliveries: number }[] = [];
    const durable = `orwire-it-poison-${tag}`;
    expect(await consumeFromJetStream(clients.js, received(got), { stream: names.stream, consumer: durable, idleTimeout: 2000 })).toEqual({
      events: 2,
      deadLettered: 3,
    });
    expect(got.map((g) => g.event)).toEqual(good);

    // the dead-letter stream holds the three messages as they came, with the reason
    const reader = await clients.js.consumers.get(names.deadLetterStream);
    const dead = await reader.fetch({ max_messages: 3, expires: 5000 });
    const entries: { data: Uint8Array; headers: Record<string, string> }[] = [];
    for await (const m of dead) entries.push({ data: m.data, headers: Object.fromEntries([...m.headers!].map(([k, v]) => [k, v[0]!])) });
    expect(
      entries.map((e) => [e.headers[NATS_DEAD_LETTER_HEADERS.code], percentDecode(e.headers[NATS_DEAD_LETTER_HEADERS.path]!)]),
    ).toEqual([
      ["truncated", '["itemId"]'],
      ["not_our_record", '["headers","ce-type"]'],
      ["unsupported_content_type", '["headers","content-type"]'],
    ]);
    expect(entries.map((e) => e.headers[NATS_DEAD_LETTER_HEADERS.seq])).toEqual(["2", "3", "4"]);
    expect(Buffer.from(entries[0]!.data).toString("hex")).toBe("0a0969");
    expect(entries[0]!.headers["ce-id"]).toBe("ig_bad:1");
    expect(entries[2]!.headers["content-type"]).toBe("application/json");
    expect(percentDecode(entries[0]!.headers[NATS_DEAD_LETTER_HEADERS.reason]!)).toMatch(/bytes end|past/);

    // the poison messages were terminated: the durable consumer has nothing pending and nothing new
    expect((await clients.jsm.consumers.info(names.stream, durable)).num_ack_pending).toBe(0);
    expect(await consumeFromJetStream(clients.js, () => {}, { stream: names.stream, consumer: durable, idleTimeout: 1500 })).toEqual({
      events: 0,
      deadLettered: 0,
    });
  });
});
