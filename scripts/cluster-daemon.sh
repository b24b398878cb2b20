#!/usr/bin/env bash
# One daemon of a cluster made by cluster-up.sh, by the PID in its pid file (never by name): the
# fault suite's way to crash, pause and restart mon.a, mgr.x, osd.0, mds.a, mds.b, ...
#
#   scripts/cluster-daemon.sh DIR kill DAEMON      SIGKILL, wait until it is gone (a crash: nothing flushed)
#   scripts/cluster-daemon.sh DIR stop DAEMON      SIGTERM, SIGKILL after 15 s (a clean stop)
#   scripts/cluster-daemon.sh DIR start DAEMON     start it again as cluster-up.sh did (nothing if it runs)
#   scripts/cluster-daemon.sh DIR restart DAEMON   kill, then start
#   scripts/cluster-daemon.sh DIR pause DAEMON     SIGSTOP (a hung daemon: sockets open, nothing answered)
#   scripts/cluster-daemon.sh DIR resume DAEMON    SIGCONT
#   scripts/cluster-daemon.sh DIR pid DAEMON       print its PID; exit 1 when it is not running
#
# DAEMON is one of DIR/daemons (written by cluster-up.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# = 3 ] || usage
dir=$1 action=$2 daemon=$3
[ -f "$dir/ceph.conf" ] || { echo "cluster-daemon: no cluster in '$dir'" >&2; exit 1; }
dir=$(cd "$dir" && pwd)
# shellcheck source=cluster-lib.sh
. "$here/cluster-lib.sh"
case " $(cluster_daemons "$dir") " in
  *" $daemon "*) ;;
  *) echo "cluster-daemon: '$daemon' is not one of: $(cluster_daemons "$dir")" >&2; exit 2 ;;
esac

signal_daemon() {
  local pid
  pid=$(cluster_daemon_pid "$dir" "$daemon") || { echo "cluster-daemon: $daemon is not running" >&2; return 1; }
  kill "-$1" "$pid"
}

case "$action" in
  kill) cluster_stop_daemon "$dir" "$daemon" KILL 0 ;;
  stop) cluster_stop_daemon "$dir" "$daemon" TERM 150 ;;
  start) cluster_daemon_pid "$dir" "$daemon" >/dev/null || cluster_start_daemon "$dir" "$daemon" ;;
  restart) cluster_stop_daemon "$dir" "$daemon" KILL 0 && cluster_start_daemon "$dir" "$daemon" ;;
  pause) signal_daemon STOP ;;
  resume) signal_daemon CONT ;;
  pid) cluster_daemon_pid "$dir" "$daemon" ;;
  *) usage ;;
esac
