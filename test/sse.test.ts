import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { type SseEvent, SseParser } from "../src/transport/sse.js";
import { codeAndPath, refusal } from "./support/refusal.js";

function parse(text: string, chunk = text.length): SseEvent[] {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  for (let i = 0; i < text.length; i += chunk) events.push(...parser.push(text.slice(i, i + chunk)));
  events.push(...parser.end());
  return events;
}

const T = "response.image_generation_call.generating";
const one = `event: ${T}\ndata: {"type":"${T}","item_id":"ig_1","output_index":0,"sequence_number":4}\n\n`;

describe("SseParser", () => {
  it("reads the shipped sample, however it is cut into chunks", () => {
    const text = readFileSync(new URL("../examples/image-generation.sse", import.meta.url), "utf8");
    const whole = parse(text);
    expect(whole).toHaveLength(17);
    expect(
      whole
        .filter((e) => (e.data as { type: string }).type.startsWith("response.image_generation_call."))
        .map((e) => (e.data as { type: string }).type.split(".").at(-1)),
    ).toEqual([
      "in_progress",
      "in_progress",
      "generating",
      "generating",
      "partial_image",
      "partial_image",
      "partial_image",
      "partial_image",
      "completed",
      "completed",
    ]);
    for (const chunk of [1, 7, 100, 4096]) expect(parse(text, chunk)).toEqual(whole);
  });

  it("accepts CRLF and CR line ends, comments, id and retry fields, multi-line data and a BOM", () => {
    const crlf = `\uFEFF: keep-alive\r\nid: 7\r\nretry: 100\r\nevent: ${T}\r\ndata: {"type":"${T}",\r\ndata: "x":1}\r\n\r\n`;
    for (const text of [crlf, crlf.replace(/\r\n/g, "\r")]) {
      const [event] = parse(text, 3);
      expect(event).toMatchObject({ event: T, data: { type: T, x: 1 }, text: `{"type":"${T}",\n"x":1}`, line: 2 });
    }
  });

  it("refuses data with a repeated member name as ambiguous_key, with its path and line", () => {
    const text = `${one}event: ${T}\ndata: {"type":"response.output_text.delta","type":"${T}","item_id":"ig_1","output_index":0,"sequence_number":5}\n\n`;
    const err = refusal(() => parse(text));
    expect({ code: err.code, path: err.path }).toEqual({ code: "ambiguous_key", path: ["type"] });
    expect(err.reason.startsWith("line 4: ")).toBe(true);
  });

  it("scans a data line cut into many chunks a bounded number of times", () => {
    const data = `{"type":"${T}","item_id":"ig_1","output_index":0,"sequence_number":4,"x":"${"A".repeat(256 * 1024)}"}`;
    const text = `event: ${T}\ndata: ${data}\n\n`;
    const indexOf = String.prototype.indexOf;
    let scanned = 0;
    const spy = vi.spyOn(String.prototype, "indexOf").mockImplementation(function (this: string, search: string, from?: number) {
      const at = indexOf.call(this, search, from);
      scanned += (at === -1 ? this.length : at) - (from ?? 0);
      return at;
    });
    let events: SseEvent[];
    try {
      events = parse(text, 1024);
    } finally {
      spy.mockRestore();
    }
    expect(events).toHaveLength(1);
    expect(events[0]!.text).toBe(data);
    expect(scanned).toBeLessThan(8 * text.length);
  });

  it("names the line of the event's first field", () => {
    expect(parse(`${one}: comment\n\n${one}`).map((e) => e.line)).toEqual([1, 6]);
  });

  it.each([
    ["an unknown field", `${one}bogus: 1\n\n`, 'line 4: unknown field "bogus"'],
    ["data that is not JSON", `data: {oops\n\n`, "line 1: data is not JSON"],
    [
      "an event name that is not the data's type",
      `event: response.completed\ndata: {"type":"${T}"}\n\n`,
      `line 1: event "response.completed" carries data of type "${T}"`,
    ],
    ["an event without data", `event: ${T}\n\n`, `line 1: event "${T}" has no data`],
    ["anything after [DONE]", `data: [DONE]\n\n${one}`, "line 3: "],
    ["a stream that stops inside an event", one.slice(0, -1), "line 2: the stream ends inside the event that starts on line 1"],
  ])("refuses %s with its line number", (_, text, reason) => {
    const err = refusal(() => parse(text));
    expect(codeAndPath(() => parse(text))).toEqual({ code: "invalid_sse", path: [] });
    expect(err.reason.startsWith(reason)).toBe(true);
  });
});
