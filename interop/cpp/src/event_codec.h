// The four commands of the codec contract (interop/README.md), each from its whole input to its
// whole output, throwing Refused with the reason for input the contract refuses.
#pragma once

#include <string>
#include <string_view>

// `codec decode`: binary openresponses.v1.ImageGenCallCompleted -> one wire JSON line.
std::string decode_completed(std::string_view input);
// `codec encode`: wire JSON of the completed event -> its message's bytes.
std::string encode_completed(std::string_view input);
// `codec decode-event`: binary openresponses.v1.ImageGenCallEvent -> the event's wire JSON line.
std::string decode_event(std::string_view input);
// `codec encode-event`: wire JSON of any lifecycle event -> the envelope's bytes.
std::string encode_event(std::string_view input);
