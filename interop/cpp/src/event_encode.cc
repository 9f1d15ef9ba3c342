// encode_completed and encode_event (see event_codec.h): wire JSON read as JSON.parse reads it into
// the generated C++ classes of proto/, which write the bytes in deterministic mode.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/struct.pb.h>

#include <cmath>

#include "base64.h"
#include "event_codec.h"
#include "event_names.h"
#include "json_value.h"
#include "openresponses/v1/image_gen_call.pb.h"
#include "refused.h"

namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;
using openresponses::v1::ImageGenCallCompleted;
using openresponses::v1::ImageGenCallEvent;
using openresponses::v1::ImageGenCallPartialImage;
using event_names::kCompletedType;
using event_names::kKnown;
using event_names::kMaxDepth;
using event_names::kMaxSafe;
using event_names::kPartialKnown;
using event_names::kPartialSdkSpellings;
using event_names::kSdkSpellings;
using event_names::kTypes;

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
