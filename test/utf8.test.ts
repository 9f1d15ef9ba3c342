import { describe, expect, it } from "vitest";
import { portableUtf8, utf8 } from "../src/wire/utf8.js";
import { loadPortable, withoutBuffer } from "./support/implementations.js";

const samples = ["", "ig_0c24cad2e1cb59201b3d503d387b03578e70c950ca42f", "\uFEFFig", "é", "\u0800", "\uFFFF", "😀", "a\u0000b", "x".repeat(300) + "é😀"];
const invalid = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x61, 0xc3]];

describe.each([
  ["Buffer path", utf8],
  ["portable path", portableUtf8],
])("UTF-8, %s", (_, impl) => {
  it.each(samples.map((s) => [JSON.stringify(s).slice(0, 40), s]))("writes and reads %s exactly as TextEncoder does", (_, s) => {
    const expected = new TextEncoder().encode(s);
    expect(impl.length(s)).toBe(expected.length);
    const buf = new Uint8Array(expected.length + 2);
    expect(impl.write(s, buf, 1)).toBe(expected.length + 1);
    expect(buf.subarray(1, expected.length + 1)).toEqual(expected);
    expect(impl.read(buf, 1, expected.length + 1)).toBe(s);
  });

  it.each(invalid.map((bytes) => [bytes.map((b) => b.toString(16)).join(" "), bytes]))("refuses invalid UTF-8 %s", (_, bytes) => {
    expect(impl.read(Uint8Array.from(bytes), 0, bytes.length)).toBeUndefined();
  });
});

describe("the implementation in use", () => {
  it("is the Buffer one on Node and the portable one where Buffer does not exist", async () => {
    expect(utf8).not.toBe(portableUtf8);
    const bare = await withoutBuffer(() => import("../src/wire/utf8.js"));
    expect(bare.utf8).toBe(bare.portableUtf8);
    const portable = await loadPortable();
    const bytes = portable.encode({ type: "response.image_generation_call.completed", itemId: "\uFEFFé", outputIndex: 0, sequenceNumber: 1 });
    expect(portable.decode(bytes).itemId).toBe("\uFEFFé");
  });
});
