import {
  defaultCloudEventsOptions,
  definedOnly,
  eventId,
  fromCloudEventHeaders,
  percentEncode,
  toCloudEventAttributes,
  toCloudEventHeaders,
  type CloudEventAttributes,
  type CloudEventsOptions,
} from "../cloudevents.js";
import { decode, encode } from "../codec.js";
import { BridgeError } from "../errors.js";
import type { ImageGenCallCompletedEvent } from "../event.js";

/** The default subject of the events. */
export const DEFAULT_NATS_SUBJECT = "openresponses.image_generation_call.completed";

/** Options of `toNatsMessage`. */
export interface NatsMessageOptions extends CloudEventsOptions {
  /** The subject to publish on. */
  subject: string;
}

/** The defaults of `NatsMessageOptions`. */
export const defaultNatsMessageOptions: Readonly<NatsMessageOptions> = Object.freeze({ ...defaultCloudEventsOptions, subject: DEFAULT_NATS_SUBJECT });

/** A NATS message as the bridge writes it, for any client: subject, data, headers, JetStream message id. */
export interface NatsMessage {
  subject: string;
  /** The `openresponses.v1.ImageGenCallCompleted` bytes. */
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
  headers?: NatsHeadersInput | undefined;
}

/** Builds the NATS message of an event; throws a `BridgeError` for an event the bytes cannot carry. */
export function toNatsMessage(event: ImageGenCallCompletedEvent, options: Partial<NatsMessageOptions> = {}): NatsMessage {
  const data = encode(event);
  const { subject, ...ce } = { ...defaultNatsMessageOptions, ...definedOnly(options) };
  const attributes = toCloudEventAttributes(event, ce);
  return { subject, data, headers: Object.fromEntries(toCloudEventHeaders(attributes, "nats")), msgID: percentEncode(attributes.id) };
}

/**
 * Reads the event of a NATS message, refusing with a `BridgeError` anything that is not one of
 * ours: the content type and `ce-type` are checked first (`unsupported_content_type`,
 * `not_our_record`), the data must decode, and `ce-id` must name the decoded event
 * (`header_mismatch`).
 */
export function fromNatsMessage(message: NatsMessageInput): ImageGenCallCompletedEvent {
  return readNatsMessage(message).event;
}

/** `fromNatsMessage` with the attributes the headers carried. */
export function readNatsMessage(message: NatsMessageInput): { event: ImageGenCallCompletedEvent; attributes: CloudEventAttributes } {
  const attributes = fromCloudEventHeaders(natsHeaderPairs(message.headers), "nats");
  if (!(message.data instanceof Uint8Array)) throw new BridgeError("invalid_type", ["data"], "message data is not bytes");
  const event = decode(message.data);
  const id = eventId(event);
  if (attributes.id !== id) {
    throw new BridgeError("header_mismatch", ["headers", "ce-id"], `ce-id ${JSON.stringify(attributes.id)} does not name the event in the data (${JSON.stringify(id)})`, { value: attributes.id });
  }
  return { event, attributes };
}

/** Normalizes headers of any client's shape to pairs, one per value. */
export function natsHeaderPairs(headers: NatsHeadersInput | undefined): [string, string][] {
  const pairs: [string, string][] = [];
  if (headers === undefined || headers === null) return pairs;
  const entries = typeof (headers as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function"
    ? (headers as Iterable<readonly [string, string | readonly string[]]>)
    : Object.entries(headers as Record<string, string | readonly string[]>);
  for (const [name, value] of entries) {
    if (typeof value === "string") pairs.push([name, value]);
    else for (const v of value) pairs.push([name, v]);
  }
  return pairs;
}
