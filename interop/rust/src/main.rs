//! Rust (prost) interop codec for openresponses.v1.ImageGenCallCompleted:
//! `codec decode` (binary on stdin -> wire JSON line on stdout) and
//! `codec encode` (wire JSON on stdin -> binary on stdout); `codec decode-event` and
//! `codec encode-event` do the same for the ImageGenCallEvent envelope of any lifecycle
//! event; `codec serve` answers size-delimited requests for any of them on one process.
//! See interop/README.md.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use prost::Message;
use prost_types::{value::Kind, Value};

pub mod openresponses {
    pub mod v1 {
        include!(concat!(env!("OUT_DIR"), "/openresponses.v1.rs"));
    }
    pub mod conformance {
        pub mod v1 {
            include!(concat!(env!("OUT_DIR"), "/openresponses.conformance.v1.rs"));
        }
    }
}

mod serve;

use openresponses::v1::image_gen_call_completed::{OutputIndexValue, SequenceNumberValue};
use openresponses::v1::ImageGenCallCompleted;

const EVENT_TYPE: &str = "response.image_generation_call.completed";
/// Number.MAX_SAFE_INTEGER, 2^53-1.
const MAX_SAFE: i64 = (1 << 53) - 1;
/// The most arrays and objects a member of extra may nest (the bridge's MAX_JSON_DEPTH).
const MAX_DEPTH: usize = 32;
const KNOWN: [&str; 7] = [
    "type",
    "item_id",
    "output_index",
    "sequence_number",
    "itemId",
    "outputIndex",
    "sequenceNumber",
];
const SDK_SPELLINGS: [&str; 3] = ["itemId", "outputIndex", "sequenceNumber"];

/// One command of the contract: its input to its output, or the reason it refuses.
pub type Command = fn(&[u8]) -> Result<Vec<u8>, String>;

fn command_for(name: &str) -> Option<Command> {
    match name {
        "decode" => Some(decode),
        "encode" => Some(encode),
        "decode-event" => Some(event::decode_event),
        "encode-event" => Some(event::encode_event),
        _ => None,
    }
}

/// The line a refusal writes to stderr (one-shot) or into the refusal (serve).
pub fn refusal_line(command: &str, reason: &str) -> String {
    format!("codec(rust): {command}: {reason}")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 2 && args[1] == "serve" {
        if let Err(e) = serve::serve(command_for) {
            eprintln!("codec(rust): serve: {e}");
            std::process::exit(1);
        }
        return;
    }
    let command = if args.len() == 2 { command_for(&args[1]) } else { None };
    let Some(command) = command else {
        eprintln!("usage: codec decode|encode|decode-event|encode-event|serve  (stdin -> stdout)");
        std::process::exit(2);
    };
    let mut input = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut input) {
        eprintln!("codec(rust): read stdin: {e}");
        std::process::exit(1);
    }
    match command(&input) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout.write_all(&out).and_then(|_| stdout.flush()) {
                eprintln!("codec(rust): write stdout: {e}");
                std::process::exit(1);
            }
        }
        Err(e) => {
            eprintln!("{}", refusal_line(&args[1], &e));
            std::process::exit(1);
        }
    }
}

// ---- decode: binary -> wire JSON ----

fn decode(input: &[u8]) -> Result<Vec<u8>, String> {
    let m =
        ImageGenCallCompleted::decode(input).map_err(|e| format!("not a valid message: {e}"))?;
    let item_id = m.item_id.as_deref().ok_or("item_id: absent")?;
    let mut out = String::from("{\"type\":");
    write_string(&mut out, EVENT_TYPE);
    out.push_str(",\"item_id\":");
    write_string(&mut out, item_id);

    out.push_str(",\"output_index\":");
    match m.output_index_value {
        Some(OutputIndexValue::OutputIndex(n)) => write_int(&mut out, n, "output_index")?,
        Some(OutputIndexValue::OutputIndexDouble(x)) => {
            write_number(&mut out, x, "output_index_double")?
        }
        None => {
            return Err("output_index: neither output_index nor output_index_double is set".into())
        }
    }
    out.push_str(",\"sequence_number\":");
    match m.sequence_number_value {
        Some(SequenceNumberValue::SequenceNumber(n)) => write_int(&mut out, n, "sequence_number")?,
        Some(SequenceNumberValue::SequenceNumberDouble(x)) => {
            write_number(&mut out, x, "sequence_number_double")?
        }
        None => {
            return Err(
                "sequence_number: neither sequence_number nor sequence_number_double is set".into(),
            )
        }
    }

    if let Some(extra) = &m.extra {
        // BTreeMap<String, _> iterates in byte order, which for UTF-8 is code point order.
        for (key, value) in &extra.fields {
            if KNOWN.contains(&key.as_str()) {
                return Err(format!("extra.{key}: collides with a known member"));
            }
            out.push(',');
            write_string(&mut out, key);
            out.push(':');
            write_value(&mut out, value, &format!("extra.{key}"), 0)?;
        }
    }
    out.push_str("}\n");
    Ok(out.into_bytes())
}

/// Writes v as JSON; `depth` arrays and objects enclose it inside its member of extra.
fn write_value(out: &mut String, v: &Value, path: &str, depth: usize) -> Result<(), String> {
    if matches!(v.kind, Some(Kind::StructValue(_) | Kind::ListValue(_))) && depth >= MAX_DEPTH {
        return Err(format!(
            "{path}: nested deeper than {MAX_DEPTH} arrays and objects"
        ));
    }
    match &v.kind {
        Some(Kind::NullValue(n)) => {
            if *n != 0 {
                return Err(format!("{path}: null_value {n} is not NULL_VALUE (0)"));
            }
            out.push_str("null")
        }
        Some(Kind::BoolValue(b)) => out.push_str(if *b { "true" } else { "false" }),
        Some(Kind::NumberValue(x)) => write_number(out, *x, path)?,
        Some(Kind::StringValue(s)) => write_string(out, s),
        Some(Kind::StructValue(s)) => {
            out.push('{');
            for (i, (key, value)) in s.fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, value, &format!("{path}.{key}"), depth + 1)?;
            }
            out.push('}');
        }
        Some(Kind::ListValue(l)) => {
            out.push('[');
            for (i, item) in l.values.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item, &format!("{path}[{i}]"), depth + 1)?;
            }
            out.push(']');
        }
        None => return Err(format!("{path}: google.protobuf.Value with no kind set")),
    }
    Ok(())
}

fn write_int(out: &mut String, n: i64, path: &str) -> Result<(), String> {
    if !(-MAX_SAFE..=MAX_SAFE).contains(&n) {
        return Err(format!(
            "{path}: {n} is outside the safe integer range ±(2^53-1)"
        ));
    }
    out.push_str(&n.to_string());
    Ok(())
}

/// ECMAScript Number::toString (shortest round-trip digits), but -0 prints as -0.
fn write_number(out: &mut String, x: f64, path: &str) -> Result<(), String> {
    if !x.is_finite() {
        return Err(format!("{path}: non-finite number {x}"));
    }
    if x == 0.0 {
        out.push_str(if x.is_sign_negative() { "-0" } else { "0" });
        return Ok(());
    }
    if x < 0.0 {
        out.push('-');
    }
    // `{:e}` without a precision gives the shortest digits that round-trip ("3.46955e3"),
    // but when two such decimals are equally close to x it does not take the even one
    // (2151485498588627.25 gives ...627.3, JS ...627.2). With a precision, formatting is
    // exact and rounds half to even: take that when it round-trips too.
    let shortest = format!("{:e}", x.abs());
    let k = shortest
        .split_once('e')
        .map_or(0, |(m, _)| m.chars().filter(char::is_ascii_digit).count());
    let nearest = format!("{:.*e}", k.saturating_sub(1), x.abs());
    let s = if nearest.parse::<f64>() == Ok(x.abs()) {
        nearest
    } else {
        shortest
    };
    let (mantissa, exp) = s.split_once('e').expect("LowerExp has an exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let digits = digits.trim_end_matches('0');
    let k = digits.len() as i32;
    let n = exp.parse::<i32>().expect("integer exponent") + 1; // value = 0.digits × 10^n
    if k <= n && n <= 21 {
        out.push_str(digits);
        out.push_str(&"0".repeat((n - k) as usize));
    } else if 0 < n && n <= 21 {
        out.push_str(&digits[..n as usize]);
        out.push('.');
        out.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat((-n) as usize));
        out.push_str(digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let e = n - 1;
        out.push_str(&format!("e{}{}", if e >= 0 { "+" } else { "-" }, e.abs()));
    }
    Ok(())
}

/// JSON.stringify's escaping: raw UTF-8 except '"', '\\' and the C0 controls.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

// ---- encode: wire JSON -> binary ----

fn encode(input: &[u8]) -> Result<Vec<u8>, String> {
    // serde_json refuses invalid UTF-8, lone surrogate escapes and numbers that
    // overflow a double; with float_roundtrip it rounds every number correctly.
    let parsed: serde_json::Value =
        serde_json::from_slice(input).map_err(|e| format!("invalid JSON: {e}"))?;
    let obj = parsed
        .as_object()
        .ok_or("the event must be a JSON object")?;
    if obj.get("type").and_then(|t| t.as_str()) != Some(EVENT_TYPE) {
        return Err(format!("type: must be \"{EVENT_TYPE}\""));
    }
    let item_id = obj
        .get("item_id")
        .and_then(|v| v.as_str())
        .ok_or("item_id: must be a string")?;
    let output_index = number(obj.get("output_index")).ok_or("output_index: must be a number")?;
    let sequence_number =
        number(obj.get("sequence_number")).ok_or("sequence_number: must be a number")?;

    let mut extra = Vec::new();
    for (key, value) in obj {
        if SDK_SPELLINGS.contains(&key.as_str()) {
            return Err(format!(
                "{key}: SDK spelling of a known member is not allowed in wire JSON"
            ));
        }
        if !KNOWN.contains(&key.as_str()) {
            extra.push((key, value));
        }
    }

    // prost writes a oneof at the position of its first field (1, 2|4, 3|5, 15),
    // but protobuf-es, C++, Java and Python write fields in field-number order
    // (1, 2, 3, 4, 5, 15). So write one single-field message per field number, in
    // number order: the same message (a parser merges them), the canonical bytes.
    let mut parts: BTreeMap<u32, ImageGenCallCompleted> = BTreeMap::new();
    parts.insert(
        1,
        ImageGenCallCompleted {
            item_id: Some(item_id.to_owned()),
            ..Default::default()
        },
    );
    if is_safe_int(output_index) {
        let v = Some(OutputIndexValue::OutputIndex(output_index as i64));
        parts.insert(
            2,
            ImageGenCallCompleted {
                output_index_value: v,
                ..Default::default()
            },
        );
    } else {
        let v = Some(OutputIndexValue::OutputIndexDouble(output_index));
        parts.insert(
            4,
            ImageGenCallCompleted {
                output_index_value: v,
                ..Default::default()
            },
        );
    }
    if is_safe_int(sequence_number) {
        let v = Some(SequenceNumberValue::SequenceNumber(sequence_number as i64));
        parts.insert(
            3,
            ImageGenCallCompleted {
                sequence_number_value: v,
                ..Default::default()
            },
        );
    } else {
        let v = Some(SequenceNumberValue::SequenceNumberDouble(sequence_number));
        parts.insert(
            5,
            ImageGenCallCompleted {
                sequence_number_value: v,
                ..Default::default()
            },
        );
    }
    let mut out = Vec::new();
    for part in parts.values() {
        part.encode(&mut out).map_err(|e| format!("encode: {e}"))?;
    }
    if !extra.is_empty() {
        // An empty extra is not written; 15 is the last field number.
        prost::encoding::message::encode(15, &to_struct(extra, "extra", 0)?, &mut out);
    }
    Ok(out)
}

/// A JSON number as the double JSON.parse gives (serde_json keeps integers as
/// i64/u64; `as f64` rounds them to nearest, as the decimal parse would).
fn number(v: Option<&serde_json::Value>) -> Option<f64> {
    v?.as_number()?.as_f64()
}

/// The number rule: a safe integer that is not -0 takes the int64 variant.
fn is_safe_int(x: f64) -> bool {
    x.trunc() == x && x.abs() <= MAX_SAFE as f64 && !(x == 0.0 && x.is_sign_negative())
}

/// google.protobuf.Struct with its entries sorted by key bytes (code point order); `depth`
/// arrays and objects enclose the members' values inside their member of extra.
fn to_struct(
    entries: Vec<(&String, &serde_json::Value)>,
    path: &str,
    depth: usize,
) -> Result<wire::Struct, String> {
    let mut fields = entries
        .into_iter()
        .map(|(key, value)| {
            Ok(wire::Entry {
                key: Some(key.clone()),
                value: Some(to_value(value, &format!("{path}.{key}"), depth)?),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    fields.sort_by(|a, b| a.key.cmp(&b.key)); // String's Ord compares bytes
    Ok(wire::Struct { fields })
}

fn to_value(v: &serde_json::Value, path: &str, depth: usize) -> Result<wire::Value, String> {
    use wire::Kind;
    if (v.is_array() || v.is_object()) && depth >= MAX_DEPTH {
        return Err(format!(
            "{path}: nested deeper than {MAX_DEPTH} arrays and objects"
        ));
    }
    let kind = match v {
        serde_json::Value::Null => Kind::NullValue(prost_types::NullValue::NullValue as i32),
        serde_json::Value::Bool(b) => Kind::BoolValue(*b),
        serde_json::Value::Number(n) => {
            let x = n.as_f64().ok_or("number is not a double")?;
            if !x.is_finite() {
                return Err(format!("number {n} is not finite"));
            }
            Kind::NumberValue(x)
        }
        serde_json::Value::String(s) => Kind::StringValue(s.clone()),
        serde_json::Value::Array(items) => Kind::ListValue(wire::ListValue {
            values: items
                .iter()
                .enumerate()
                .map(|(i, item)| to_value(item, &format!("{path}[{i}]"), depth + 1))
                .collect::<Result<_, _>>()?,
        }),
        serde_json::Value::Object(obj) => {
            Kind::StructValue(to_struct(obj.iter().collect(), path, depth + 1)?)
        }
    };
    Ok(wire::Value { kind: Some(kind) })
}

/// google.protobuf.Struct, Value and ListValue for writing, with the same wire
/// format as prost_types' but the map as a repeated entry message: prost's map
/// encoding leaves out an empty ("") key, which every other runtime writes, and a
/// Vec keeps the order we sort the entries in.
mod wire {
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Struct {
        #[prost(message, repeated, tag = "1")]
        pub fields: Vec<Entry>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Entry {
        #[prost(string, optional, tag = "1")]
        pub key: Option<String>,
        #[prost(message, optional, tag = "2")]
        pub value: Option<Value>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Value {
        #[prost(oneof = "Kind", tags = "1, 2, 3, 4, 5, 6")]
        pub kind: Option<Kind>,
    }

    #[derive(Clone, PartialEq, prost::Oneof)]
    #[allow(clippy::enum_variant_names)] // the names of google.protobuf.Value's fields
    pub enum Kind {
        #[prost(int32, tag = "1")]
        NullValue(i32),
        #[prost(double, tag = "2")]
        NumberValue(f64),
        #[prost(string, tag = "3")]
        StringValue(String),
        #[prost(bool, tag = "4")]
        BoolValue(bool),
        #[prost(message, tag = "5")]
        StructValue(Struct),
        #[prost(message, tag = "6")]
        ListValue(ListValue),
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ListValue {
        #[prost(message, repeated, tag = "1")]
        pub values: Vec<Value>,
    }
}

/// The lifecycle envelope, openresponses.v1.ImageGenCallEvent: decoded with the prost types,
/// encoded field by field in number order with prost's field encoders.
mod event {
    use super::{is_safe_int, number, to_struct, write_int, write_number, write_string, write_value, EVENT_TYPE, KNOWN, SDK_SPELLINGS};
    use crate::openresponses::v1::{image_gen_call_event::Event, ImageGenCallEvent};
    use prost::encoding::{self, WireType};
    use prost::Message;

    const PARTIAL_TYPE: &str = "response.image_generation_call.partial_image";
    const PARTIAL_KNOWN: [&str; 4] = ["partial_image_b64", "partial_image_index", "partialImageB64", "partialImageIndex"];
    const PARTIAL_SDK: [&str; 2] = ["partialImageB64", "partialImageIndex"];
    /// Envelope field number and `type` of each case.
    const TYPES: [(u32, &str); 4] = [
        (1, "response.image_generation_call.in_progress"),
        (2, "response.image_generation_call.generating"),
        (3, PARTIAL_TYPE),
        (4, EVENT_TYPE),
    ];

    enum Num {
        Int(i64),
        Double(f64),
    }

    enum Image {
        Bytes(Vec<u8>),
        Text(String),
    }

    /// The members of any lifecycle message, whichever prost type it came in.
    struct Fields {
        item_id: Option<String>,
        output_index: Option<Num>,
        sequence_number: Option<Num>,
        image: Option<Image>,
        image_index: Option<Num>,
        extra: Option<prost_types::Struct>,
    }

    macro_rules! base_fields {
        ($m:expr, $module:ident) => {{
            use crate::openresponses::v1::$module::{OutputIndexValue as O, SequenceNumberValue as S};
            Fields {
                item_id: $m.item_id,
                output_index: $m.output_index_value.map(|v| match v {
                    O::OutputIndex(n) => Num::Int(n),
                    O::OutputIndexDouble(x) => Num::Double(x),
                }),
                sequence_number: $m.sequence_number_value.map(|v| match v {
                    S::SequenceNumber(n) => Num::Int(n),
                    S::SequenceNumberDouble(x) => Num::Double(x),
                }),
                image: None,
                image_index: None,
                extra: $m.extra,
            }
        }};
    }

    /// The event fields (1-4, length-delimited) of the envelope, in wire order, duplicates
    /// included: prost keeps the last member of a oneof and merges a repeated one.
    fn event_fields(mut buf: &[u8]) -> Result<Vec<u32>, String> {
        let mut found = Vec::new();
        while !buf.is_empty() {
            let (tag, wire_type) = encoding::decode_key(&mut buf).map_err(|e| e.to_string())?;
            if (1..=4).contains(&tag) && wire_type == WireType::LengthDelimited {
                found.push(tag);
            }
            encoding::skip_field(wire_type, tag, &mut buf, encoding::DecodeContext::default()).map_err(|e| e.to_string())?;
        }
        Ok(found)
    }

    pub fn decode_event(input: &[u8]) -> Result<Vec<u8>, String> {
        let env = ImageGenCallEvent::decode(input).map_err(|e| format!("not a valid envelope: {e}"))?;
        let fields = event_fields(input)?;
        if fields.len() > 1 {
            return Err(format!("the envelope holds more than one event (fields {fields:?})"));
        }
        let (typ, f) = match env.event.ok_or("the envelope holds no event")? {
            Event::InProgress(m) => (TYPES[0].1, base_fields!(m, image_gen_call_in_progress)),
            Event::Generating(m) => (TYPES[1].1, base_fields!(m, image_gen_call_generating)),
            Event::Completed(m) => (TYPES[3].1, base_fields!(m, image_gen_call_completed)),
            Event::PartialImage(m) => {
                use crate::openresponses::v1::image_gen_call_partial_image::{PartialImageIndexValue as I, PartialImageValue as P};
                let image = m.partial_image_value.clone().map(|v| match v {
                    P::PartialImage(b) => Image::Bytes(b),
                    P::PartialImageB64(s) => Image::Text(s),
                });
                let image_index = m.partial_image_index_value.map(|v| match v {
                    I::PartialImageIndex(n) => Num::Int(n),
                    I::PartialImageIndexDouble(x) => Num::Double(x),
                });
                let mut f = base_fields!(m, image_gen_call_partial_image);
                f.image = image;
                f.image_index = image_index;
                (PARTIAL_TYPE, f)
            }
        };
        if fields.is_empty() {
            return Err("the envelope holds no event".into());
        }
        decode_fields(f, typ)
    }

    fn write_num(out: &mut String, name: &str, v: Option<Num>) -> Result<(), String> {
        out.push_str(&format!(",\"{name}\":"));
        match v {
            Some(Num::Int(n)) => write_int(out, n, name),
            Some(Num::Double(x)) => write_number(out, x, &format!("{name}_double")),
            None => Err(format!("{name}: neither {name} nor {name}_double is set")),
        }
    }

    fn decode_fields(f: Fields, typ: &str) -> Result<Vec<u8>, String> {
        let partial = typ == PARTIAL_TYPE;
        let item_id = f.item_id.ok_or("item_id: absent")?;
        let mut out = String::from("{\"type\":");
        write_string(&mut out, typ);
        out.push_str(",\"item_id\":");
        write_string(&mut out, &item_id);
        write_num(&mut out, "output_index", f.output_index)?;
        write_num(&mut out, "sequence_number", f.sequence_number)?;
        if partial {
            out.push_str(",\"partial_image_b64\":");
            match f.image {
                Some(Image::Bytes(b)) => write_string(&mut out, &base64_encode(&b)),
                Some(Image::Text(s)) => write_string(&mut out, &s),
                None => return Err("partial_image: neither partial_image nor partial_image_b64 is set".into()),
            }
            write_num(&mut out, "partial_image_index", f.image_index)?;
        }
        if let Some(extra) = &f.extra {
            for (key, value) in &extra.fields {
                if KNOWN.contains(&key.as_str()) || (partial && PARTIAL_KNOWN.contains(&key.as_str())) {
                    return Err(format!("extra.{key}: collides with a known member"));
                }
                out.push(',');
                write_string(&mut out, key);
                out.push(':');
                write_value(&mut out, value, &format!("extra.{key}"), 0)?;
            }
        }
        out.push_str("}\n");
        Ok(out.into_bytes())
    }

    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    fn base64_encode(b: &[u8]) -> String {
        let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
        for chunk in b.chunks(3) {
            let v = (chunk[0] as u32) << 16 | (*chunk.get(1).unwrap_or(&0) as u32) << 8 | *chunk.get(2).unwrap_or(&0) as u32;
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[(v >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    /// Decodes with the standard alphabet (`=` only as padding at the end), or None.
    fn base64_decode(s: &str) -> Option<Vec<u8>> {
        let b = s.as_bytes();
        if b.len() % 4 != 0 {
            return None;
        }
        let pad = b.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 {
            return None;
        }
        let mut bits: u32 = 0;
        let mut n = 0;
        let mut out = Vec::with_capacity(b.len() / 4 * 3);
        for &c in &b[..b.len() - pad] {
            let v = ALPHABET.iter().position(|&a| a == c)? as u32;
            bits = bits << 6 | v;
            n += 6;
            if n >= 8 {
                n -= 8;
                out.push((bits >> n) as u8);
                bits &= (1 << n) - 1;
            }
        }
        Some(out)
    }

    /// Canonical base64: decode with the standard alphabet, re-encode, compare.
    fn canonical_base64(s: &str) -> Option<Vec<u8>> {
        base64_decode(s).filter(|raw| base64_encode(raw) == s)
    }

    fn encode_num(int_tag: u32, double_tag: u32, x: f64, buf: &mut Vec<(u32, Vec<u8>)>) {
        let mut b = Vec::new();
        if is_safe_int(x) {
            encoding::int64::encode(int_tag, &(x as i64), &mut b);
            buf.push((int_tag, b));
        } else {
            encoding::double::encode(double_tag, &x, &mut b);
            buf.push((double_tag, b));
        }
    }

    pub fn encode_event(input: &[u8]) -> Result<Vec<u8>, String> {
        let parsed: serde_json::Value = serde_json::from_slice(input).map_err(|e| format!("invalid JSON: {e}"))?;
        let obj = parsed.as_object().ok_or("the event must be a JSON object")?;
        let typ = obj.get("type").and_then(|t| t.as_str()).unwrap_or("");
        let field = TYPES
            .iter()
            .find(|(_, t)| *t == typ)
            .map(|(n, _)| *n)
            .ok_or("type: must be one of the four image generation call event types")?;
        let partial = typ == PARTIAL_TYPE;
        let item_id = obj.get("item_id").and_then(|v| v.as_str()).ok_or("item_id: must be a string")?;
        // (field number, bytes of that field), sorted by number below
        let mut parts: Vec<(u32, Vec<u8>)> = Vec::new();
        let mut b = Vec::new();
        encoding::string::encode(1, &item_id.to_owned(), &mut b);
        parts.push((1, b));
        encode_num(2, 4, number(obj.get("output_index")).ok_or("output_index: must be a number")?, &mut parts);
        encode_num(3, 5, number(obj.get("sequence_number")).ok_or("sequence_number: must be a number")?, &mut parts);
        if partial {
            let image = obj.get("partial_image_b64").and_then(|v| v.as_str()).ok_or("partial_image_b64: must be a string")?;
            let mut b = Vec::new();
            match canonical_base64(image) {
                Some(raw) => {
                    encoding::bytes::encode(6, &raw, &mut b);
                    parts.push((6, b));
                }
                None => {
                    encoding::string::encode(7, &image.to_owned(), &mut b);
                    parts.push((7, b));
                }
            }
            encode_num(8, 9, number(obj.get("partial_image_index")).ok_or("partial_image_index: must be a number")?, &mut parts);
        }
        let mut extra = Vec::new();
        for (key, value) in obj {
            if SDK_SPELLINGS.contains(&key.as_str()) || (partial && PARTIAL_SDK.contains(&key.as_str())) {
                return Err(format!("{key}: SDK spelling of a known member is not allowed in wire JSON"));
            }
            if !KNOWN.contains(&key.as_str()) && !(partial && PARTIAL_KNOWN.contains(&key.as_str())) {
                extra.push((key, value));
            }
        }
        if !extra.is_empty() {
            let mut b = Vec::new();
            encoding::message::encode(15, &to_struct(extra, "extra", 0)?, &mut b);
            parts.push((15, b));
        }
        parts.sort_by_key(|(n, _)| *n);
        let inner: Vec<u8> = parts.into_iter().flat_map(|(_, b)| b).collect();
        let mut out = Vec::with_capacity(inner.len() + 6);
        encoding::encode_key(field, WireType::LengthDelimited, &mut out);
        encoding::encode_varint(inner.len() as u64, &mut out);
        out.extend_from_slice(&inner);
        Ok(out)
    }
}
