// This bridge as a codec with only the serve mode: `node serve.mjs [FAULT HEX]... serve` reads
// size-delimited CodecRequests and answers each with what `orwire decode --shape wire` /
// `orwire encode` (`--message event` for the envelope) would do. Any other command is a usage
// error (exit 2). A fault makes it misbehave on the request whose input is the given hex:
//   --crash-on HEX    exit 3 without answering
//   --hang-on HEX     never answer, and stop reading
//   --garbage-on HEX  write bytes that are not a size-delimited CodecResponse
//   --error-on HEX    answer `error` instead
// test/conformance.test.ts runs the kit against it: a served codec passes, and each fault fails
// the one case it hits while the run goes on.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { CodecRequestSchema, CodecResponseSchema, Operation } from "../../../dist/gen/openresponses/conformance/v1/codec_pb.js";
import { decodeText, parseJson } from "../../../dist/src/cli/lines.js";
import { decode, decodeEvent, encode, encodeEvent, fromJson, isBridgeError, stringifyJson, toWireJson } from "../../../dist/src/index.js";
import { Deframer, delimit } from "../../../dist/src/transport/index.js";

const args = process.argv.slice(2);
if (args.at(-1) !== "serve" || args.length % 2 !== 1) {
  process.stderr.write("usage: serve.mjs [--crash-on|--hang-on|--garbage-on|--error-on HEX]... serve\n");
  process.exit(2);
}
const faults = new Map();
for (let i = 0; i < args.length - 1; i += 2) faults.set(args[i + 1], args[i].replace(/^--|-on$/g, ""));

const line = (event) => new TextEncoder().encode(`${stringifyJson(toWireJson(event))}\n`);
const operations = {
  [Operation.DECODE]: (input) => line(decode(input)),
  [Operation.ENCODE]: (input) => encode(fromJson(parseJson(decodeText(input)))),
  [Operation.DECODE_EVENT]: (input) => line(decodeEvent(input)),
  [Operation.ENCODE_EVENT]: (input) => encodeEvent(fromJson(parseJson(decodeText(input)))),
};

function answer(request) {
  const command = operations[request.operation];
  if (command === undefined) return { case: "error", value: `unknown operation ${request.operation}` };
  try {
    return { case: "output", value: command(request.input) };
  } catch (err) {
    if (isBridgeError(err)) return { case: "refusal", value: `serve.mjs: ${err.message}` };
    throw err;
  }
}

const deframer = new Deframer();
let hung = false;
process.stdin.on("data", (chunk) => {
  if (hung) return;
  const out = [];
  for (const frame of deframer.push(chunk)) {
    const request = fromBinary(CodecRequestSchema, frame);
    const fault = faults.get(Buffer.from(request.input).toString("hex"));
    if (fault === "crash") {
      process.stdout.write(Buffer.concat(out), () => process.exit(3));
      return;
    }
    if (fault === "hang") {
      process.stdout.write(Buffer.concat(out));
      hung = true;
      process.stdin.pause();
      setInterval(() => {}, 1 << 30);
      return;
    }
    if (fault === "garbage") {
      out.push(Buffer.from("ffffffffffffffffff01", "hex"));
      continue;
    }
    const result = fault === "error" ? { case: "error", value: "asked to fail" } : answer(request);
    out.push(delimit(toBinary(CodecResponseSchema, create(CodecResponseSchema, { result }))));
  }
  process.stdout.write(Buffer.concat(out));
});
process.stdin.on("end", () => deframer.end());
