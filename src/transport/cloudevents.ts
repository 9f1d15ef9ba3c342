/**
 * CloudEvents binary content mode for the event: its context attributes, and their headers in the
 * Kafka binding (`content-type`, `ce_<name>`) and the NATS binding (`ce-<name>`, percent-encoded).
 * Spec: https://github.com/cloudevents/spec/blob/main/cloudevents/spec.md
 */
import { BridgeError } from "../errors.js";
import type { ImageGenCallLifecycleEvent } from "../json/event.js";
import { EVENT_KINDS } from "../json/event.js";
import { stringifyJson } from "../json/json-text.js";
import { isWellFormed, typeName } from "../json/validate.js";
import { withDefaults } from "../options.js";
import { utf8 } from "../wire/utf8.js";

/** The media type the bridge writes for the message bytes (RFC 9996). */
export const PROTOBUF_MEDIA_TYPE = "application/protobuf";

/** Media types read as protobuf: RFC 9996's and the deprecated aliases still in use. */
export const PROTOBUF_MEDIA_TYPES: readonly string[] = Object.freeze([
  PROTOBUF_MEDIA_TYPE,
  "application/x-protobuf",
  "application/x-protobuffer",
]);

/** The CloudEvents version of the attributes. */
export const CLOUDEVENTS_SPECVERSION = "1.0";

/** The fully qualified name of the completed event's message (each lifecycle type has its own, see `messageNameOf`). */
export const MESSAGE_NAME = "openresponses.v1.ImageGenCallCompleted";

/** The `type` literal of a lifecycle event: what a record's `ce_type` holds. */
export type LifecycleType = ImageGenCallLifecycleEvent["type"];

/** The default `dataschema` of a type: `urn:openresponses-wire:` and the full name of its message. */
export function defaultDataschema(type: LifecycleType): string {
  return `urn:openresponses-wire:${EVENT_KINDS.get(type)!.message}`;
}

/** The transports whose CloudEvents header conventions the bridge follows. */
export type Binding = "kafka" | "nats";

/** The attributes a record carries besides those derived from the event. */
export interface CloudEventsOptions {
  /** `source`: a URI-reference naming the producer; with `id` it identifies the event. */
  source: string;
  /**
   * `dataschema`: an absolute URI naming the message the bytes are, or a function of the event's
   * type giving one. A string is used for every type (e.g. one registry URL for the whole `.proto`
   * file); the default names each type's own message (`defaultDataschema`).
   */
  dataschema: string | ((type: LifecycleType) => string);
}

/** The defaults of `CloudEventsOptions`. */
export const defaultCloudEventsOptions: Readonly<CloudEventsOptions> = Object.freeze({
  source: "/openresponses-wire",
  dataschema: defaultDataschema,
});

/** The CloudEvents context attributes of one event in binary content mode. */
export interface CloudEventAttributes {
  specversion: string;
  /** `${item_id}:${sequence_number}`, see `eventId`. */
  id: string;
  source: string;
  /** The event's `type`. */
  type: string;
  datacontenttype: string;
  dataschema?: string | undefined;
}

/**
 * The event's id, `${item_id}:${sequence_number}`: its CloudEvents `id` and, percent-encoded, its
 * JetStream `Nats-Msg-Id`. The number is written as JSON text that keeps `-0`, so no two events of
 * one item share an id; the id is split at its last `:`.
 */
export function eventId(event: Pick<ImageGenCallLifecycleEvent, "itemId" | "sequenceNumber">): string {
  return `${event.itemId}:${stringifyJson(event.sequenceNumber)}`;
}

/** Checks `CloudEventsOptions` merged over the defaults; throws a `TypeError` for a bad one. */
export function cloudEventsOptions(options: Partial<CloudEventsOptions> = {}): CloudEventsOptions {
  const merged = withDefaults(defaultCloudEventsOptions, options);
  if (typeof merged.source !== "string" || merged.source === "") throw new TypeError("source must be a non-empty URI-reference");
  if (typeof merged.dataschema !== "function") checkDataschema(merged.dataschema);
  return { source: merged.source, dataschema: merged.dataschema };
}

function checkDataschema(dataschema: unknown): string {
  if (typeof dataschema !== "string" || !ABSOLUTE_URI.test(dataschema)) {
    throw new TypeError(`dataschema must be an absolute URI, not ${JSON.stringify(dataschema)}`);
  }
  return dataschema;
}

/** The attributes of a lifecycle event: `type` is the event's, `dataschema` names its message unless set. */
export function toCloudEventAttributes(event: ImageGenCallLifecycleEvent, options: Partial<CloudEventsOptions> = {}): CloudEventAttributes {
  const { source, dataschema } = cloudEventsOptions(options);
  const type = event.type;
  if (!EVENT_KINDS.has(type)) {
    throw new BridgeError(
      "invalid_value",
      ["type"],
      `expected one of ${[...EVENT_KINDS.keys()].map((t) => JSON.stringify(t)).join(", ")}, got ${JSON.stringify(type)}`,
      { value: type },
    );
  }
  return {
    specversion: CLOUDEVENTS_SPECVERSION,
    id: eventId(event),
    source,
    type,
    datacontenttype: PROTOBUF_MEDIA_TYPE,
    dataschema: typeof dataschema === "function" ? checkDataschema(dataschema(type)) : dataschema,
  };
}

const ATTRIBUTE_ORDER = ["specversion", "id", "source", "type", "dataschema"] as const;

/**
 * Attributes as headers, in this order: the content type, then `specversion`, `id`, `source`,
 * `type`, `dataschema`. Kafka: `content-type` and `ce_<name>`, values as they are (UTF-8 on the
 * wire). NATS: `ce-<name>` for every attribute, `datacontenttype` included, values percent-encoded.
 */
export function toCloudEventHeaders(attributes: CloudEventAttributes, binding: Binding): [string, string][] {
  const headers: [string, string][] = [];
  if (binding === "kafka") {
    headers.push(["content-type", attributes.datacontenttype]);
    for (const name of ATTRIBUTE_ORDER) {
      const value = attributes[name];
      if (value !== undefined) headers.push([`ce_${name}`, value]);
    }
  } else {
    headers.push(["ce-datacontenttype", percentEncode(attributes.datacontenttype)]);
    for (const name of ATTRIBUTE_ORDER) {
      const value = attributes[name];
      if (value !== undefined) headers.push([`ce-${name}`, percentEncode(value)]);
    }
  }
  return headers;
}

/**
 * Reads the attributes of one of our records from its headers (names matched case-insensitively)
 * and refuses what is not ours: no protobuf content type, or structured mode
 * (`unsupported_content_type`); no CloudEvents `specversion` 1.0, `id` or `source`, or a `type`
 * that is not one of the four lifecycle types (`not_our_record`); a header given twice with different values or a value that does not
 * decode (`invalid_header`). Paths are `["headers", name]`.
 */
export function fromCloudEventHeaders(headers: Iterable<readonly [string, string]>, binding: Binding): CloudEventAttributes {
  const prefix = binding === "kafka" ? "ce_" : "ce-";
  const found = new Map<string, { name: string; value: string }>();
  for (const [name, raw] of headers) {
    const lower = name.toLowerCase();
    if (lower !== "content-type" && !lower.startsWith(prefix)) continue;
    const value = binding === "nats" && lower !== "content-type" ? percentDecode(raw, ["headers", name]) : raw;
    const seen = found.get(lower);
    if (seen !== undefined && seen.value !== value) {
      throw new BridgeError(
        "invalid_header",
        ["headers", name],
        `header given twice with different values (${JSON.stringify(seen.value)} and ${JSON.stringify(value)})`,
      );
    }
    found.set(lower, { name, value });
  }
  const get = (attribute: string) => found.get(`${prefix}${attribute}`);
  const contentTypeName = binding === "kafka" ? "content-type" : "ce-datacontenttype";
  const contentType = binding === "kafka" ? found.get("content-type") : (get("datacontenttype") ?? found.get("content-type"));
  if (contentType === undefined) {
    throw new BridgeError(
      "unsupported_content_type",
      ["headers", contentTypeName],
      `no ${contentTypeName} header: not a CloudEvent in binary mode with protobuf data`,
    );
  }
  const mediaType = contentType.value.split(";")[0]!.trim().toLowerCase();
  if (mediaType.startsWith("application/cloudevents")) {
    throw new BridgeError(
      "unsupported_content_type",
      ["headers", contentType.name],
      `${JSON.stringify(contentType.value)} is CloudEvents structured mode; only binary mode with protobuf data is read`,
      { value: contentType.value },
    );
  }
  if (!PROTOBUF_MEDIA_TYPES.includes(mediaType)) {
    throw new BridgeError(
      "unsupported_content_type",
      ["headers", contentType.name],
      `content type ${JSON.stringify(contentType.value)} is not ${PROTOBUF_MEDIA_TYPE}`,
      { value: contentType.value },
    );
  }
  const required = (attribute: string): string => {
    const header = get(attribute);
    if (header === undefined)
      throw new BridgeError("not_our_record", ["headers", `${prefix}${attribute}`], `no ${prefix}${attribute} header: not a CloudEvent`);
    return header.value;
  };
  const specversion = required("specversion");
  if (specversion !== CLOUDEVENTS_SPECVERSION) {
    throw new BridgeError(
      "not_our_record",
      ["headers", get("specversion")!.name],
      `CloudEvents specversion ${JSON.stringify(specversion)} is not ${CLOUDEVENTS_SPECVERSION}`,
      { value: specversion },
    );
  }
  const type = required("type");
  if (!EVENT_KINDS.has(type)) {
    throw new BridgeError(
      "not_our_record",
      ["headers", get("type")!.name],
      `event type ${JSON.stringify(type)} is not an image generation call event (${LIFECYCLE_SUFFIXES})`,
      { value: type },
    );
  }
  const attributes: CloudEventAttributes = {
    specversion,
    id: required("id"),
    source: required("source"),
    type,
    datacontenttype: contentType.value,
  };
  const dataschema = get("dataschema");
  if (dataschema !== undefined) attributes.dataschema = dataschema.value;
  return attributes;
}

/**
 * Percent-encodes a header value by the NATS binding's rule: the UTF-8 bytes of space, `"`, `%`
 * and of every character outside U+0021..U+007E become `%XX`.
 */
export function percentEncode(value: string): string {
  if (typeof value !== "string") throw new BridgeError("invalid_type", [], `a header value must be a string, got ${typeName(value)}`);
  if (!isWellFormed(value))
    throw new BridgeError("lone_surrogate", [], "header value has a lone UTF-16 surrogate, which UTF-8 cannot carry");
  let out = "";
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code > 0x20 && code < 0x7f && code !== 0x22 && code !== 0x25) {
      out += char;
    } else {
      for (const byte of textEncoder.encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    }
  }
  return out;
}

/** Decodes a percent-encoded header value; a malformed escape or invalid UTF-8 is `invalid_header`. */
export function percentDecode(value: string, path: readonly (string | number)[] = []): string {
  if (!value.includes("%")) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x25) {
      const hex = value.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex))
        throw new BridgeError("invalid_header", path, `malformed percent-encoding at character ${i}`, { value });
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (code < 0x80) {
      bytes.push(code);
    } else {
      const point = value.codePointAt(i)!;
      for (const byte of textEncoder.encode(String.fromCodePoint(point))) bytes.push(byte);
      if (point > 0xffff) i++;
    }
  }
  try {
    return strictUtf8.decode(Uint8Array.from(bytes));
  } catch (cause) {
    throw new BridgeError("invalid_header", path, "percent-encoded bytes are not valid UTF-8", { value, cause });
  }
}

/** Decodes a header value given as bytes (strict UTF-8) or text. */
export function headerText(value: Uint8Array | string, path: readonly (string | number)[]): string {
  if (typeof value === "string") return value;
  const text = utf8.read(value, 0, value.length);
  if (text === undefined) throw new BridgeError("invalid_header", path, "header value is not valid UTF-8");
  return text;
}

const LIFECYCLE_SUFFIXES = `response.image_generation_call.${[...EVENT_KINDS.keys()].map((t) => t.slice(t.lastIndexOf(".") + 1)).join("|")}`;
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;
const textEncoder = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
