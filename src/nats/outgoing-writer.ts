/**
 * Messages for the async publisher: subject, bytes and id built when the event is read, the
 * nats.js headers only when the message is sent, so that a message waiting for its
 * acknowledgment does not keep a `MsgHdrs` (a map of arrays) alive.
 */
import type { MsgHdrs } from "@nats-io/transport-node";
import type { ImageGenCallLifecycleEvent } from "../json/event.js";
import { encodeEventMessage } from "../lifecycle.js";
import type { OutgoingNatsMessage } from "./async-publisher.js";
import { type NatsFixedParts, natsFixedParts, natsMessageId } from "./message-writer.js";
import type { NatsMessageOptions } from "./records.js";

/**
 * A writer of `OutgoingNatsMessage`s with the headers of `toNatsMessage`, then `Nats-Msg-Id` and,
 * when `expectedStream` is set, `Nats-Expected-Stream`, in that order. `headers` makes an empty
 * `MsgHdrs` (`@nats-io/transport-node`'s `headers`); one builder per type is shared by its messages.
 */
export function natsOutgoingWriter(
  options: Partial<NatsMessageOptions>,
  headers: () => MsgHdrs,
  expectedStream: string | undefined,
): (event: ImageGenCallLifecycleEvent, record: number) => OutgoingNatsMessage {
  const fixedOf = natsFixedParts(options);
  const builders = new Map<NatsFixedParts, (msgID: string) => MsgHdrs>();
  const builderOf = (fixed: NatsFixedParts) => {
    let build = builders.get(fixed);
    if (build === undefined) {
      build = (msgID) => {
        const h = headers();
        // a fresh MsgHdrs and distinct names: append is set without the search for an old value
        for (const [name, value] of fixed.headers) h.append(name, name === "ce-id" ? msgID : value);
        h.append("Nats-Msg-Id", msgID);
        if (expectedStream !== undefined) h.append("Nats-Expected-Stream", expectedStream);
        return h;
      };
      builders.set(fixed, build);
    }
    return build;
  };
  return (event, record) => {
    const data = encodeEventMessage(event);
    const fixed = fixedOf(event);
    return { record, key: event.itemId, subject: fixed.subject, data, headers: builderOf(fixed), msgID: natsMessageId(event) };
  };
}
