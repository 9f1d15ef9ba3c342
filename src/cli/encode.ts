import { encode } from "../codec.js";
import { delimit } from "../delimited.js";
import { fromJson } from "../wire-json.js";
import { asBridgeError, DeadLetter } from "./dead-letter.js";
import { describeRecord, Failure } from "./failure.js";
import { openInput, openOutput, Output, readAll } from "./io.js";
import { decodeText, parseJson, readLines } from "./lines.js";
import { Progress } from "./progress.js";

/** Options of `orwire encode`. */
export interface EncodeCommand {
  format: "raw" | "delimited";
  deadLetter?: string | undefined;
  file?: string | undefined;
}

/** `orwire encode`: JSON (either shape) in, protobuf out; raw or size-delimited. */
export async function runEncode(command: EncodeCommand): Promise<void> {
  const input = await openInput(command.file);
  const out = new Output(process.stdout);
  const deadLetter = command.deadLetter === undefined ? undefined : new DeadLetter(openOutput(command.deadLetter), command.deadLetter);
  let encoded = 0;
  let record = 0;
  try {
    if (command.format === "raw") {
      const bytes = await readAll(input);
      record = 1;
      try {
        await out.write(encode(fromJson(parseJson(decodeText(bytes)))));
        encoded++;
      } catch (err) {
        const error = asBridgeError(err);
        if (deadLetter === undefined) throw new Failure(describeRecord(error, 1));
        await deadLetter.send(1, textOrBytes(bytes), error);
      }
    } else {
      const progress = new Progress("records encoded");
      for await (const line of readLines(input)) {
        if ("text" in line && line.text.trim() === "") continue;
        record++;
        try {
          if ("error" in line) throw line.error;
          await out.write(delimit(encode(fromJson(parseJson(line.text)))));
          encoded++;
          progress.tick();
        } catch (err) {
          const error = asBridgeError(err);
          if (deadLetter === undefined) {
            await out.flush();
            throw new Failure(describeRecord(error, record, line.number));
          }
          await deadLetter.send(record, "text" in line ? { text: line.text } : { bytes: line.bytes }, error);
        }
      }
      progress.done();
    }
  } finally {
    await out.flush();
    await deadLetter?.close();
  }
  if (deadLetter !== undefined) {
    process.stderr.write(`orwire encode: ${encoded} of ${record} records encoded, ${deadLetter.count} sent to ${deadLetter.file}\n`);
  }
}

function textOrBytes(bytes: Uint8Array): { text: string } | { bytes: Uint8Array } {
  try {
    return { text: decodeText(bytes) };
  } catch {
    return { bytes };
  }
}
