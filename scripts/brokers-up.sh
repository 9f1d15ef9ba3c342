#!/usr/bin/env bash
# Start real local brokers for the integration tests: NATS (JetStream) and a
# single-node Apache Kafka 4.x (KRaft), both listening on 127.0.0.1 only.
#
# Usage: scripts/brokers-up.sh [--fresh] [nats|kafka]...
#   no broker named   start both
#   --fresh           stop the named broker(s) if running and wipe their data first
#
# Idempotent: a broker that is already up and healthy is left alone, so this is
# also how a test restarts a broker it killed (e.g. `scripts/brokers-up.sh kafka`
# after `kill -9 "$(cat .run/kafka.pid)"`). Works from any cwd; installs what
# is missing (apt: nats-server, kcat, curl; Maven resolves the Kafka jars).
#
#   NATS   client 127.0.0.1:4222, monitoring http://127.0.0.1:8222
#          JetStream file store in <run>/nats: kept across restarts.
#   Kafka  PLAINTEXT 127.0.0.1:9092, KRaft controller 127.0.0.1:9093
#          data in <run>/kafka-data. Formatted (new cluster id) only when it holds
#          no meta.properties, i.e. on a first start, after brokers-down.sh, or
#          with --fresh; a restart after a crash/kill -9 keeps the data.
#
# Files (<run> = .run/ at the repo root, or $ORWIRE_RUN_DIR):
#   <run>/nats.pid  <run>/kafka.pid     pid of nats-server / of the Kafka JVM
#   <run>/nats.log  <run>/kafka.log     broker logs
#   <run>/kafka-server.properties       rendered from scripts/kafka/server.properties
# Cache (<cache> = .cache/ at the repo root, or $ORWIRE_CACHE_DIR):
#   <cache>/kafka-libs                  the broker's jars, re-resolved when
#                                       scripts/kafka/pom.xml changes
# Relative ORWIRE_* paths are taken from the repo root.
# Timeouts (seconds): ORWIRE_NATS_TIMEOUT (30), ORWIRE_KAFKA_TIMEOUT (120).
#
# Stop with scripts/brokers-down.sh (see there for --keep and --kill).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }

fresh=0
want_nats=0
want_kafka=0
for arg in "$@"; do
  case "$arg" in
    --fresh) fresh=1 ;;
    nats) want_nats=1 ;;
    kafka) want_kafka=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "brokers-up: unknown argument '$arg' (expected: [--fresh] [nats|kafka]...)" >&2; exit 2 ;;
  esac
done
if [[ $want_nats == 0 && $want_kafka == 0 ]]; then want_nats=1; want_kafka=1; fi

RUN_DISPLAY=${ORWIRE_RUN_DIR:-.run}
CACHE_DISPLAY=${ORWIRE_CACHE_DIR:-.cache}
mkdir -p "$RUN_DISPLAY" "$CACHE_DISPLAY"
RUN_DIR=$(cd "$RUN_DISPLAY" && pwd)
CACHE_DIR=$(cd "$CACHE_DISPLAY" && pwd)
RUN_DISPLAY=${RUN_DISPLAY%/}
CACHE_DISPLAY=${CACHE_DISPLAY%/}

NATS_TIMEOUT=${ORWIRE_NATS_TIMEOUT:-30}
KAFKA_TIMEOUT=${ORWIRE_KAFKA_TIMEOUT:-120}
NATS_HEALTH_URL='http://127.0.0.1:8222/healthz?js-enabled-only=true'
KAFKA_BOOTSTRAP=127.0.0.1:9092

# One brokers-up/brokers-down at a time (the brokers themselves never hold this lock).
exec 9>"$RUN_DIR/.brokers.lock"
flock -w 600 9 || { echo "brokers-up: another brokers-up/brokers-down still runs after 600s" >&2; exit 1; }

log() { echo "brokers-up: $*"; }
now() { echo "${EPOCHREALTIME/[,]/.}"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; } # since START
die() { echo "brokers-up: $*" >&2; exit 1; }

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

# pid_alive PIDFILE PATTERN: the pid in PIDFILE runs, is no zombie, and its
# command line contains PATTERN (guards against a recycled pid).
pid_alive() {
  local pid state
  [[ -s $1 ]] || return 1
  pid=$(<"$1")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/stat ]] || return 1
  state=$(sed -e 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ $state != Z && $state != X ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# launch PIDFILE LOGFILE COMMAND...: run COMMAND in its own session, detached
# from our stdio and lock, appending to LOGFILE; its pid goes to PIDFILE.
launch() {
  local pidfile=$1 logfile=$2; shift 2
  rm -f "$pidfile"
  # shellcheck disable=SC2016
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 9>&- &
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

stop_fresh() { # stop_fresh BROKER: for --fresh
  "$PWD/scripts/brokers-down.sh" --no-lock "$1"
}

# ---------------------------------------------------------------- NATS

find_nats_server() {
  local bin
  bin=$(command -v nats-server 2>/dev/null \
    || dpkg -L nats-server 2>/dev/null | grep -m1 'bin/nats-server$' || true)
  if [[ -n $bin && -x $bin ]]; then echo "$bin"; fi
}

nats_healthy() { curl -fsS --max-time 2 "$NATS_HEALTH_URL" >/dev/null 2>&1; }

nats_up() {
  local pidfile="$RUN_DIR/nats.pid" logfile="$RUN_DIR/nats.log" store="$RUN_DIR/nats"
  local start; start=$(now)
  need_cmd curl curl
  # Debian puts nats-server in an sbin directory, which a non-root PATH may lack.
  local nats_bin
  nats_bin=$(find_nats_server)
  if [[ -z $nats_bin ]]; then
    apt_install nats-server
    nats_bin=$(find_nats_server)
    [[ -n $nats_bin ]] || die "nats-server still missing after installing it"
  fi

  if [[ $fresh == 1 ]]; then stop_fresh nats; fi

  # Loop: a process still dying from a kill -9 just before this call is seen
  # first as alive, then as gone, and then started.
  local launched=0 noted=0 deadline=$((SECONDS + NATS_TIMEOUT))
  while :; do
    if pid_alive "$pidfile" nats-server; then
      if nats_healthy; then
        if [[ $launched == 1 ]]; then
          log "nats up on 127.0.0.1:4222 with JetStream (pid $(<"$pidfile"), $(since "$start"); log $RUN_DISPLAY/nats.log)"
        else
          log "nats already up (pid $(<"$pidfile")), left alone"
        fi
        return 0
      fi
      if [[ $launched == 0 && $noted == 0 ]]; then
        log "nats (pid $(<"$pidfile")) is running but not healthy; waiting"; noted=1
      fi
    elif [[ $launched == 1 ]]; then
      tail_log "$logfile" "$RUN_DISPLAY/nats.log"
      die "nats-server exited before it was ready"
    elif nats_healthy; then
      log "nats already serving on 127.0.0.1:4222 (not started by this script), left alone"
      return 0
    else
      ports_free 4222 8222 || die "port 4222 or 8222 on 127.0.0.1 is taken by something that is not a healthy nats-server with JetStream (a system nats-server service? stop it)"
      # No store yet: a fresh start, so a fresh log too.
      [[ -d $store ]] || : >"$logfile"
      mkdir -p "$store"
      printf '==== %s brokers-up: starting nats-server\n' "$(date -u +%FT%TZ)" >>"$logfile"
      launch "$pidfile" "$logfile" "$nats_bin" -js -sd "$store" -a 127.0.0.1 -p 4222 -m 8222
      launched=1
      deadline=$((SECONDS + NATS_TIMEOUT))
    fi
    if ((SECONDS >= deadline)); then
      tail_log "$logfile" "$RUN_DISPLAY/nats.log"
      die "nats-server not healthy after ${NATS_TIMEOUT}s"
    fi
    sleep 0.2
  done
}

# ---------------------------------------------------------------- Kafka

java_bin() {
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then echo "$JAVA_HOME/bin/java"; else echo java; fi
}

kafka_libs() { # resolve the jars into $CACHE_DIR/kafka-libs unless cached for this pom
  local libs="$CACHE_DIR/kafka-libs" pom=scripts/kafka/pom.xml hash
  hash=$(sha256sum "$pom" | cut -d' ' -f1)
  if [[ -f $libs/.pom.sha256 && $(<"$libs/.pom.sha256") == "$hash" ]] \
      && compgen -G "$libs/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  need_cmd mvn maven
  local t0; t0=$(now); local tmp="$CACHE_DIR/kafka-libs.tmp.$$"
  log "resolving the Kafka jars with Maven into $CACHE_DISPLAY/kafka-libs (the first run can take minutes)"
  rm -rf "$tmp"
  if ! mvn -B -q -f "$pom" dependency:copy-dependencies \
      -DoutputDirectory="$tmp" -DincludeScope=runtime -Dstyle.color=never >"$RUN_DIR/maven.log" 2>&1; then
    tail_log "$RUN_DIR/maven.log" "Maven output"
    rm -rf "$tmp"
    die "Maven could not resolve scripts/kafka/pom.xml"
  fi
  echo "$hash" >"$tmp/.pom.sha256"
  rm -rf "$libs"
  mv "$tmp" "$libs"
  log "resolved $(find "$libs" -name '*.jar' | wc -l) jars in $(since "$t0")"
}

# kafka_serving: the broker answers a metadata request and lists itself.
# (Kafka 4.2 was seen to open 9092 only once it serves, but a TCP accept alone
# is not taken as proof; the port check only skips kcat's retries while closed.)
kafka_serving() {
  port_in_use 9092 || return 1
  timeout 5 kcat -b "$KAFKA_BOOTSTRAP" -L -m 2 2>/dev/null | grep -q "broker 1 at $KAFKA_BOOTSTRAP"
}

kafka_up() {
  local pidfile="$RUN_DIR/kafka.pid" logfile="$RUN_DIR/kafka.log"
  local data="$RUN_DIR/kafka-data" props="$RUN_DIR/kafka-server.properties"
  local start; start=$(now)
  need_cmd kcat kcat
  command -v java >/dev/null 2>&1 || [[ -n ${JAVA_HOME:-} ]] || apt_install openjdk-17-jre-headless

  if [[ $fresh == 1 ]]; then stop_fresh kafka; fi

  # Loop as for NATS: a JVM still dying from a kill -9 is waited for, then restarted.
  local launched=0 noted=0 deadline=$((SECONDS + KAFKA_TIMEOUT))
  while :; do
    if pid_alive "$pidfile" kafka.Kafka; then
      if kafka_serving; then
        if [[ $launched == 1 ]]; then
          log "kafka up on $KAFKA_BOOTSTRAP (pid $(<"$pidfile"), $(since "$start"); log $RUN_DISPLAY/kafka.log)"
        else
          log "kafka already up (pid $(<"$pidfile")), left alone"
        fi
        return 0
      fi
      if [[ $launched == 0 && $noted == 0 ]]; then
        log "kafka (pid $(<"$pidfile")) is running but not serving; waiting"; noted=1
      fi
    elif [[ $launched == 1 ]]; then
      tail_log "$logfile" "$RUN_DISPLAY/kafka.log"
      die "kafka exited before it was ready (stale data? try scripts/brokers-up.sh --fresh kafka)"
    elif kafka_serving; then
      log "kafka already serving on $KAFKA_BOOTSTRAP (not started by this script), left alone"
      return 0
    else
      ports_free 9092 9093 || die "port 9092 or 9093 on 127.0.0.1 is taken by something that is not a serving Kafka broker"
      kafka_start "$pidfile" "$logfile" "$data" "$props"
      launched=1
      deadline=$((SECONDS + KAFKA_TIMEOUT))
    fi
    if ((SECONDS >= deadline)); then
      tail_log "$logfile" "$RUN_DISPLAY/kafka.log"
      die "kafka not serving on $KAFKA_BOOTSTRAP after ${KAFKA_TIMEOUT}s"
    fi
    sleep 0.5
  done
}

kafka_start() { # kafka_start PIDFILE LOGFILE DATA_DIR PROPS
  local pidfile=$1 logfile=$2 data=$3 props=$4
  kafka_libs
  local java libs="$CACHE_DIR/kafka-libs" major
  java=$(java_bin)
  major=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  [[ ${major%%.*} =~ ^[0-9]+$ && ${major%%.*} -ge 17 ]] || die "Kafka 4.x needs Java 17 or newer (found '${major:-none}'); set JAVA_HOME"
  local -a jvm=(-Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$PWD/scripts/kafka/log4j2.properties"
    "-Dkafka.logs.dir=$RUN_DIR" -cp "$libs/*")

  local line tmpl=scripts/kafka/server.properties
  : >"$props.tmp"
  while IFS= read -r line || [[ -n $line ]]; do
    printf '%s\n' "${line//@KAFKA_DATA_DIR@/$data}" >>"$props.tmp"
  done <"$tmpl"
  mv "$props.tmp" "$props"

  if [[ ! -f $data/meta.properties ]]; then
    # Fresh start: new log, new data dir, new cluster id.
    rm -rf "$data"
    mkdir -p "$data"
    : >"$logfile"
    local cluster_id
    cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    printf '==== %s brokers-up: formatting a fresh KRaft log dir\n' "$(date -u +%FT%TZ)" >>"$logfile"
    if ! "$java" "${jvm[@]}" kafka.tools.StorageTool format --standalone \
        -t "$cluster_id" -c "$props" </dev/null >>"$logfile" 2>&1 9>&-; then
      tail_log "$logfile" "$RUN_DISPLAY/kafka.log"
      die "kafka storage format failed"
    fi
    log "kafka: formatted a fresh data dir"
  else
    log "kafka: restarting on the existing data in $RUN_DISPLAY/kafka-data"
  fi

  printf '==== %s brokers-up: starting kafka.Kafka\n' "$(date -u +%FT%TZ)" >>"$logfile"
  launch "$pidfile" "$logfile" "$java" "${jvm[@]}" kafka.Kafka "$props"
}

# ---------------------------------------------------------------- main

if [[ $want_nats == 1 ]]; then nats_up; fi
if [[ $want_kafka == 1 ]]; then kafka_up; fi
