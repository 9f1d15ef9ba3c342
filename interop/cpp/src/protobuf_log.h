// The protobuf runtime's log lines (why a parse failed: invalid UTF-8 in a string field, …),
// kept for the refusal's reason instead of being printed to stderr.
#pragma once

#include <string>

// Routes the runtime's log to the buffer that take_protobuf_log empties.
void capture_protobuf_log();

// What the runtime logged since the last call, "; "-separated (empty if nothing).
std::string take_protobuf_log();
