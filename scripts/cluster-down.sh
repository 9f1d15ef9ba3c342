#!/usr/bin/env bash
# Stop the local clusters started by scripts/cluster-up.sh and wipe their data.
#
# Usage: scripts/cluster-down.sh [--keep] [nats|kafka]...   (npm run cluster:down)
#   no broker named   both clusters
#   (default)         SIGTERM to every node at once (a stopped one gets SIGCONT first), up to
#                     $ORWIRE_STOP_TIMEOUT s (20), then SIGKILL; then remove the cluster's data,
#                     pid files and rendered configs. Logs stay until the next fresh start.
#   --keep            stop the same way but keep the data, so the next cluster-up.sh restarts on it
#
# <cluster> is .run/cluster/ at the repo root, or $ORWIRE_CLUSTER_DIR. Stopping a cluster that
# is not running is not an error. A single node is stopped with kill (-9, -STOP, -TERM) on the pid
# in <cluster>/kafka-N.pid or nats-N.pid, and brought back with scripts/cluster-up.sh.
set -euo pipefail

SCRIPT=cluster-down
SCRIPT_FILE=$(realpath "${BASH_SOURCE[0]}")
cd "$(dirname "$SCRIPT_FILE")/.."
source scripts/lib/common.sh

parse_args "--keep" "$@"
CLUSTER_DISPLAY=${ORWIRE_CLUSTER_DIR:-.run/cluster}
if [[ ! -d $CLUSTER_DISPLAY ]]; then echo "cluster-down: nothing to stop"; exit 0; fi
ORWIRE_RUN_DIR=$CLUSTER_DISPLAY dirs .run/cluster
STOP_TIMEOUT=${ORWIRE_STOP_TIMEOUT:-20}
NODES=(1 2 3)

node_pattern() { case $1 in nats-*) echo "nats-server -c $RUN_DIR/$1.conf" ;; kafka-*) echo "kafka.Kafka $RUN_DIR/$1.properties" ;; esac; }

kinds=()
if [[ $want_kafka == 1 ]]; then kinds+=(kafka); lock "$RUN_DIR/.kafka.lock" 8; fi
if [[ $want_nats == 1 ]]; then kinds+=(nats); lock "$RUN_DIR/.nats.lock" 7; fi

# All at once: a Kafka node stopping alone after the others would wait for a controller quorum
# that is gone.
pids=()
for kind in "${kinds[@]}"; do
  for n in "${NODES[@]}"; do stop_node "$kind-$n" term & pids+=($!); done
done
for pid in "${pids[@]}"; do wait "$pid"; done

if [[ ${flag_keep:-0} == 0 ]]; then
  for kind in "${kinds[@]}"; do
    for n in "${NODES[@]}"; do rm -rf "${RUN_DIR:?}/$kind-$n" "$RUN_DIR/$kind-$n.properties" "$RUN_DIR/$kind-$n.conf"; done
    if [[ $kind == kafka ]]; then rm -f "$RUN_DIR/kafka-cluster-id"; fi
    log "$kind data removed"
  done
fi
