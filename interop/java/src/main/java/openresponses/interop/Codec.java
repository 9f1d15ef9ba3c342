package openresponses.interop;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.WireFormat;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import openresponses.v1.ImageGenCall.ImageGenCallCompleted;
import openresponses.v1.ImageGenCall.ImageGenCallEvent;
import openresponses.v1.ImageGenCall.ImageGenCallGenerating;
import openresponses.v1.ImageGenCall.ImageGenCallInProgress;
import openresponses.v1.ImageGenCall.ImageGenCallPartialImage;

/**
 * Java (protobuf-java) interop codec for openresponses.v1.ImageGenCallCompleted: {@code codec
 * decode} (binary on stdin to a wire JSON line on stdout) and {@code codec encode} (wire JSON on
 * stdin to binary on stdout); {@code codec decode-event} and {@code codec encode-event} do the
 * same for the ImageGenCallEvent envelope of any lifecycle event; {@code codec serve} answers
 * size-delimited requests for any of them on one process ({@link Serve}). See interop/README.md
 * for the contract.
 */
public final class Codec {
  static final String EVENT_TYPE = "response.image_generation_call.completed";
  static final long MAX_SAFE = (1L << 53) - 1;
  /** The most arrays and objects a member of extra may nest (the bridge's MAX_JSON_DEPTH). */
  static final int MAX_DEPTH = 32;
  static final Set<String> KNOWN =
      Set.of(
          "type", "item_id", "output_index", "sequence_number",
          "itemId", "outputIndex", "sequenceNumber");
  static final Set<String> SDK_SPELLINGS = Set.of("itemId", "outputIndex", "sequenceNumber");

  /** Code point order, which is UTF-8 byte order (String.compareTo is UTF-16 code unit order). */
  static final Comparator<String> CODE_POINT_ORDER =
      (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
          int ca = a.codePointAt(i);
          int cb = b.codePointAt(j);
          if (ca != cb) {
            return Integer.compare(ca, cb);
          }
          i += Character.charCount(ca);
          j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
      };

  /** Input that the contract refuses (exit 1). */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message);
    }
  }

  private Codec() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 1 && args[0].equals("serve")) {
      try {
        Serve.serve(System.in, System.out);
      } catch (IOException e) {
        System.err.println("codec(java): serve: " + e.getMessage());
        System.exit(1);
      }
      return;
    }
    if (args.length != 1 || !COMMANDS.contains(args[0])) {
      System.err.println(
          "usage: codec decode|encode|decode-event|encode-event|serve  (stdin -> stdout)");
      System.exit(2);
    }
    byte[] in = System.in.readAllBytes();
    byte[] out;
    try {
      out = run(args[0], in);
    } catch (Refused e) {
      System.err.println(refusalLine(args[0], e));
      System.exit(1);
      return;
    }
    System.out.write(out);
    System.out.flush();
  }

  static final Set<String> COMMANDS = Set.of("decode", "encode", "decode-event", "encode-event");

  /** Runs one command of the contract (one of COMMANDS) on its whole input. */
  static byte[] run(String command, byte[] in) throws Refused {
    return switch (command) {
      case "decode" -> decode(in);
      case "encode" -> encode(in);
      case "decode-event" -> decodeEvent(in);
      case "encode-event" -> encodeEvent(in);
      default -> throw new IllegalArgumentException("unknown command " + command);
    };
  }

  /** The line a refusal writes to stderr (one-shot) or into the refusal (serve). */
  static String refusalLine(String command, Refused e) {
    return "codec(java): " + command + ": " + e.getMessage();
  }

  // ---- decode: binary -> wire JSON ----

  static byte[] decode(byte[] in) throws Refused {
    ImageGenCallCompleted m;
    try {
      m = ImageGenCallCompleted.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      throw new Refused("not a valid message: " + e.getMessage());
    }
    if (!m.hasItemId()) {
      throw new Refused("item_id: absent");
    }
    StringBuilder b = new StringBuilder("{\"type\":");
    writeString(b, EVENT_TYPE);
    b.append(",\"item_id\":");
    writeString(b, m.getItemId());

    b.append(",\"output_index\":");
    switch (m.getOutputIndexValueCase()) {
      case OUTPUT_INDEX -> writeInt(b, m.getOutputIndex(), "output_index");
      case OUTPUT_INDEX_DOUBLE -> writeNumber(b, m.getOutputIndexDouble(), "output_index_double");
      default -> throw new Refused(
          "output_index: neither output_index nor output_index_double is set");
    }
    b.append(",\"sequence_number\":");
    switch (m.getSequenceNumberValueCase()) {
      case SEQUENCE_NUMBER -> writeInt(b, m.getSequenceNumber(), "sequence_number");
      case SEQUENCE_NUMBER_DOUBLE -> writeNumber(
          b, m.getSequenceNumberDouble(), "sequence_number_double");
      default -> throw new Refused(
          "sequence_number: neither sequence_number nor sequence_number_double is set");
    }

    if (m.hasExtra()) {
      Map<String, Value> fields = m.getExtra().getFieldsMap();
      for (String key : sorted(fields.keySet())) {
        if (KNOWN.contains(key)) {
          throw new Refused("extra." + key + ": collides with a known member");
        }
        b.append(',');
        writeString(b, key);
        b.append(':');
        writeValue(b, fields.get(key), "extra." + key, 0);
      }
    }
    b.append("}\n");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  // ---- the lifecycle envelope: openresponses.v1.ImageGenCallEvent ----

  static final String PARTIAL_TYPE = "response.image_generation_call.partial_image";
  static final Set<String> PARTIAL_KNOWN =
      Set.of("partial_image_b64", "partial_image_index", "partialImageB64", "partialImageIndex");
  static final Set<String> PARTIAL_SDK_SPELLINGS = Set.of("partialImageB64", "partialImageIndex");
  /** The envelope's cases by field number (index 1-4): type and the message's default instance. */
  static final String[] TYPES = {
    null,
    "response.image_generation_call.in_progress",
    "response.image_generation_call.generating",
    PARTIAL_TYPE,
    EVENT_TYPE
  };

  static Message defaultInstance(int field) {
    return switch (field) {
      case 1 -> ImageGenCallInProgress.getDefaultInstance();
      case 2 -> ImageGenCallGenerating.getDefaultInstance();
      case 3 -> ImageGenCallPartialImage.getDefaultInstance();
      default -> ImageGenCallCompleted.getDefaultInstance();
    };
  }

  static byte[] decodeEvent(byte[] in) throws Refused {
    ImageGenCallEvent env;
    List<Integer> fields = new ArrayList<>();
    try {
      env = ImageGenCallEvent.parseFrom(in);
      // the runtime merges a repeated field and keeps the last member of a oneof: count on the wire
      CodedInputStream wire = CodedInputStream.newInstance(in);
      for (int tag = wire.readTag(); tag != 0; tag = wire.readTag()) {
        int number = WireFormat.getTagFieldNumber(tag);
        if (number >= 1
            && number <= 4
            && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          fields.add(number);
        }
        wire.skipField(tag);
      }
    } catch (InvalidProtocolBufferException e) {
      throw new Refused("not a valid envelope: " + e.getMessage());
    } catch (IOException e) {
      throw new Refused("not a valid envelope: " + e);
    }
    if (fields.size() > 1) {
      throw new Refused("the envelope holds more than one event (fields " + fields + ")");
    }
    Message m =
        switch (env.getEventCase()) {
          case IN_PROGRESS -> env.getInProgress();
          case GENERATING -> env.getGenerating();
          case PARTIAL_IMAGE -> env.getPartialImage();
          case COMPLETED -> env.getCompleted();
          default -> null;
        };
    if (m == null || fields.isEmpty()) {
      throw new Refused("the envelope holds no event");
    }
    return decodeMessage(m, TYPES[env.getEventCase().getNumber()]);
  }

  /** The wire JSON of any lifecycle message, through the runtime's reflection. */
  static byte[] decodeMessage(Message m, String type) throws Refused {
    boolean partial = type.equals(PARTIAL_TYPE);
    FieldDescriptor itemId = m.getDescriptorForType().findFieldByName("item_id");
    if (!m.hasField(itemId)) {
      throw new Refused("item_id: absent");
    }
    StringBuilder b = new StringBuilder("{\"type\":");
    writeString(b, type);
    b.append(",\"item_id\":");
    writeString(b, (String) m.getField(itemId));
    writeNumberMember(b, m, "output_index");
    writeNumberMember(b, m, "sequence_number");
    if (partial) {
      b.append(",\"partial_image_b64\":");
      FieldDescriptor image = setMember(m, "partial_image_value");
      if (image == null) {
        throw new Refused("partial_image: neither partial_image nor partial_image_b64 is set");
      }
      if (image.getName().equals("partial_image")) {
        writeString(b, Base64.getEncoder().encodeToString(((ByteString) m.getField(image)).toByteArray()));
      } else {
        writeString(b, (String) m.getField(image));
      }
      writeNumberMember(b, m, "partial_image_index");
    }
    FieldDescriptor extraField = m.getDescriptorForType().findFieldByName("extra");
    if (m.hasField(extraField)) {
      Map<String, Value> fields = ((Struct) m.getField(extraField)).getFieldsMap();
      for (String key : sorted(fields.keySet())) {
        if (KNOWN.contains(key) || (partial && PARTIAL_KNOWN.contains(key))) {
          throw new Refused("extra." + key + ": collides with a known member");
        }
        b.append(',');
        writeString(b, key);
        b.append(':');
        writeValue(b, fields.get(key), "extra." + key, 0);
      }
    }
    b.append("}\n");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  static FieldDescriptor setMember(Message m, String oneof) {
    OneofDescriptor o =
        m.getDescriptorForType().getOneofs().stream()
            .filter(d -> d.getName().equals(oneof))
            .findFirst()
            .orElseThrow();
    return m.getOneofFieldDescriptor(o);
  }

  static void writeNumberMember(StringBuilder b, Message m, String name) throws Refused {
    b.append(",\"").append(name).append("\":");
    FieldDescriptor f = setMember(m, name + "_value");
    if (f == null) {
      throw new Refused(name + ": neither " + name + " nor " + name + "_double is set");
    }
    if (f.getName().equals(name)) {
      writeInt(b, (Long) m.getField(f), name);
    } else {
      writeNumber(b, (Double) m.getField(f), name + "_double");
    }
  }

  /** Canonical base64: decode with the standard alphabet, re-encode, compare; null if not. */
  static byte[] canonicalBase64(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
              || c == '+' || c == '/' || c == '=';
      if (!ok) {
        return null;
      }
    }
    try {
      byte[] raw = Base64.getDecoder().decode(s);
      return Base64.getEncoder().encodeToString(raw).equals(s) ? raw : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static byte[] encodeEvent(byte[] in) throws Refused {
    Object parsed = Json.parse(in);
    if (!(parsed instanceof Map<?, ?> rawObj)) {
      throw new Refused("the event must be a JSON object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> obj = (Map<String, Object>) rawObj;
    int field = 0;
    for (int i = 1; i <= 4; i++) {
      if (TYPES[i].equals(obj.get("type"))) {
        field = i;
      }
    }
    if (field == 0) {
      throw new Refused("type: must be one of the four image generation call event types");
    }
    boolean partial = field == 3;
    Message.Builder m = defaultInstance(field).newBuilderForType();
    var desc = m.getDescriptorForType();
    if (!(obj.get("item_id") instanceof String itemId)) {
      throw new Refused("item_id: must be a string");
    }
    m.setField(desc.findFieldByName("item_id"), itemId);
    List<String> numbers = new ArrayList<>(List.of("output_index", "sequence_number"));
    if (partial) {
      numbers.add("partial_image_index");
      if (!(obj.get("partial_image_b64") instanceof String image)) {
        throw new Refused("partial_image_b64: must be a string");
      }
      byte[] raw = canonicalBase64(image);
      if (raw != null) {
        m.setField(desc.findFieldByName("partial_image"), ByteString.copyFrom(raw));
      } else {
        m.setField(desc.findFieldByName("partial_image_b64"), image);
      }
    }
    for (String name : numbers) {
      if (!(obj.get(name) instanceof Double x)) {
        throw new Refused(name + ": must be a number");
      }
      if (isSafeInt(x)) {
        m.setField(desc.findFieldByName(name), x.longValue());
      } else {
        m.setField(desc.findFieldByName(name + "_double"), x);
      }
    }
    Map<String, Object> extra = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : obj.entrySet()) {
      String key = e.getKey();
      if (SDK_SPELLINGS.contains(key) || (partial && PARTIAL_SDK_SPELLINGS.contains(key))) {
        throw new Refused(key + ": SDK spelling of a known member is not allowed in wire JSON");
      }
      if (!KNOWN.contains(key) && !(partial && PARTIAL_KNOWN.contains(key))) {
        extra.put(key, e.getValue());
      }
    }
    // Fields 1..9 by the runtime (field-number order), 15 by hand as in encode.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      m.build().writeTo(bytes);
      if (!extra.isEmpty()) {
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeByteArray(15, structBytes(extra, "extra", 0));
        out.flush();
      }
      ByteArrayOutputStream envelope = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(envelope);
      out.writeByteArray(field, bytes.toByteArray());
      out.flush();
      return envelope.toByteArray();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static List<String> sorted(Set<String> keys) {
    List<String> list = new ArrayList<>(keys);
    list.sort(CODE_POINT_ORDER);
    return list;
  }

  /** Writes v as JSON; depth arrays and objects enclose it inside its member of extra. */
  static void writeValue(StringBuilder b, Value v, String path, int depth) throws Refused {
    if ((v.hasStructValue() || v.hasListValue()) && depth >= MAX_DEPTH) {
      throw new Refused(path + ": nested deeper than " + MAX_DEPTH + " arrays and objects");
    }
    switch (v.getKindCase()) {
      case NULL_VALUE -> {
        if (v.getNullValueValue() != 0) {
          throw new Refused(path + ": null_value " + v.getNullValueValue() + " is not NULL_VALUE (0)");
        }
        b.append("null");
      }
      case BOOL_VALUE -> b.append(v.getBoolValue() ? "true" : "false");
      case NUMBER_VALUE -> writeNumber(b, v.getNumberValue(), path);
      case STRING_VALUE -> writeString(b, v.getStringValue());
      case STRUCT_VALUE -> {
        Map<String, Value> fields = v.getStructValue().getFieldsMap();
        b.append('{');
        String sep = "";
        for (String key : sorted(fields.keySet())) {
          b.append(sep);
          sep = ",";
          writeString(b, key);
          b.append(':');
          writeValue(b, fields.get(key), path + "." + key, depth + 1);
        }
        b.append('}');
      }
      case LIST_VALUE -> {
        List<Value> values = v.getListValue().getValuesList();
        b.append('[');
        for (int i = 0; i < values.size(); i++) {
          if (i > 0) {
            b.append(',');
          }
          writeValue(b, values.get(i), path + "[" + i + "]", depth + 1);
        }
        b.append(']');
      }
      default -> throw new Refused(path + ": google.protobuf.Value with no kind set");
    }
  }

  static void writeInt(StringBuilder b, long n, String path) throws Refused {
    if (n > MAX_SAFE || n < -MAX_SAFE) {
      throw new Refused(path + ": " + n + " is outside the safe integer range ±(2^53-1)");
    }
    b.append(n);
  }

  /** ECMAScript Number::toString (shortest round-trip digits), but -0 prints as -0. */
  static void writeNumber(StringBuilder b, double x, String path) throws Refused {
    if (!Double.isFinite(x)) {
      throw new Refused(path + ": non-finite number " + x);
    }
    if (x == 0) {
      b.append(Double.doubleToRawLongBits(x) < 0 ? "-0" : "0");
      return;
    }
    if (x < 0) {
      b.append('-');
      x = -x;
    }
    BigDecimal shortest = shortest(x);
    String digits = shortest.unscaledValue().toString();
    int k = digits.length();
    int n = k - shortest.scale(); // value = 0.digits × 10^n
    if (k <= n && n <= 21) {
      b.append(digits).append("0".repeat(n - k));
    } else if (0 < n && n <= 21) {
      b.append(digits, 0, n).append('.').append(digits, n, k);
    } else if (-6 < n && n <= 0) {
      b.append("0.").append("0".repeat(-n)).append(digits);
    } else {
      b.append(digits.charAt(0));
      if (k > 1) {
        b.append('.').append(digits, 1, k);
      }
      int e = n - 1;
      b.append('e').append(e >= 0 ? "+" : "-").append(Math.abs(e));
    }
  }

  /**
   * The shortest decimal that rounds to x (x > 0, finite), the closest one among equally short
   * ones. JDK 17's Double.toString is not always the shortest (JDK-4511638, fixed in JDK 19), so
   * this searches: for p = 1..17 digits, the two p-digit neighbours of x, nearest first.
   */
  static BigDecimal shortest(double x) {
    BigDecimal exact = new BigDecimal(x);
    for (int p = 1; p <= 17; p++) {
      BigDecimal nearest = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (nearest.doubleValue() == x) {
        return nearest.stripTrailingZeros();
      }
      RoundingMode other =
          nearest.compareTo(exact) < 0 ? RoundingMode.CEILING : RoundingMode.FLOOR;
      BigDecimal next = exact.round(new MathContext(p, other));
      if (next.doubleValue() == x) {
        return next.stripTrailingZeros();
      }
    }
    throw new AssertionError("17 significant digits always round-trip");
  }

  /** JSON.stringify's escaping: raw characters except '"', '\\' and the C0 controls. */
  static void writeString(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }

  // ---- encode: wire JSON -> binary ----

  static byte[] encode(byte[] in) throws Refused {
    Object parsed = Json.parse(in);
    if (!(parsed instanceof Map<?, ?> rawObj)) {
      throw new Refused("the event must be a JSON object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> obj = (Map<String, Object>) rawObj;
    if (!EVENT_TYPE.equals(obj.get("type"))) {
      throw new Refused("type: must be \"" + EVENT_TYPE + "\"");
    }
    if (!(obj.get("item_id") instanceof String itemId)) {
      throw new Refused("item_id: must be a string");
    }
    if (!(obj.get("output_index") instanceof Double outputIndex)) {
      throw new Refused("output_index: must be a number");
    }
    if (!(obj.get("sequence_number") instanceof Double sequenceNumber)) {
      throw new Refused("sequence_number: must be a number");
    }
    ImageGenCallCompleted.Builder m = ImageGenCallCompleted.newBuilder().setItemId(itemId);
    if (isSafeInt(outputIndex)) {
      m.setOutputIndex(outputIndex.longValue());
    } else {
      m.setOutputIndexDouble(outputIndex);
    }
    if (isSafeInt(sequenceNumber)) {
      m.setSequenceNumber(sequenceNumber.longValue());
    } else {
      m.setSequenceNumberDouble(sequenceNumber);
    }
    Map<String, Object> extra = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : obj.entrySet()) {
      if (SDK_SPELLINGS.contains(e.getKey())) {
        throw new Refused(
            e.getKey() + ": SDK spelling of a known member is not allowed in wire JSON");
      }
      if (!KNOWN.contains(e.getKey())) {
        extra.put(e.getKey(), e.getValue());
      }
    }
    // Fields 1..5 by the generated code (it writes them in field-number order). Field 15 by
    // hand: protobuf-java's deterministic mode sorts map keys by UTF-16 code units, which is not
    // code point order for keys with astral characters (see interop/README.md). Field 15 is the
    // last field number, so appending it keeps field-number order.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      m.build().writeTo(bytes);
      if (!extra.isEmpty()) { // an empty extra is not written
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeByteArray(15, structBytes(extra, "extra", 0));
        out.flush();
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return bytes.toByteArray();
  }

  /** The number rule: a safe integer that is not -0 takes the int64 variant. */
  static boolean isSafeInt(double x) {
    return x == Math.rint(x)
        && Math.abs(x) <= MAX_SAFE
        && !(x == 0 && Double.doubleToRawLongBits(x) < 0);
  }

  /**
   * google.protobuf.Struct bytes with its map entries in code point (UTF-8 byte) key order; depth
   * arrays and objects enclose the members' values inside their member of extra.
   */
  static byte[] structBytes(Map<String, Object> obj, String path, int depth)
      throws IOException, Refused {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    for (String key : sorted(obj.keySet())) {
      ByteArrayOutputStream entryBytes = new ByteArrayOutputStream();
      CodedOutputStream entry = CodedOutputStream.newInstance(entryBytes);
      entry.writeString(1, key); // map entry: key = 1, value = 2
      entry.writeByteArray(2, valueBytes(obj.get(key), path + "." + key, depth));
      entry.flush();
      out.writeByteArray(1, entryBytes.toByteArray()); // Struct.fields = 1
    }
    out.flush();
    return bytes.toByteArray();
  }

  /** google.protobuf.Value bytes: null 1, number 2, string 3, bool 4, struct 5, list 6. */
  @SuppressWarnings("unchecked")
  static byte[] valueBytes(Object v, String path, int depth) throws IOException, Refused {
    if ((v instanceof Map<?, ?> || v instanceof List<?>) && depth >= MAX_DEPTH) {
      throw new Refused(path + ": nested deeper than " + MAX_DEPTH + " arrays and objects");
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    if (v == Json.NULL) {
      out.writeEnum(1, 0);
    } else if (v instanceof Double d) {
      out.writeDouble(2, d);
    } else if (v instanceof String s) {
      out.writeString(3, s);
    } else if (v instanceof Boolean bool) {
      out.writeBool(4, bool);
    } else if (v instanceof Map<?, ?> map) {
      out.writeByteArray(5, structBytes((Map<String, Object>) map, path, depth + 1));
    } else if (v instanceof List<?> list) {
      ByteArrayOutputStream listBytes = new ByteArrayOutputStream();
      CodedOutputStream listOut = CodedOutputStream.newInstance(listBytes);
      int i = 0;
      for (Object item : list) {
        listOut.writeByteArray(1, valueBytes(item, path + "[" + i++ + "]", depth + 1)); // values = 1
      }
      listOut.flush();
      out.writeByteArray(6, listBytes.toByteArray());
    } else {
      throw new AssertionError("unexpected JSON value " + v);
    }
    out.flush();
    return bytes.toByteArray();
  }

  /**
   * RFC 8259 JSON as ECMAScript JSON.parse reads it (numbers are correctly rounded doubles, "-0"
   * stays negative zero, the last of duplicate keys wins), refusing what protobuf cannot carry:
   * invalid UTF-8, lone surrogate escapes, numbers that overflow to ±Infinity.
   */
  static final class Json {
    /** JSON null (a map cannot hold Java null conveniently). */
    static final Object NULL = new Object();

    private final String s;
    private int i;

    private Json(String s) {
      this.s = s;
    }

    static Object parse(byte[] in) throws Refused {
      String text;
      try {
        text =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(in))
                .toString();
      } catch (CharacterCodingException e) {
        throw new Refused("input is not valid UTF-8");
      }
      Json p = new Json(text);
      try {
        p.ws();
        Object v = p.value();
        p.ws();
        if (p.i != text.length()) {
          throw p.error("unexpected data after the value");
        }
        return v;
      } catch (StackOverflowError e) {
        throw new Refused("invalid JSON: nested too deeply");
      }
    }

    private Refused error(String message) {
      return new Refused("invalid JSON at char " + i + ": " + message);
    }

    private void ws() {
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return;
        }
        i++;
      }
    }

    private boolean at(char c) {
      return i < s.length() && s.charAt(i) == c;
    }

    private Object value() throws Refused {
      if (i >= s.length()) {
        throw error("unexpected end of input");
      }
      char c = s.charAt(i);
      switch (c) {
        case '{' -> {
          i++;
          Map<String, Object> obj = new LinkedHashMap<>();
          ws();
          if (at('}')) {
            i++;
            return obj;
          }
          while (true) {
            ws();
            if (!at('"')) {
              throw error("expected a string key");
            }
            String key = string();
            ws();
            if (!at(':')) {
              throw error("expected ':'");
            }
            i++;
            ws();
            obj.put(key, value());
            ws();
            if (at(',')) {
              i++;
            } else if (at('}')) {
              i++;
              return obj;
            } else {
              throw error("expected ',' or '}'");
            }
          }
        }
        case '[' -> {
          i++;
          List<Object> list = new ArrayList<>();
          ws();
          if (at(']')) {
            i++;
            return list;
          }
          while (true) {
            ws();
            list.add(value());
            ws();
            if (at(',')) {
              i++;
            } else if (at(']')) {
              i++;
              return list;
            } else {
              throw error("expected ',' or ']'");
            }
          }
        }
        case '"' -> {
          return string();
        }
        case 't' -> {
          return literal("true", Boolean.TRUE);
        }
        case 'f' -> {
          return literal("false", Boolean.FALSE);
        }
        case 'n' -> {
          return literal("null", NULL);
        }
        default -> {
          if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
          }
          throw error("unexpected character");
        }
      }
    }

    private Object literal(String word, Object v) throws Refused {
      if (!s.startsWith(word, i)) {
        throw error("unexpected character");
      }
      i += word.length();
      return v;
    }

    private boolean digit() {
      return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9';
    }

    private Double number() throws Refused {
      int start = i;
      if (at('-')) {
        i++;
      }
      if (at('0')) {
        i++;
      } else if (digit()) {
        while (digit()) {
          i++;
        }
      } else {
        throw error("invalid number");
      }
      if (at('.')) {
        i++;
        if (!digit()) {
          throw error("invalid number");
        }
        while (digit()) {
          i++;
        }
      }
      if (at('e') || at('E')) {
        i++;
        if (at('+') || at('-')) {
          i++;
        }
        if (!digit()) {
          throw error("invalid number");
        }
        while (digit()) {
          i++;
        }
      }
      String text = s.substring(start, i);
      double x = Double.parseDouble(text); // correctly rounded; "-0" gives -0.0
      if (Double.isInfinite(x)) {
        throw new Refused("number " + text + " is not finite as a double");
      }
      return x;
    }

    private int hex4() throws Refused {
      if (i + 4 > s.length()) {
        throw error("truncated \\u escape");
      }
      int n = 0;
      for (int k = 0; k < 4; k++) {
        char h = s.charAt(i + k);
        int d =
            h >= '0' && h <= '9' ? h - '0'
                : h >= 'a' && h <= 'f' ? h - 'a' + 10
                : h >= 'A' && h <= 'F' ? h - 'A' + 10
                : -1;
        if (d < 0) {
          throw error("invalid \\u escape");
        }
        n = n * 16 + d;
      }
      i += 4;
      return n;
    }

    private String string() throws Refused {
      i++; // opening quote
      StringBuilder b = new StringBuilder();
      while (true) {
        if (i >= s.length()) {
          throw error("unterminated string");
        }
        char c = s.charAt(i);
        if (c == '"') {
          i++;
          return b.toString();
        }
        if (c < 0x20) {
          throw error("control character in string");
        }
        i++;
        if (c != '\\') {
          b.append(c);
          continue;
        }
        if (i >= s.length()) {
          throw error("unterminated string");
        }
        char e = s.charAt(i++);
        switch (e) {
          case '"', '\\', '/' -> b.append(e);
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'n' -> b.append('\n');
          case 'r' -> b.append('\r');
          case 't' -> b.append('\t');
          case 'u' -> {
            int u = hex4();
            if (Character.isHighSurrogate((char) u)) {
              if (!s.startsWith("\\u", i)) {
                throw error(String.format("lone surrogate \\u%04x cannot be carried as UTF-8", u));
              }
              i += 2;
              int lo = hex4();
              if (!Character.isLowSurrogate((char) lo)) {
                throw error(String.format("lone surrogate \\u%04x cannot be carried as UTF-8", u));
              }
              b.append((char) u).append((char) lo);
            } else if (Character.isLowSurrogate((char) u)) {
              throw error(String.format("lone surrogate \\u%04x cannot be carried as UTF-8", u));
            } else {
              b.append((char) u);
            }
          }
          default -> throw error("invalid escape");
        }
      }
    }
  }
}
