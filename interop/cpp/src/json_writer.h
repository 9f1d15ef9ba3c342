// JSON text as the codecs print it: JSON.stringify's strings, ECMAScript Number#toString numbers.
#pragma once

#include <string>
#include <string_view>

// Appends s (valid UTF-8) as a JSON string, escaped as JSON.stringify does: '"', '\\',
// \b \f \n \r \t, other C0 controls as \u00xx, everything else raw.
void write_json_string(std::string& out, std::string_view s);

// Appends a finite x as ECMAScript's Number.prototype.toString prints it (the shortest decimal
// that rounds to x, the closest and then the even one on a tie; plain notation for
// 1e-7 <= |x| < 1e21), except that negative zero prints as -0.
void write_json_number(std::string& out, double x);
