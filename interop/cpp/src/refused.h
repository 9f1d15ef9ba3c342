// Refused: input that the codec contract refuses (one-shot: exit 1 with the reason on stderr).
#pragma once

#include <stdexcept>
#include <string>

struct Refused : std::runtime_error {
  explicit Refused(const std::string& reason) : std::runtime_error(reason) {}
};
