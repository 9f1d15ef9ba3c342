/** NATS messages for a stream of events, with the headers that do not change built once per type. */
import type { ImageGenCallLifecycleEvent } from "../json/event.js";
import { encodeEventMessage } from "../lifecycle.js";
import { withDefaults } from "../options.js";
import { eventId, percentEncode, toCloudEventAttributes, toCloudEventHeaders } from "../transport/cloudevents.js";
import { defaultNatsMessageOptions, type NatsMessage, type NatsMessageOptions, natsSubjectOf } from "./records.js";

/** Printable ASCII without space, `"` and `%`: what percent-encoding leaves as it is. */
const UNESCAPED = /^[\x21\x23\x24\x26-\x7e]*$/;

/** What every message of one type has, whatever the event: its subject and CloudEvents headers (`ce-id`'s value is the first event's). */
export interface NatsFixedParts {
  subject: string;
  headers: [string, string][];
}

/**
 * The subject and headers of each type's messages for one set of options, built from the first
 * event of the type, which goes the general way (`toCloudEventAttributes` also checks the type and
 * the options); the same object for every event of the type.
 */
export function natsFixedParts(options: Partial<NatsMessageOptions> = {}): (event: ImageGenCallLifecycleEvent) => NatsFixedParts {
  const { subject, subjectPrefix, ...ce } = withDefaults(defaultNatsMessageOptions, options);
  const perType = new Map<string, NatsFixedParts>();
  return (event) => {
    let fixed = perType.get(event.type);
    if (fixed === undefined) {
      const attributes = toCloudEventAttributes(event, ce);
      fixed = { subject: subject ?? natsSubjectOf(event.type, subjectPrefix), headers: toCloudEventHeaders(attributes, "nats") };
      perType.set(event.type, fixed);
    }
    return fixed;
  };
}

/** An event's `Nats-Msg-Id` (and `ce-id`): its event id, percent-encoded where it needs to be. */
export function natsMessageId(event: ImageGenCallLifecycleEvent): string {
  const id = eventId(event);
  return UNESCAPED.test(id) ? id : percentEncode(id);
}

/**
 * `toNatsMessage` for a stream of events with one set of options: the options are read once, and
 * the subject and the headers that do not change with the event (all but `ce-id`) are built once
 * per type. Gives exactly what `toNatsMessage` gives.
 */
export function natsMessageWriter(options: Partial<NatsMessageOptions> = {}): (event: ImageGenCallLifecycleEvent) => NatsMessage {
  const fixedOf = natsFixedParts(options);
  return (event) => {
    const data = encodeEventMessage(event);
    const fixed = fixedOf(event);
    const msgID = natsMessageId(event);
    const headers: Record<string, string> = {};
    for (const [name, value] of fixed.headers) headers[name] = name === "ce-id" ? msgID : value;
    return { subject: fixed.subject, data, headers, msgID };
  };
}
