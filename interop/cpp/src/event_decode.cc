// decode_completed and decode_event (see event_codec.h): the generated C++ classes of proto/ parse
// the bytes; this file prints their wire JSON line, refusing what the contract refuses.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/wire_format_lite.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "base64.h"
#include "event_codec.h"
#include "event_names.h"
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
using openresponses::v1::ImageGenCallPartialImage;
using event_names::kCompletedType;
using event_names::kKnown;
using event_names::kMaxDepth;
using event_names::kMaxSafe;
using event_names::kPartialKnown;
using event_names::kPartialType;
using event_names::kTypes;

// Parses input into m; a refusal names what the runtime logged about why it could not.
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

// The members of extra, then the end of the line.
template <class M>
void write_tail(std::string& out, const M& m, bool partial) {
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
}

// The wire JSON line of an event without a partial image's members.
template <class M>
std::string write_event(const M& m, const std::string& type) {
  std::string out;
  write_head(out, m, type);
  write_tail(out, m, false);
  return out;
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
  write_tail(out, m, true);
  return out;
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

}  // namespace

std::string decode_completed(std::string_view input) {
  ImageGenCallCompleted m;
  parse(m, input, "message");
  return write_event(m, kCompletedType);
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
