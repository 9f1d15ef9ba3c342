// Standard base64 (RFC 4648 alphabet, '=' padding) and the contract's canonical test.
#pragma once

#include <optional>
#include <string>
#include <string_view>

std::string base64_encode(std::string_view bytes);

// The bytes of s when s is canonical base64 (standard alphabet, padded, zero unused bits):
// decode, re-encode, compare. Otherwise nothing.
std::optional<std::string> canonical_base64(std::string_view s);
