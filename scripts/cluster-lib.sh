# Shared by cluster-up.sh and cluster-down.sh. Sourced, not run.

cluster_daemons="mon.a mgr.x osd.0 mds.a"

# A PID is running when /proc has it and it is not a zombie (kill -0 succeeds on zombies, and
# daemons re-parented to a PID 1 that is not an init may stay zombies for a while).
pid_running() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [ "$state" != Z ]
}

# The PID in DIR/run/DAEMON.pid, if that process is still ours: the right binary and our ceph.conf.
cluster_daemon_pid() {
  local dir=$1 daemon=$2 pid
  pid=$(cat "$dir/run/$daemon.pid" 2>/dev/null) || return 1
  pid_running "$pid" || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "ceph-${daemon%%.*}" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$dir/ceph.conf" || return 1
  echo "$pid"
}

cluster_all_running() {
  local daemon
  for daemon in $cluster_daemons; do cluster_daemon_pid "$1" "$daemon" >/dev/null || return 1; done
}
