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
# A replicated 3-node cluster of each: scripts/cluster-up.sh.
set -euo pipefail

SCRIPT=brokers-up
SCRIPT_FILE=$(realpath "${BASH_SOURCE[0]}")
cd "$(dirname "$SCRIPT_FILE")/.."
source scripts/lib/common.sh
source scripts/lib/nats.sh
source scripts/lib/kafka.sh

parse_args "--fresh" "$@"
dirs .run
lock "$RUN_DIR/.brokers.lock"

NATS_TIMEOUT=${ORWIRE_NATS_TIMEOUT:-30}
KAFKA_TIMEOUT=${ORWIRE_KAFKA_TIMEOUT:-120}

node_pattern() { case $1 in nats) echo nats-server ;; kafka) echo kafka.Kafka ;; esac; }
node_ports() { case $1 in nats) echo 4222 8222 ;; kafka) echo 9092 9093 ;; esac; }
node_desc() {
  case $1 in
    nats) echo "nats on 127.0.0.1:4222 with JetStream" ;;
    kafka) echo "kafka on 127.0.0.1:9092" ;;
  esac
}

# kafka: the broker answers a metadata request and lists itself. (Kafka 4.2 was seen to open 9092
# only once it serves, but a TCP accept alone is not taken as proof.)
node_healthy() {
  case $1 in
    nats) nats_monitor 8222 '/healthz?js-enabled-only=true' >/dev/null ;;
    kafka) kafka_metadata 9092 | grep -q "broker 1 at 127.0.0.1:9092" ;;
  esac
}

node_start() {
  case $1 in
    nats)
      local store="$RUN_DIR/nats"
      # No store yet: a fresh start, so a fresh log too.
      [[ -d $store ]] || : >"$RUN_DIR/nats.log"
      mkdir -p "$store"
      printf '==== %s brokers-up: starting nats-server\n' "$(date -u +%FT%TZ)" >>"$RUN_DIR/nats.log"
      launch "$RUN_DIR/nats.pid" "$RUN_DIR/nats.log" "$NATS_BIN" -c "$PWD/scripts/nats/server.conf" \
        -js -sd "$store" -a 127.0.0.1 -p 4222 -m 8222
      ;;
    kafka)
      local data="$RUN_DIR/kafka-data" props="$RUN_DIR/kafka-server.properties" logfile="$RUN_DIR/kafka.log"
      kafka_jvm "$RUN_DIR"
      render scripts/kafka/server.properties "$props" "KAFKA_DATA_DIR=$data"
      if [[ ! -f $data/meta.properties ]]; then
        # Fresh start: new log, new data dir, new cluster id.
        : >"$logfile"
        kafka_format "$data" "$props" "$(new_cluster_id)" "$logfile" --standalone
        log "kafka: formatted a fresh data dir"
      else
        log "kafka: restarting on the existing data in $RUN_DISPLAY/kafka-data"
      fi
      printf '==== %s brokers-up: starting kafka.Kafka\n' "$(date -u +%FT%TZ)" >>"$logfile"
      launch "$RUN_DIR/kafka.pid" "$logfile" "${KAFKA_JVM[@]}" kafka.Kafka "$props"
      ;;
  esac
}

if [[ $want_nats == 1 ]]; then
  nats_tools
  if [[ ${flag_fresh:-0} == 1 ]]; then bash scripts/brokers-down.sh --no-lock nats; fi
  start_node nats
  await_node nats "$NATS_TIMEOUT"
fi
if [[ $want_kafka == 1 ]]; then
  kafka_tools
  if [[ ${flag_fresh:-0} == 1 ]]; then bash scripts/brokers-down.sh --no-lock kafka; fi
  start_node kafka
  await_node kafka "$KAFKA_TIMEOUT"
fi
