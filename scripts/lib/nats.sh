# nats-server from Debian, shared by brokers-up.sh and cluster-up.sh: sourced after common.sh.

find_nats_server() {
  local bin
  # Debian puts nats-server in an sbin directory, which a non-root PATH may lack.
  bin=$(command -v nats-server 2>/dev/null \
    || dpkg -L nats-server 2>/dev/null | grep -m1 'bin/nats-server$' || true)
  if [[ -n $bin && -x $bin ]]; then echo "$bin"; fi
}

# nats_tools: sets NATS_BIN to nats-server (installed if missing), and makes sure curl is there.
nats_tools() {
  need_cmd curl curl
  NATS_BIN=$(find_nats_server)
  if [[ -z $NATS_BIN ]]; then
    apt_install nats-server
    NATS_BIN=$(find_nats_server)
    [[ -n $NATS_BIN ]] || die "nats-server still missing after installing it"
  fi
}

# nats_monitor PORT PATH: a monitoring endpoint's answer (fails unless HTTP 200).
nats_monitor() { curl -fsS --max-time 2 "http://127.0.0.1:$1$2" 2>/dev/null; }
