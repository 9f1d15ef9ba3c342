/**
 * The unknown members of an event to `google.protobuf.Struct` bytes in two passes: the plan's
 * constructor reads and checks each value once, straight from the input, and measures it; `write`
 * writes from the plan alone (as often as asked), keys sorted by code point at every level.
 */
import type { BridgePath } from "../errors.js";
import type { EventKind, Shape } from "../json/event.js";
import {
  arrayHole,
  checkContainer,
  checkNoOtherMembers,
  checkUnknownKey,
  isWellFormed,
  loneSurrogate,
  notFinite,
  notJson,
  type PathStack,
} from "../json/validate.js";
import { compareCodePoints, INSERTION_SORT_MAX } from "./struct-codec.js";
import { utf8 } from "./utf8.js";
import { varint32Size, writeDouble, writeVarint32 } from "./varint.js";

/** The item that stands for a list in `StructPlan.items`; a Struct's stands as its member table. */
const LIST: unique symbol = Symbol("list");

const ROOT: BridgePath = [];

/**
 * A Struct read and measured, ready to write. The plan holds, in reading order (input order),
 * what each value needs: its bytes' length in `sizes`, the value itself in `items` (a key, a
 * string, a number, a boolean, `null`, `LIST` for a list, the member table for a Struct). A
 * member table lists where each member's entries start, in key order, then where the Struct ends.
 */
export class StructPlan {
  /** The byte length of the Struct. */
  readonly size: number;
  private readonly sizes: number[] = [];
  private readonly items: unknown[] = [];
  /** The top Struct's member table. */
  private readonly members: number[];
  /** The writer's places in `sizes` and `items`. */
  private s = 0;
  private i = 0;

  /**
   * Reads the unknown members of an event (key then value, in input order) once, checking each
   * key with `checkUnknownKey` and each value as plain JSON, as `readEvent`'s copy does.
   */
  constructor(unknown: readonly unknown[], kind: EventKind, shape: Shape) {
    const path: PathStack = [];
    const n = unknown.length / 2;
    const members = new Array<number>(2 * n + 2);
    let size = 0;
    for (let m = 0; m < n; m++) {
      const key = unknown[2 * m] as string;
      checkUnknownKey(key, kind, shape, ROOT);
      members[2 * m] = this.sizes.length;
      members[2 * m + 1] = this.items.length;
      size += this.member(key, unknown[2 * m + 1], path, 0);
    }
    this.members = this.sorted(members, n);
    this.size = size;
  }

  /** Writes the Struct at `pos` and returns the position after it. */
  write(buf: Uint8Array, pos: number): number {
    return this.writeStruct(this.members, buf, pos);
  }

  /** Plans one map entry of the Struct at `path` (its key checked) and returns its bytes, tag and length included. */
  private member(key: string, value: unknown, path: PathStack, depth: number): number {
    const slot = this.sizes.push(0, 0) - 2;
    this.items.push(key);
    const keyBytes = utf8.length(key);
    const valueSize = this.value(value, path, key, depth);
    this.sizes[slot] = keyBytes;
    this.sizes[slot + 1] = valueSize;
    const entry = 1 + varint32Size(keyBytes) + keyBytes + 1 + varint32Size(valueSize) + valueSize;
    return 1 + varint32Size(entry) + entry;
  }

  /**
   * Plans the `google.protobuf.Value` of `value`, found at `key` of `path`, and returns its byte
   * length. The key goes on the path only on the way into a list or Struct, or into a refusal.
   */
  private value(value: unknown, path: PathStack, key: string | number, depth: number): number {
    switch (typeof value) {
      case "number":
        if (!Number.isFinite(value)) throw notFinite(value, [...path, key]);
        this.items.push(value);
        return 9;
      case "boolean":
        this.items.push(value);
        return 2;
      case "string": {
        if (!isWellFormed(value)) throw loneSurrogate([...path, key], "string");
        this.items.push(value);
        const n = utf8.length(value);
        this.sizes.push(n);
        return 1 + varint32Size(n) + n;
      }
      case "object": {
        if (value === null) {
          this.items.push(null);
          return 2;
        }
        path.push(key);
        const n = checkContainer(value, path, depth) ? this.list(value, path, depth) : this.struct(value, path, depth);
        path.pop();
        return 1 + varint32Size(n) + n;
      }
      default:
        throw notJson(value, [...path, key]);
    }
  }

  /** Plans a ListValue read by length and indexes, and returns its payload's byte length. */
  private list(array: unknown[], path: PathStack, depth: number): number {
    const length = array.length;
    const keys = Object.keys(array);
    const slot = this.sizes.push(0, length) - 2;
    this.items.push(LIST);
    let n = 0;
    for (let i = 0; i < length; i++) {
      if (keys[i] !== String(i)) throw arrayHole([...path, i]);
      const itemSize = this.value(array[i], path, i, depth + 1);
      n += 1 + varint32Size(itemSize) + itemSize;
    }
    checkNoOtherMembers(keys, length, path);
    this.sizes[slot] = n;
    return n;
  }

  /** Plans a Struct of a plain object's own enumerable members, and returns its payload's byte length. */
  private struct(object: object, path: PathStack, depth: number): number {
    const keys = Object.keys(object);
    const slot = this.sizes.push(0) - 1;
    const itemSlot = this.items.push(undefined) - 1;
    const members = new Array<number>(2 * keys.length + 2);
    let n = 0;
    for (let m = 0; m < keys.length; m++) {
      const key = keys[m]!;
      if (!isWellFormed(key)) throw loneSurrogate([...path, key], "member name");
      members[2 * m] = this.sizes.length;
      members[2 * m + 1] = this.items.length;
      n += this.member(key, (object as Record<string, unknown>)[key], path, depth + 1);
    }
    this.sizes[slot] = n;
    this.items[itemSlot] = this.sorted(members, keys.length);
    return n;
  }

  /** Completes a member table of `n` members in input order: sorts it by key and appends where the Struct ends. */
  private sorted(members: number[], n: number): number[] {
    members[2 * n] = this.sizes.length;
    members[2 * n + 1] = this.items.length;
    const items = this.items;
    if (n > INSERTION_SORT_MAX) {
      const order = Array.from({ length: n }, (_, m) => m).sort((a, b) =>
        compareCodePoints(items[members[2 * a + 1]!] as string, items[members[2 * b + 1]!] as string),
      );
      const starts = members.slice(0, 2 * n);
      order.forEach((m, k) => {
        members[2 * k] = starts[2 * m]!;
        members[2 * k + 1] = starts[2 * m + 1]!;
      });
      return members;
    }
    for (let m = 1; m < n; m++) {
      const s = members[2 * m]!;
      const i = members[2 * m + 1]!;
      const key = items[i] as string;
      let k = m - 1;
      for (; k >= 0 && compareCodePoints(items[members[2 * k + 1]!] as string, key) > 0; k--) {
        members[2 * k + 2] = members[2 * k]!;
        members[2 * k + 3] = members[2 * k + 1]!;
      }
      members[2 * k + 2] = s;
      members[2 * k + 3] = i;
    }
    return members;
  }

  private writeStruct(members: readonly number[], buf: Uint8Array, pos: number): number {
    const sizes = this.sizes;
    const items = this.items;
    const n = (members.length - 2) / 2;
    for (let m = 0; m < n; m++) {
      let s = members[2 * m]!;
      const i = members[2 * m + 1]!;
      const keyBytes = sizes[s++]!;
      const valueSize = sizes[s++]!;
      const key = items[i] as string;
      const entry = 1 + varint32Size(keyBytes) + keyBytes + 1 + varint32Size(valueSize) + valueSize;
      buf[pos++] = 0x0a; // fields: map entry
      pos = writeVarint32(entry, buf, pos);
      buf[pos++] = 0x0a; // key
      if (keyBytes < 0x80 && keyBytes === key.length) {
        // the common key: short and ASCII
        buf[pos++] = keyBytes;
        for (let k = 0; k < keyBytes; k++) buf[pos++] = key.charCodeAt(k);
      } else {
        pos = writeVarint32(keyBytes, buf, pos);
        pos = utf8.write(key, buf, pos);
      }
      buf[pos++] = 0x12; // value
      pos = writeVarint32(valueSize, buf, pos);
      this.s = s;
      this.i = i + 1;
      pos = this.writeValue(buf, pos);
    }
    this.s = members[2 * n]!;
    this.i = members[2 * n + 1]!;
    return pos;
  }

  /** Writes the next planned Value and returns the position after it. */
  private writeValue(buf: Uint8Array, pos: number): number {
    const value = this.items[this.i++];
    switch (typeof value) {
      case "number":
        buf[pos++] = 0x11; // number_value
        return writeDouble(value, buf, pos);
      case "boolean":
        buf[pos++] = 0x20; // bool_value
        buf[pos++] = value ? 1 : 0;
        return pos;
      case "string":
        buf[pos++] = 0x1a; // string_value
        pos = writeVarint32(this.sizes[this.s++]!, buf, pos);
        return utf8.write(value, buf, pos);
      case "symbol": {
        const n = this.sizes[this.s++]!;
        const length = this.sizes[this.s++]!;
        buf[pos++] = 0x32; // list_value
        pos = writeVarint32(n, buf, pos);
        for (let k = 0; k < length; k++) {
          buf[pos++] = 0x0a; // values
          pos = writeVarint32(this.nextValueSize(), buf, pos);
          pos = this.writeValue(buf, pos);
        }
        return pos;
      }
      default: {
        if (value === null) {
          buf[pos++] = 0x08; // null_value
          buf[pos++] = 0;
          return pos;
        }
        buf[pos++] = 0x2a; // struct_value
        pos = writeVarint32(this.sizes[this.s++]!, buf, pos);
        return this.writeStruct(value as number[], buf, pos);
      }
    }
  }

  /** The byte length of the next planned Value (a list item's). */
  private nextValueSize(): number {
    const value = this.items[this.i];
    if (typeof value === "number") return 9;
    if (typeof value === "boolean" || value === null) return 2;
    const n = this.sizes[this.s]!;
    return 1 + varint32Size(n) + n;
  }
}
