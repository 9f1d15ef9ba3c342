/**
 * Messages for the async publisher: subject, bytes and id built when the event is read, the
 * header block only when the message is sent, so that a message waiting for its acknowledgment
 * keeps no headers alive.
 */
import type { ImageGenCallLifecycleEvent } from "../json/event.js";
import { encodeEventMessage } from "../lifecycle.js";
import type { OutgoingNatsMessage } from "./async-publisher.js";
import { type NatsHeaderBlock, writeNatsHeaderBlock } from "./header-block.js";
import { type NatsFixedParts, natsFixedParts, natsMessageId } from "./message-writer.js";
import type { NatsMessageOptions } from "./records.js";

/**
 * A writer of `OutgoingNatsMessage`s with the headers of `toNatsMessage`, then `Nats-Msg-Id` and,
 * when `expectedStream` is set, `Nats-Expected-Stream`, in that order; one header builder per
 * type is shared by its messages.
 */
export function natsOutgoingWriter(
  options: Partial<NatsMessageOptions>,
  expectedStream: string | undefined,
): (event: ImageGenCallLifecycleEvent, record: number) => OutgoingNatsMessage {
  const fixedOf = natsFixedParts(options);
  const builders = new Map<NatsFixedParts, (msgID: string) => NatsHeaderBlock>();
  return (event, record) => {
    const data = encodeEventMessage(event);
    const fixed = fixedOf(event);
    const msgID = natsMessageId(event);
    let headers = builders.get(fixed);
    if (headers === undefined) {
      headers = headerBuilder(fixed, expectedStream);
      headers(msgID); // a header that cannot be written is refused here, at the first event of its type
      builders.set(fixed, headers);
    }
    return { record, key: event.itemId, subject: fixed.subject, data, headers, msgID };
  };
}

/** Builds the header block of a message of one type from its message id (the value of `ce-id` and `Nats-Msg-Id`). */
function headerBuilder(fixed: NatsFixedParts, expectedStream: string | undefined): (msgID: string) => NatsHeaderBlock {
  const idAt = fixed.headers.findIndex(([name]) => name === "ce-id");
  return (msgID) => {
    const pairs = fixed.headers.slice();
    pairs[idAt] = ["ce-id", msgID];
    pairs.push(["Nats-Msg-Id", msgID]);
    if (expectedStream !== undefined) pairs.push(["Nats-Expected-Stream", expectedStream]);
    return writeNatsHeaderBlock(pairs);
  };
}
