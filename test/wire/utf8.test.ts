import { describe, expect, it } from "vitest";
import { decode } from "../../src/codec.js";
import { type BufferNatives, isStringTooLong, nodeUtf8, portableUtf8, utf8 } from "../../src/wire/utf8.js";
import { writeVarint32 } from "../../src/wire/varint.js";
import { loadPortable, withoutBuffer } from "../support/implementations.js";
import { codeAndPath, refusal } from "../support/refusal.js";

const samples = [
  "",
  "ig_0c24cad2e1cb59201b3d503d387b03578e70c950ca42f",
  "\uFEFFig",
  "é",
  "\u0800",
  "\uFFFF",
  "😀",
  "a\u0000b",
  `${"x".repeat(300)}é😀`,
];
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
    const bare = await withoutBuffer(() => import("../../src/wire/utf8.js"));
    expect(bare.utf8).toBe(bare.portableUtf8);
    const portable = await loadPortable();
    const bytes = portable.encode({
      type: "response.image_generation_call.completed",
      itemId: "\uFEFFé",
      outputIndex: 0,
      sequenceNumber: 1,
    });
    expect(portable.decode(bytes).itemId).toBe("\uFEFFé");
  });
});

describe("a string longer than the engine can hold", () => {
  const tooLong = () =>
    Object.assign(new Error("Cannot create a string longer than 0x1fffffe8 characters"), { code: "ERR_STRING_TOO_LONG" });

  it.each([
    ["Node's ERR_STRING_TOO_LONG", tooLong(), true],
    ["V8's RangeError", new RangeError("Invalid string length"), true],
    [
      "invalid UTF-8",
      Object.assign(new TypeError("The encoded data was not valid for encoding utf-8"), { code: "ERR_ENCODING_INVALID_ENCODED_DATA" }),
      false,
    ],
    ["another RangeError", new RangeError("Invalid array length"), false],
    ["not an error", null, false],
  ])("is told apart from other errors: %s", (_, err, expected) => {
    expect(isStringTooLong(err)).toBe(expected);
  });

  it("is refused as too_large by the Buffer path, not passed on as a plain Error", () => {
    const natives: BufferNatives = {
      byteLength: (s) => Buffer.byteLength(s),
      prototype: {
        latin1Slice() {
          throw tooLong();
        },
      },
    };
    expect(codeAndPath(() => nodeUtf8(natives).read(Uint8Array.of(0x61, 0x62), 0, 2))).toEqual({ code: "too_large", path: [] });
  });

  it("is refused as too_large with its field's path when a message holds one (a real 512 MiB id)", () => {
    const n = 0x1fffffe8 + 1; // V8's longest string on 64-bit platforms, plus one
    const message = Buffer.allocUnsafe(1 + 5 + n + 4);
    message[0] = 0x0a;
    let pos = writeVarint32(n, message, 1);
    message.fill(0x61, pos, pos + n);
    pos += n;
    message.set([0x10, 0x00, 0x18, 0x00], pos);
    const err = refusal(() => decode(message.subarray(0, pos + 4)));
    expect({ code: err.code, path: err.path, offset: err.offset }).toEqual({ code: "too_large", path: ["itemId"], offset: 6 });
  });
});
