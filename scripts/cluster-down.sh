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
  local pid
  pid=$(cluster_daemon_pid "$dir" "$1") || return 0
  # the MDS takes ~10 s to stop cleanly; nothing here is worth keeping, so wait 3 s at most
  cluster_stop_daemon "$dir" "$1" TERM 30
  echo "[cluster-down] stopped $1 (pid $pid)"
}
# stop them in parallel: each waits up to 3 s for its own daemon
for daemon in $(cluster_daemons "$dir"); do stop_daemon "$daemon" & done
wait
if [ "${CLUSTER_KEEP:-0}" != 1 ]; then
  rm -rf "$dir"
  echo "[cluster-down] removed $dir"
fi
