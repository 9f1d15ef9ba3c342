// JsonValue: a JSON value as ECMAScript JSON.parse gives it (every number a double), and
// parse_json, the strict reader that makes one from UTF-8 text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

struct JsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;             // kString: valid UTF-8
  std::vector<JsonValue> items;   // kArray; kObject: the members' values
  std::vector<std::string> keys;  // kObject: the members' keys, in order, each once

  bool is(Kind k) const { return kind == k; }
  // The member named key of an object, or nullptr.
  const JsonValue* get(const std::string& key) const;
};

// Reads RFC 8259 JSON as JSON.parse does: numbers are correctly rounded doubles ("-0" and
// "-1e-400" are -0), the last of duplicate keys wins at the first one's place. Refuses (throws
// Refused) invalid UTF-8, a BOM, lone surrogate escapes, numbers that overflow a double, and
// nesting past kMaxJsonNesting.
JsonValue parse_json(std::string_view text);

// Arrays and objects the reader follows inside each other (deeper input is refused; the codec
// refuses a member of extra nested past 32 anyway).
constexpr int kMaxJsonNesting = 1000;
