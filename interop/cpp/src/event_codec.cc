// decode_completed, encode_completed, decode_event and encode_event (see event_codec.h): the
// generated C++ classes of proto/ read and write the bytes; this file maps them to wire JSON.
#include "event_codec.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/wire_format_lite.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "base64.h"
#include "json_value.h"
#include "json_writer.h"
#include "openresponses/v1/image_gen_call.pb.h"
#include "protobuf_log.h"
#include "refused.h"

namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;
using openresponses::v1::ImageGenCallCompleted;
using openresponses::v1::ImageGenCallEvent;
using openresponses::v1::ImageGenCallGenerating;
using openresponses::v1::ImageGenCallInProgress;
using openresponses::v1::ImageGenCallPartialImage;

constexpr int64_t kMaxSafe = (int64_t{1} << 53) - 1;  // Number.MAX_SAFE_INTEGER
constexpr int kMaxDepth = 32;  // the most arrays and objects a member of extra may nest (MAX_JSON_DEPTH)
const std::string kCompletedType = "response.image_generation_call.completed";
const std::string kPartialType = "response.image_generation_call.partial_image";
// The envelope's event field numbers 1-4 and their `type`.
const std::string kTypes[] = {"", "response.image_generation_call.in_progress",
                              "response.image_generation_call.generating", kPartialType, kCompletedType};
const std::set<std::string> kKnown = {"type", "item_id", "output_index", "sequence_number",
                                      "itemId", "outputIndex", "sequenceNumber"};
const std::set<std::string> kSdkSpellings = {"itemId", "outputIndex", "sequenceNumber"};
const std::set<std::string> kPartialKnown = {"partial_image_b64", "partial_image_index", "partialImageB64",
                                             "partialImageIndex"};
const std::set<std::string> kPartialSdkSpellings = {"partialImageB64", "partialImageIndex"};

// ---- decode: bytes -> wire JSON ----

template <class M>
void parse(M& m, std::string_view input, const char* what) {
  take_protobuf_log();
  if (!m.ParseFromArray(input.data(), static_cast<int>(input.size()))) {
    std::string why = take_protobuf_log();
    throw Refused(std::string("not a valid ") + what + (why.empty() ? "" : ": " + why));
  }
}

void write_int(std::string& out, int64_t n, const std::string& path) {
  if (n > kMaxSafe || n < -kMaxSafe) {
    throw Refused(path + ": " + std::to_string(n) + " is outside the safe integer range ±(2^53-1)");
  }
  out += std::to_string(n);
}

void write_number(std::string& out, double x, const std::string& path) {
  if (!std::isfinite(x)) throw Refused(path + ": non-finite number");
  write_json_number(out, x);
}

// A Struct's entries sorted by key bytes (code point order).
std::vector<std::pair<const std::string*, const Value*>> sorted(const Struct& s) {
  std::vector<std::pair<const std::string*, const Value*>> entries;
  for (const auto& [key, value] : s.fields()) entries.emplace_back(&key, &value);
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
  return entries;
}

// Writes v as JSON; depth arrays and objects enclose it inside its member of extra.
void write_value(std::string& out, const Value& v, const std::string& path, int depth) {
  if ((v.has_struct_value() || v.has_list_value()) && depth >= kMaxDepth) {
    throw Refused(path + ": nested deeper than " + std::to_string(kMaxDepth) + " arrays and objects");
  }
  switch (v.kind_case()) {
    case Value::kNullValue:
      if (v.null_value() != 0) {
        throw Refused(path + ": null_value " + std::to_string(v.null_value()) + " is not NULL_VALUE (0)");
      }
      out += "null";
      break;
    case Value::kBoolValue: out += v.bool_value() ? "true" : "false"; break;
    case Value::kNumberValue: write_number(out, v.number_value(), path); break;
    case Value::kStringValue: write_json_string(out, v.string_value()); break;
    case Value::kStructValue: {
      out += '{';
      bool first = true;
      for (const auto& [key, value] : sorted(v.struct_value())) {
        if (!first) out += ',';
        first = false;
        write_json_string(out, *key);
        out += ':';
        write_value(out, *value, path + "." + *key, depth + 1);
      }
      out += '}';
      break;
    }
    case Value::kListValue: {
      out += '[';
      const ListValue& list = v.list_value();
      for (int i = 0; i < list.values_size(); i++) {
        if (i > 0) out += ',';
        write_value(out, list.values(i), path + "[" + std::to_string(i) + "]", depth + 1);
      }
      out += ']';
      break;
    }
    default: throw Refused(path + ": google.protobuf.Value with no kind set");
  }
}

// The members every lifecycle message has, up to sequence_number.
template <class M>
void write_head(std::string& out, const M& m, const std::string& type) {
  if (!m.has_item_id()) throw Refused("item_id: absent");
  out += "{\"type\":";
  write_json_string(out, type);
  out += ",\"item_id\":";
  write_json_string(out, m.item_id());
  out += ",\"output_index\":";
  switch (m.output_index_value_case()) {
    case M::kOutputIndex: write_int(out, m.output_index(), "output_index"); break;
    case M::kOutputIndexDouble: write_number(out, m.output_index_double(), "output_index_double"); break;
    default: throw Refused("output_index: neither output_index nor output_index_double is set");
  }
  out += ",\"sequence_number\":";
  switch (m.sequence_number_value_case()) {
    case M::kSequenceNumber: write_int(out, m.sequence_number(), "sequence_number"); break;
    case M::kSequenceNumberDouble: write_number(out, m.sequence_number_double(), "sequence_number_double"); break;
    default: throw Refused("sequence_number: neither sequence_number nor sequence_number_double is set");
  }
}

template <class M>
std::string write_tail(std::string& out, const M& m, bool partial) {
  if (m.has_extra()) {
    for (const auto& [key, value] : sorted(m.extra())) {
      if (kKnown.count(*key) || (partial && kPartialKnown.count(*key))) {
        throw Refused("extra." + *key + ": collides with a known member");
      }
      out += ',';
      write_json_string(out, *key);
      out += ':';
      write_value(out, *value, "extra." + *key, 0);
    }
  }
  out += "}\n";
  return out;
}

template <class M>
std::string write_event(const M& m, const std::string& type) {
  std::string out;
  write_head(out, m, type);
  return write_tail(out, m, false);
}

std::string write_partial_image(const ImageGenCallPartialImage& m) {
  std::string out;
  write_head(out, m, kPartialType);
  out += ",\"partial_image_b64\":";
  switch (m.partial_image_value_case()) {
    case ImageGenCallPartialImage::kPartialImage: write_json_string(out, base64_encode(m.partial_image())); break;
    case ImageGenCallPartialImage::kPartialImageB64: write_json_string(out, m.partial_image_b64()); break;
    default: throw Refused("partial_image: neither partial_image nor partial_image_b64 is set");
  }
  out += ",\"partial_image_index\":";
  switch (m.partial_image_index_value_case()) {
    case ImageGenCallPartialImage::kPartialImageIndex: write_int(out, m.partial_image_index(), "partial_image_index"); break;
    case ImageGenCallPartialImage::kPartialImageIndexDouble:
      write_number(out, m.partial_image_index_double(), "partial_image_index_double");
      break;
    default: throw Refused("partial_image_index: neither partial_image_index nor partial_image_index_double is set");
  }
  return write_tail(out, m, true);
}

// The envelope's event fields (1-4, length-delimited) in wire order, duplicates included: the
// runtime merges a repeated field and keeps the last member of a oneof without a word.
std::vector<int> event_fields(std::string_view input) {
  using google::protobuf::internal::WireFormatLite;
  google::protobuf::io::CodedInputStream wire(reinterpret_cast<const uint8_t*>(input.data()),
                                              static_cast<int>(input.size()));
  std::vector<int> found;
  for (uint32_t tag = wire.ReadTag(); tag != 0; tag = wire.ReadTag()) {
    int number = WireFormatLite::GetTagFieldNumber(tag);
    if (number >= 1 && number <= 4 &&
        WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      found.push_back(number);
    }
    if (!WireFormatLite::SkipField(&wire, tag)) throw Refused("not a valid envelope");
  }
  return found;
}

// ---- encode: wire JSON -> bytes ----

// The bytes of m, map entries sorted by key (the runtime's deterministic mode sorts them by
// bytes, which is code point order).
std::string serialize(const google::protobuf::MessageLite& m) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&coded);
  }
  return out;
}

// The number rule: a safe integer that is not -0 takes the int64 variant.
bool is_safe_int(double x) {
  return std::trunc(x) == x && std::fabs(x) <= static_cast<double>(kMaxSafe) && !(x == 0 && std::signbit(x));
}

double number_member(const JsonValue& obj, const std::string& name) {
  const JsonValue* v = obj.get(name);
  if (v == nullptr || !v->is(JsonValue::Kind::kNumber)) throw Refused(name + ": must be a number");
  return v->number;
}

void to_struct(const JsonValue& obj, Struct* s, const std::string& path, int depth);

void to_value(const JsonValue& v, Value* out, const std::string& path, int depth) {
  using Kind = JsonValue::Kind;
  if ((v.is(Kind::kArray) || v.is(Kind::kObject)) && depth >= kMaxDepth) {
    throw Refused(path + ": nested deeper than " + std::to_string(kMaxDepth) + " arrays and objects");
  }
  switch (v.kind) {
    case Kind::kNull: out->set_null_value(google::protobuf::NULL_VALUE); break;
    case Kind::kBool: out->set_bool_value(v.boolean); break;
    case Kind::kNumber: out->set_number_value(v.number); break;  // finite: the reader refuses others
    case Kind::kString: out->set_string_value(v.string); break;
    case Kind::kArray: {
      ListValue* list = out->mutable_list_value();
      for (size_t i = 0; i < v.items.size(); i++) {
        to_value(v.items[i], list->add_values(), path + "[" + std::to_string(i) + "]", depth + 1);
      }
      break;
    }
    case Kind::kObject: to_struct(v, out->mutable_struct_value(), path, depth + 1); break;
  }
}

void to_struct(const JsonValue& obj, Struct* s, const std::string& path, int depth) {
  for (size_t i = 0; i < obj.keys.size(); i++) {
    to_value(obj.items[i], &(*s->mutable_fields())[obj.keys[i]], path + "." + obj.keys[i], depth);
  }
}

JsonValue parse_event(std::string_view input) {
  JsonValue obj = parse_json(input);
  if (!obj.is(JsonValue::Kind::kObject)) throw Refused("the event must be a JSON object");
  return obj;
}

// Sets the members every lifecycle message has from the event's wire JSON.
template <class M>
void fill(M* m, const JsonValue& obj, bool partial) {
  const JsonValue* item_id = obj.get("item_id");
  if (item_id == nullptr || !item_id->is(JsonValue::Kind::kString)) throw Refused("item_id: must be a string");
  m->set_item_id(item_id->string);
  double output_index = number_member(obj, "output_index");
  double sequence_number = number_member(obj, "sequence_number");
  if (is_safe_int(output_index)) {
    m->set_output_index(static_cast<int64_t>(output_index));
  } else {
    m->set_output_index_double(output_index);
  }
  if (is_safe_int(sequence_number)) {
    m->set_sequence_number(static_cast<int64_t>(sequence_number));
  } else {
    m->set_sequence_number_double(sequence_number);
  }
  JsonValue extra;
  extra.kind = JsonValue::Kind::kObject;
  for (size_t i = 0; i < obj.keys.size(); i++) {
    const std::string& key = obj.keys[i];
    if (kSdkSpellings.count(key) || (partial && kPartialSdkSpellings.count(key))) {
      throw Refused(key + ": SDK spelling of a known member is not allowed in wire JSON");
    }
    if (!kKnown.count(key) && !(partial && kPartialKnown.count(key))) {
      extra.keys.push_back(key);
      extra.items.push_back(obj.items[i]);
    }
  }
  if (!extra.keys.empty()) to_struct(extra, m->mutable_extra(), "extra", 0);  // an empty extra is not written
}

void fill_partial_image(ImageGenCallPartialImage* m, const JsonValue& obj) {
  const JsonValue* image = obj.get("partial_image_b64");
  if (image == nullptr || !image->is(JsonValue::Kind::kString)) throw Refused("partial_image_b64: must be a string");
  if (auto raw = canonical_base64(image->string)) {
    m->set_partial_image(*raw);
  } else {
    m->set_partial_image_b64(image->string);
  }
  double index = number_member(obj, "partial_image_index");
  if (is_safe_int(index)) {
    m->set_partial_image_index(static_cast<int64_t>(index));
  } else {
    m->set_partial_image_index_double(index);
  }
  fill(m, obj, true);
}

}  // namespace

std::string decode_completed(std::string_view input) {
  ImageGenCallCompleted m;
  parse(m, input, "message");
  return write_event(m, kCompletedType);
}

std::string encode_completed(std::string_view input) {
  JsonValue obj = parse_event(input);
  const JsonValue* type = obj.get("type");
  if (type == nullptr || !type->is(JsonValue::Kind::kString) || type->string != kCompletedType) {
    throw Refused("type: must be \"" + kCompletedType + "\"");
  }
  ImageGenCallCompleted m;
  fill(&m, obj, false);
  return serialize(m);
}

std::string decode_event(std::string_view input) {
  ImageGenCallEvent envelope;
  parse(envelope, input, "envelope");
  std::vector<int> fields = event_fields(input);
  if (fields.size() > 1) {
    std::string list;
    for (int f : fields) list += (list.empty() ? "" : ", ") + std::to_string(f);
    throw Refused("the envelope holds more than one event (fields [" + list + "])");
  }
  if (fields.empty()) throw Refused("the envelope holds no event");
  switch (envelope.event_case()) {
    case ImageGenCallEvent::kInProgress: return write_event(envelope.in_progress(), kTypes[1]);
    case ImageGenCallEvent::kGenerating: return write_event(envelope.generating(), kTypes[2]);
    case ImageGenCallEvent::kPartialImage: return write_partial_image(envelope.partial_image());
    case ImageGenCallEvent::kCompleted: return write_event(envelope.completed(), kTypes[4]);
    default: throw Refused("the envelope holds no event");
  }
}

std::string encode_event(std::string_view input) {
  JsonValue obj = parse_event(input);
  const JsonValue* type = obj.get("type");
  int field = 0;
  for (int i = 1; i <= 4; i++) {
    if (type != nullptr && type->is(JsonValue::Kind::kString) && type->string == kTypes[i]) field = i;
  }
  ImageGenCallEvent envelope;
  switch (field) {
    case 1: fill(envelope.mutable_in_progress(), obj, false); break;
    case 2: fill(envelope.mutable_generating(), obj, false); break;
    case 3: fill_partial_image(envelope.mutable_partial_image(), obj); break;
    case 4: fill(envelope.mutable_completed(), obj, false); break;
    default: throw Refused("type: must be one of the four image generation call event types");
  }
  return serialize(envelope);
}
