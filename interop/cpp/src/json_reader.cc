// parse_json: a strict JSON reader that reads like ECMAScript JSON.parse (see json_value.h).
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>
#include <unordered_map>

#include "json_value.h"
#include "refused.h"

const JsonValue* JsonValue::get(const std::string& key) const {
  for (size_t i = 0; i < keys.size(); i++) {
    if (keys[i] == key) return &items[i];
  }
  return nullptr;
}

namespace {

// Whether s is well-formed UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    int n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (int k = 1; k <= n; k++) {
      unsigned char b = s[i + k];
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return false;
    }
    i += n + 1;
  }
  return true;
}

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | cp >> 6);
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | cp >> 12);
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | cp >> 18);
    out += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  JsonValue document() {
    ws();
    JsonValue v = value(0);
    ws();
    if (i_ != s_.size()) fail("unexpected data after the value");
    return v;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;

  [[noreturn]] void fail(const std::string& what) const {
    throw Refused("invalid JSON at byte " + std::to_string(i_) + ": " + what);
  }
  bool at(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool digit() const { return i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9'; }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) i_++;
  }
  void expect(char c, const char* what) {
    if (!at(c)) fail(what);
    i_++;
  }

  JsonValue value(int nesting) {
    if (i_ >= s_.size()) fail("unexpected end of input");
    JsonValue v;
    char c = s_[i_];
    if (c == '{' || c == '[') {
      if (nesting >= kMaxJsonNesting) fail("nested deeper than " + std::to_string(kMaxJsonNesting) + " levels");
      i_++;
      ws();
      if (c == '{') {
        v.kind = JsonValue::Kind::kObject;
        object(v, nesting);
      } else {
        v.kind = JsonValue::Kind::kArray;
        array(v, nesting);
      }
    } else if (c == '"') {
      v.kind = JsonValue::Kind::kString;
      v.string = string();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      v.kind = JsonValue::Kind::kNumber;
      v.number = number();
    } else if (s_.substr(i_, 4) == "true" || s_.substr(i_, 5) == "false") {
      v.kind = JsonValue::Kind::kBool;
      v.boolean = c == 't';
      i_ += v.boolean ? 4 : 5;
    } else if (s_.substr(i_, 4) == "null") {
      i_ += 4;
    } else {
      fail("unexpected character");
    }
    return v;
  }

  void object(JsonValue& v, int nesting) {
    if (at('}')) {
      i_++;
      return;
    }
    std::unordered_map<std::string, size_t> index;
    while (true) {
      ws();
      if (!at('"')) fail("expected a string key");
      std::string key = string();
      ws();
      expect(':', "expected ':'");
      ws();
      JsonValue member = value(nesting + 1);
      auto [it, added] = index.emplace(key, v.keys.size());
      if (added) {
        v.keys.push_back(std::move(key));
        v.items.push_back(std::move(member));
      } else {
        v.items[it->second] = std::move(member);  // the last of duplicate keys wins
      }
      ws();
      if (at(',')) {
        i_++;
      } else {
        expect('}', "expected ',' or '}'");
        return;
      }
    }
  }

  void array(JsonValue& v, int nesting) {
    if (at(']')) {
      i_++;
      return;
    }
    while (true) {
      ws();
      v.items.push_back(value(nesting + 1));
      ws();
      if (at(',')) {
        i_++;
      } else {
        expect(']', "expected ',' or ']'");
        return;
      }
    }
  }

  double number() {
    size_t start = i_;
    if (at('-')) i_++;
    if (at('0')) {
      i_++;
    } else if (digit()) {
      while (digit()) i_++;
    } else {
      fail("invalid number");
    }
    if (at('.')) {
      i_++;
      if (!digit()) fail("invalid number");
      while (digit()) i_++;
    }
    if (at('e') || at('E')) {
      i_++;
      if (at('+') || at('-')) i_++;
      if (!digit()) fail("invalid number");
      while (digit()) i_++;
    }
    // glibc's strtod rounds correctly (to nearest, ties to even) and gives ±0 on underflow; the
    // C locale is in effect (the program never calls setlocale).
    std::string text(s_.substr(start, i_ - start));
    errno = 0;
    double x = std::strtod(text.c_str(), nullptr);
    if (std::isinf(x)) throw Refused("number " + text + " is not finite as a double");
    return x;
  }

  unsigned hex4() {
    if (i_ + 4 > s_.size()) fail("truncated \\u escape");
    unsigned n = 0;
    for (int k = 0; k < 4; k++) {
      char h = s_[i_ + k];
      int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
      if (d < 0) fail("invalid \\u escape");
      n = n * 16 + d;
    }
    i_ += 4;
    return n;
  }

  std::string string() {
    i_++;  // the opening quote
    std::string out;
    while (true) {
      if (i_ >= s_.size()) fail("unterminated string");
      unsigned char c = s_[i_];
      if (c == '"') {
        i_++;
        return out;
      }
      if (c < 0x20) fail("control character in string");
      i_++;
      if (c != '\\') {
        out += static_cast<char>(c);  // the input is valid UTF-8 as a whole
        continue;
      }
      if (i_ >= s_.size()) fail("unterminated string");
      char e = s_[i_++];
      switch (e) {
        case '"': case '\\': case '/': out += e; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned u = hex4();
          if (u >= 0xD800 && u <= 0xDBFF) {
            if (s_.substr(i_, 2) != "\\u") fail(lone_surrogate(u));
            i_ += 2;
            unsigned lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) fail(lone_surrogate(u));
            append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
          } else if (u >= 0xDC00 && u <= 0xDFFF) {
            fail(lone_surrogate(u));
          } else {
            append_utf8(out, u);
          }
          break;
        }
        default: fail("invalid escape");
      }
    }
  }

  static std::string lone_surrogate(unsigned u) {
    char buf[64];
    snprintf(buf, sizeof buf, "lone surrogate \\u%04x cannot be carried as UTF-8", u);
    return buf;
  }
};

}  // namespace

JsonValue parse_json(std::string_view text) {
  if (!valid_utf8(text)) throw Refused("input is not valid UTF-8");
  return Reader(text).document();
}
