// base64_encode and canonical_base64 (see base64.h).
#include "base64.h"

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Decodes with the standard alphabet, '=' only as up to two padding characters at the end of a
// length that is a multiple of 4; unused bits are dropped (the comparison catches them).
std::optional<std::string> base64_decode(std::string_view s) {
  if (s.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  while (pad < s.size() && s[s.size() - 1 - pad] == '=') pad++;
  if (pad > 2) return std::nullopt;
  std::string out;
  unsigned bits = 0;
  int n = 0;
  for (size_t i = 0; i < s.size() - pad; i++) {
    int v = sextet(s[i]);
    if (v < 0) return std::nullopt;
    bits = bits << 6 | v;
    n += 6;
    if (n >= 8) {
      n -= 8;
      out += static_cast<char>(bits >> n & 0xFF);
      bits &= (1u << n) - 1;
    }
  }
  return out;
}
}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    size_t len = bytes.size() - i < 3 ? bytes.size() - i : 3;
    unsigned v = 0;
    for (size_t k = 0; k < 3; k++) v = v << 8 | (k < len ? static_cast<unsigned char>(bytes[i + k]) : 0);
    for (size_t k = 0; k < 4; k++) out += k <= len ? kAlphabet[v >> (18 - 6 * k) & 63] : '=';
  }
  return out;
}

std::optional<std::string> canonical_base64(std::string_view s) {
  auto raw = base64_decode(s);
  if (!raw || base64_encode(*raw) != s) return std::nullopt;
  return raw;
}
