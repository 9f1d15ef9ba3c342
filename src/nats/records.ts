/** The event as a NATS message, whatever the client: subject, data and CloudEvents headers, both ways. */
import { BridgeError } from "../errors.js";
import type { ImageGenCallLifecycleEvent } from "../json/event.js";
import { EVENT_KINDS } from "../json/event.js";
import { decodeEventMessage, encodeEventMessage } from "../lifecycle.js";
import { withDefaults } from "../options.js";
import { CloudEventHeaderMatcher } from "../transport/cloudevent-header-matcher.js";
import {
  type CloudEventAttributes,
  type CloudEventsOptions,
  defaultCloudEventsOptions,
  eventId,
  fromCloudEventHeaders,
  percentEncode,
  toCloudEventAttributes,
  toCloudEventHeaders,
} from "../transport/cloudevents.js";
import { matchNatsHeaderBlock, readNatsHeaderBlock } from "./header-block.js";

/** The default subject prefix: each lifecycle type is published on `${prefix}.${suffix}`. */
export const DEFAULT_NATS_SUBJECT_PREFIX = "openresponses.image_generation_call";

/** The default subject of the completed event, `openresponses.image_generation_call.completed`. */
export const DEFAULT_NATS_SUBJECT = `${DEFAULT_NATS_SUBJECT_PREFIX}.completed`;

const TYPE_PREFIX = "response.image_generation_call.";

/**
 * The subject of a lifecycle type under a prefix: the prefix, `.`, and the part of `type` after
 * `response.image_generation_call.` (`in_progress`, `generating`, `partial_image`, `completed`).
 */
export function natsSubjectOf(type: ImageGenCallLifecycleEvent["type"], prefix: string = DEFAULT_NATS_SUBJECT_PREFIX): string {
  if (!EVENT_KINDS.has(type))
    throw new BridgeError("invalid_value", ["type"], `${JSON.stringify(type)} is not a lifecycle event type`, { value: type });
  return `${prefix}.${type.slice(TYPE_PREFIX.length)}`;
}

/** Options of `toNatsMessage`. */
export interface NatsMessageOptions extends CloudEventsOptions {
  /** The prefix of the per-type subjects (`natsSubjectOf`). Default `openresponses.image_generation_call`. */
  subjectPrefix: string;
  /** One subject for every type instead of the per-type subjects; not set by default. */
  subject: string | undefined;
}

/** The defaults of `NatsMessageOptions`. */
export const defaultNatsMessageOptions: Readonly<NatsMessageOptions> = Object.freeze({
  ...defaultCloudEventsOptions,
  subjectPrefix: DEFAULT_NATS_SUBJECT_PREFIX,
  subject: undefined,
});

/** A NATS message as the bridge writes it, for any client: subject, data, headers, JetStream message id. */
export interface NatsMessage {
  subject: string;
  /** The bytes of the event's own message, e.g. `openresponses.v1.ImageGenCallCompleted`. */
  data: Uint8Array;
  /** `ce-datacontenttype`, `ce-specversion`, `ce-id`, `ce-source`, `ce-type`, `ce-dataschema`, percent-encoded. */
  headers: Record<string, string>;
  /**
   * The JetStream `Nats-Msg-Id` (the `msgID` publish option): the event id, percent-encoded like
   * `ce-id` so that any `item_id` makes a valid header; the same as the event id for real ids.
   */
  msgID: string;
}

/** Message headers in any client's shape: nats.js `MsgHdrs` (iterable), pairs, or an object. */
export type NatsHeadersInput = Iterable<readonly [string, string | readonly string[]]> | Record<string, string | readonly string[]>;

/** A received NATS message in any client's shape. */
export interface NatsMessageInput {
  data: Uint8Array;
  /** The headers, or their block as received (`NATS/1.0\r\n…`, see `natsHeaderBlockOf`), read strictly as UTF-8. */
  headers?: NatsHeadersInput | Uint8Array | undefined;
}

/** Builds the NATS message of any lifecycle event, on its type's subject; throws a `BridgeError` for an event the bytes cannot carry. */
export function toNatsMessage(event: ImageGenCallLifecycleEvent, options: Partial<NatsMessageOptions> = {}): NatsMessage {
  const data = encodeEventMessage(event);
  const { subject, subjectPrefix, ...ce } = withDefaults(defaultNatsMessageOptions, options);
  const attributes = toCloudEventAttributes(event, ce);
  return {
    subject: subject ?? natsSubjectOf(event.type, subjectPrefix),
    data,
    headers: Object.fromEntries(toCloudEventHeaders(attributes, "nats")),
    msgID: percentEncode(attributes.id),
  };
}

/**
 * Reads the event of a NATS message, refusing with a `BridgeError` anything that is not one of
 * ours: the content type and `ce-type` (one of the four lifecycle types) are checked first
 * (`unsupported_content_type`, `not_our_record`), the data must decode as the message of
 * `ce-type`, and `ce-id` must name the decoded event (`header_mismatch`). The subject is not read.
 */
export function fromNatsMessage(message: NatsMessageInput): ImageGenCallLifecycleEvent {
  return readNatsMessage(message).event;
}

/** `fromNatsMessage` with the attributes the headers carried. */
export function readNatsMessage(message: NatsMessageInput): { event: ImageGenCallLifecycleEvent; attributes: CloudEventAttributes } {
  const block = message.headers;
  // the headers the bridge writes are matched by their bytes; anything else is read the exact way
  const attributes =
    block instanceof Uint8Array
      ? (matchNatsHeaderBlock(block, matcher) ?? fromCloudEventHeaders(readNatsHeaderBlock(block), "nats"))
      : fromCloudEventHeaders(natsHeaderPairs(block), "nats");
  if (!(message.data instanceof Uint8Array)) throw new BridgeError("invalid_type", ["data"], "message data is not bytes");
  const event = decodeEventMessage(message.data, attributes.type);
  const id = eventId(event);
  if (attributes.id !== id) {
    throw new BridgeError(
      "header_mismatch",
      ["headers", "ce-id"],
      `ce-id ${JSON.stringify(attributes.id)} does not name the event in the data (${JSON.stringify(id)})`,
      { value: attributes.id },
    );
  }
  return { event, attributes };
}

const matcher = new CloudEventHeaderMatcher("nats");

/** Normalizes headers of any client's shape to pairs, one per value. */
export function natsHeaderPairs(headers: NatsHeadersInput | undefined): [string, string][] {
  const pairs: [string, string][] = [];
  if (headers === undefined || headers === null) return pairs;
  const entries =
    typeof (headers as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function"
      ? (headers as Iterable<readonly [string, string | readonly string[]]>)
      : Object.entries(headers as Record<string, string | readonly string[]>);
  for (const [name, value] of entries) {
    if (typeof value === "string") pairs.push([name, value]);
    else for (const v of value) pairs.push([name, v]);
  }
  return pairs;
}
