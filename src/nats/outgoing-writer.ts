/**
 * Messages for the async publisher: subject, bytes and id built when the event is read, the
 * header block only when the message is sent, so that a message waiting for its acknowledgment
 * keeps no headers alive.
 */
import type { ImageGenCallLifecycleEvent } from "../json/event.js";
import { encodeEventMessage } from "../lifecycle.js";
import type { OutgoingNatsMessage } from "./async-publisher.js";
import { NatsHeaderBlock, writeNatsHeaderBlock } from "./header-block.js";
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

/**
 * Builds the header block of a message of one type from its message id (the value of `ce-id` and
 * `Nats-Msg-Id`). The block's bytes around the two ids are written once (`writeNatsHeaderBlock`
 * checks them); a message id is percent-encoded ASCII (`natsMessageId`), so its characters are
 * copied in as bytes.
 */
function headerBuilder(fixed: NatsFixedParts, expectedStream: string | undefined): (msgID: string) => NatsHeaderBlock {
  const idAt = fixed.headers.findIndex(([name]) => name === "ce-id");
  const pairsOf = (msgID: string) => {
    const pairs = fixed.headers.slice();
    pairs[idAt] = ["ce-id", msgID];
    pairs.push(["Nats-Msg-Id", msgID]);
    if (expectedStream !== undefined) pairs.push(["Nats-Expected-Stream", expectedStream]);
    return pairs;
  };
  // the block of an empty id, cut where the ids go: after `ce-id: ` and after `Nats-Msg-Id: `
  const empty = writeNatsHeaderBlock(pairsOf("")).encode();
  const text = new TextDecoder().decode(empty);
  const first = text.indexOf("\r\nce-id: ") + "\r\nce-id: ".length;
  const second = text.indexOf("\r\nNats-Msg-Id: ", first) + "\r\nNats-Msg-Id: ".length;
  const head = empty.subarray(0, first);
  const middle = empty.subarray(first, second);
  const tail = empty.subarray(second);
  return (msgID) => {
    if (!ASCII_ID.test(msgID)) return writeNatsHeaderBlock(pairsOf(msgID));
    const n = msgID.length;
    const bytes = new Uint8Array(empty.length + 2 * n);
    bytes.set(head, 0);
    let at = head.length;
    for (let i = 0; i < n; i++) bytes[at + i] = msgID.charCodeAt(i);
    at += n;
    bytes.set(middle, at);
    at += middle.length;
    for (let i = 0; i < n; i++) bytes[at + i] = msgID.charCodeAt(i);
    bytes.set(tail, at + n);
    return new NatsHeaderBlock(bytes);
  };
}

/** What `natsMessageId` gives: printable ASCII (no CR or LF). */
const ASCII_ID = /^[\x21-\x7e]*$/;
