#!/usr/bin/env bash
# Builds the interop codecs interop/<lang>/codec (see interop/README.md).
#
#   scripts/interop-build.sh [--force] [lang...]    langs: go python java rust cpp (default: all)
#
# Idempotent and cached: a language is skipped when the hash of its inputs (proto/,
# its sources and lock files, this script, the toolchain versions) matches the stamp
# of its last successful build (interop/.stamps/<lang>) and its output is there.
# --force rebuilds anyway. Installs what it needs from the package registries:
# Debian's protobuf-compiler + libprotobuf-dev (go, rust, cpp), PyPI packages into
# interop/python/.venv, Go modules, Maven artifacts and crates into the tools'
# default caches (Rust's compiled dependencies too: one cargo target directory for
# every checkout). Each build ends with a smoke test of the codec it built.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
interop="$root/interop"
stamps="$interop/.stamps"
all_langs=(go python java rust cpp)
serving_langs=(go python java rust cpp) # the codecs that implement `codec serve` (smoke-tested)
example_json='{"type":"response.image_generation_call.completed","item_id":"ig_1","output_index":0,"sequence_number":7}'
example_hex=0a0469675f3110001807

log() { printf 'interop-build: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

force=0
langs=()
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h | --help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    go | python | java | rust | cpp) langs+=("$arg") ;;
    *) die "unknown argument '$arg' (langs: ${all_langs[*]})" ;;
  esac
done
[ ${#langs[@]} -gt 0 ] || langs=("${all_langs[@]}")

need_tool() { command -v "$1" >/dev/null 2>&1 || die "$1 not found: the $2 codec needs it"; }

# ---- Debian's protoc, with the well-known types (google/protobuf/struct.proto) ----

apt_updated=0
apt_install() {
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  if [ $apt_updated = 0 ]; then
    log "apt-get update"
    "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt_updated=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 \
    install -y -qq --no-install-recommends "$@" >/dev/null
}

protoc_compiles_schema() {
  command -v protoc >/dev/null 2>&1 &&
    protoc -I "$root/proto" -o /dev/null openresponses/v1/image_gen_call.proto 2>/dev/null
}

need_protoc() {
  # protoc finds struct.proto in its own include dir, which libprotobuf-dev fills.
  protoc_compiles_schema && return
  command -v apt-get >/dev/null 2>&1 || die "protoc (with the well-known types) not found and no apt-get"
  apt_install protobuf-compiler libprotobuf-dev
  protoc_compiles_schema || die "protoc cannot compile proto/ even after installing protobuf-compiler"
}

# The C++ codec compiles against protobuf's C++ library: its headers and pkg-config file come with
# libprotobuf-dev, and the code protoc generates must be of the library's version.
need_protobuf_library() {
  pkg-config --exists protobuf 2>/dev/null || apt_install libprotobuf-dev
  local lib compiler
  lib=$(pkg-config --modversion protobuf)
  compiler=$(protoc --version | sed 's/^libprotoc //')
  case "$lib" in "$compiler" | *".$compiler") ;; *) false ;; esac || # protoc 25.1 goes with library 4.25.1
    die "protoc $compiler and the protobuf C++ library $lib differ: the cpp codec needs one version"
}

# ---- inputs hash and stamps ----

tool_versions() {
  case "$1" in
    go) go version; protoc --version ;;
    python) python3 --version ;;
    # java: the class data sharing archive records the jars' absolute paths, so the path counts too
    java) java -version 2>&1 | sed -n 1p; mvn -v -B -Dstyle.color=never 2>&1 | sed -n 1p; echo "$interop" ;; # sed, not head: no SIGPIPE
    rust) rustc --version; protoc --version ;;
    cpp) protoc --version; pkg-config --modversion protobuf; g++ --version | sed -n 1p ;;
  esac
}

lang_inputs() {
  case "$1" in
    go) printf '%s\n' go/main.go go/serve.go go/go.mod go/go.sum go/codec ;;
    python) printf '%s\n' python/codec.py python/requirements.txt python/codec ;;
    java) printf '%s\n' java/pom.xml java/codec; (cd "$interop" && find java/src -type f | LC_ALL=C sort) ;;
    rust) printf '%s\n' rust/Cargo.toml rust/build.rs rust/codec
          (cd "$interop" && find rust/src -type f | LC_ALL=C sort) ;;
    cpp) printf '%s\n' cpp/Makefile cpp/codec; (cd "$interop" && find cpp/src -type f | LC_ALL=C sort) ;;
  esac
}

inputs_hash() {
  {
    (cd "$root" && find proto -type f -name '*.proto' | LC_ALL=C sort | xargs sha256sum)
    (cd "$interop" && lang_inputs "$1" | xargs sha256sum)
    sha256sum < "${BASH_SOURCE[0]}"
    tool_versions "$1"
  } | sha256sum | cut -d' ' -f1
}

output_present() {
  case "$1" in
    go) [ -x "$interop/go/bin/codec" ] ;;
    python) [ -x "$interop/python/.venv/bin/python" ] && [ -f "$interop/python/gen/openresponses/v1/image_gen_call_pb2.py" ] &&
      [ -f "$interop/python/gen/openresponses/conformance/v1/codec_pb2.py" ] ;;
    java) [ -f "$interop/java/target/codec.jar" ] && [ -f "$interop/java/target/codec.jsa" ] ;;
    rust) [ -x "$interop/rust/target/release/codec" ] ;;
    cpp) [ -x "$interop/cpp/build/codec" ] ;;
  esac
}

smoke_test() {
  local codec="$interop/$1/codec" hex line
  hex=$(printf '%s' "$example_json" | "$codec" encode | od -An -v -tx1 | tr -d ' \n')
  [ "$hex" = "$example_hex" ] || die "$1: smoke test: encode gave '$hex', want $example_hex"
  line=$(printf '%s' "$example_json" | "$codec" encode | "$codec" decode)
  [ "$line" = "$example_json" ] || die "$1: smoke test: decode gave '$line'"
}

# `codec serve` with two requests: the example to encode, then an unknown operation; the answers
# are the example's bytes (CodecResponse.output) and CodecResponse.error.
serve_smoke_test() {
  local codec="$interop/$1/codec" dir hex
  dir=$(mktemp -d)
  printf '%s' "$example_json" > "$dir/example.json"
  : > "$dir/empty"
  { serve_request 2 "$dir/example.json"; serve_request 9 "$dir/empty"; } > "$dir/requests"
  hex=$("$codec" serve < "$dir/requests" | od -An -v -tx1 | tr -d ' \n')
  rm -rf "$dir"
  case "$hex" in
    0c0a0a"$example_hex"??1a*) ;;
    *) die "$1: smoke test: serve gave '$hex', want 0c0a0a${example_hex} then an error" ;;
  esac
}

# A varint (protobuf's base 128), as raw bytes on stdout.
varint() {
  local n=$1
  while [ "$n" -ge 128 ]; do
    printf "\\$(printf %03o $(((n & 127) | 128)))"
    n=$((n >> 7))
  done
  printf "\\$(printf %03o "$n")"
}

# serve_request OPERATION FILE: a size-delimited CodecRequest {operation, input = the file}.
serve_request() {
  local message
  message=$(mktemp)
  { printf '\010'; varint "$1"; printf '\022'; varint "$(wc -c < "$2")"; cat "$2"; } > "$message"
  varint "$(wc -c < "$message")"
  cat "$message"
  rm -f "$message"
}

# ---- the builds ----

# prepare_<lang>: the tools that its hash and build need.
prepare_go() { need_tool go go; need_protoc; }
prepare_python() { need_tool python3 python; }
prepare_java() { need_tool java java; need_tool mvn java; }
prepare_rust() { need_tool cargo rust; need_tool rustc rust; need_tool flock rust; need_protoc; } # prost-build runs protoc
prepare_cpp() { need_tool g++ cpp; need_tool make cpp; need_tool pkg-config cpp; need_protoc; need_protobuf_library; }

build_go() {
  cd "$interop/go"
  mkdir -p bin
  # protoc-gen-go from the module version that go.mod pins for the runtime.
  go build -buildvcs=false -o bin/protoc-gen-go google.golang.org/protobuf/cmd/protoc-gen-go
  rm -rf gen && mkdir gen
  protoc -I "$root/proto" --plugin=protoc-gen-go="$interop/go/bin/protoc-gen-go" \
    --go_out=gen --go_opt=paths=source_relative \
    --go_opt=Mopenresponses/v1/image_gen_call.proto='openresponses-wire/interop/go/gen/openresponses/v1;openresponsesv1' \
    --go_opt=Mopenresponses/conformance/v1/codec.proto='openresponses-wire/interop/go/gen/openresponses/conformance/v1;conformancev1' \
    openresponses/v1/image_gen_call.proto openresponses/conformance/v1/codec.proto
  go build -buildvcs=false -trimpath -o bin/codec .
}

build_python() {
  cd "$interop/python"
  if ! .venv/bin/python -c 'import sys' >/dev/null 2>&1; then
    rm -rf .venv
    python3 -m venv .venv
  fi
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
  local wkt
  wkt=$(.venv/bin/python -c 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))')
  rm -rf gen && mkdir gen
  .venv/bin/python -m grpc_tools.protoc -I "$root/proto" -I "$wkt" --python_out=gen \
    openresponses/v1/image_gen_call.proto openresponses/conformance/v1/codec.proto
}

build_java() {
  cd "$interop/java"
  # (Maven 3.8 prints stray colour resets even in batch mode: strip them.)
  # stripVersion: target/dependency/protobuf-java.jar, the name the codec script puts on its classpath.
  mvn -B -q -Dstyle.color=never -Dmdep.stripVersion=true clean compile dependency:copy-dependencies 2>&1 |
    sed 's/\x1b\[0m//g' >&2
  jar --create --file target/codec.jar -C target/classes .
  # A class data sharing archive of every class one encode and one decode load: it halves the
  # JVM's start (each codec run is a new process). The classpath must be the one the codec
  # script uses, absolute paths included.
  local cp="$interop/java/target/codec.jar:$interop/java/target/dependency/protobuf-java.jar"
  local ex='{"type":"response.image_generation_call.completed","item_id":"ig_1","output_index":3469.55,"sequence_number":-0,"x":{"a":[null,true,1.5,"s",{}]}}'
  printf '%s' "$ex" | java -XX:DumpLoadedClassList=target/encode.classes -cp "$cp" openresponses.interop.Codec encode > target/train.bin
  java -XX:DumpLoadedClassList=target/decode.classes -cp "$cp" openresponses.interop.Codec decode < target/train.bin > /dev/null
  # the envelope commands too (a partial image: every message class and the base64 coder)
  local ev='{"type":"response.image_generation_call.partial_image","item_id":"ig_1","output_index":0,"sequence_number":1.5,"partial_image_b64":"QUJD","partial_image_index":0,"x":{"a":[null,true,1.5,"s",{}]}}'
  printf '%s' "$ev" | java -XX:DumpLoadedClassList=target/encode-event.classes -cp "$cp" openresponses.interop.Codec encode-event > target/train-event.bin
  java -XX:DumpLoadedClassList=target/decode-event.classes -cp "$cp" openresponses.interop.Codec decode-event < target/train-event.bin > /dev/null
  # and serve, with its JIT flag (the codec script's), on one request of each operation
  printf '%s' "$ex" > target/train.json
  printf '%s' "$ev" > target/train-event.json
  { serve_request 2 target/train.json; serve_request 1 target/train.bin
    serve_request 4 target/train-event.json; serve_request 3 target/train-event.bin; } > target/train-serve.bin
  java -XX:TieredStopAtLevel=1 -XX:DumpLoadedClassList=target/serve.classes -cp "$cp" openresponses.interop.Codec serve \
    < target/train-serve.bin > /dev/null
  LC_ALL=C sort -u target/encode.classes target/decode.classes target/encode-event.classes target/decode-event.classes \
    target/serve.classes > target/codec.classes
  java -Xshare:dump -XX:SharedClassListFile=target/codec.classes -XX:SharedArchiveFile=target/codec.jsa \
    -cp "$cp" > target/cds-dump.log 2>&1 || { cat target/cds-dump.log >&2; return 1; }
}

build_rust() {
  cd "$interop/rust"
  # One target directory for every checkout (CARGO_TARGET_DIR wins if set): a fresh clone then
  # compiles only this crate, not its dependencies again. The codec script runs the copy here.
  # Cargo would take another checkout's build of this crate for fresh (its dep-info paths are
  # relative), so clean this crate first: this script only builds when the inputs changed.
  local target="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/openresponses-wire/cargo-target}"
  # Two checkouts building at once would clean each other's binary before it is copied: one at a
  # time (the lock is released when this subshell ends).
  mkdir -p "$target"
  exec 9> "$target/interop-codec.lock"
  flock 9
  CARGO_TARGET_DIR="$target" cargo clean --release --quiet -p openresponses-interop-codec
  CARGO_TARGET_DIR="$target" cargo build --release --quiet
  mkdir -p target/release
  cp "$target/release/codec" target/release/codec.tmp && mv target/release/codec.tmp target/release/codec
}

build_cpp() {
  # Generated code and library from the same Debian protobuf (prepare_cpp checked the versions).
  cd "$interop/cpp"
  make -s clean
  make -s -j2
}

mkdir -p "$stamps"
for lang in "${langs[@]}"; do
  "prepare_$lang" # before hashing: the hash includes the tools' versions
  hash=$(inputs_hash "$lang")
  if [ $force = 0 ] && [ -f "$stamps/$lang" ] && [ "$(cat "$stamps/$lang")" = "$hash" ] && output_present "$lang"; then
    log "$lang: up to date"
    continue
  fi
  log "$lang: building"
  start=$SECONDS
  rm -f "$stamps/$lang"
  ("build_$lang")
  smoke_test "$lang"
  case " ${serving_langs[*]} " in *" $lang "*) serve_smoke_test "$lang" ;; esac
  printf '%s\n' "$hash" > "$stamps/$lang"
  log "$lang: built and smoke-tested in $((SECONDS - start))s"
done
