import { encode } from "../codec.js";
import { DelimitedWriter } from "../delimited.js";
import { fromJson } from "../wire-json.js";
import { asBridgeError, DeadLetter } from "./dead-letter.js";
import { describeRecord, Failure } from "./failure.js";
import { openInput, openOutput, Output, readAll } from "./io.js";
import { decodeText, isBlank, lineText, LineSplitter, parseJson, type Lines } from "./lines.js";
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
      const splitter = new LineSplitter();
      const writer = new DelimitedWriter();
      let lineNumber = 0;
      const take = async ({ buf, bounds }: Lines): Promise<void> => {
        for (let i = 0; i < bounds.length; i += 2) {
          const start = bounds[i]!;
          const end = bounds[i + 1]!;
          lineNumber++;
          if (writer.writePlainJson(buf, start, end)) {
            record++;
            encoded++;
            continue;
          }
          const text = lineText(buf, start, end);
          if (typeof text === "string" && isBlank(text)) continue;
          record++;
          try {
            if (typeof text !== "string") throw text;
            writer.write(fromJson(parseJson(text)));
            encoded++;
          } catch (err) {
            const error = asBridgeError(err);
            if (deadLetter === undefined) {
              for (const chunk of writer.drain()) await out.write(chunk);
              throw new Failure(describeRecord(error, record, lineNumber));
            }
            await deadLetter.send(record, typeof text === "string" ? { text } : { bytes: buf.subarray(start, end) }, error);
          }
        }
        for (const chunk of writer.drain()) await out.write(chunk);
        progress.tick(bounds.length / 2);
      };
      for await (const chunk of input) await take(splitter.push(chunk));
      await take(splitter.end());
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
