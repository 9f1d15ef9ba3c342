// capture_protobuf_log and take_protobuf_log (see protobuf_log.h).
#include "protobuf_log.h"

#include <google/protobuf/stubs/logging.h>

namespace {
std::string logged;

void keep(google::protobuf::LogLevel, const char*, int, const std::string& message) {
  if (!logged.empty()) logged += "; ";
  logged += message;
}
}  // namespace

void capture_protobuf_log() { google::protobuf::SetLogHandler(keep); }

std::string take_protobuf_log() {
  std::string out;
  out.swap(logged);
  return out;
}
