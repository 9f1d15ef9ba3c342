//! `codec serve`: size-delimited CodecRequest messages on stdin, one size-delimited
//! CodecResponse for each on stdout, in order, until stdin ends (interop/README.md).

use std::io::{BufRead, BufReader, BufWriter, Read, Write};

use prost::Message;

use crate::openresponses::conformance::v1::{codec_response::Result as Answer, CodecRequest, CodecResponse, Operation};
use crate::Command;

/// Serves requests until stdin ends; Err only when the stream itself breaks.
pub fn serve(command_for: fn(&str) -> Option<Command>) -> Result<(), String> {
    let mut input = BufReader::with_capacity(1 << 16, std::io::stdin().lock());
    let mut output = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    while let Some(request) = next_request(&mut input)? {
        let answer = match CodecRequest::decode(request.as_slice()) {
            Err(e) => Answer::Error(format!("not a valid CodecRequest: {e}")),
            Ok(request) => answer(&request, command_for),
        };
        let response = CodecResponse { result: Some(answer) }.encode_length_delimited_to_vec();
        output.write_all(&response).map_err(|e| format!("write stdout: {e}"))?;
        // Flush before we would block on stdin: a client that writes many requests ahead
        // gets its answers in batches, and one that waits for each answer gets it at once.
        if input.buffer().is_empty() {
            output.flush().map_err(|e| format!("write stdout: {e}"))?;
        }
    }
    output.flush().map_err(|e| format!("write stdout: {e}"))
}

fn answer(request: &CodecRequest, command_for: fn(&str) -> Option<Command>) -> Answer {
    let name = match Operation::try_from(request.operation) {
        Ok(Operation::Decode) => "decode",
        Ok(Operation::Encode) => "encode",
        Ok(Operation::DecodeEvent) => "decode-event",
        Ok(Operation::EncodeEvent) => "encode-event",
        _ => return Answer::Error(format!("unknown operation {}", request.operation)),
    };
    let command = command_for(name).expect("every operation has a command");
    match command(&request.input) {
        Ok(out) => Answer::Output(out),
        Err(e) => Answer::Refusal(crate::refusal_line(name, &e)),
    }
}

/// The next message of a size-delimited stream: None at the end of the stream, Err when it
/// ends inside a message.
fn next_request(input: &mut impl BufRead) -> Result<Option<Vec<u8>>, String> {
    let mut len: u64 = 0;
    for i in 0..10 {
        let mut byte = [0u8];
        if input.read(&mut byte).map_err(|e| format!("read stdin: {e}"))? == 0 {
            return if i == 0 { Ok(None) } else { Err("stdin ends inside a length prefix".into()) };
        }
        len |= u64::from(byte[0] & 0x7f) << (7 * i);
        if byte[0] < 0x80 {
            let mut message = Vec::new();
            input.take(len).read_to_end(&mut message).map_err(|e| format!("read stdin: {e}"))?;
            if (message.len() as u64) < len {
                return Err("stdin ends inside a request".into());
            }
            return Ok(Some(message));
        }
    }
    Err("length prefix longer than 10 bytes".into())
}
