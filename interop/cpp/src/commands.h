// The commands of the codec contract by name, and the line a refusal prints.
#pragma once

#include <string>
#include <string_view>

#include "refused.h"

using Command = std::string (*)(std::string_view input);

// The command named decode, encode, decode-event or encode-event; nullptr for any other name.
Command command_for(std::string_view name);

// The reason line of a refusal: stderr of the one-shot command, CodecResponse.refusal in serve.
std::string refusal_line(std::string_view command, const Refused& refused);
