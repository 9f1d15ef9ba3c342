// command_for and refusal_line (see commands.h).
#include "commands.h"

#include "event_codec.h"

Command command_for(std::string_view name) {
  if (name == "decode") return decode_completed;
  if (name == "encode") return encode_completed;
  if (name == "decode-event") return decode_event;
  if (name == "encode-event") return encode_event;
  return nullptr;
}

std::string refusal_line(std::string_view command, const Refused& refused) {
  return "codec(cpp): " + std::string(command) + ": " + refused.what();
}
