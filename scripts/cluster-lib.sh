# Shared by cluster-up.sh, cluster-down.sh and cluster-daemon.sh. Sourced, not run.

cluster_default_daemons="mon.a mgr.x osd.0 mds.a"

# The daemons of the cluster in DIR: the list cluster-up.sh wrote before starting any (DIR/daemons),
# or the default set for a cluster made before that list existed.
cluster_daemons() {
  cat "$1/daemons" 2>/dev/null || echo "$cluster_default_daemons"
}

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
  for daemon in $(cluster_daemons "$1"); do cluster_daemon_pid "$1" "$daemon" >/dev/null || return 1; done
}

# Starts DAEMON (type.id) of the cluster in DIR the way cluster-up.sh first did (it daemonizes and
# writes DIR/run/DAEMON.pid); returns once the daemon has forked into the background.
cluster_start_daemon() {
  local dir=$1 daemon=$2 type=${2%%.*} id=${2#*.}
  case "$type" in
    mon | mgr | osd | mds) ;;
    *) echo "cluster: unknown daemon $daemon" >&2; return 2 ;;
  esac
  "ceph-$type" -c "$dir/ceph.conf" -i "$id" >>"$dir/log/$daemon.stderr" 2>&1 ||
    { tail -n 20 "$dir/log/$daemon.stderr" >&2; return 1; }
}

# SIGKILL (or SIGTERM first, with a grace period) DAEMON by its PID and wait until it is gone.
cluster_stop_daemon() {
  local dir=$1 daemon=$2 signal=${3:-TERM} grace_tenths=${4:-30} pid i
  pid=$(cluster_daemon_pid "$dir" "$daemon") || return 0
  kill "-$signal" "$pid" 2>/dev/null
  # a paused (SIGSTOPped) daemon acts on SIGTERM only once it runs again
  kill -CONT "$pid" 2>/dev/null
  for ((i = 0; i < grace_tenths; i++)); do pid_running "$pid" || break; sleep 0.1; done
  if pid_running "$pid"; then kill -KILL "$pid" 2>/dev/null; fi
  for i in $(seq 50); do pid_running "$pid" || break; sleep 0.1; done
  ! pid_running "$pid"
}
