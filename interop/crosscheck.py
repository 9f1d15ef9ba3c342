"""Runs every interop codec on the same cases and compares them (stdlib only).

    python3 interop/crosscheck.py [--fuzz COUNT [SEED]] [lang...]
        (default langs: go python java rust cpp; --fuzz adds COUNT random events)

For each encode case: all codecs must refuse (exit 1, nothing on stdout), or all
must write the same bytes (and the expected bytes where a case gives them); then
every codec decodes those bytes to the same JSON line, which must equal what
ECMAScript's JSON.parse + the contract's printing rules give (computed with node,
when node is on PATH) and must encode back to the same bytes. Each decode case
gives bytes that all codecs must refuse, or decode to the same line.
Cases marked "runtime-dependent" only print what each codec does.
"""

import json
import math
import os
import random
import shutil
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LANGS = ["go", "python", "java", "rust", "cpp"]
T = '"type":"response.image_generation_call.completed"'
MAX_SAFE = 2**53 - 1


def ev(item_id='"ig_1"', output_index="0", sequence_number="7", extra=""):
    return f'{{{T},"item_id":{item_id},"output_index":{output_index},"sequence_number":{sequence_number}{extra}}}'


# (name, wire JSON text or bytes, expected hex or None, "refuse" or "ok")
ENCODE = [
    ("the example", ev(), "0a0469675f3110001807", "ok"),
    ("output_index -0: double variant", ev(output_index="-0"), "0a0469675f311807210000000000000080", "ok"),
    ("output_index 3469.55: double variant", ev(output_index="3469.55"), "0a0469675f311807219a999999191bab40", "ok"),
    ("output_index 5e-324", ev(output_index="5e-324"), "0a0469675f311807210100000000000000", "ok"),
    ("output_index 1e308", ev(output_index="1e308"), None, "ok"),
    ("output_index -(2^53-1): int64, 10-byte varint", ev(output_index="-9007199254740991"),
     "0a0469675f311081808080808080f0ff011807", "ok"),
    ("output_index 2^53: double variant", ev(output_index="9007199254740992"), "0a0469675f311807210000000000004043", "ok"),
    ("output_index 2^53+1 rounds to 2^53", ev(output_index="9007199254740993"), "0a0469675f311807210000000000004043", "ok"),
    ("sequence_number double, output_index int", ev(output_index="2", sequence_number="0.5"), None, "ok"),
    ("both double", ev(output_index="-1.5", sequence_number="1e-7"), None, "ok"),
    ("1E2 is the int 100", ev(output_index="1E2", sequence_number="7.0"), None, "ok"),
    ("-1e-400 underflows to -0", ev(output_index="-1e-400"), None, "ok"),
    ("1e-400 underflows to 0 (int)", ev(output_index="1e-400"), "0a0469675f3110001807", "ok"),
    ("midpoint 1+2^-53 rounds to even 1", ev(output_index="1.00000000000000011102230246251565404236316680908203125"),
     "0a0469675f3110011807", "ok"),
    ("just above the midpoint rounds up",
     ev(output_index="1.00000000000000011102230246251565404236316680908203126"), None, "ok"),
    ("2.2250738585072011e-308", ev(output_index="2.2250738585072011e-308"), None, "ok"),
    ("big integer literal", ev(output_index="123456789012345678901234567890"), None, "ok"),
    ("item_id: astral, leading U+FEFF, NUL",
     ev(item_id='"\ufeffig_\U0001F600\\u0000\U00010348x"'), None, "ok"),
    ("item_id: escapes", ev(item_id=r'"\u00e9\ud83d\ude00\/\b\f\n\r\t\"\\\u001f\u007f\u2028"'), None, "ok"),
    ("item_id empty", ev(item_id='""'), "0a0010001807", "ok"),
    ("extra: nested objects, arrays, null, booleans, numbers, unicode keys",
     ev(extra=',"z":{"b":[1,null,true,false,"s",{"k":-0,"j":[]}],"a":{}},"é":1.5,"😀":[],'
        '"\ue000":"bmp","A":null,"num":1e21,"small":1e-7,"int":5,"neg":-5.5,"":"empty key",'
        '"big":123456789012345678901234567890,"tiny":5e-324,"max":1.7976931348623157e308,'
        '"pt":0.30000000000000004,"k\\u0000":"nul key"'), None, "ok"),
    ("extra: keys ordered by code point, not UTF-16",
     ev(extra=',"\U0001F600":1,"\uffff":2,"\ue000":3,"a":{"\U0001F600":1,"\ue000":{"\U00010000":1,"\uffee":2}}'),
     None, "ok"),
    ("extra: keys that are prefixes of each other",
     ev(extra=r',"ab":1,"a":2,"":3,"abc":{"k2":1,"k":2,"":3,"k\u0000":4}'), None, "ok"),
    ("number formatting", ev(extra=',"n":[0.1,100,1e-6,1e-7,123e-20,1e20,1e21,-0.0,2e-323,4.35,0.000001234,'
                                   '1.5e300,9007199254740993,1.1e-6,999999999999999999999,1e23,2e23,-2.31845256772633248E17,'
                                   '2151485498588627.25,1125899906842624.25,-1125899906842624.75]'), None, "ok"),
    ("duplicate keys: the last wins", ev(extra=',"a":1,"a":{"b":1,"b":2}'), None, "ok"),
    ("whitespace", "\n\t {\r\n" + T + ' , "item_id" : "x" ,"output_index":1 ,"sequence_number":2 } \n', None, "ok"),
    ("refuse: type wrong", '{"type":"response.completed","item_id":"x","output_index":0,"sequence_number":0}', None, "refuse"),
    ("refuse: type missing", '{"item_id":"x","output_index":0,"sequence_number":0}', None, "refuse"),
    ("refuse: item_id a number", ev(item_id="1"), None, "refuse"),
    ("refuse: item_id missing", f'{{{T},"output_index":0,"sequence_number":0}}', None, "refuse"),
    ("refuse: output_index a string", ev(output_index='"1"'), None, "refuse"),
    ("refuse: sequence_number null", ev(sequence_number="null"), None, "refuse"),
    ("refuse: output_index missing", f'{{{T},"item_id":"x","sequence_number":0}}', None, "refuse"),
    ("refuse: output_index 1e400 (Infinity)", ev(output_index="1e400"), None, "refuse"),
    ("refuse: extra number 1e400", ev(extra=',"a":[-1e400]'), None, "refuse"),
    ("refuse: NaN literal", ev(output_index="NaN"), None, "refuse"),
    ("refuse: Infinity literal", ev(extra=',"a":Infinity'), None, "refuse"),
    ("refuse: lone high surrogate", ev(item_id=r'"\ud800"'), None, "refuse"),
    ("refuse: lone low surrogate", ev(extra=r',"a":"x\udc00"'), None, "refuse"),
    ("refuse: lone surrogate in a key", ev(extra=r',"\ud83d":1'), None, "refuse"),
    ("refuse: reversed surrogate pair", ev(item_id=r'"\ude00\ud83d"'), None, "refuse"),
    ("refuse: invalid UTF-8 input", ev().encode().replace(b"ig_1", b"ig_\xff"), None, "refuse"),
    ("refuse: UTF-8-encoded surrogate", ev().encode().replace(b"ig_1", b"ig_\xed\xa0\x80"), None, "refuse"),
    ("refuse: BOM before the JSON", "\ufeff" + ev(), None, "refuse"),
    ("refuse: trailing data", ev() + " x", None, "refuse"),
    ("refuse: two values", ev() + ev(), None, "refuse"),
    ("refuse: leading zero", ev(output_index="01"), None, "refuse"),
    ("refuse: plus sign", ev(output_index="+1"), None, "refuse"),
    ("refuse: .5", ev(output_index=".5"), None, "refuse"),
    ("refuse: 1.", ev(output_index="1."), None, "refuse"),
    ("refuse: hex", ev(output_index="0x10"), None, "refuse"),
    ("refuse: top-level array", "[" + ev() + "]", None, "refuse"),
    ("refuse: empty input", "", None, "refuse"),
    ("refuse: trailing comma", ev()[:-1] + ",}", None, "refuse"),
    ("refuse: single quotes", ev(item_id="'x'"), None, "refuse"),
    ("refuse: raw control character in a string", ev(item_id='"a\tb"'), None, "refuse"),
    ("refuse: invalid escape", ev(item_id=r'"\x41"'), None, "refuse"),
    ("extra: 32 nested arrays, the deepest a member may be", ev(extra=',"a":' + "[" * 32 + "]" * 32), None, "ok"),
    ("refuse: extra: 33 nested arrays", ev(extra=',"a":' + "[" * 33 + "]" * 33), None, "refuse"),
    ("refuse: extra: 33 nested objects", ev(extra=',"a":' + '{"a":' * 32 + "{}" + "}" * 32), None, "refuse"),
    ("refuse: SDK spelling itemId", ev(extra=',"itemId":"x"'), None, "refuse"),
    ("refuse: SDK spelling sequenceNumber", ev(extra=',"sequenceNumber":1'), None, "refuse"),
]

def vi(n):
    """A varint (negative numbers as 64-bit two's complement)."""
    n &= 2**64 - 1
    out = bytearray()
    while True:
        out.append(n & 0x7F | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def ld(field, payload):
    return vi(field << 3 | 2) + vi(len(payload)) + payload


def i64(field, n):
    return vi(field << 3) + vi(n)


def dbl(field, x):
    return vi(field << 3 | 1) + struct.pack("<d", x)


def entry(key, value):
    """A google.protobuf.Struct map entry (Struct.fields = 1; key = 1, value = 2)."""
    key = key if isinstance(key, bytes) else key.encode()
    return ld(1, ld(1, key) + (ld(2, value) if value is not None else b""))


NULL = vi(1 << 3) + vi(0)  # Value.null_value = 1
ITEM = ld(1, b"ig_1")
BASE = ITEM + i64(2, 0) + i64(3, 7)
INF = float("inf")

# (name, bytes, "ok" | "refuse" | "info")
DECODE = [
    ("the example", BASE, "ok"),
    ("unknown field 6 is skipped", BASE + i64(6, 5), "ok"),
    ("unknown length-delimited field 99", BASE + ld(99, b"abc"), "ok"),
    ("field order 4 before 3 (what Go and prost write)", ITEM + dbl(4, 3469.55) + i64(3, 7), "ok"),
    ("oneof: the last variant on the wire wins", ITEM + i64(2, 0) + dbl(4, 5.0) + i64(3, 7), "ok"),
    ("double variant holding an integer", ITEM + dbl(4, 5.0) + i64(3, 7), "ok"),
    ("item_id empty but present", ld(1, b"") + i64(2, 0) + i64(3, 7), "ok"),
    ("empty extra", BASE + ld(15, b""), "ok"),
    ("extra: duplicate key on the wire, the last wins",
     BASE + ld(15, entry("a", ld(3, b"xyz1")) + entry("a", ld(3, b"xyz2"))), "ok"),
    ("refuse: extra null_value with an unknown enum number", BASE + ld(15, entry("a", vi(1 << 3) + vi(5))), "refuse"),
    ("extra: -(2^53-1) as number_value", BASE + ld(15, entry("a", dbl(2, -(2.0**53 - 1)))), "ok"),
    ("extra: unknown field inside a Value", BASE + ld(15, entry("a", NULL + i64(9, 1))), "ok"),
    ("refuse: truncated", bytes.fromhex("0a0569675f31"), "refuse"),
    ("refuse: truncated varint", ITEM + bytes.fromhex("10ff"), "refuse"),
    ("refuse: truncated double", ITEM + bytes.fromhex("21000000"), "refuse"),
    ("refuse: length past the end", BASE + bytes.fromhex("7a050a01"), "refuse"),
    ("refuse: invalid UTF-8 in item_id", ld(1, b"\xff\xfe") + i64(2, 0) + i64(3, 7), "refuse"),
    ("refuse: UTF-8-encoded surrogate in item_id", ld(1, b"\xed\xa0\x80") + i64(2, 0) + i64(3, 7), "refuse"),
    ("refuse: invalid UTF-8 in an extra key", BASE + ld(15, entry(b"\xff", NULL)), "refuse"),
    ("refuse: invalid UTF-8 in a string_value", BASE + ld(15, entry("a", ld(3, b"\xff"))), "refuse"),
    ("refuse: item_id absent", i64(2, 0) + i64(3, 7), "refuse"),
    ("refuse: output_index unset", ITEM + i64(3, 7), "refuse"),
    ("refuse: sequence_number unset", ITEM + i64(2, 0), "refuse"),
    ("refuse: output_index 2^53 as int64", ITEM + i64(2, 2**53) + i64(3, 7), "refuse"),
    ("refuse: sequence_number -(2^53) as int64", ITEM + i64(2, 0) + i64(3, -(2**53)), "refuse"),
    ("refuse: int64 min", ITEM + i64(2, -(2**63)) + i64(3, 7), "refuse"),
    ("refuse: NaN double variant", ITEM + dbl(4, float("nan")) + i64(3, 7), "refuse"),
    ("refuse: +Inf double variant", ITEM + i64(2, 0) + dbl(5, INF), "refuse"),
    ("refuse: -Inf number_value in extra", BASE + ld(15, entry("a", dbl(2, -INF))), "refuse"),
    ("refuse: NaN deep in extra", BASE + ld(15, entry("a", ld(6, ld(1, NULL) + ld(1, dbl(2, float("nan")))))), "refuse"),
    ("refuse: Value with no kind", BASE + ld(15, entry("a", b"")), "refuse"),
    ("refuse: map entry without a value", BASE + ld(15, entry("a", None)), "refuse"),
    ("refuse: Value with no kind in a list", BASE + ld(15, entry("a", ld(6, ld(1, b"")))), "refuse"),
    ("refuse: extra key collides: type", BASE + ld(15, entry("type", NULL)), "refuse"),
    ("refuse: extra key collides: item_id", BASE + ld(15, entry("item_id", NULL)), "refuse"),
    ("refuse: extra key collides: itemId", BASE + ld(15, entry("itemId", NULL)), "refuse"),
    ("refuse: extra key collides: sequenceNumber", BASE + ld(15, entry("sequenceNumber", NULL)), "refuse"),
    ("runtime-dependent: known field 2 with wire type LEN", BASE + ld(2, b"\x00"), "info"),
    ("runtime-dependent: a tenth varint byte above 1", ITEM + bytes.fromhex("10ffffffffffffffffff03") + i64(3, 7), "info"),
    ("extra nested 32 objects deep", "deep:32", "ok"),
    ("refuse: extra nested 33 objects deep", "deep:33", "refuse"),
    ("refuse: extra nested 40 objects deep (past 100 messages)", "deep:40", "refuse"),
]


def run(lang, mode, data):
    exe = os.path.join(HERE, lang, "codec")
    p = subprocess.run([exe, mode], input=data, capture_output=True, check=False)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace").strip()


NODE_ORACLE = r"""
// The decode line the contract expects for a wire JSON event, from JSON.parse.
const fs = require("fs");
const cases = JSON.parse(fs.readFileSync(0, "utf8"));
const cp = (a, b) => { const x = Array.from(a), y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0); if (d) return d; }
  return x.length - y.length; };
const num = (x) => Object.is(x, -0) ? "-0" : String(x);
const val = (v) => v === null ? "null" : typeof v === "number" ? num(v)
  : typeof v === "string" || typeof v === "boolean" ? JSON.stringify(v)
  : Array.isArray(v) ? "[" + v.map(val).join(",") + "]"
  : "{" + Object.keys(v).sort(cp).map((k) => JSON.stringify(k) + ":" + val(v[k])).join(",") + "}";
const known = ["type", "item_id", "output_index", "sequence_number"];
console.log(JSON.stringify(cases.map((text) => { const e = JSON.parse(text);
  return "{" + known.map((k) => JSON.stringify(k) + ":" + val(e[k])).concat(
    Object.keys(e).filter((k) => !known.includes(k)).sort(cp)
      .map((k) => JSON.stringify(k) + ":" + val(e[k]))).join(",") + "}\n"; })));
"""


def node_expectations(texts):
    node = shutil.which("node")
    if node is None:
        return None
    p = subprocess.run([node, "-e", NODE_ORACLE], input=json.dumps(texts).encode(), capture_output=True, check=True)
    return json.loads(p.stdout)


def deep_extra(levels):
    """Bytes of an event whose extra nests `levels` objects: {"a":{"a":...{"a":1}}}."""
    value = dbl(2, 1.0)
    for _ in range(levels):
        value = ld(5, entry("a", value))  # Value.struct_value = 5
    return BASE + ld(15, entry("a", value))


def fuzz_cases(count, seed):
    """Random events: random doubles (random bit patterns), random keys and strings."""
    rng = random.Random(seed)
    alphabet = ["a", "b", "é", "\u00ff", "\u0800", "\ue000", "\uffee", "\uffff", "\U00010000", "\U0001F600",
                "\U0010FFFF", "\u0000", "\u001f", '"', "\\", "/", "\u2028", "\ufeff"]

    def text():
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(4)))

    def number():
        kind = rng.randrange(5)
        if kind == 4:  # two shortest candidates equally close: ties go to the even one
            return rng.randrange(2**50, 2**51) + rng.choice([0.25, 0.75])
        if kind == 0:
            x = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
            return x if math.isfinite(x) else 0.5
        if kind == 1:
            return float(rng.randrange(-2**54, 2**54))
        if kind == 2:
            return rng.choice([0.0, -0.0, 5e-324, 1e21, 1e-7, 1e-6, 2.0**53, 2.0**53 - 1, -(2.0**53) + 1])
        return rng.uniform(-1e6, 1e6)

    def value(depth):
        kind = rng.randrange(7 if depth < 3 else 4)
        if kind == 0:
            return rng.choice([None, True, False])
        if kind in (1, 2):
            return number()
        if kind == 3:
            return text()
        if kind in (4, 5):
            return {text(): value(depth + 1) for _ in range(rng.randrange(4))}
        return [value(depth + 1) for _ in range(rng.randrange(4))]

    cases = []
    for i in range(count):
        event = {"type": "response.image_generation_call.completed", "item_id": text(),
                 "output_index": number(), "sequence_number": number()}
        for _ in range(rng.randrange(6)):
            key = text()
            if key not in event and key not in ("itemId", "outputIndex", "sequenceNumber"):
                event[key] = value(0)
        event["numbers"] = [number() for _ in range(40)]
        # json.dumps writes -0.0 as -0.0 and floats with repr: JSON numbers JSON.parse reads exactly.
        cases.append((f"fuzz {seed}:{i}", json.dumps(event, ensure_ascii=rng.random() < 0.5), None, "ok"))
    return cases


def main():
    args = sys.argv[1:]
    extra_cases = []
    if args[:1] == ["--fuzz"]:
        count, seed = int(args[1]), int(args[2]) if len(args) > 2 and args[2].isdigit() else 1
        extra_cases = fuzz_cases(count, seed)
        args = args[3:] if len(args) > 2 and args[2].isdigit() else args[2:]
    langs = args or LANGS
    passed = failed = 0

    def check(ok, name, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {name}" + (f"\n     {detail}" if detail else ""))

    encode_cases = ENCODE + extra_cases
    ok_texts = [c[1] for c in encode_cases if c[3] == "ok" and isinstance(c[1], str)]
    oracle = node_expectations(ok_texts)
    expected_lines = dict(zip(ok_texts, oracle)) if oracle else {}

    for name, text, want_hex, want in encode_cases:
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        results = {lang: run(lang, "encode", data) for lang in langs}
        if want == "refuse":
            bad = {lang: r for lang, r in results.items() if r[0] != 1 or r[1]}
            check(not bad, f"encode {name}", f"not refused by {sorted(bad)}")
            continue
        outs = {lang: r[1].hex() for lang, r in results.items()}
        errs = {lang: r[2] for lang, r in results.items() if r[0] != 0}
        if errs:
            check(False, f"encode {name}", f"errors: {errs}")
            continue
        same = len(set(outs.values())) == 1
        check(same, f"encode {name}: same bytes", json.dumps(outs, indent=1))
        got = next(iter(outs.values()))
        if want_hex:
            check(got == want_hex, f"encode {name}: expected bytes", f"want {want_hex} got {got}")
        # decode the agreed bytes with every codec
        decoded = {lang: run(lang, "decode", bytes.fromhex(got)) for lang in langs}
        lines = {lang: r[1].decode("utf-8", "replace") for lang, r in decoded.items()}
        check(all(r[0] == 0 for r in decoded.values()) and len(set(lines.values())) == 1,
              f"decode of {name}: same JSON", json.dumps({k: [r[0], lines[k], r[2]] for k, r in decoded.items()}, indent=1, ensure_ascii=False))
        line = next(iter(lines.values()))
        if isinstance(text, str) and text in expected_lines:
            check(line == expected_lines[text], f"decode of {name}: JSON.parse oracle",
                  f"want {expected_lines[text]!r}\n     got  {line!r}")
        # and encode that line again: the same bytes
        again = {lang: run(lang, "encode", line.encode("utf-8"))[1].hex() for lang in langs}
        check(set(again.values()) == {got}, f"re-encode of {name}", json.dumps(again, indent=1))

    for name, data, want in DECODE:
        if isinstance(data, str):
            data = deep_extra(int(data.split(":")[1]))
        results = {lang: run(lang, "decode", data) for lang in langs}
        if want == "info":
            print(f"info {name}:")
            for lang, (rc, out, err) in results.items():
                print(f"     {lang:7} exit {rc}: {(out.decode('utf-8', 'replace').strip() or err)[:150]}")
            continue
        if want == "refuse":
            bad = {lang: (r[0], r[1][:80]) for lang, r in results.items() if r[0] != 1 or r[1]}
            check(not bad, f"decode {name}", f"not refused by {bad}")
            continue
        lines = {lang: (r[0], r[1].decode("utf-8", "replace"), r[2]) for lang, r in results.items()}
        check(all(v[0] == 0 for v in lines.values()) and len({v[1] for v in lines.values()}) == 1,
              f"decode {name}", json.dumps(lines, indent=1, ensure_ascii=False))

    print(f"crosscheck ({' '.join(langs)}{'' if oracle else '; node not found, no JSON.parse oracle'}):")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
