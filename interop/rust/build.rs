// Generates the prost types for proto/ with prost-build and Debian's protoc
// (found on PATH, or via the PROTOC environment variable).
fn main() -> std::io::Result<()> {
    let proto_root = "../../proto";
    let proto_file = "../../proto/openresponses/v1/image_gen_call.proto";
    println!("cargo:rerun-if-changed={proto_file}");
    prost_build::Config::new().compile_protos(&[proto_file], &[proto_root])
}
