// write_json_string and write_json_number (see json_writer.h).
#include "json_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

void write_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void write_json_number(std::string& out, double x) {
  if (x == 0) {
    out += std::signbit(x) ? "-0" : "0";
    return;
  }
  if (x < 0) {
    out += '-';
    x = -x;
  }
  // std::to_chars without a precision gives the shortest digits that round-trip, the closest
  // to x among them, ties to even: "3.46955e+03".
  char buf[64];
  char* end = std::to_chars(buf, buf + sizeof buf - 1, x, std::chars_format::scientific).ptr;
  *end = '\0';  // for atoi below
  std::string digits;
  const char* p = buf;
  for (; p < end && *p != 'e'; p++) {
    if (*p != '.') digits += *p;
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int k = static_cast<int>(digits.size());
  int n = std::atoi(p + 1) + 1;  // x = 0.digits × 10^n
  if (k <= n && n <= 21) {
    out += digits;
    out.append(n - k, '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, n);
    out += '.';
    out.append(digits, n, std::string::npos);
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(-n, '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits, 1, std::string::npos);
    }
    int e = n - 1;
    out += e >= 0 ? "e+" : "e-";
    out += std::to_string(std::abs(e));
  }
}
