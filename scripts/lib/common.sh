# Shared by the broker scripts (brokers-up/down.sh, cluster-up/down.sh): sourced, not run.
# The caller sets SCRIPT (its name, for messages) and SCRIPT_FILE (its path), and cds to the repo
# root first.
#
# A script names its processes ("nodes", e.g. nats, kafka, kafka-2) and defines, for each:
#   node_pattern NODE   a string its command line contains (guards against a recycled pid)
#   node_ports NODE     the 127.0.0.1 ports it listens on
#   node_desc NODE      how it is named in messages once up (e.g. "kafka-2 on 127.0.0.1:19093")
#   node_healthy NODE   true once it serves
#   node_start NODE     launches it (with `launch`)
# and then calls start_node / await_node from here.

log() { echo "$SCRIPT: $*"; }
die() { echo "$SCRIPT: $*" >&2; exit 1; }
now() { echo "${EPOCHREALTIME/[,]/.}"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; } # since START

usage() { sed -n '2,/^set -euo/p' "$SCRIPT_FILE" | sed -e '$d' -e 's/^# \{0,1\}//'; }

# parse_args "ALLOWED_FLAG..." ARG...: the command line every broker script takes: flags among
# ALLOWED_FLAG (each sets flag_<name>=1, dashes as underscores) and the brokers to act on
# (want_nats, want_kafka; both when none is named).
parse_args() {
  local allowed=$1 arg; shift
  want_nats=0
  want_kafka=0
  for arg in "$@"; do
    case "$arg" in
      nats) want_nats=1 ;;
      kafka) want_kafka=1 ;;
      -h|--help) usage; exit 0 ;;
      *)
        if [[ $arg == --* && " $allowed " == *" $arg "* ]]; then
          local name=${arg#--}
          printf -v "flag_${name//-/_}" 1
        else
          echo "$SCRIPT: unknown argument '$arg' (expected: ${allowed:+[$allowed] }[nats|kafka]...)" >&2
          exit 2
        fi
        ;;
    esac
  done
  if [[ $want_nats == 0 && $want_kafka == 0 ]]; then want_nats=1; want_kafka=1; fi
}

# dirs RUN_DEFAULT: RUN_DIR (from $ORWIRE_RUN_DIR or RUN_DEFAULT) and CACHE_DIR (from
# $ORWIRE_CACHE_DIR or .cache) as absolute paths, created; RUN_DISPLAY and CACHE_DISPLAY as given.
dirs() {
  RUN_DISPLAY=${ORWIRE_RUN_DIR:-$1}
  CACHE_DISPLAY=${ORWIRE_CACHE_DIR:-.cache}
  mkdir -p "$RUN_DISPLAY" "$CACHE_DISPLAY"
  RUN_DIR=$(cd "$RUN_DISPLAY" && pwd)
  CACHE_DIR=$(cd "$CACHE_DISPLAY" && pwd)
  RUN_DISPLAY=${RUN_DISPLAY%/}
  CACHE_DISPLAY=${CACHE_DISPLAY%/}
}

# lock FILE [FD]: one script at a time per FILE, on FD 7, 8 or 9 (default 9), which `launch`
# closes, so the brokers themselves never hold it.
lock() {
  local fd=${2:-9}
  eval "exec $fd>\"\$1\""
  flock -w 600 "$fd" || die "another broker script still holds ${1##*/} after 600s"
}

# ---------------------------------------------------------------- installs

apt_updated=0
apt_install() { # apt_install PACKAGE...
  local apt_log="$RUN_DIR/apt.log"
  local -a sudo=()
  if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || die "need root (or sudo) to apt-get install $*"
    sudo=(sudo)
  fi
  log "installing $* (apt-get)"
  if [[ $apt_updated == 0 ]]; then
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update >"$apt_log" 2>&1; then
      tail -n 20 "$apt_log" >&2; die "apt-get update failed"
    fi
    apt_updated=1
  fi
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y --no-install-recommends "$@" >>"$apt_log" 2>&1; then
    tail -n 20 "$apt_log" >&2; die "apt-get install $* failed"
  fi
}

need_cmd() { # need_cmd COMMAND APT_PACKAGE
  command -v "$1" >/dev/null 2>&1 || apt_install "$2"
  command -v "$1" >/dev/null 2>&1 || die "'$1' still missing after installing $2"
}

# ---------------------------------------------------------------- processes

# pid_alive_pid PID PATTERN: PID runs, is no zombie, and its command line contains PATTERN.
pid_alive_pid() {
  local state
  [[ $1 =~ ^[0-9]+$ && -r /proc/$1/stat ]] || return 1
  state=$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ $state != Z && $state != X ]] || return 1
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# pid_alive PIDFILE PATTERN: the same for the pid in PIDFILE.
pid_alive() {
  [[ -s $1 ]] || return 1
  pid_alive_pid "$(<"$1")" "$2"
}

# launch PIDFILE LOGFILE COMMAND...: run COMMAND in its own session, detached
# from our stdio and locks (fds 7 to 9), appending to LOGFILE; its pid goes to PIDFILE.
launch() {
  local pidfile=$1 logfile=$2; shift 2
  rm -f "$pidfile"
  # shellcheck disable=SC2016
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 7>&- 8>&- 9>&- &
  local _
  for _ in $(seq 50); do [[ -s $pidfile ]] && return 0; sleep 0.1; done
  die "could not start ${1##*/}"
}

tail_log() { # tail_log FILE NAME
  echo "---- last lines of $2 ----" >&2
  tail -n "${ORWIRE_LOG_TAIL:-60}" "$1" >&2 2>/dev/null || true
  echo "---- end of $2 ----" >&2
}

port_in_use() { # port_in_use PORT
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

ports_free() { # ports_free PORT...: true once none accepts (waits 3 s for a dying process)
  local _ p busy
  for _ in $(seq 15); do
    busy=0
    for p in "$@"; do if port_in_use "$p"; then busy=1; fi; done
    [[ $busy == 0 ]] && return 0
    sleep 0.2
  done
  return 1
}

# ---------------------------------------------------------------- start and wait

declare -A launched_at=()

# start_node NODE: leaves a running node alone (healthy or still starting), and launches one that
# is not running. A node that serves without our pid file (started elsewhere) is left alone too.
start_node() {
  local node=$1
  if pid_alive "$RUN_DIR/$node.pid" "$(node_pattern "$node")"; then return 0; fi
  if node_healthy "$node"; then
    log "$(node_desc "$node") already serving (not started by this script), left alone"
    launched_at[$node]=external
    return 0
  fi
  # shellcheck disable=SC2046
  ports_free $(node_ports "$node") || die "a port of $node ($(node_ports "$node")) on 127.0.0.1 is taken by something that is not a serving $node"
  launched_at[$node]=$(now)
  node_start "$node"
}

# await_node NODE TIMEOUT: waits until NODE serves. A node that this script launched and that
# exits is an error (with its log); one that was dying from a kill when start_node saw it (alive,
# then gone) is launched now.
await_node() {
  local node=$1 timeout=$2 noted=0 deadline=$((SECONDS + $2))
  local pidfile="$RUN_DIR/$node.pid" pattern; pattern=$(node_pattern "$node")
  [[ ${launched_at[$node]:-} == external ]] && return 0
  while :; do
    if pid_alive "$pidfile" "$pattern"; then
      if node_healthy "$node"; then
        if [[ -n ${launched_at[$node]:-} ]]; then
          log "$(node_desc "$node") up (pid $(<"$pidfile"), $(since "${launched_at[$node]}"); log $RUN_DISPLAY/$node.log)"
        else
          log "$node already up (pid $(<"$pidfile")), left alone"
        fi
        return 0
      fi
      if [[ -z ${launched_at[$node]:-} && $noted == 0 ]]; then
        log "$node (pid $(<"$pidfile")) is running but not serving; waiting"; noted=1
      fi
    elif [[ -n ${launched_at[$node]:-} ]]; then
      tail_log "$RUN_DIR/$node.log" "$RUN_DISPLAY/$node.log"
      die "$node exited before it was ready"
    else
      start_node "$node"
      deadline=$((SECONDS + timeout))
    fi
    if ((SECONDS >= deadline)); then
      tail_log "$RUN_DIR/$node.log" "$RUN_DISPLAY/$node.log"
      die "$node not serving after ${timeout}s"
    fi
    sleep 0.3
  done
}

# ---------------------------------------------------------------- stop

# stop_node NODE MODE: MODE kill (SIGKILL at once) or term (SIGTERM, up to $STOP_TIMEOUT s, then
# SIGKILL). Returns once the process is gone; a node that is not running is no error.
stop_node() {
  local node=$1 mode=$2 pidfile="$RUN_DIR/$1.pid" pid="" pattern
  pattern=$(node_pattern "$node")
  [[ -s $pidfile ]] && pid=$(<"$pidfile")
  if ! pid_alive_pid "$pid" "$pattern"; then
    log "$node not running"
  elif [[ $mode == kill ]]; then
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" "$pattern" 100 || log "$node (pid $pid) still there after SIGKILL"
    log "$node killed (pid $pid, SIGKILL)"
  else
    local t0; t0=$(now)
    kill -CONT "$pid" 2>/dev/null || true # a stopped (SIGSTOP) process cannot act on SIGTERM
    kill -TERM "$pid" 2>/dev/null || true
    if wait_gone "$pid" "$pattern" $((STOP_TIMEOUT * 10)); then
      log "$node stopped (pid $pid, $(since "$t0"))"
    else
      log "$node (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" "$pattern" 100 || log "$node (pid $pid) still there after SIGKILL"
    fi
  fi
  rm -f "$pidfile"
}

wait_gone() { # wait_gone PID PATTERN TENTHS
  local i
  for ((i = 0; i < $3; i++)); do
    pid_alive_pid "$1" "$2" || return 0
    sleep 0.1
  done
  return 1
}
