// The C++ interop codec: `codec decode|encode|decode-event|encode-event` (stdin -> stdout, one
// input per process) and `codec serve` (a stream of size-delimited requests), built against
// protobuf's C++ library with code generated from proto/ (interop/README.md).
#include <google/protobuf/stubs/common.h>

#include <cstdio>
#include <string>

#include "commands.h"
#include "protobuf_log.h"
#include "serve.h"

int main(int argc, char** argv) {
  GOOGLE_PROTOBUF_VERIFY_VERSION;
  capture_protobuf_log();
  std::string name = argc == 2 ? argv[1] : "";
  if (name == "serve") return serve();
  Command command = command_for(name);
  if (command == nullptr) {
    std::fprintf(stderr, "usage: codec decode|encode|decode-event|encode-event|serve  (stdin -> stdout)\n");
    return 2;
  }
  std::string input;
  char buf[1 << 16];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, stdin)) > 0;) input.append(buf, n);
  if (std::ferror(stdin)) {
    std::fprintf(stderr, "codec(cpp): read stdin failed\n");
    return 1;
  }
  std::string output;
  try {
    output = command(input);
  } catch (const Refused& refused) {
    std::fprintf(stderr, "%s\n", refusal_line(name, refused).c_str());
    return 1;
  }
  if (std::fwrite(output.data(), 1, output.size(), stdout) != output.size() || std::fflush(stdout) != 0) {
    std::fprintf(stderr, "codec(cpp): write stdout failed\n");
    return 1;
  }
  return 0;
}
