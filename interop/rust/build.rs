// Generates the prost types for proto/ with prost-build and Debian's protoc
// (found on PATH, or via the PROTOC environment variable): the event messages and the
// conformance kit's serve protocol.
fn main() -> std::io::Result<()> {
    let proto_root = "../../proto";
    let proto_files = [
        "../../proto/openresponses/v1/image_gen_call.proto",
        "../../proto/openresponses/conformance/v1/codec.proto",
    ];
    for file in proto_files {
        println!("cargo:rerun-if-changed={file}");
    }
    prost_build::Config::new().compile_protos(&proto_files, &[proto_root])
}
