/** NATS messages for a stream of events, with the headers that do not change built once per type. */
import type { ImageGenCallLifecycleEvent } from "../json/event.js";
import { encodeEventMessage } from "../lifecycle.js";
import { withDefaults } from "../options.js";
import { eventId, percentEncode, toCloudEventAttributes, toCloudEventHeaders } from "../transport/cloudevents.js";
import { defaultNatsMessageOptions, type NatsMessage, type NatsMessageOptions, natsSubjectOf } from "./records.js";

/** Printable ASCII without space, `"` and `%`: what percent-encoding leaves as it is. */
const UNESCAPED = /^[\x21\x23\x24\x26-\x7e]*$/;

/**
 * `toNatsMessage` for a stream of events with one set of options: the options are read once, and
 * the subject and the headers that do not change with the event (all but `ce-id`) are built once
 * per type. Gives exactly what `toNatsMessage` gives.
 */
export function natsMessageWriter(options: Partial<NatsMessageOptions> = {}): (event: ImageGenCallLifecycleEvent) => NatsMessage {
  const { subject, subjectPrefix, ...ce } = withDefaults(defaultNatsMessageOptions, options);
  const perType = new Map<string, { subject: string; headers: [string, string][] }>();
  return (event) => {
    const data = encodeEventMessage(event);
    let fixed = perType.get(event.type);
    if (fixed === undefined) {
      // the first event of a type goes the general way, which also checks the type and the options
      const attributes = toCloudEventAttributes(event, ce);
      fixed = { subject: subject ?? natsSubjectOf(event.type, subjectPrefix), headers: toCloudEventHeaders(attributes, "nats") };
      perType.set(event.type, fixed);
    }
    const id = eventId(event);
    const msgID = UNESCAPED.test(id) ? id : percentEncode(id);
    const headers: Record<string, string> = {};
    for (const [name, value] of fixed.headers) headers[name] = name === "ce-id" ? msgID : value;
    return { subject: fixed.subject, data, headers, msgID };
  };
}
