// serve (see serve.h): buffered reads of fd 0 and writes to fd 1; the answers are flushed
// whenever the next read would block, so a client may write many requests ahead.
#include "serve.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "commands.h"
#include "openresponses/conformance/v1/codec.pb.h"

namespace {

using openresponses::conformance::v1::CodecRequest;
using openresponses::conformance::v1::CodecResponse;

struct Broken {
  std::string reason;
};

class Stdio {
 public:
  // The next message of the size-delimited stream into message; false at the end of the stream.
  bool next(std::string& message) {
    uint64_t size = 0;
    for (int i = 0;; i++) {
      int byte = get();
      if (byte < 0) {
        if (i == 0) return false;
        throw Broken{"stdin ends inside a length prefix"};
      }
      if (i == 9 && byte > 1) throw Broken{"length prefix longer than 64 bits"};
      size |= static_cast<uint64_t>(byte & 0x7F) << (7 * i);
      if (byte < 0x80) break;
    }
    if (size > (uint64_t{1} << 31)) throw Broken{"request of " + std::to_string(size) + " bytes: too large"};
    message.clear();
    while (message.size() < size) {
      if (pos_ == end_ && !fill()) throw Broken{"stdin ends inside a request"};
      size_t n = std::min<size_t>(end_ - pos_, size - message.size());
      message.append(in_ + pos_, n);
      pos_ += n;
    }
    return true;
  }

  void put(const std::string& bytes) {
    out_ += bytes;
    if (out_.size() >= sizeof in_) flush();
  }

  void flush() {
    size_t done = 0;
    while (done < out_.size()) {
      ssize_t n = ::write(1, out_.data() + done, out_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw Broken{std::string("write stdout: ") + std::strerror(errno)};
      done += n;
    }
    out_.clear();
  }

 private:
  char in_[1 << 16];
  size_t pos_ = 0, end_ = 0;
  std::string out_;

  int get() {
    if (pos_ == end_ && !fill()) return -1;
    return static_cast<unsigned char>(in_[pos_++]);
  }

  // Reads more of stdin, flushing the answers first (the read may block); false at its end.
  bool fill() {
    flush();
    while (true) {
      ssize_t n = ::read(0, in_, sizeof in_);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw Broken{std::string("read stdin: ") + std::strerror(errno)};
      pos_ = 0;
      end_ = n;
      return n > 0;
    }
  }
};

CodecResponse answer(const std::string& bytes) {
  CodecResponse response;
  CodecRequest request;
  if (!request.ParseFromString(bytes)) {
    response.set_error("not a valid CodecRequest");
    return response;
  }
  const char* names[] = {nullptr, "decode", "encode", "decode-event", "encode-event"};
  int op = request.operation();
  if (op < 1 || op > 4) {
    response.set_error("unknown operation " + std::to_string(op));
    return response;
  }
  try {
    response.set_output(command_for(names[op])(request.input()));
  } catch (const Refused& refused) {
    response.set_refusal(refusal_line(names[op], refused));
  }
  return response;
}

}  // namespace

int serve() {
  static Stdio io;  // 64 KiB of buffer: not on the stack
  try {
    std::string request, response;
    while (io.next(request)) {
      answer(request).SerializeToString(&response);
      std::string framed;
      for (uint64_t n = response.size(); ; n >>= 7) {  // the length as a varint
        if (n < 0x80) {
          framed += static_cast<char>(n);
          break;
        }
        framed += static_cast<char>((n & 0x7F) | 0x80);
      }
      framed += response;
      io.put(framed);
    }
    io.flush();
    return 0;
  } catch (const Broken& broken) {
    std::fprintf(stderr, "codec(cpp): serve: %s\n", broken.reason.c_str());
    return 1;
  }
}
