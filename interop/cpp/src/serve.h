// `codec serve`: size-delimited CodecRequest messages on stdin, one size-delimited CodecResponse
// for each on stdout, in order, until stdin ends (interop/README.md).
#pragma once

// Serves stdin until it ends: 0; 1 (with the reason on stderr) when the stream breaks.
int serve();
