import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IMAGE_GEN_CALL_COMPLETED, type ImageGenCallCompletedEvent, messageNameOf } from "../src/index.js";
import { percentDecode, percentEncode } from "../src/transport/cloudevents.js";
import {
  defaultCloudEventsOptions,
  defaultDataschema,
  eventId,
  fromCloudEventHeaders,
  toCloudEventAttributes,
  toCloudEventHeaders,
} from "../src/transport/index.js";
import { anyString, seed } from "./support/arbitraries.js";
import { sseSample } from "./support/events.js";
import { codeAndPath } from "./support/refusal.js";

const T = IMAGE_GEN_CALL_COMPLETED;
const event: ImageGenCallCompletedEvent = { type: T, itemId: "ig_1", outputIndex: 0, sequenceNumber: 7 };
const SCHEMA = "urn:openresponses-wire:openresponses.v1.ImageGenCallCompleted";

/** The Kafka headers of `event`, with one header replaced, added (value) or removed (undefined). */
function kafka(changes: Record<string, string | undefined> = {}): [string, string][] {
  const headers = new Map(toCloudEventHeaders(toCloudEventAttributes(event), "kafka"));
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) headers.delete(name);
    else headers.set(name, value);
  }
  return [...headers];
}

describe("eventId", () => {
  it.each([
    [{ itemId: "ig_1", sequenceNumber: 7 }, "ig_1:7"],
    [{ itemId: "ig_1", sequenceNumber: -0 }, "ig_1:-0"],
    [{ itemId: "ig_1", sequenceNumber: 0 }, "ig_1:0"],
    [{ itemId: "a:b", sequenceNumber: 3469.55 }, "a:b:3469.55"],
    [{ itemId: "", sequenceNumber: 1e21 }, ":1e+21"],
  ])("%j is %s: item_id, a colon, the sequence number as JSON text that keeps -0", (e, id) => {
    expect(eventId(e)).toBe(id);
  });
});

describe("toCloudEventAttributes", () => {
  it("derives id and type from the event, with the protobuf media type and default source and dataschema", () => {
    expect(toCloudEventAttributes(event)).toEqual({
      specversion: "1.0",
      id: "ig_1:7",
      source: "/openresponses-wire",
      type: T,
      datacontenttype: "application/protobuf",
      dataschema: SCHEMA,
    });
    expect(defaultCloudEventsOptions).toEqual({ source: "/openresponses-wire", dataschema: defaultDataschema });
  });

  const oneOfEach = [...new Map(sseSample().map((e) => [e.type, e])).values()];

  it.each(oneOfEach.map((e) => [e.type, e] as const))("%s: type is the event's, dataschema names its own message", (type, e) => {
    expect(oneOfEach).toHaveLength(4);
    const attributes = toCloudEventAttributes(e);
    expect(attributes.type).toBe(type);
    expect(attributes.dataschema).toBe(`urn:openresponses-wire:${messageNameOf(type)}`);
    expect(defaultDataschema(type)).toBe(attributes.dataschema);
  });

  it("an explicit dataschema string names every type's schema; a function picks one per type", () => {
    const file = "https://schemas.example/openresponses/v1/image_gen_call.proto";
    for (const e of oneOfEach) expect(toCloudEventAttributes(e, { dataschema: file }).dataschema).toBe(file);
    const perType = (type: string) => `https://schemas.example/${type}`;
    for (const e of oneOfEach) expect(toCloudEventAttributes(e, { dataschema: perType }).dataschema).toBe(perType(e.type));
    expect(() => toCloudEventAttributes(oneOfEach[0]!, { dataschema: () => "not a uri" })).toThrow(TypeError);
  });

  it("refuses an event of another type as invalid_value at type", () => {
    expect(codeAndPath(() => toCloudEventAttributes({ ...event, type: "response.output_text.delta" } as never))).toEqual({
      code: "invalid_value",
      path: ["type"],
    });
  });

  it("takes source and dataschema from options; undefined keeps the default", () => {
    const attributes = toCloudEventAttributes(event, { source: "urn:svc:imagegen", dataschema: undefined });
    expect(attributes.source).toBe("urn:svc:imagegen");
    expect(attributes.dataschema).toBe(SCHEMA);
    expect(toCloudEventAttributes(event, { dataschema: "https://schemas.example/openresponses.v1.ImageGenCallCompleted" }).dataschema).toBe(
      "https://schemas.example/openresponses.v1.ImageGenCallCompleted",
    );
  });

  it.each([[{ dataschema: "openresponses.v1.ImageGenCallCompleted" }], [{ dataschema: "" }], [{ source: "" }]])(
    "refuses options %j with a TypeError",
    (options) => {
      expect(() => toCloudEventAttributes(event, options)).toThrow(TypeError);
    },
  );
});

describe("toCloudEventHeaders", () => {
  it("Kafka: content-type, then ce_ headers with the values as they are", () => {
    expect(toCloudEventHeaders(toCloudEventAttributes({ ...event, itemId: "ig é%" }), "kafka")).toEqual([
      ["content-type", "application/protobuf"],
      ["ce_specversion", "1.0"],
      ["ce_id", "ig é%:7"],
      ["ce_source", "/openresponses-wire"],
      ["ce_type", T],
      ["ce_dataschema", SCHEMA],
    ]);
  });

  it("NATS: every attribute as a ce- header, datacontenttype included, values percent-encoded", () => {
    expect(toCloudEventHeaders(toCloudEventAttributes({ ...event, itemId: 'ig é%"\r\n😀' }), "nats")).toEqual([
      ["ce-datacontenttype", "application/protobuf"],
      ["ce-specversion", "1.0"],
      ["ce-id", "ig%20%C3%A9%25%22%0D%0A%F0%9F%98%80:7"],
      ["ce-source", "/openresponses-wire"],
      ["ce-type", T],
      ["ce-dataschema", SCHEMA],
    ]);
  });
});

describe("percent-encoding of NATS header values", () => {
  it("keeps U+0021..U+007E but '\"' and '%', and encodes every other character's UTF-8 bytes", () => {
    expect(percentEncode("ig_0c24:7")).toBe("ig_0c24:7");
    expect(percentEncode(' "%~\u007f\u0000')).toBe("%20%22%25~%7F%00");
  });

  it("round-trips any well-formed string, and the encoding is printable ASCII without space", () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const encoded = percentEncode(s);
        expect(encoded).toMatch(/^[\x21\x23-\x24\x26-\x7e%]*$/);
        expect(percentDecode(encoded)).toBe(s);
      }),
      { seed, numRuns: 500 },
    );
  });

  it("refuses a lone surrogate rather than replace it", () => {
    expect(codeAndPath(() => percentEncode("ig_\ud800"))).toEqual({ code: "lone_surrogate", path: [] });
  });

  it.each([["%"], ["%4"], ["%G1"], ["ab%zz"], ["%E9"], ["%C3"], ["%ED%A0%80"]])("refuses %j as invalid_header", (value) => {
    expect(codeAndPath(() => percentDecode(value, ["headers", "ce-id"]))).toEqual({ code: "invalid_header", path: ["headers", "ce-id"] });
  });
});

describe("fromCloudEventHeaders", () => {
  it("reads back the attributes written, in either binding", () => {
    const attributes = toCloudEventAttributes({ ...event, itemId: 'ig é%"😀' });
    expect(fromCloudEventHeaders(toCloudEventHeaders(attributes, "kafka"), "kafka")).toEqual(attributes);
    expect(fromCloudEventHeaders(toCloudEventHeaders(attributes, "nats"), "nats")).toEqual(attributes);
  });

  it("accepts the deprecated protobuf media types, media type parameters, and any case of names", () => {
    for (const type of [
      "application/x-protobuf",
      "application/x-protobuffer",
      "Application/Protobuf; proto=openresponses.v1.ImageGenCallCompleted",
    ]) {
      expect(fromCloudEventHeaders(kafka({ "content-type": type }), "kafka").datacontenttype).toBe(type);
    }
    const upper = kafka().map(([name, value]) => [name.toUpperCase(), value] as [string, string]);
    expect(fromCloudEventHeaders(upper, "kafka").id).toBe("ig_1:7");
  });

  it("NATS: reads a content-type header when ce-datacontenttype is absent", () => {
    const headers = toCloudEventHeaders(toCloudEventAttributes(event), "nats").filter(([name]) => name !== "ce-datacontenttype");
    expect(fromCloudEventHeaders([...headers, ["content-type", "application/x-protobuf"]], "nats").datacontenttype).toBe(
      "application/x-protobuf",
    );
  });

  it("reads every lifecycle type, in either binding", () => {
    for (const type of ["in_progress", "generating", "partial_image", "completed"].map((t) => `response.image_generation_call.${t}`)) {
      expect(fromCloudEventHeaders(kafka({ ce_type: type }), "kafka").type).toBe(type);
      const nats = toCloudEventHeaders({ ...toCloudEventAttributes(event), type }, "nats");
      expect(fromCloudEventHeaders(nats, "nats").type).toBe(type);
    }
  });

  it("ignores headers of other uses and the same header given twice with one value", () => {
    expect(fromCloudEventHeaders([...kafka(), ["traceparent", "00-x"], ["ce_type", T]], "kafka").type).toBe(T);
  });

  it.each([
    ["no content type", kafka({ "content-type": undefined }), "unsupported_content_type", ["headers", "content-type"]],
    ["JSON data", kafka({ "content-type": "application/json" }), "unsupported_content_type", ["headers", "content-type"]],
    ["structured mode", kafka({ "content-type": "application/cloudevents+json" }), "unsupported_content_type", ["headers", "content-type"]],
    ["protobuf JSON", kafka({ "content-type": "application/protobuf+json" }), "unsupported_content_type", ["headers", "content-type"]],
    ["no specversion", kafka({ ce_specversion: undefined }), "not_our_record", ["headers", "ce_specversion"]],
    ["another specversion", kafka({ ce_specversion: "0.3" }), "not_our_record", ["headers", "ce_specversion"]],
    ["no type", kafka({ ce_type: undefined }), "not_our_record", ["headers", "ce_type"]],
    ["another event's type", kafka({ ce_type: "response.output_text.delta" }), "not_our_record", ["headers", "ce_type"]],
    [
      "a type only like a lifecycle one",
      kafka({ ce_type: "response.image_generation_call.failed" }),
      "not_our_record",
      ["headers", "ce_type"],
    ],
    [
      "a lifecycle type in another case",
      kafka({ ce_type: "Response.Image_Generation_Call.Completed" }),
      "not_our_record",
      ["headers", "ce_type"],
    ],
    ["no id", kafka({ ce_id: undefined }), "not_our_record", ["headers", "ce_id"]],
    ["no source", kafka({ ce_source: undefined }), "not_our_record", ["headers", "ce_source"]],
    ["a header twice with two values", [...kafka(), ["ce_id", "ig_2:7"]], "invalid_header", ["headers", "ce_id"]],
  ] as const)("Kafka: refuses %s", (_, headers, code, path) => {
    expect(codeAndPath(() => fromCloudEventHeaders(headers as [string, string][], "kafka"))).toEqual({ code, path });
  });

  it.each([
    ["no content type", [["ce-specversion", "1.0"]], "unsupported_content_type", ["headers", "ce-datacontenttype"]],
    ["structured mode", [["content-type", "application/cloudevents+json"]], "unsupported_content_type", ["headers", "content-type"]],
    [
      "another event's type",
      [
        ["ce-datacontenttype", "application/protobuf"],
        ["ce-specversion", "1.0"],
        ["ce-type", "x"],
      ],
      "not_our_record",
      ["headers", "ce-type"],
    ],
    [
      "a malformed escape",
      [
        ["ce-datacontenttype", "application/protobuf"],
        ["ce-id", "ig%2"],
      ],
      "invalid_header",
      ["headers", "ce-id"],
    ],
  ] as const)("NATS: refuses %s", (_, headers, code, path) => {
    expect(codeAndPath(() => fromCloudEventHeaders(headers as unknown as [string, string][], "nats"))).toEqual({ code, path });
  });
});
