import { describe, expect, it } from "vitest";
import { Failure } from "../../src/cli/failure.js";
import { LineIndex } from "../../src/cli/line-index.js";
import { ndjsonEvents } from "../../src/cli/queues.js";
import { stringifyJson } from "../../src/json/json-text.js";
import { toWireJson } from "../../src/json/wire-json.js";
import { makeEvents } from "../support/events.js";

async function* chunksOf(...texts: string[]) {
  for (const t of texts) yield Buffer.from(t);
}

describe("ndjsonEvents", () => {
  const events = makeEvents(5, { items: 2 });
  const lines = events.map((e) => stringifyJson(toWireJson(e)));

  it("gives the events of each chunk as one array, none empty, with the line of each record", async () => {
    const index = new LineIndex();
    const got: unknown[][] = [];
    // chunk 1 ends inside line 2; chunk 2 holds only the rest of line 2 and a blank line; chunk 3 the rest
    const text = `${lines[0]}\n${lines[1]}\n\n${lines.slice(2).join("\n")}\n`;
    const cut1 = lines[0]!.length + 10;
    const cut2 = lines[0]!.length + lines[1]!.length + 3;
    for await (const a of ndjsonEvents(chunksOf(text.slice(0, cut1), text.slice(cut1, cut2), text.slice(cut2)), index)) got.push(a);
    expect(got.map((a) => a.length)).toEqual([1, 1, 3]);
    expect(got.flat()).toEqual(events);
    expect([1, 2, 3, 4, 5].map((r) => index.lineOf(r))).toEqual([1, 2, 4, 5, 6]);
  });

  it("hands on the events before a bad line, then fails naming its record and line", async () => {
    const got: unknown[][] = [];
    const input = chunksOf(`${lines[0]}\n\n${lines[1]}\n{"type":"nope"}\n${lines[2]}\n`);
    let error: unknown;
    try {
      for await (const a of ndjsonEvents(input, new LineIndex())) got.push(a);
    } catch (err) {
      error = err;
    }
    expect(got).toEqual([events.slice(0, 2)]);
    expect(error).toBeInstanceOf(Failure);
    expect((error as Error).message).toMatch(/^record 3 \(line 4\): /);
  });
});
