#!/usr/bin/env bash
# Stop the local brokers started by scripts/brokers-up.sh and wipe their data.
#
# Usage: scripts/brokers-down.sh [--keep | --kill] [nats|kafka]...
#   no broker named   both
#   (default)         SIGTERM, wait up to 30 s, then SIGKILL; then remove the
#                     broker's data (<run>/nats, <run>/kafka-data), pid file
#                     and rendered config. Logs stay until the next fresh start.
#   --keep            stop the same way but keep the data, so the next
#                     brokers-up.sh restarts on it
#   --kill            SIGKILL at once (a crash), keep the data; a test's
#                     `kill -9 "$(cat .run/kafka.pid)"` does the same
#
# <run> is .run/ at the repo root, or $ORWIRE_RUN_DIR (relative: from the repo
# root). Pid files: <run>/nats.pid (nats-server), <run>/kafka.pid (the Kafka JVM).
# Stopping a broker that is not running is not an error.
# ORWIRE_STOP_TIMEOUT (seconds, default 30): how long SIGTERM is given.
set -euo pipefail

SCRIPT=brokers-down
SCRIPT_FILE=$(realpath "${BASH_SOURCE[0]}")
cd "$(dirname "$SCRIPT_FILE")/.."
source scripts/lib/common.sh

# --no-lock is internal: brokers-up.sh --fresh calls this while it holds the lock.
parse_args "--keep --kill --no-lock" "$@"
if [[ ! -d ${ORWIRE_RUN_DIR:-.run} ]]; then echo "brokers-down: nothing to stop"; exit 0; fi
dirs .run
STOP_TIMEOUT=${ORWIRE_STOP_TIMEOUT:-30}
if [[ ${flag_no_lock:-0} == 0 ]]; then lock "$RUN_DIR/.brokers.lock"; fi

node_pattern() { case $1 in nats) echo nats-server ;; kafka) echo kafka.Kafka ;; esac; }

mode=term
if [[ ${flag_kill:-0} == 1 ]]; then mode=kill; fi

down() { # down NODE DATA_DIR EXTRA_FILE...
  local node=$1 data=$2; shift 2
  stop_node "$node" "$mode"
  if [[ ${flag_keep:-0} == 0 && ${flag_kill:-0} == 0 ]]; then
    rm -rf "$data" "$@"
    log "$node data removed"
  fi
}

if [[ $want_kafka == 1 ]]; then down kafka "$RUN_DIR/kafka-data" "$RUN_DIR/kafka-server.properties"; fi
if [[ $want_nats == 1 ]]; then down nats "$RUN_DIR/nats"; fi
