// The events every candidate is measured on.

/** A real completed event: a 48-character ASCII id, small integers, no unknown members. */
export const typical = {
  type: "response.image_generation_call.completed",
  itemId: "ig_0c24cad2e1cb59201b3d503d387b03578e70c950ca42f",
  outputIndex: 0,
  sequenceNumber: 7,
};

/** The worst case the bridge carries: a long non-ASCII id, both double variants, unknown members. */
export const worst = {
  type: "response.image_generation_call.completed",
  itemId: `ig_${"ümläut-画像-😀".repeat(12)}`,
  outputIndex: 3469.55,
  sequenceNumber: -0,
  background: "transparent",
  output_format: "png",
  quality: "high",
  size: [1024, 1536],
  usage: { input_tokens: 1843, output_tokens: 4160, details: { cached: false, ratio: 0.4432 } },
};

/** The wire JSON of an SDK object. */
export function wireOf(e) {
  const { type, itemId, outputIndex, sequenceNumber, ...rest } = e;
  return { type, item_id: itemId, output_index: outputIndex, sequence_number: sequenceNumber, ...rest };
}
