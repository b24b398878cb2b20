#!/usr/bin/env bash
# Stop exactly the daemons cluster-up.sh started in DIR (by the PIDs in their pid files) and remove
# DIR. Mounts of this cluster are not touched: whoever mounted them unmounts them.
#
#   scripts/cluster-down.sh [DIR]    DIR defaults to $CLUSTER_DIR or ./.cluster
#   CLUSTER_KEEP=1                   stop the daemons but keep DIR (logs)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-${CLUSTER_DIR:-$here/../.cluster}}
[ -d "$dir" ] || { echo "[cluster-down] nothing at $dir"; exit 0; }
dir=$(cd "$dir" && pwd)
# shellcheck source=cluster-lib.sh
. "$here/cluster-lib.sh"

stop_daemon() {
  local daemon=$1 pid i
  pid=$(cluster_daemon_pid "$dir" "$daemon") || return 0
  kill -TERM "$pid" 2>/dev/null
  # the MDS takes ~10 s to stop cleanly; nothing here is worth keeping, so do not wait for it
  for i in $(seq 30); do pid_running "$pid" || break; sleep 0.1; done
  if pid_running "$pid"; then kill -KILL "$pid" 2>/dev/null; fi
  for i in $(seq 50); do pid_running "$pid" || break; sleep 0.1; done
  echo "[cluster-down] stopped $daemon (pid $pid)"
}
# stop them in parallel: each waits up to 3 s for its own daemon
for daemon in $cluster_daemons; do stop_daemon "$daemon" & done
wait
if [ "${CLUSTER_KEEP:-0}" != 1 ]; then
  rm -rf "$dir"
  echo "[cluster-down] removed $dir"
fi
