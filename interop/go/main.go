// Command codec is the Go interop codec for openresponses.v1.ImageGenCallCompleted:
// `codec decode` (binary on stdin -> wire JSON line on stdout) and
// `codec encode` (wire JSON on stdin -> binary on stdout); `codec decode-event` and
// `codec encode-event` do the same for the ImageGenCallEvent envelope of any lifecycle
// event; `codec serve` answers size-delimited requests for any of the four (serve.go).
// See interop/README.md.
package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"

	pb "openresponses-wire/interop/go/gen/openresponses/v1"
)

const eventType = "response.image_generation_call.completed"

// maxSafe is Number.MAX_SAFE_INTEGER, 2^53-1.
const maxSafe = 1<<53 - 1

// maxDepth is the most arrays and objects a member of extra may nest (the bridge's MAX_JSON_DEPTH).
const maxDepth = 32

// known lists the members that never go into extra (wire and SDK spellings).
var known = map[string]bool{
	"type": true, "item_id": true, "output_index": true, "sequence_number": true,
	"itemId": true, "outputIndex": true, "sequenceNumber": true,
}

func main() {
	commands := map[string]func([]byte) ([]byte, error){"decode": decode, "encode": encode, "decode-event": decodeEvent, "encode-event": encodeEvent}
	if len(os.Args) == 2 && os.Args[1] == "serve" {
		if err := serve(os.Stdin, os.Stdout); err != nil {
			fail("serve: %v", err)
		}
		return
	}
	var command func([]byte) ([]byte, error)
	if len(os.Args) == 2 {
		command = commands[os.Args[1]]
	}
	if command == nil {
		fmt.Fprintln(os.Stderr, "usage: codec decode|encode|decode-event|encode-event|serve  (stdin -> stdout)")
		os.Exit(2)
	}
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("read stdin: %v", err)
	}
	out, err := command(in)
	if err != nil {
		fail("%s: %v", os.Args[1], err)
	}
	if _, err := os.Stdout.Write(out); err != nil {
		fail("write stdout: %v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "codec(go): "+format+"\n", args...)
	os.Exit(1)
}

// ---- decode: binary -> wire JSON ----

func decode(in []byte) ([]byte, error) {
	m := &pb.ImageGenCallCompleted{}
	if err := proto.Unmarshal(in, m); err != nil {
		return nil, fmt.Errorf("not a valid message: %v", err)
	}
	if m.ItemId == nil {
		return nil, errors.New("item_id: absent")
	}
	var b bytes.Buffer
	b.WriteString(`{"type":`)
	writeString(&b, eventType)
	b.WriteString(`,"item_id":`)
	writeString(&b, *m.ItemId)

	b.WriteString(`,"output_index":`)
	switch v := m.OutputIndexValue.(type) {
	case *pb.ImageGenCallCompleted_OutputIndex:
		if err := writeInt(&b, v.OutputIndex); err != nil {
			return nil, fmt.Errorf("output_index: %v", err)
		}
	case *pb.ImageGenCallCompleted_OutputIndexDouble:
		if err := writeNumber(&b, v.OutputIndexDouble); err != nil {
			return nil, fmt.Errorf("output_index_double: %v", err)
		}
	default:
		return nil, errors.New("output_index: neither output_index nor output_index_double is set")
	}

	b.WriteString(`,"sequence_number":`)
	switch v := m.SequenceNumberValue.(type) {
	case *pb.ImageGenCallCompleted_SequenceNumber:
		if err := writeInt(&b, v.SequenceNumber); err != nil {
			return nil, fmt.Errorf("sequence_number: %v", err)
		}
	case *pb.ImageGenCallCompleted_SequenceNumberDouble:
		if err := writeNumber(&b, v.SequenceNumberDouble); err != nil {
			return nil, fmt.Errorf("sequence_number_double: %v", err)
		}
	default:
		return nil, errors.New("sequence_number: neither sequence_number nor sequence_number_double is set")
	}

	if m.Extra != nil {
		for _, k := range sortedKeys(m.Extra.Fields) {
			if known[k] {
				return nil, fmt.Errorf("extra.%s: collides with a known member", k)
			}
			b.WriteByte(',')
			writeString(&b, k)
			b.WriteByte(':')
			if err := writeValue(&b, m.Extra.Fields[k], "extra."+k, 0); err != nil {
				return nil, err
			}
		}
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// sortedKeys sorts by bytes, which for UTF-8 is code point order.
func sortedKeys(m map[string]*structpb.Value) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// writeValue writes v, which depth arrays and objects enclose inside its member of extra.
func writeValue(b *bytes.Buffer, v *structpb.Value, path string, depth int) error {
	switch v.GetKind().(type) {
	case *structpb.Value_StructValue, *structpb.Value_ListValue:
		if depth >= maxDepth {
			return fmt.Errorf("%s: nested deeper than %d arrays and objects", path, maxDepth)
		}
	}
	switch k := v.GetKind().(type) {
	case *structpb.Value_NullValue:
		if k.NullValue != structpb.NullValue_NULL_VALUE {
			return fmt.Errorf("%s: null_value %d is not NULL_VALUE (0)", path, k.NullValue)
		}
		b.WriteString("null")
	case *structpb.Value_BoolValue:
		b.WriteString(strconv.FormatBool(k.BoolValue))
	case *structpb.Value_NumberValue:
		if err := writeNumber(b, k.NumberValue); err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
	case *structpb.Value_StringValue:
		writeString(b, k.StringValue)
	case *structpb.Value_StructValue:
		b.WriteByte('{')
		fields := k.StructValue.GetFields()
		for i, key := range sortedKeys(fields) {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, key)
			b.WriteByte(':')
			if err := writeValue(b, fields[key], path+"."+key, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case *structpb.Value_ListValue:
		b.WriteByte('[')
		for i, item := range k.ListValue.GetValues() {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeValue(b, item, fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	default:
		return fmt.Errorf("%s: google.protobuf.Value with no kind set", path)
	}
	return nil
}

func writeInt(b *bytes.Buffer, n int64) error {
	if n > maxSafe || n < -maxSafe {
		return fmt.Errorf("%d is outside the safe integer range ±(2^53-1)", n)
	}
	b.WriteString(strconv.FormatInt(n, 10))
	return nil
}

// writeNumber writes x as ECMAScript Number::toString does (shortest digits
// that round-trip), except that negative zero is written as -0.
func writeNumber(b *bytes.Buffer, x float64) error {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Errorf("non-finite number %v", x)
	}
	if x == 0 {
		if math.Signbit(x) {
			b.WriteString("-0")
		} else {
			b.WriteString("0")
		}
		return nil
	}
	if x < 0 {
		b.WriteByte('-')
		x = -x
	}
	// Shortest round-trip digits: "d.ddde±XX".
	s := strconv.FormatFloat(x, 'e', -1, 64)
	e := strings.IndexByte(s, 'e')
	digits := strings.Replace(s[:e], ".", "", 1)
	exp, _ := strconv.Atoi(s[e+1:])
	digits = strings.TrimRight(digits, "0")
	k, n := len(digits), exp+1 // value = 0.digits × 10^n
	switch {
	case k <= n && n <= 21:
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", n-k))
	case 0 < n && n <= 21:
		b.WriteString(digits[:n])
		b.WriteByte('.')
		b.WriteString(digits[n:])
	case -6 < n && n <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -n))
		b.WriteString(digits)
	default:
		b.WriteString(digits[:1])
		if k > 1 {
			b.WriteByte('.')
			b.WriteString(digits[1:])
		}
		b.WriteByte('e')
		if n-1 >= 0 {
			b.WriteByte('+')
		}
		b.WriteString(strconv.Itoa(n - 1))
	}
	return nil
}

// writeString writes a JSON string as JSON.stringify does: raw UTF-8 except
// for '"', '\\' and the C0 controls.
func writeString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 {
				fmt.Fprintf(b, `\u%04x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
}

// ---- encode: wire JSON -> binary ----

func encode(in []byte) ([]byte, error) {
	v, err := parseJSON(in)
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("the event must be a JSON object")
	}
	if t, ok := obj["type"].(string); !ok || t != eventType {
		return nil, fmt.Errorf("type: must be %q", eventType)
	}
	itemID, ok := obj["item_id"].(string)
	if !ok {
		return nil, errors.New("item_id: must be a string")
	}
	outputIndex, ok := obj["output_index"].(float64)
	if !ok {
		return nil, errors.New("output_index: must be a number")
	}
	sequenceNumber, ok := obj["sequence_number"].(float64)
	if !ok {
		return nil, errors.New("sequence_number: must be a number")
	}
	// One single-field message per field number. protobuf-go writes a oneof at
	// the position of its first field (1, 2|4, 3|5, 15), but protobuf-es, C++,
	// Java and Python write fields in field-number order (1, 2, 3, 4, 5, 15):
	// concatenating the parts in number order gives those bytes (a parser merges
	// the parts into the same message).
	parts := map[int]*pb.ImageGenCallCompleted{1: {ItemId: proto.String(itemID)}}
	if isSafeInt(outputIndex) {
		parts[2] = &pb.ImageGenCallCompleted{OutputIndexValue: &pb.ImageGenCallCompleted_OutputIndex{OutputIndex: int64(outputIndex)}}
	} else {
		parts[4] = &pb.ImageGenCallCompleted{OutputIndexValue: &pb.ImageGenCallCompleted_OutputIndexDouble{OutputIndexDouble: outputIndex}}
	}
	if isSafeInt(sequenceNumber) {
		parts[3] = &pb.ImageGenCallCompleted{SequenceNumberValue: &pb.ImageGenCallCompleted_SequenceNumber{SequenceNumber: int64(sequenceNumber)}}
	} else {
		parts[5] = &pb.ImageGenCallCompleted{SequenceNumberValue: &pb.ImageGenCallCompleted_SequenceNumberDouble{SequenceNumberDouble: sequenceNumber}}
	}
	extra := &structpb.Struct{Fields: map[string]*structpb.Value{}}
	for k, val := range obj {
		if k == "itemId" || k == "outputIndex" || k == "sequenceNumber" {
			return nil, fmt.Errorf("%s: SDK spelling of a known member is not allowed in wire JSON", k)
		}
		if !known[k] {
			if tooDeep(val, 0) {
				return nil, fmt.Errorf("%s: nested deeper than %d arrays and objects", k, maxDepth)
			}
			extra.Fields[k] = toValue(val)
		}
	}
	if len(extra.Fields) > 0 { // an empty extra is not written
		parts[15] = &pb.ImageGenCallCompleted{Extra: extra}
	}
	// Deterministic: map keys (Struct, recursively) sorted by bytes = code point order.
	opts := proto.MarshalOptions{Deterministic: true}
	var out []byte
	for _, num := range []int{1, 2, 3, 4, 5, 15} {
		if part, ok := parts[num]; ok {
			var err error
			if out, err = opts.MarshalAppend(out, part); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// isSafeInt is the number rule: a safe integer that is not -0 takes the int64 variant.
func isSafeInt(x float64) bool {
	return x == math.Trunc(x) && math.Abs(x) <= maxSafe && !(x == 0 && math.Signbit(x))
}

// tooDeep tells whether v, which depth arrays and objects enclose, nests more than maxDepth in all.
func tooDeep(v any, depth int) bool {
	switch x := v.(type) {
	case []any:
		if depth >= maxDepth {
			return true
		}
		for _, item := range x {
			if tooDeep(item, depth+1) {
				return true
			}
		}
	case map[string]any:
		if depth >= maxDepth {
			return true
		}
		for _, item := range x {
			if tooDeep(item, depth+1) {
				return true
			}
		}
	}
	return false
}

func toValue(v any) *structpb.Value {
	switch x := v.(type) {
	case nil:
		return structpb.NewNullValue()
	case bool:
		return structpb.NewBoolValue(x)
	case float64:
		return structpb.NewNumberValue(x)
	case string:
		return structpb.NewStringValue(x)
	case []any:
		l := &structpb.ListValue{Values: make([]*structpb.Value, len(x))}
		for i, item := range x {
			l.Values[i] = toValue(item)
		}
		return structpb.NewListValue(l)
	case map[string]any:
		s := &structpb.Struct{Fields: make(map[string]*structpb.Value, len(x))}
		for k, item := range x {
			s.Fields[k] = toValue(item)
		}
		return structpb.NewStructValue(s)
	}
	panic("unreachable")
}

// parseJSON parses RFC 8259 JSON as ECMAScript JSON.parse does (numbers are
// correctly rounded doubles, "-0" stays negative zero, the last of duplicate
// keys wins) and refuses what protobuf cannot carry: invalid UTF-8, lone
// surrogate escapes, numbers that overflow to ±Infinity.
func parseJSON(in []byte) (any, error) {
	if !utf8.Valid(in) {
		return nil, errors.New("input is not valid UTF-8")
	}
	p := &parser{s: in}
	p.ws()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, p.errorf("unexpected data after the value")
	}
	return v, nil
}

type parser struct {
	s []byte
	i int
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("at byte %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *parser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) literal(word string, v any) (any, error) {
	if !bytes.HasPrefix(p.s[p.i:], []byte(word)) {
		return nil, p.errorf("unexpected character")
	}
	p.i += len(word)
	return v, nil
}

func (p *parser) value() (any, error) {
	if p.i >= len(p.s) {
		return nil, p.errorf("unexpected end of input")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		p.i++
		obj := map[string]any{}
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return obj, nil
		}
		for {
			p.ws()
			if p.i >= len(p.s) || p.s[p.i] != '"' {
				return nil, p.errorf("expected a string key")
			}
			k, err := p.str()
			if err != nil {
				return nil, err
			}
			p.ws()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return nil, p.errorf("expected ':'")
			}
			p.i++
			p.ws()
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			obj[k] = v
			p.ws()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == '}' {
				p.i++
				return obj, nil
			}
			return nil, p.errorf("expected ',' or '}'")
		}
	case c == '[':
		p.i++
		arr := []any{}
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			return arr, nil
		}
		for {
			p.ws()
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
			p.ws()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == ']' {
				p.i++
				return arr, nil
			}
			return nil, p.errorf("expected ',' or ']'")
		}
	case c == '"':
		return p.str()
	case c == 't':
		return p.literal("true", true)
	case c == 'f':
		return p.literal("false", false)
	case c == 'n':
		return p.literal("null", nil)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return nil, p.errorf("unexpected character")
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *parser) number() (any, error) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.s) && p.s[p.i] == '0':
		p.i++
	case p.i < len(p.s) && isDigit(p.s[p.i]):
		for p.i < len(p.s) && isDigit(p.s[p.i]) {
			p.i++
		}
	default:
		return nil, p.errorf("invalid number")
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if p.i >= len(p.s) || !isDigit(p.s[p.i]) {
			return nil, p.errorf("invalid number")
		}
		for p.i < len(p.s) && isDigit(p.s[p.i]) {
			p.i++
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if p.i >= len(p.s) || !isDigit(p.s[p.i]) {
			return nil, p.errorf("invalid number")
		}
		for p.i < len(p.s) && isDigit(p.s[p.i]) {
			p.i++
		}
	}
	text := string(p.s[start:p.i])
	// ParseFloat rounds correctly; underflow gives ±0 without error, overflow ±Inf.
	f, err := strconv.ParseFloat(text, 64)
	if math.IsInf(f, 0) {
		return nil, fmt.Errorf("number %s is not finite as a double", text)
	}
	if err != nil {
		return nil, p.errorf("invalid number %s", text)
	}
	return f, nil
}

func (p *parser) hex4() (rune, error) {
	if p.i+4 > len(p.s) {
		return 0, p.errorf("truncated \\u escape")
	}
	n, err := strconv.ParseUint(string(p.s[p.i:p.i+4]), 16, 32)
	if err != nil {
		return 0, p.errorf("invalid \\u escape")
	}
	p.i += 4
	return rune(n), nil
}

func (p *parser) str() (string, error) {
	p.i++ // opening quote
	var b strings.Builder
	for {
		if p.i >= len(p.s) {
			return "", p.errorf("unterminated string")
		}
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c < 0x20:
			return "", p.errorf("control character in string")
		case c != '\\':
			b.WriteByte(c)
			p.i++
			continue
		}
		p.i++ // backslash
		if p.i >= len(p.s) {
			return "", p.errorf("unterminated string")
		}
		e := p.s[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, err := p.hex4()
			if err != nil {
				return "", err
			}
			if utf16.IsSurrogate(r) {
				if r >= 0xDC00 || !bytes.HasPrefix(p.s[p.i:], []byte(`\u`)) {
					return "", p.errorf("lone surrogate \\u%04x cannot be carried as UTF-8", r)
				}
				p.i += 2
				lo, err := p.hex4()
				if err != nil {
					return "", err
				}
				if lo < 0xDC00 || lo > 0xDFFF {
					return "", p.errorf("lone surrogate \\u%04x cannot be carried as UTF-8", r)
				}
				r = utf16.DecodeRune(r, lo)
			}
			b.WriteRune(r)
		default:
			return "", p.errorf("invalid escape")
		}
	}
}

// ---- the lifecycle envelope: openresponses.v1.ImageGenCallEvent ----

const partialType = "response.image_generation_call.partial_image"

// lifecycle is one case of the envelope's oneof: its field number, `type` and message.
type lifecycle struct {
	field protowire.Number
	typ   string
	new   func() protoreflect.Message
}

var lifecycles = []lifecycle{
	{1, "response.image_generation_call.in_progress", func() protoreflect.Message { return (&pb.ImageGenCallInProgress{}).ProtoReflect() }},
	{2, "response.image_generation_call.generating", func() protoreflect.Message { return (&pb.ImageGenCallGenerating{}).ProtoReflect() }},
	{3, partialType, func() protoreflect.Message { return (&pb.ImageGenCallPartialImage{}).ProtoReflect() }},
	{4, eventType, func() protoreflect.Message { return (&pb.ImageGenCallCompleted{}).ProtoReflect() }},
}

// knownPartial adds the partial image's members to known.
var knownPartial = map[string]bool{"partial_image_b64": true, "partial_image_index": true, "partialImageB64": true, "partialImageIndex": true}

func isKnown(k string, partial bool) bool { return known[k] || (partial && knownPartial[k]) }

func decodeEvent(in []byte) ([]byte, error) {
	env := &pb.ImageGenCallEvent{}
	if err := proto.Unmarshal(in, env); err != nil {
		return nil, fmt.Errorf("not a valid envelope: %v", err)
	}
	// the runtime merges a repeated field and keeps the last member of a oneof: count on the wire
	var fields []protowire.Number
	for rest := in; len(rest) > 0; {
		num, typ, n := protowire.ConsumeTag(rest)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		m := protowire.ConsumeFieldValue(num, typ, rest[n:])
		if m < 0 {
			return nil, protowire.ParseError(m)
		}
		if num >= 1 && num <= 4 && typ == protowire.BytesType {
			fields = append(fields, num)
		}
		rest = rest[n+m:]
	}
	if len(fields) > 1 {
		return nil, fmt.Errorf("the envelope holds more than one event (fields %v)", fields)
	}
	oneof := env.ProtoReflect().Descriptor().Oneofs().ByName("event")
	which := env.ProtoReflect().WhichOneof(oneof)
	if len(fields) == 0 || which == nil {
		return nil, errors.New("the envelope holds no event")
	}
	kind := lifecycles[which.Number()-1]
	return decodeMessage(env.ProtoReflect().Get(which).Message(), kind.typ)
}

// decodeMessage writes the wire JSON of any lifecycle message, through protoreflect.
func decodeMessage(m protoreflect.Message, typ string) ([]byte, error) {
	partial := typ == partialType
	desc := m.Descriptor()
	itemID := desc.Fields().ByName("item_id")
	if !m.Has(itemID) {
		return nil, errors.New("item_id: absent")
	}
	var b bytes.Buffer
	b.WriteString(`{"type":`)
	writeString(&b, typ)
	b.WriteString(`,"item_id":`)
	writeString(&b, m.Get(itemID).String())
	number := func(name string) error {
		b.WriteString(`,"` + name + `":`)
		which := m.WhichOneof(desc.Oneofs().ByName(protoreflect.Name(name + "_value")))
		switch {
		case which == nil:
			return fmt.Errorf("%s: neither %s nor %s_double is set", name, name, name)
		case string(which.Name()) == name:
			if err := writeInt(&b, m.Get(which).Int()); err != nil {
				return fmt.Errorf("%s: %v", name, err)
			}
		default:
			if err := writeNumber(&b, m.Get(which).Float()); err != nil {
				return fmt.Errorf("%s_double: %v", name, err)
			}
		}
		return nil
	}
	if err := number("output_index"); err != nil {
		return nil, err
	}
	if err := number("sequence_number"); err != nil {
		return nil, err
	}
	if partial {
		b.WriteString(`,"partial_image_b64":`)
		which := m.WhichOneof(desc.Oneofs().ByName("partial_image_value"))
		switch {
		case which == nil:
			return nil, errors.New("partial_image: neither partial_image nor partial_image_b64 is set")
		case which.Name() == "partial_image":
			writeString(&b, base64.StdEncoding.EncodeToString(m.Get(which).Bytes()))
		default:
			writeString(&b, m.Get(which).String())
		}
		if err := number("partial_image_index"); err != nil {
			return nil, err
		}
	}
	if extraField := desc.Fields().ByName("extra"); m.Has(extraField) {
		extra := m.Get(extraField).Message().Interface().(*structpb.Struct)
		for _, k := range sortedKeys(extra.Fields) {
			if isKnown(k, partial) {
				return nil, fmt.Errorf("extra.%s: collides with a known member", k)
			}
			b.WriteByte(',')
			writeString(&b, k)
			b.WriteByte(':')
			if err := writeValue(&b, extra.Fields[k], "extra."+k, 0); err != nil {
				return nil, err
			}
		}
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// isCanonicalBase64 decodes with the standard alphabet, re-encodes and compares: standard
// alphabet, `=` padding, zero unused bits.
func isCanonicalBase64(s string) ([]byte, bool) {
	raw, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || strings.ContainsAny(s, "\r\n") || base64.StdEncoding.EncodeToString(raw) != s {
		return nil, false
	}
	return raw, true
}

func encodeEvent(in []byte) ([]byte, error) {
	v, err := parseJSON(in)
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("the event must be a JSON object")
	}
	typ, _ := obj["type"].(string)
	var kind *lifecycle
	for i := range lifecycles {
		if lifecycles[i].typ == typ {
			kind = &lifecycles[i]
		}
	}
	if kind == nil {
		return nil, errors.New("type: must be one of the four image generation call event types")
	}
	partial := typ == partialType
	desc := kind.new().Descriptor()
	// one single-field message per field number, concatenated in number order (see encode)
	parts := map[protowire.Number]protoreflect.Message{}
	set := func(name string, value protoreflect.Value) {
		fd := desc.Fields().ByName(protoreflect.Name(name))
		part := kind.new()
		part.Set(fd, value)
		parts[fd.Number()] = part
	}
	itemID, ok := obj["item_id"].(string)
	if !ok {
		return nil, errors.New("item_id: must be a string")
	}
	set("item_id", protoreflect.ValueOfString(itemID))
	names := []string{"output_index", "sequence_number"}
	if partial {
		names = append(names, "partial_image_index")
		image, ok := obj["partial_image_b64"].(string)
		if !ok {
			return nil, errors.New("partial_image_b64: must be a string")
		}
		if raw, ok := isCanonicalBase64(image); ok {
			set("partial_image", protoreflect.ValueOfBytes(raw))
		} else {
			set("partial_image_b64", protoreflect.ValueOfString(image))
		}
	}
	for _, name := range names {
		x, ok := obj[name].(float64)
		if !ok {
			return nil, fmt.Errorf("%s: must be a number", name)
		}
		if isSafeInt(x) {
			set(name, protoreflect.ValueOfInt64(int64(x)))
		} else {
			set(name+"_double", protoreflect.ValueOfFloat64(x))
		}
	}
	extra := &structpb.Struct{Fields: map[string]*structpb.Value{}}
	for k, val := range obj {
		if k == "itemId" || k == "outputIndex" || k == "sequenceNumber" || (partial && (k == "partialImageB64" || k == "partialImageIndex")) {
			return nil, fmt.Errorf("%s: SDK spelling of a known member is not allowed in wire JSON", k)
		}
		if !isKnown(k, partial) {
			if tooDeep(val, 0) {
				return nil, fmt.Errorf("%s: nested deeper than %d arrays and objects", k, maxDepth)
			}
			extra.Fields[k] = toValue(val)
		}
	}
	if len(extra.Fields) > 0 { // an empty extra is not written
		set("extra", protoreflect.ValueOfMessage(extra.ProtoReflect()))
	}
	opts := proto.MarshalOptions{Deterministic: true}
	var inner []byte
	for num := protowire.Number(1); num <= 15; num++ {
		if part, ok := parts[num]; ok {
			if inner, err = opts.MarshalAppend(inner, part.Interface()); err != nil {
				return nil, err
			}
		}
	}
	out := protowire.AppendTag(nil, kind.field, protowire.BytesType)
	return protowire.AppendBytes(out, inner), nil
}
