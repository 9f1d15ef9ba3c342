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

cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }

mode="wipe"
lock=1
want_nats=0
want_kafka=0
for arg in "$@"; do
  case "$arg" in
    --keep) mode="keep" ;;
    --kill) mode="kill" ;;
    --no-lock) lock=0 ;; # internal: called by brokers-up.sh --fresh, which holds the lock
    nats) want_nats=1 ;;
    kafka) want_kafka=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "brokers-down: unknown argument '$arg' (expected: [--keep|--kill] [nats|kafka]...)" >&2; exit 2 ;;
  esac
done
if [[ $want_nats == 0 && $want_kafka == 0 ]]; then want_nats=1; want_kafka=1; fi

RUN_DISPLAY=${ORWIRE_RUN_DIR:-.run}
if [[ ! -d $RUN_DISPLAY ]]; then echo "brokers-down: nothing to stop"; exit 0; fi
RUN_DIR=$(cd "$RUN_DISPLAY" && pwd)
STOP_TIMEOUT=${ORWIRE_STOP_TIMEOUT:-30}

if [[ $lock == 1 ]]; then
  exec 9>"$RUN_DIR/.brokers.lock"
  flock 9
fi

log() { echo "brokers-down: $*"; }
now() { echo "${EPOCHREALTIME/[,]/.}"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; } # since START

# Same check as in brokers-up.sh: running, not a zombie, command line matches.
pid_alive_pid() { # pid_alive_pid PID PATTERN
  local state
  [[ -r /proc/$1/stat ]] || return 1
  state=$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ $state != Z && $state != X ]] || return 1
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

wait_gone() { # wait_gone PID PATTERN TENTHS
  local i
  for ((i = 0; i < $3; i++)); do
    pid_alive_pid "$1" "$2" || return 0
    sleep 0.1
  done
  return 1
}

stop_one() { # stop_one NAME PATTERN DATA_DIR EXTRA_FILE...
  local name=$1 pattern=$2 data=$3; shift 3
  local pidfile="$RUN_DIR/$name.pid" pid=""
  [[ -s $pidfile ]] && pid=$(<"$pidfile")
  if [[ $pid =~ ^[0-9]+$ ]] && pid_alive_pid "$pid" "$pattern"; then
    if [[ $mode == kill ]]; then
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" "$pattern" 100 || log "$name (pid $pid) still there after SIGKILL"
      log "$name killed (pid $pid, SIGKILL)"
    else
      local t0; t0=$(now)
      kill -TERM "$pid" 2>/dev/null || true
      if wait_gone "$pid" "$pattern" $((STOP_TIMEOUT * 10)); then
        log "$name stopped (pid $pid, $(since "$t0"))"
      else
        log "$name (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" "$pattern" 100 || log "$name (pid $pid) still there after SIGKILL"
      fi
    fi
  else
    log "$name not running"
  fi
  rm -f "$pidfile"
  if [[ $mode == wipe ]]; then
    rm -rf "$data"
    local f
    for f in "$@"; do rm -f "$f"; done
    log "$name data removed"
  fi
}

if [[ $want_kafka == 1 ]]; then
  stop_one kafka kafka.Kafka "$RUN_DIR/kafka-data" "$RUN_DIR/kafka-server.properties"
fi
if [[ $want_nats == 1 ]]; then
  stop_one nats nats-server "$RUN_DIR/nats"
fi
