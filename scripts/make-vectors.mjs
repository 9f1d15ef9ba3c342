// Writes the golden vectors in test/vectors/ from the case definitions below. The hex of a valid
// case is what the bridge writes; test/vectors.test.ts checks every case against this codec,
// protobuf-es reflection and Go's protobuf (buf convert). Run after `npm run build`:
//   node scripts/make-vectors.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { encode, encodeEvent, stringifyJson, toWireJson } from "../dist/src/index.js";

const T = "response.image_generation_call.completed";
const ev = (itemId, outputIndex, sequenceNumber, extra = {}) => ({ type: T, itemId, outputIndex, sequenceNumber, ...extra });
const hex = (b) => Buffer.from(b).toString("hex");

let nested = { leaf: true };
for (let i = 1; i < 32; i++) nested = { [`level${32 - i}`]: nested };

const valid = [
  ["typical", "a real event: 48-character id, small integers", ev("ig_0c24cad2e1cb59201b3d503d387b03578e70c950ca42f", 0, 7)],
  ["seed_example", "the SDK page's example: a fractional output index takes the double variant", ev("<id>", 3469.55, 0)],
  ["empty_id_zeros", "empty id and zeros: explicit presence keeps them on the wire", ev("", 0, 0)],
  ["negative_zero", "-0 takes the double variant and keeps its sign", ev("ig_1", -0, -0)],
  ["subnormal", "the smallest subnormal double", ev("ig_1", 5e-324, -5e-324)],
  ["huge", "the largest magnitudes JSON numbers reach here", ev("ig_1", 1e308, -1e308)],
  ["max_safe", "±(2^53-1): int64 variant; a negative int64 is a 10-byte varint", ev("ig_1", 2 ** 53 - 1, -(2 ** 53 - 1))],
  ["two_pow_53", "2^53 is not a safe integer: double variant", ev("ig_1", 2 ** 53, -(2 ** 53))],
  ["minus_one", "-1: a 10-byte varint", ev("ig_1", -1, 128)],
  ["int32_edges", "2^31 and 2^32 as int64", ev("ig_1", 2 ** 31, 2 ** 32)],
  ["tenth", "0.1 has no exact decimal form: the double's exact bits travel", ev("ig_1", 0.1, 0.30000000000000004)],
  ["astral_id", "astral characters in the id: 4-byte UTF-8", ev("ig_😀🎨", 1, 2)],
  ["bom_first", "a leading U+FEFF is data, not a byte order mark", ev("\uFEFFig_1", 1, 2)],
  ["nul_and_controls", "NUL and control characters", ev("ig\u0000x\u0001\n\t", 1, 2)],
  ["bmp_edges", "U+FFFF, U+E000 and two-byte characters", ev("\uFFFF\uE000é", 1, 2)],
  [
    "unknown_members",
    "members the schema does not know: every JSON type, nested, -0 inside",
    ev("ig_1", 0, 3, {
      background: "transparent",
      quality: null,
      partial: false,
      size: [1024, 1536],
      meta: { b: [1, -0, 2.5, "x", null, true, { z: {} }], a: [] },
      score: -0,
    }),
  ],
  [
    "unicode_member_names",
    "member names sort by code point (UTF-8 byte order), not UTF-16 code unit",
    ev("ig_1", 0, 3, { "\u{1F600}": 1, "\uFFFF": 2, "\uE000": 3, é: 4, z: 5, "": 6 }),
  ],
  [
    "index_like_member_names",
    "names JS objects reorder: the wire order is still by code point",
    ev("ig_1", 0, 3, { 10: "ten", 9: "nine", a: { 2: true, 10: false } }),
  ],
  ["proto_member_name", "a member named __proto__ is data", ev("ig_1", 0, 3, { ["__proto__"]: { polluted: true } })],
  ["deep_member", "32 nested objects: the deepest an unknown member may be", ev("ig_1", 0, 3, { deep: nested })],
].map(([name, description, sdk]) => {
  if (name === "proto_member_name") {
    sdk = ev("ig_1", 0, 3);
    Object.defineProperty(sdk, "__proto__", { value: { polluted: true }, enumerable: true, writable: true, configurable: true });
  }
  return { name, description, sdk, wire: toWireJson(sdk), hex: hex(encode(sdk)) };
});

// bytes another producer may write: the bridge reads them to the same event
const decodeOnly = [
  [
    "unknown_fields_skipped",
    "fields 16 (varint), 100 (bytes), 20 (group) and 7 (fixed32) from a newer producer are skipped",
    "0a0469675f3110001803" + "8001" + "2a" + "a2060462797465" + "a3010801a401" + "3d01020304",
    ev("ig_1", 0, 3),
  ],
  [
    "last_one_wins",
    "a field written twice: the last value counts, as in every protobuf runtime",
    "0a0178100518030a0469675f3110001803",
    ev("ig_1", 0, 3),
  ],
  [
    "double_variant_integral",
    "a producer may put an integer in the double variant",
    "0a0469675f312100000000000014402900000000000000c0",
    ev("ig_1", 5, -2),
  ],
  ["non_canonical_varint", "a padded varint still reads as its value", "0a0469675f31108000188300", ev("ig_1", 0, 3)],
].map(([name, description, bytes, sdk]) => ({ name, description, sdk, wire: toWireJson(sdk), hex: bytes, decode_only: true }));

// layer "protobuf": every protobuf runtime refuses these; "bridge": the bridge's own contract
const badBytes = [
  ["truncated_string", "protobuf", "0a056967", "truncated", ["itemId"]],
  ["truncated_varint", "protobuf", "0a0131108080", "truncated", ["outputIndex"]],
  ["truncated_double", "protobuf", "0a013121000000", "truncated", ["outputIndex"]],
  ["truncated_tag", "protobuf", "0a01311000180380", "truncated", []],
  ["length_past_end", "protobuf", "0a7f61", "truncated", ["itemId"]],
  ["invalid_utf8", "protobuf", "0a02fffe10001803", "invalid_utf8", ["itemId"]],
  ["overlong_utf8", "protobuf", "0a02c08010001803", "invalid_utf8", ["itemId"]],
  ["utf8_surrogate", "protobuf", "0a03eda08010001803", "invalid_utf8", ["itemId"]],
  ["varint_11_bytes", "protobuf", "0a013110ffffffffffffffffffff0118001803", "varint_overflow", ["outputIndex"]],
  // Go and prost refuse this; protobuf-java, upb and C++ drop the bits past 64 (interop/README.md)
  ["varint_tenth_byte", "bridge", "0a013110ffffffffffffffffff031803", "varint_overflow", ["outputIndex"]],
  ["field_number_zero", "protobuf", "0000", "invalid_field_number", []],
  ["wire_type_6", "protobuf", "0e", "invalid_wire_type", []],
  ["wire_type_7", "protobuf", "0a0131100018030f", "invalid_wire_type", []],
  ["stray_end_group", "protobuf", "0a013110001803a401", "unexpected_end_group", []],
  ["unterminated_group", "protobuf", "0a013110001803a301", "truncated", []],
  ["item_id_as_varint", "bridge", "080110001803", "wire_type_mismatch", ["itemId"]],
  ["output_index_as_bytes", "bridge", "0a01311200 1803".replace(" ", ""), "wire_type_mismatch", ["outputIndex"]],
  ["missing_item_id", "bridge", "10001803", "missing_field", ["itemId"]],
  ["missing_output_index", "bridge", "0a01311803", "missing_field", ["outputIndex"]],
  ["missing_sequence_number", "bridge", "0a01311000", "missing_field", ["sequenceNumber"]],
  ["empty_input", "bridge", "", "missing_field", ["itemId"]],
  ["int64_two_pow_53", "bridge", "0a0131108080808080808010" + "1803", "unsafe_integer", ["outputIndex"]],
  ["int64_minus_two_pow_53", "bridge", "0a013110808080808080807001" + "1803", "unsafe_integer", ["outputIndex"]],
  ["int64_max", "bridge", "0a013110ffffffffffffffff7f1803", "unsafe_integer", ["outputIndex"]],
  ["double_nan", "bridge", "0a013121000000000000f87f1803", "not_finite", ["outputIndex"]],
  ["double_infinity", "bridge", "0a0131100029000000000000f0ff", "not_finite", ["sequenceNumber"]],
  ["extra_known_name", "bridge", "0a0131100018037a110a0f0a076974656d5f696412041a02696e", "ambiguous_key", ["extra", "item_id"]],
  ["extra_value_without_kind", "bridge", "0a0131100018037a070a050a016b1200", "invalid_value", ["extra", "k"]],
  ["extra_invalid_utf8_name", "protobuf", "0a0131100018037a090a070a01ff12020800", "invalid_utf8", ["extra"]],
  ["extra_truncated", "protobuf", "0a0131100018037a090a070a016b1202", "truncated", ["extra"]],
  ["extra_nan", "bridge", "0a0131100018037a100a0e0a016b120911000000000000f87f", "not_finite", ["extra", "k"]],
  ["extra_null_value_nonzero", "bridge", "0a0131100018037a090a070a016b12020805", "invalid_value", ["extra", "k"]],
  ["extra_too_deep", "bridge", deepHex(33), "too_deep", ["extra", "deep", ...Array(32).fill(0)]],
].map(([name, layer, bytes, code, path]) => ({ name, layer, hex: bytes, code, path }));

/** Bytes of an event whose member `deep` is `levels` nested arrays around 1 (too deep past 32). */
function deepHex(levels) {
  const len = (n) => (n < 128 ? [n] : [(n & 0x7f) | 0x80, n >> 7]);
  let value = [0x11, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]; // Value { number_value: 1 }
  for (let i = 0; i < levels; i++) {
    const list = [0x0a, ...len(value.length), ...value]; // ListValue { values: [value] }
    value = [0x32, ...len(list.length), ...list]; // Value { list_value }
  }
  const entry = [0x0a, 4, ...Buffer.from("deep"), 0x12, ...len(value.length), ...value];
  const struct = [0x0a, ...len(entry.length), ...entry];
  return hex(Uint8Array.from([0x0a, 1, 0x31, 0x10, 0, 0x18, 3, 0x7a, ...len(struct.length), ...struct]));
}

const badJson = [
  [
    "wrong_type_literal",
    "wire",
    '{"type":"response.image_generation_call.in_progress","item_id":"ig_1","output_index":0,"sequence_number":1}',
    "invalid_literal",
    ["type"],
  ],
  ["missing_type", "wire", '{"item_id":"ig_1","output_index":0,"sequence_number":1}', "missing_field", ["type"]],
  ["type_not_string", "sdk", '{"type":1,"itemId":"ig_1","outputIndex":0,"sequenceNumber":1}', "invalid_type", ["type"]],
  ["item_id_number", "wire", `{"type":"${T}","item_id":5,"output_index":0,"sequence_number":1}`, "invalid_type", ["item_id"]],
  ["item_id_null", "sdk", `{"type":"${T}","itemId":null,"outputIndex":0,"sequenceNumber":1}`, "invalid_type", ["itemId"]],
  ["missing_sequence_number", "sdk", `{"type":"${T}","itemId":"ig_1","outputIndex":0}`, "missing_field", ["sequenceNumber"]],
  [
    "output_index_string",
    "wire",
    `{"type":"${T}","item_id":"ig_1","output_index":"0","sequence_number":1}`,
    "invalid_type",
    ["output_index"],
  ],
  [
    "output_index_infinite",
    "wire",
    `{"type":"${T}","item_id":"ig_1","output_index":1e400,"sequence_number":1}`,
    "not_finite",
    ["output_index"],
  ],
  ["lone_surrogate_id", "sdk", `{"type":"${T}","itemId":"ig_\\ud800","outputIndex":0,"sequenceNumber":1}`, "lone_surrogate", ["itemId"]],
  [
    "lone_surrogate_member",
    "wire",
    `{"type":"${T}","item_id":"ig_1","output_index":0,"sequence_number":1,"note":["ok","\\udc00"]}`,
    "lone_surrogate",
    ["note", 1],
  ],
  [
    "lone_surrogate_member_name",
    "wire",
    `{"type":"${T}","item_id":"ig_1","output_index":0,"sequence_number":1,"\\ud83d":1}`,
    "lone_surrogate",
    ["\ud83d"],
  ],
  [
    "both_spellings",
    "sdk",
    `{"type":"${T}","itemId":"ig_1","item_id":"ig_2","outputIndex":0,"sequenceNumber":1}`,
    "ambiguous_key",
    ["item_id"],
  ],
  ["array_not_object", "sdk", "[]", "invalid_type", []],
  ["string_not_object", "sdk", '"ig_1"', "invalid_type", []],
  ["null_not_object", "sdk", "null", "invalid_type", []],
  [
    "member_too_deep",
    "wire",
    `{"type":"${T}","item_id":"ig_1","output_index":0,"sequence_number":3,"deep":${"[".repeat(33)}1${"]".repeat(33)}}`,
    "too_deep",
    ["deep", ...Array(32).fill(0)],
  ],
].map(([name, shape, json, code, path]) => ({ name, shape, json, code, path }));

// the lifecycle envelope (openresponses.v1.ImageGenCallEvent): every event type
const png = readFileSync(new URL("../examples/partial-image.png", import.meta.url)).toString("base64");
const life = (type, extra) => ({
  type: `response.image_generation_call.${type}`,
  itemId: "ig_1",
  outputIndex: 0,
  sequenceNumber: 3,
  ...extra,
});
const events = [
  ["in_progress", "the first event of a call", life("in_progress")],
  ["generating", "generation started", life("generating", { sequenceNumber: 4 })],
  [
    "partial_image_png",
    "a real PNG preview: canonical base64 travels as bytes",
    life("partial_image", { sequenceNumber: 5, partialImageB64: png, partialImageIndex: 0 }),
  ],
  ["partial_image_padded", "canonical base64 with padding", life("partial_image", { partialImageB64: "QUI=", partialImageIndex: 1 })],
  ["partial_image_empty", "an empty image is canonical: zero bytes", life("partial_image", { partialImageB64: "", partialImageIndex: 0 })],
  [
    "partial_image_not_canonical",
    "non-zero unused bits: kept as the exact string",
    life("partial_image", { partialImageB64: "QR==", partialImageIndex: 2 }),
  ],
  [
    "partial_image_url_safe",
    "base64url is not canonical base64: kept as the exact string",
    life("partial_image", { partialImageB64: "-_8=", partialImageIndex: 2.5 }),
  ],
  [
    "partial_image_unknown_members",
    "unknown members on a partial image",
    life("partial_image", { partialImageB64: "QUJD", partialImageIndex: -0, size: "1024x1024", quality: null }),
  ],
  [
    "completed",
    "the completed event inside the envelope: field 4 holds the same bytes encode() writes",
    life("completed", { outputIndex: 3469.55 }),
  ],
].map(([name, description, sdk]) => ({ name, description, sdk, wire: toWireJson(sdk), hex: hex(encodeEvent(sdk)) }));

const badEvents = [
  ["empty_envelope", "", "missing_field", []],
  ["two_events", "0a070a016110001800120 70a0162100018 00".replace(/ /g, ""), "invalid_value", []],
  ["event_as_varint", "0801", "wire_type_mismatch", []],
  ["partial_without_index", "1a0b0a016110001800320241 42", "missing_field", ["partialImageIndex"]],
  ["partial_without_image", "1a090a0161100018004000", "missing_field", ["partialImageB64"]],
  ["image_string_not_utf8", "1a0d0a01611000180 03a02fffe4000".replace(/ /g, ""), "invalid_utf8", ["partialImageB64"]],
  ["truncated_inner", "1a0b0a01611000", "truncated", []],
].map(([name, bytes, code, path]) => ({ name, hex: bytes.replace(/ /g, ""), code, path }));

// one case per line, written so that -0 stays -0
const write = (file, cases, about) =>
  writeFileSync(
    new URL(`../test/vectors/${file}`, import.meta.url),
    `{"about":${JSON.stringify(about)},"cases":[\n${cases.map(stringifyJson).join(",\n")}\n]}\n`,
  );
write(
  "valid.json",
  [...valid, ...decodeOnly],
  "Each case: the SDK object, its wire JSON and the message bytes (hex). decode_only cases are bytes another producer may write; they decode to the event but the bridge writes them differently.",
);
write(
  "invalid-binary.json",
  badBytes,
  "Bytes every decoder must refuse, with the bridge's error code and path. layer 'protobuf': any protobuf runtime refuses them; 'bridge': the bridge's contract (presence, safe integers, JSON-compatible extra).",
);
write(
  "events.json",
  events,
  "The lifecycle envelope openresponses.v1.ImageGenCallEvent: each case's SDK object, wire JSON and envelope bytes (hex).",
);
write("invalid-events.json", badEvents, "Envelope bytes the decoder must refuse, with the error code and path.");
write("invalid-json.json", badJson, "JSON text (in the given shape) the encoder must refuse, with the error code and path.");
