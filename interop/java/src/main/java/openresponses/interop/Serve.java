package openresponses.interop;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import openresponses.conformance.v1.Codec.CodecRequest;
import openresponses.conformance.v1.Codec.CodecResponse;

/**
 * {@code codec serve}: size-delimited CodecRequest messages on stdin, one size-delimited
 * CodecResponse for each on stdout, in order, until stdin ends (interop/README.md).
 */
final class Serve {
  private Serve() {}

  static void serve(InputStream stdin, OutputStream stdout) throws IOException {
    BufferedInputStream in = new BufferedInputStream(stdin, 1 << 16);
    BufferedOutputStream out = new BufferedOutputStream(stdout, 1 << 16);
    for (byte[] request = next(in); request != null; request = next(in)) {
      answer(request).writeDelimitedTo(out);
      // Flush before we would block on stdin: a client that writes many requests ahead gets its
      // answers in batches, and one that waits for each answer gets it at once.
      if (in.available() == 0) {
        out.flush();
      }
    }
    out.flush();
  }

  /**
   * The next message of a size-delimited stream (what parseDelimitedFrom reads, read here by hand
   * so that a request that does not parse is answered, not fatal): null at the end of the stream.
   */
  static byte[] next(InputStream in) throws IOException {
    int first = in.read();
    if (first == -1) {
      return null;
    }
    int size = CodedInputStream.readRawVarint32(first, in);
    if (size < 0) {
      throw new IOException("request length " + (size & 0xffffffffL) + " is too large");
    }
    byte[] message = in.readNBytes(size);
    if (message.length < size) {
      throw new EOFException("stdin ends inside a request");
    }
    return message;
  }

  static CodecResponse answer(byte[] bytes) {
    CodecResponse.Builder response = CodecResponse.newBuilder();
    CodecRequest request;
    try {
      request = CodecRequest.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      return response.setError("not a valid CodecRequest: " + e.getMessage()).build();
    }
    String command =
        switch (request.getOperationValue()) {
          case 1 -> "decode";
          case 2 -> "encode";
          case 3 -> "decode-event";
          case 4 -> "encode-event";
          default -> null;
        };
    if (command == null) {
      return response.setError("unknown operation " + request.getOperationValue()).build();
    }
    try {
      byte[] output = Codec.run(command, request.getInput().toByteArray());
      return response.setOutput(ByteString.copyFrom(output)).build();
    } catch (Codec.Refused e) {
      return response.setRefusal(Codec.refusalLine(command, e)).build();
    }
  }
}
