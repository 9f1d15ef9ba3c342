package openresponses.interop;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HexFormat;

/**
 * Shows how protobuf-java orders google.protobuf.Struct keys when serializing (the finding in
 * interop/README.md). Keys: U+E000 (UTF-8 EE 80 80, UTF-16 E000) and U+1F600 (UTF-8 F0 9F 98 80,
 * UTF-16 D83D DE00): code point / UTF-8 order puts U+E000 first, UTF-16 code unit order puts
 * U+1F600 first.
 */
public final class MapOrderProbe {
  private MapOrderProbe() {}

  public static void main(String[] args) throws IOException {
    String bmp = "\uE000";
    String astral = new String(Character.toChars(0x1F600));
    Value one = Value.newBuilder().setNumberValue(1).build();
    Struct utf8Order = Struct.newBuilder().putFields(bmp, one).putFields(astral, one).build();
    Struct utf16Order = Struct.newBuilder().putFields(astral, one).putFields(bmp, one).build();
    report("inserted U+E000 first, toByteArray()", utf8Order.toByteArray());
    report("inserted U+1F600 first, toByteArray()", utf16Order.toByteArray());
    report("inserted U+E000 first, deterministic", deterministic(utf8Order));
    report("inserted U+1F600 first, deterministic", deterministic(utf16Order));
    Struct parsed = Struct.parseFrom(utf8Order.toByteArray());
    report("parsed (U+E000 first on the wire), deterministic", deterministic(parsed));
    report("parsed (U+E000 first on the wire), toByteArray()", parsed.toByteArray());
  }

  static byte[] deterministic(Struct s) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization();
    s.writeTo(out);
    out.flush();
    return bytes.toByteArray();
  }

  static void report(String what, byte[] bytes) {
    String hex = HexFormat.of().formatHex(bytes);
    int e000 = hex.indexOf("ee8080");
    int f600 = hex.indexOf("f09f9880");
    String first = e000 < f600 ? "U+E000 first (code point order)" : "U+1F600 first (UTF-16 order)";
    System.out.println(what + ": " + first + "  " + hex);
  }
}
