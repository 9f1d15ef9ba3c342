package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protodelim"
	"google.golang.org/protobuf/proto"

	cpb "openresponses-wire/interop/go/gen/openresponses/conformance/v1"
)

// operations maps each request's operation to the one-shot command that answers it.
var operations = map[cpb.Operation]func([]byte) ([]byte, error){
	cpb.Operation_OPERATION_DECODE:       decode,
	cpb.Operation_OPERATION_ENCODE:       encode,
	cpb.Operation_OPERATION_DECODE_EVENT: decodeEvent,
	cpb.Operation_OPERATION_ENCODE_EVENT: encodeEvent,
}

// serve reads size-delimited CodecRequests from in until it ends and writes one size-delimited
// CodecResponse for each to out, in order. Responses are buffered and flushed whenever no
// further request is already buffered, so a pipelining client never waits on a response that
// sits in the buffer while the codec waits for its next request.
func serve(in io.Reader, out io.Writer) error {
	r := bufio.NewReaderSize(in, 64<<10)
	w := bufio.NewWriterSize(out, 64<<10)
	for {
		if r.Buffered() == 0 {
			if err := w.Flush(); err != nil {
				return fmt.Errorf("write stdout: %v", err)
			}
		}
		frame, err := readFrame(r)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return w.Flush()
			}
			return fmt.Errorf("read a request: %v", err)
		}
		if _, err := protodelim.MarshalTo(w, answerFrame(frame)); err != nil {
			return fmt.Errorf("write stdout: %v", err)
		}
	}
}

// readFrame reads one size-delimited frame: io.EOF at a clean end of the input, another error
// when the input ends inside a frame or its length prefix is broken.
func readFrame(r *bufio.Reader) ([]byte, error) {
	size, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	frame := make([]byte, size)
	if _, err := io.ReadFull(r, frame); err != nil {
		return nil, fmt.Errorf("the input ends inside a frame: %w", io.ErrUnexpectedEOF)
	}
	return frame, nil
}

// answerFrame answers one frame: an error if it is not a CodecRequest (the stream goes on, its
// framing intact), else the request's answer.
func answerFrame(frame []byte) *cpb.CodecResponse {
	req := &cpb.CodecRequest{}
	if err := proto.Unmarshal(frame, req); err != nil {
		return &cpb.CodecResponse{Result: &cpb.CodecResponse_Error{Error: fmt.Sprintf("codec(go): not a CodecRequest: %v", err)}}
	}
	return answer(req)
}

// answer runs one request: its output, a refusal with the reason, or an error for a request
// that cannot be served (an unknown operation, or a panic of the codec).
func answer(req *cpb.CodecRequest) (resp *cpb.CodecResponse) {
	command := operations[req.GetOperation()]
	if command == nil {
		return &cpb.CodecResponse{Result: &cpb.CodecResponse_Error{Error: fmt.Sprintf("unknown operation %d", req.GetOperation())}}
	}
	defer func() {
		if p := recover(); p != nil {
			resp = &cpb.CodecResponse{Result: &cpb.CodecResponse_Error{Error: fmt.Sprintf("codec(go): panic: %v", p)}}
		}
	}()
	out, err := command(req.GetInput())
	if err != nil {
		return &cpb.CodecResponse{Result: &cpb.CodecResponse_Refusal{Refusal: fmt.Sprintf("codec(go): %v", err)}}
	}
	return &cpb.CodecResponse{Result: &cpb.CodecResponse_Output{Output: out}}
}
