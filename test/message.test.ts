import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { type BridgeErrorCode, encode, fromMessage, ImageGenCallCompletedSchema, toMessage } from "../src/index.js";
import { codeAndPath } from "./support/refusal.js";

const T = "response.image_generation_call.completed" as const;
const event = { type: T, itemId: "ig_1", outputIndex: 3469.55, sequenceNumber: 4, note: { b: 1, a: 2 } } as const;

describe("toMessage / fromMessage", () => {
  it("builds the generated message with the variant the number rule picks", () => {
    const message = toMessage(event);
    expect(message.itemId).toBe("ig_1");
    expect(message.outputIndexValue).toEqual({ case: "outputIndexDouble", value: 3469.55 });
    expect(message.sequenceNumberValue).toEqual({ case: "sequenceNumber", value: 4n });
    expect(Object.keys(message.extra!.note as object)).toEqual(["a", "b"]);
    expect(toBinary(ImageGenCallCompletedSchema, message)).toEqual(encode(event));
  });

  it("reads the message back to the same event", () => {
    expect(fromMessage(toMessage(event))).toEqual(event);
  });

  const bad = (init: Parameters<typeof create<typeof ImageGenCallCompletedSchema>>[1]) => create(ImageGenCallCompletedSchema, init);
  const refusals: [string, ReturnType<typeof bad>, BridgeErrorCode, (string | number)[]][] = [
    [
      "an absent item_id",
      bad({ outputIndexValue: { case: "outputIndex", value: 0n }, sequenceNumberValue: { case: "sequenceNumber", value: 0n } }),
      "missing_field",
      ["itemId"],
    ],
    [
      "an unset output_index",
      bad({ itemId: "x", sequenceNumberValue: { case: "sequenceNumber", value: 0n } }),
      "missing_field",
      ["outputIndex"],
    ],
    [
      "an int64 above 2^53-1",
      bad({
        itemId: "x",
        outputIndexValue: { case: "outputIndex", value: 2n ** 53n },
        sequenceNumberValue: { case: "sequenceNumber", value: 0n },
      }),
      "unsafe_integer",
      ["outputIndex"],
    ],
    [
      "a NaN double",
      bad({
        itemId: "x",
        outputIndexValue: { case: "outputIndex", value: 0n },
        sequenceNumberValue: { case: "sequenceNumberDouble", value: Number.NaN },
      }),
      "not_finite",
      ["sequenceNumber"],
    ],
    [
      "a lone surrogate in item_id",
      bad({
        itemId: "\uD800",
        outputIndexValue: { case: "outputIndex", value: 0n },
        sequenceNumberValue: { case: "sequenceNumber", value: 0n },
      }),
      "lone_surrogate",
      ["itemId"],
    ],
    [
      "a known name in extra",
      bad({
        itemId: "x",
        outputIndexValue: { case: "outputIndex", value: 0n },
        sequenceNumberValue: { case: "sequenceNumber", value: 0n },
        extra: { itemId: "y" },
      }),
      "ambiguous_key",
      ["extra", "itemId"],
    ],
  ];
  it.each(refusals)("fromMessage refuses %s", (_, message, code, path) => {
    expect(codeAndPath(() => fromMessage(message))).toEqual({ code, path });
  });

  it("fromMessage refuses a message of another type", () => {
    expect(codeAndPath(() => fromMessage({ $typeName: "google.protobuf.Empty" } as never))).toEqual({ code: "invalid_type", path: [] });
  });
});
