#!/usr/bin/env bash
# Start replicated local clusters: 3 Apache Kafka 4.x nodes (KRaft, each both broker and
# controller, a controller quorum of 3) and 3 nats-server nodes with JetStream, clustered with
# routes. Everything listens on 127.0.0.1 only.
#
# Usage: scripts/cluster-up.sh [nats|kafka]...   (npm run cluster:up)
#   no broker named   both clusters
#
# Idempotent: it starts whichever node is not running (so it also restarts a node a test killed,
# on that node's data), leaves running nodes alone, and returns once every node has (re)joined and
# the cluster is ready:
#   Kafka  every node serves and is registered, and every partition has all its replicas in sync
#   NATS   every node is healthy (/healthz: JetStream current with its meta leader and streams)
#          and routed to the two others
#
#   node     clients            cluster                       monitoring
#   kafka-1  127.0.0.1:19092    controller 127.0.0.1:19192
#   kafka-2  127.0.0.1:19093    controller 127.0.0.1:19193
#   kafka-3  127.0.0.1:19094    controller 127.0.0.1:19194
#   nats-1   127.0.0.1:14222    routes 127.0.0.1:16222        http://127.0.0.1:18222
#   nats-2   127.0.0.1:14223    routes 127.0.0.1:16223        http://127.0.0.1:18223
#   nats-3   127.0.0.1:14224    routes 127.0.0.1:16224        http://127.0.0.1:18224
#
# Files (<cluster> = .run/cluster/ at the repo root, or $ORWIRE_CLUSTER_DIR):
#   <cluster>/kafka-N.pid  <cluster>/nats-N.pid   pid of each Kafka JVM / nats-server
#   <cluster>/kafka-N.log  <cluster>/nats-N.log   their logs
#   <cluster>/kafka-N/  <cluster>/nats-N/         data (KRaft log dirs, JetStream stores)
#   <cluster>/kafka-N.properties  <cluster>/nats-N.conf   rendered from scripts/kafka/cluster.properties
#                                                 and scripts/nats/cluster.conf
# The Kafka jars come from the same cache as scripts/brokers-up.sh (.cache/ or $ORWIRE_CACHE_DIR).
# Each JVM gets a 512 MiB heap. Timeout (seconds): ORWIRE_CLUSTER_TIMEOUT (180).
#
# Stop with scripts/cluster-down.sh (npm run cluster:down).
set -euo pipefail

SCRIPT=cluster-up
SCRIPT_FILE=$(realpath "${BASH_SOURCE[0]}")
cd "$(dirname "$SCRIPT_FILE")/.."
source scripts/lib/common.sh
source scripts/lib/nats.sh
source scripts/lib/kafka.sh

parse_args "" "$@"
ORWIRE_RUN_DIR=${ORWIRE_CLUSTER_DIR:-.run/cluster} dirs .run/cluster
TIMEOUT=${ORWIRE_CLUSTER_TIMEOUT:-180}
NODES=(1 2 3)

node_n() { echo "${1##*-}"; }
kafka_port() { echo $((19091 + $1)); }
node_pattern() { case $1 in nats-*) echo "nats-server -c $RUN_DIR/$1.conf" ;; kafka-*) echo "kafka.Kafka $RUN_DIR/$1.properties" ;; esac; }
node_ports() {
  local n; n=$(node_n "$1")
  case $1 in
    nats-*) echo $((14221 + n)) $((16221 + n)) $((18221 + n)) ;;
    kafka-*) echo $((19091 + n)) $((19191 + n)) ;;
  esac
}
node_desc() {
  local n; n=$(node_n "$1")
  case $1 in
    nats-*) echo "$1 on 127.0.0.1:$((14221 + n))" ;;
    kafka-*) echo "$1 on 127.0.0.1:$((19091 + n))" ;;
  esac
}

# A Kafka node serves once it answers a metadata request that lists it (registered, unfenced);
# a NATS node once /healthz says JetStream is current.
node_healthy() {
  local n; n=$(node_n "$1")
  case $1 in
    nats-*) nats_monitor $((18221 + n)) /healthz >/dev/null ;;
    kafka-*) kafka_metadata "$(kafka_port "$n")" | grep -q "broker $n at 127.0.0.1:$(kafka_port "$n")" ;;
  esac
}

node_start() {
  local node=$1 n; n=$(node_n "$1")
  local logfile="$RUN_DIR/$node.log" data="$RUN_DIR/$node"
  case $node in
    nats-*)
      local routes="" m
      for m in "${NODES[@]}"; do
        if [[ $m != "$n" ]]; then routes+="${routes:+, }nats-route://127.0.0.1:$((16221 + m))"; fi
      done
      [[ -d $data ]] || : >"$logfile"
      mkdir -p "$data"
      render scripts/nats/cluster.conf "$RUN_DIR/$node.conf" "NAME=$node" "PORT=$((14221 + n))" \
        "MONITOR_PORT=$((18221 + n))" "ROUTE_PORT=$((16221 + n))" "ROUTES=$routes" "STORE_DIR=$data"
      printf '==== %s cluster-up: starting nats-server\n' "$(date -u +%FT%TZ)" >>"$logfile"
      launch "$RUN_DIR/$node.pid" "$logfile" "$NATS_BIN" -c "$RUN_DIR/$node.conf"
      ;;
    kafka-*)
      local props="$RUN_DIR/$node.properties" voters="" m
      for m in "${NODES[@]}"; do voters+="${voters:+,}$m@127.0.0.1:$((19191 + m))"; done
      KAFKA_LOG_NAME=$node kafka_jvm "$RUN_DIR"
      render scripts/kafka/cluster.properties "$props" "NODE_ID=$n" "VOTERS=$voters" \
        "PORT=$((19091 + n))" "CONTROLLER_PORT=$((19191 + n))" "KAFKA_DATA_DIR=$data"
      if [[ ! -f $data/meta.properties ]]; then
        # A node without data: formatted with the cluster's id (a new one for a new cluster).
        local id_file="$RUN_DIR/kafka-cluster-id"
        [[ -s $id_file ]] || new_cluster_id >"$id_file"
        : >"$logfile"
        kafka_format "$data" "$props" "$(<"$id_file")" "$logfile"
      fi
      printf '==== %s cluster-up: starting kafka.Kafka\n' "$(date -u +%FT%TZ)" >>"$logfile"
      launch "$RUN_DIR/$node.pid" "$logfile" "${KAFKA_JVM[@]}" kafka.Kafka "$props"
      ;;
  esac
}

# kafka_in_sync: from any node, 3 brokers registered and every partition's in-sync replicas
# are all its replicas.
kafka_in_sync() {
  local n meta
  for n in "${NODES[@]}"; do
    meta=$(kafka_metadata "$(kafka_port "$n")") || continue
    grep -q '^ 3 brokers:' <<<"$meta" || return 1
    awk '/ partition [0-9]+, / {
           r = $0; sub(/.*replicas: /, "", r); sub(/,? isrs:.*/, "", r)
           i = $0; sub(/.*isrs: /, "", i); sub(/[^0-9,].*$/, "", i); sub(/,$/, "", i)
           if (split(r, a, ",") != split(i, b, ",")) bad = 1
         }
         END { exit bad }' <<<"$meta"
    return
  done
  return 1
}

# nats_routed: every node has routes to the two others.
nats_routed() {
  local n
  for n in "${NODES[@]}"; do
    nats_monitor $((18221 + n)) /routez | grep -q '"num_routes": *[2-9]' || return 1
  done
}

await_cluster() { # await_cluster NAME CHECK
  local t0 deadline=$((SECONDS + TIMEOUT)); t0=$(now)
  until "$2"; do
    ((SECONDS < deadline)) || die "$1 cluster not ready after ${TIMEOUT}s"
    sleep 0.5
  done
  log "$1 cluster ready ($(since "$t0") after its nodes)"
}

start=$(now)
kinds=()
if [[ $want_kafka == 1 ]]; then kinds+=(kafka); fi
if [[ $want_nats == 1 ]]; then kinds+=(nats); fi
for kind in "${kinds[@]}"; do
  # one cluster-up/down per cluster at a time, so that a Kafka fault and a NATS fault do not wait on each other
  if [[ $kind == kafka ]]; then lock "$RUN_DIR/.kafka.lock" 8; else lock "$RUN_DIR/.nats.lock" 7; fi
  "${kind}_tools"
done
# Every node is launched before any is awaited: a node serves only once a quorum of them runs.
for kind in "${kinds[@]}"; do for n in "${NODES[@]}"; do start_node "$kind-$n"; done; done
for kind in "${kinds[@]}"; do for n in "${NODES[@]}"; do await_node "$kind-$n" "$TIMEOUT"; done; done
if [[ $want_kafka == 1 ]]; then await_cluster kafka kafka_in_sync; fi
if [[ $want_nats == 1 ]]; then await_cluster nats nats_routed; fi
log "ready in $(since "$start")"
