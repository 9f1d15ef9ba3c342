"""C++ interop codec for openresponses.v1.ImageGenCallCompleted and the ImageGenCallEvent envelope
(stdlib Python + protoc).

The binary side is protobuf's C++ runtime, through Debian's `protoc --encode` and
`protoc --decode`; this program only converts between the wire JSON and protobuf
text format. `decode`/`encode`: the completed message; `decode-event`/`encode-event`:
the envelope of any lifecycle event. See interop/README.md for the contract.
"""

import base64
import binascii
import json
import math
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "proto"))
PROTO_FILE = "openresponses/v1/image_gen_call.proto"
MESSAGE = "openresponses.v1.ImageGenCallCompleted"
EVENT_TYPE = "response.image_generation_call.completed"
MAX_SAFE = 2**53 - 1
MAX_DEPTH = 32  # the most arrays and objects a member of extra may nest (the bridge's MAX_JSON_DEPTH)
KNOWN = {"type", "item_id", "output_index", "sequence_number", "itemId", "outputIndex", "sequenceNumber"}
SDK_SPELLINGS = {"itemId", "outputIndex", "sequenceNumber"}
ENVELOPE = "openresponses.v1.ImageGenCallEvent"
PARTIAL_TYPE = "response.image_generation_call.partial_image"
PARTIAL_KNOWN = KNOWN | {"partial_image_b64", "partial_image_index", "partialImageB64", "partialImageIndex"}
PARTIAL_SDK_SPELLINGS = SDK_SPELLINGS | {"partialImageB64", "partialImageIndex"}
# envelope field number -> (type, oneof case name)
EVENTS = {
    1: ("response.image_generation_call.in_progress", "in_progress"),
    2: ("response.image_generation_call.generating", "generating"),
    3: (PARTIAL_TYPE, "partial_image"),
    4: (EVENT_TYPE, "completed"),
}
CASE_OF_TYPE = {t: name for t, name in EVENTS.values()}
NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?", re.ASCII)


class Refused(Exception):
    """Input that the contract refuses (exit 1)."""


def protoc(mode: str, data: bytes, message: str = MESSAGE) -> bytes:
    exe = shutil.which("protoc")
    if exe is None:
        print("codec(cpp): protoc not found; run scripts/interop-build.sh cpp", file=sys.stderr)
        sys.exit(2)
    # protoc adds its own include dir (<bin>/../include), where Debian's
    # libprotobuf-dev puts google/protobuf/struct.proto.
    cmd = [exe, "-I", PROTO_ROOT, f"--{mode}={message}", PROTO_FILE]
    run = subprocess.run(cmd, input=data, capture_output=True, check=False)
    if run.returncode != 0:
        reason = run.stderr.decode("utf-8", "replace").strip().replace("\n", " | ")
        raise Refused(f"protoc --{mode} refused: {reason}")
    return run.stdout


# ---- decode: binary -> protoc --decode -> text format -> wire JSON ----

TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    | (?P<num>-?(?:0[xX][0-9a-fA-F]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fF]?|inf(?:inity)?|nan)(?![A-Za-z0-9_]))
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<punct>[{}<>:\[\],;])
    )""",
    re.VERBOSE | re.ASCII,
)

_SIMPLE_ESCAPES = {
    "a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11,
    "\\": 92, "'": 39, '"': 34, "?": 63,
}


def unescape(literal: str) -> bytes:
    """A C-escaped text format string literal (quotes included) to its bytes."""
    body = literal[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        e = body[i + 1]
        if e in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[e])
            i += 2
        elif e in "01234567":
            m = re.match(r"[0-7]{1,3}", body[i + 1 :])
            out.append(int(m.group(), 8) & 0xFF)
            i += 1 + len(m.group())
        elif e in "xX":
            m = re.match(r"[0-9a-fA-F]{1,2}", body[i + 2 :])
            out.append(int(m.group(), 16))
            i += 2 + len(m.group())
        elif e in "uU":
            n = 4 if e == "u" else 8
            out += chr(int(body[i + 2 : i + 2 + n], 16)).encode("utf-8")
            i += 2 + n
        else:
            raise Refused(f"unexpected escape \\{e} in protoc output")
    return bytes(out)


def tokenize(text: str):
    tokens, pos = [], 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return tokens
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise Refused(f"unexpected protoc output at {text[pos:pos + 20]!r}")
        kind = m.lastgroup
        tokens.append((kind, m.group(kind)))
        pos = m.end()


def parse_text(tokens, i=0, closing=None):
    """Text format to a list of (field name, value); value is a token or a nested list."""
    fields = []
    while i < len(tokens):
        kind, tok = tokens[i]
        if kind == "punct" and tok in "}>":
            if closing is None:
                raise Refused("unbalanced protoc output")
            return fields, i + 1
        if kind not in ("ident", "num"):
            raise Refused(f"unexpected token {tok!r} in protoc output")
        name = tok
        i += 1
        if tokens[i] == ("punct", ":"):
            i += 1
        kind, tok = tokens[i]
        if kind == "punct" and tok in "{<":
            nested, i = parse_text(tokens, i + 1, "}" if tok == "{" else ">")
            fields.append((name, nested))
            continue
        if kind == "str":  # adjacent string literals concatenate
            data = b""
            while i < len(tokens) and tokens[i][0] == "str":
                data += unescape(tokens[i][1])
                i += 1
            fields.append((name, ("str", data)))
            continue
        fields.append((name, (kind, tok)))
        i += 1
    if closing is not None:
        raise Refused("unterminated message in protoc output")
    return fields, i


def text_string(value, path: str) -> str:
    kind, data = value
    if kind != "str":
        raise Refused(f"{path}: expected a string in protoc output")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(f"{path}: invalid UTF-8") from None


def text_double(value, path: str) -> float:
    x = float(value[1])
    if not math.isfinite(x):
        raise Refused(f"{path}: non-finite number {value[1]}")
    return x


def known_fields(fields):
    """Named fields only: numbered ones are unknown fields (a newer producer's), skipped."""
    return [(name, value) for name, value in fields if not name[0].isdigit()]


def decode(data: bytes) -> bytes:
    text = protoc("decode", data).decode("utf-8")
    return decode_fields(dict(known_fields(parse_text(tokenize(text))[0])), EVENT_TYPE)


def envelope_event_fields(data: bytes) -> list:
    """The numbers of the envelope's event fields (1-4, length-delimited), in wire order, duplicates included.

    The runtime merges a repeated field and keeps the last member of a oneof, so "more than one
    event" is only visible on the wire. Called after protoc parsed the bytes.
    """
    found = []
    pos, end = 0, len(data)

    def varint():
        nonlocal pos
        shift = result = 0
        while True:
            if pos >= end:
                raise Refused("truncated envelope")
            b = data[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return result

    def skip(wire, number):
        nonlocal pos
        if wire == 0:
            varint()
        elif wire == 1:
            pos += 8
        elif wire == 2:
            n = varint()
            pos += n
        elif wire == 5:
            pos += 4
        elif wire == 3:
            while True:
                tag = varint()
                if tag & 7 == 4:
                    if tag >> 3 != number:
                        raise Refused("mismatched end group in the envelope")
                    return
                skip(tag & 7, tag >> 3)
        else:
            raise Refused(f"wire type {wire} in the envelope")
        if pos > end:
            raise Refused("truncated envelope")

    while pos < end:
        tag = varint()
        number, wire = tag >> 3, tag & 7
        if number in EVENTS and wire == 2:
            found.append(number)
        skip(wire, number)
    return found


def decode_event(data: bytes) -> bytes:
    text = protoc("decode", data, ENVELOPE).decode("utf-8")
    fields = dict(known_fields(parse_text(tokenize(text))[0]))
    numbers = envelope_event_fields(data)
    if len(numbers) > 1:
        raise Refused(f"the envelope holds more than one event (fields {numbers})")
    if not numbers:
        raise Refused("the envelope holds no event")
    event_type, case = EVENTS[numbers[0]]
    if case not in fields:
        raise Refused("the envelope holds no event")
    return decode_fields(dict(known_fields(fields[case])), event_type)


def decode_fields(fields: dict, event_type: str) -> bytes:
    partial = event_type == PARTIAL_TYPE
    if "item_id" not in fields:
        raise Refused("item_id: absent")
    parts = ['{"type":', json_string(event_type), ',"item_id":', json_string(text_string(fields["item_id"], "item_id"))]
    names = ("output_index", "sequence_number", "partial_image_index") if partial else ("output_index", "sequence_number")
    for name in names:
        if name == "partial_image_index":
            if "partial_image" in fields:
                kind, raw = fields["partial_image"]
                if kind != "str":
                    raise Refused("partial_image: expected bytes in protoc output")
                parts.append(',"partial_image_b64":' + json_string(base64.b64encode(raw).decode("ascii")))
            elif "partial_image_b64" in fields:
                parts.append(',"partial_image_b64":' + json_string(text_string(fields["partial_image_b64"], "partial_image_b64")))
            else:
                raise Refused("partial_image: neither partial_image nor partial_image_b64 is set")
        parts.append(f',"{name}":')
        if name in fields:
            n = int(fields[name][1], 0)
            if abs(n) > MAX_SAFE:
                raise Refused(f"{name}: {n} is outside the safe integer range ±(2^53-1)")
            parts.append(str(n))
        elif name + "_double" in fields:
            parts.append(json_number(text_double(fields[name + "_double"], name + "_double")))
        else:
            raise Refused(f"{name}: neither {name} nor {name}_double is set")
    if "extra" in fields:
        entries = struct_entries(fields["extra"], "extra")
        for key in sorted(entries):  # code point order = UTF-8 byte order
            if key in (PARTIAL_KNOWN if partial else KNOWN):
                raise Refused(f"extra.{key}: collides with a known member")
            parts.append("," + json_string(key) + ":" + json_value(entries[key], "extra." + key, 0))
    parts.append("}\n")
    return "".join(parts).encode("utf-8")


def struct_entries(struct_fields, path: str) -> dict:
    entries = {}
    for name, entry in known_fields(struct_fields):
        if name != "fields":
            continue
        entry = dict(known_fields(entry))
        key = text_string(entry["key"], path + ".<key>") if "key" in entry else ""
        entries[key] = entry.get("value", [])  # the last of duplicate keys wins
    return entries


def json_value(value_fields, path: str, depth: int) -> str:
    """A Value as JSON; depth arrays and objects enclose it inside its member of extra."""
    kinds = known_fields(value_fields)
    if not kinds:
        raise Refused(f"{path}: google.protobuf.Value with no kind set")
    name, v = kinds[-1]
    if name in ("struct_value", "list_value") and depth >= MAX_DEPTH:
        raise Refused(f"{path}: nested deeper than {MAX_DEPTH} arrays and objects")
    if name == "null_value":
        if v != ("ident", "NULL_VALUE"):  # protoc prints an unknown enum number as the number
            raise Refused(f"{path}: null_value {v[1]} is not NULL_VALUE (0)")
        return "null"
    if name == "bool_value":
        return "true" if v[1] == "true" else "false"
    if name == "number_value":
        return json_number(text_double(v, path))
    if name == "string_value":
        return json_string(text_string(v, path))
    if name == "struct_value":
        entries = struct_entries(v, path)
        return "{" + ",".join(json_string(k) + ":" + json_value(entries[k], f"{path}.{k}", depth + 1) for k in sorted(entries)) + "}"
    if name == "list_value":
        items = [item for n, item in known_fields(v) if n == "values"]
        return "[" + ",".join(json_value(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(items)) + "]"
    raise Refused(f"{path}: unexpected field {name} in google.protobuf.Value")


def json_number(x: float) -> str:
    """ECMAScript Number::toString (shortest round-trip digits), but -0 prints as -0."""
    if x == 0:
        return "-0" if math.copysign(1.0, x) < 0 else "0"
    sign = "-" if x < 0 else ""
    _, digit_tuple, exponent = Decimal(repr(abs(x))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    k, n = len(digits), len(digit_tuple) + exponent  # value = 0.digits × 10^n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    return sign + digits[0] + ("." + digits[1:] if k > 1 else "") + ("e+" if e >= 0 else "e-") + str(abs(e))


def json_string(s: str) -> str:
    """JSON.stringify's escaping: raw UTF-8 except '"', '\\' and C0 controls."""
    out = []
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch < " ":
            out.append({"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch, "\\u%04x" % ord(ch)))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


# ---- encode: wire JSON -> text format -> protoc --encode -> binary ----


def to_double(text: str) -> float:
    if not NUMBER.fullmatch(text):
        raise Refused(f"invalid number {text!r}")
    x = float(text)  # correctly rounded, "-0" is -0.0, like JSON.parse
    if not math.isfinite(x):
        raise Refused(f"number {text} is not finite as a double")
    return x


def refuse_constant(name: str):
    raise Refused(f"{name} is not JSON")


def parse_json(data: bytes):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Refused(f"input is not valid UTF-8: {e}") from None
    try:
        return json.loads(text, parse_float=to_double, parse_int=to_double, parse_constant=refuse_constant)
    except (ValueError, RecursionError) as e:
        raise Refused(f"invalid JSON: {e}") from None


def utf8(s: str, path: str) -> bytes:
    try:
        return s.encode("utf-8")
    except UnicodeEncodeError:
        raise Refused(f"{path}: lone surrogate cannot be carried as UTF-8") from None


def text_literal(s: str, path: str) -> str:
    """A text format string literal: printable ASCII as is, every other byte as octal."""
    out = []
    for b in utf8(s, path):
        if b in (0x22, 0x5C) or b < 0x20 or b >= 0x7F:
            out.append("\\%03o" % b)
        else:
            out.append(chr(b))
    return '"' + "".join(out) + '"'


def text_value(x, path: str, depth: int) -> str:
    """A Value in text format; depth arrays and objects enclose it inside its member of extra."""
    if isinstance(x, (dict, list)) and depth >= MAX_DEPTH:
        raise Refused(f"{path}: nested deeper than {MAX_DEPTH} arrays and objects")
    if x is None:
        return "null_value: NULL_VALUE"
    if x is True or x is False:
        return "bool_value: " + ("true" if x else "false")
    if isinstance(x, float):
        return "number_value: " + repr(x)  # shortest round-trip; protoc parses it with strtod
    if isinstance(x, str):
        return "string_value: " + text_literal(x, path)
    if isinstance(x, list):
        return "list_value { " + " ".join("values { " + text_value(v, f"{path}[{i}]", depth + 1) + " }" for i, v in enumerate(x)) + " }"
    return "struct_value { " + text_struct(x, path, depth + 1) + " }"


def text_struct(obj: dict, path: str, depth: int) -> str:
    # protoc --encode writes map entries in text order (it does not sort them),
    # so write them sorted by UTF-8 bytes, as deterministic serialization does.
    keys = sorted(obj, key=lambda k: utf8(k, path + ".<key>"))
    return " ".join(
        "fields { key: " + text_literal(k, path) + " value { " + text_value(obj[k], f"{path}.{k}", depth) + " } }"
        for k in keys
    )


def is_safe_int(x: float) -> bool:
    """The number rule: a safe integer that is not -0 takes the int64 variant."""
    return x.is_integer() and abs(x) <= MAX_SAFE and not (x == 0 and math.copysign(1.0, x) < 0)


def encode(data: bytes) -> bytes:
    obj = parse_json(data)  # dict: the last of duplicate keys wins, as in JSON.parse
    if not isinstance(obj, dict):
        raise Refused("the event must be a JSON object")
    if obj.get("type") != EVENT_TYPE:
        raise Refused(f"type: must be {EVENT_TYPE!r}")
    return protoc("encode", ("\n".join(text_fields(obj, EVENT_TYPE)) + "\n").encode("ascii"))


def encode_event(data: bytes) -> bytes:
    obj = parse_json(data)
    if not isinstance(obj, dict):
        raise Refused("the event must be a JSON object")
    event_type = obj.get("type")
    if not isinstance(event_type, str) or event_type not in CASE_OF_TYPE:
        raise Refused(f"type: must be one of {sorted(CASE_OF_TYPE)}")
    text = CASE_OF_TYPE[event_type] + " {\n" + "\n".join(text_fields(obj, event_type)) + "\n}\n"
    return protoc("encode", text.encode("ascii"), ENVELOPE)


def is_canonical_base64(s: str) -> bool:
    """Standard alphabet, padded, zero unused bits: decode, re-encode, compare."""
    if not all(c.isascii() and (c.isalnum() or c in "+/=") for c in s):
        return False
    try:
        raw = base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        return False
    return base64.b64encode(raw).decode("ascii") == s


def text_bytes(data: bytes) -> str:
    """A text format bytes literal: every byte as octal."""
    return '"' + "".join("\\%03o" % b for b in data) + '"'


def text_fields(obj: dict, event_type: str) -> list:
    """The text format lines of a lifecycle event's message; protoc writes them in field-number order."""
    partial = event_type == PARTIAL_TYPE
    if not isinstance(obj.get("item_id"), str):
        raise Refused("item_id: must be a string")
    lines = ["item_id: " + text_literal(obj["item_id"], "item_id")]
    if partial:
        image = obj.get("partial_image_b64")
        if not isinstance(image, str):
            raise Refused("partial_image_b64: must be a string")
        if is_canonical_base64(image):
            lines.append("partial_image: " + text_bytes(base64.b64decode(image)))
        else:
            lines.append("partial_image_b64: " + text_literal(image, "partial_image_b64"))
    for name in ("output_index", "sequence_number", "partial_image_index") if partial else ("output_index", "sequence_number"):
        x = obj.get(name)
        if not isinstance(x, float):
            raise Refused(f"{name}: must be a number")
        lines.append(f"{name}: {int(x)}" if is_safe_int(x) else f"{name}_double: {x!r}")
    known, sdk_spellings = (PARTIAL_KNOWN, PARTIAL_SDK_SPELLINGS) if partial else (KNOWN, SDK_SPELLINGS)
    for k in obj:
        if k in sdk_spellings:
            raise Refused(f"{k}: SDK spelling of a known member is not allowed in wire JSON")
    extra = {k: v for k, v in obj.items() if k not in known}
    if extra:  # an empty extra is not written
        lines.append("extra { " + text_struct(extra, "extra", 0) + " }")
    return lines


def main() -> int:
    commands = {"decode": decode, "encode": encode, "decode-event": decode_event, "encode-event": encode_event}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        print("usage: codec decode|encode|decode-event|encode-event  (stdin -> stdout)", file=sys.stderr)
        return 2
    data = sys.stdin.buffer.read()
    try:
        out = commands[sys.argv[1]](data)
    except Refused as e:
        print(f"codec(cpp): {sys.argv[1]}: {e}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
