/** A strict, bounded reader of protobuf's wire format. */
import { BridgeError, type BridgePath, isBridgeError } from "../errors.js";
import { utf8 } from "./utf8.js";
import { readDouble, readVarint32, VARINT_INCOMPLETE, varint32End } from "./varint.js";

/** Protobuf wire types. */
export const enum Wire {
  Varint = 0,
  I64 = 1,
  Len = 2,
  StartGroup = 3,
  EndGroup = 4,
  I32 = 5,
}

/** A field's tag: its number and wire type, `field << 3 | wire`. */
export function tag(field: number, wire: Wire): number {
  return (field << 3) | wire;
}

/** How deep groups of unknown fields may nest before the input is refused. */
const MAX_GROUP_DEPTH = 64;

/**
 * A strict reader of protobuf's wire format over `buf[pos, end)`. Every read is bounded and
 * refuses what other readers decode to garbage: over-long varints, lengths past the end,
 * invalid UTF-8, field number 0, wire types 6 and 7, a stray end-group.
 */
export class Reader {
  /** The next byte to read. */
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    public end: number,
  ) {
    this.pos = start;
  }

  /** Reads a tag and returns it (`field << 3 | wireType`), refusing field number 0 and wire types 6, 7. */
  tag(path: BridgePath): number {
    const at = this.pos;
    const tag = this.varint32(path);
    if (tag >>> 3 === 0) throw new BridgeError("invalid_field_number", path, "field number 0 is not allowed", { offset: at });
    if ((tag & 7) > 5) throw new BridgeError("invalid_wire_type", path, `wire type ${tag & 7} does not exist`, { offset: at });
    return tag;
  }

  /** Reads a varint that must fit in 32 bits unsigned (tags, lengths). */
  varint32(path: BridgePath): number {
    const value = readVarint32(this.buf, this.pos, this.end);
    if (value >= 0) {
      this.pos = varint32End;
      return value;
    }
    if (value === VARINT_INCOMPLETE) throw this.truncated(path);
    throw new BridgeError("varint_overflow", path, "varint is longer than 32 bits", { offset: this.pos });
  }

  /**
   * Reads a varint of up to 10 bytes as a signed 64-bit integer and returns it as a number,
   * or `undefined` when it is outside ±(2^53-1).
   */
  int64(path: BridgePath): number | undefined {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    let lo = 0;
    let hi = 0;
    for (let i = 0; ; i++) {
      if (pos >= this.end) throw this.truncated(path);
      const b = buf[pos++]!;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x7f) >>> 4;
      } else if (i < 9) hi |= (b & 0x7f) << (7 * i - 32);
      else if (b > 1) throw new BridgeError("varint_overflow", path, "varint is longer than 64 bits", { offset: start });
      else hi |= b << 31;
      if (b < 0x80) break;
      if (i === 9) throw new BridgeError("varint_overflow", path, "varint is longer than 10 bytes", { offset: start });
    }
    this.pos = pos;
    // hi is now the signed high word; |value| <= 2^53-1 needs -2^21 <= hi < 2^21
    if (hi >= 0x200000 || hi < -0x200000) return undefined;
    const value = hi * 4294967296 + (lo >>> 0);
    return Number.isSafeInteger(value) ? value : undefined;
  }

  /** Reads a varint of up to 10 bytes and discards it. */
  skipVarint(path: BridgePath): void {
    const start = this.pos;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw this.truncated(path);
      const b = this.buf[this.pos++]!;
      if (b < 0x80) {
        if (i === 9 && b > 1) break;
        return;
      }
    }
    throw new BridgeError("varint_overflow", path, "varint is longer than 64 bits", { offset: start });
  }

  /** Reads a varint as a boolean (any non-zero value is `true`). */
  bool(path: BridgePath): boolean {
    const start = this.pos;
    this.skipVarint(path);
    for (let i = start; i < this.pos; i++) if ((this.buf[i]! & 0x7f) !== 0) return true;
    return false;
  }

  /** Reads 8 bytes as a double. */
  double(path: BridgePath): number {
    if (this.end - this.pos < 8) throw this.truncated(path);
    const x = readDouble(this.buf, this.pos);
    this.pos += 8;
    return x;
  }

  /** Reads a length prefix and returns the end of the payload, refusing a length past the end. */
  len(path: BridgePath): number {
    const at = this.pos;
    const n = this.varint32(path);
    if (n > this.end - this.pos) throw new BridgeError("truncated", path, `length ${n} runs past the end of the input`, { offset: at });
    return this.pos + n;
  }

  /** Reads a length-delimited UTF-8 string, refusing invalid UTF-8. */
  string(path: BridgePath): string {
    const end = this.len(path);
    let s: string | undefined;
    try {
      s = utf8.read(this.buf, this.pos, end);
    } catch (err) {
      if (isBridgeError(err)) throw new BridgeError(err.code, path, err.reason, { value: err.value, offset: this.pos, cause: err });
      throw err;
    }
    if (s === undefined) throw new BridgeError("invalid_utf8", path, "string is not valid UTF-8", { offset: this.pos });
    this.pos = end;
    return s;
  }

  /** Skips the value of an unknown field of the given wire type. */
  skip(tag: number, path: BridgePath, depth = 0): void {
    switch (tag & 7) {
      case Wire.Varint:
        this.skipVarint(path);
        return;
      case Wire.I64:
        this.skipBytes(8, path);
        return;
      case Wire.Len:
        this.pos = this.len(path);
        return;
      case Wire.I32:
        this.skipBytes(4, path);
        return;
      case Wire.StartGroup: {
        if (depth >= MAX_GROUP_DEPTH)
          throw new BridgeError("too_deep", path, `groups nested deeper than ${MAX_GROUP_DEPTH}`, { offset: this.pos });
        for (;;) {
          if (this.pos >= this.end) throw this.truncated(path);
          const inner = this.tag(path);
          if ((inner & 7) === Wire.EndGroup) {
            if (inner >>> 3 !== tag >>> 3)
              throw new BridgeError("unexpected_end_group", path, `end-group for field ${inner >>> 3} closes group ${tag >>> 3}`, {
                offset: this.pos,
              });
            return;
          }
          this.skip(inner, path, depth + 1);
        }
      }
      default:
        throw new BridgeError("unexpected_end_group", path, `end-group for field ${tag >>> 3} without a start-group`, { offset: this.pos });
    }
  }

  /** The error for a field whose wire type does not match the schema. */
  mismatch(tag: number, expected: Wire, path: BridgePath): BridgeError {
    return new BridgeError("wire_type_mismatch", path, `field ${tag >>> 3} has wire type ${tag & 7}, the schema says ${expected}`, {
      offset: this.pos,
    });
  }

  private skipBytes(n: number, path: BridgePath): void {
    if (this.end - this.pos < n) throw this.truncated(path);
    this.pos += n;
  }

  private truncated(path: BridgePath): BridgeError {
    return new BridgeError("truncated", path, "input ends in the middle of a field", { offset: this.pos });
  }
}
