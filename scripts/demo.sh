#!/usr/bin/env bash
# The demo: managed-cephfuse mounts the throwaway cluster's CephFS at ./mnt with ceph-fuse's arguments, then
# writes, lists and reads back a few files and shows df. `make demo` runs deps, cluster and build first.
#
#   scripts/demo.sh          mount and show
#   scripts/demo.sh down     unmount (the daemon exits); `make demo-down` also takes the cluster down
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cluster=${CLUSTER_DIR:-$root/.cluster}
mnt=$root/mnt
pidfile=$cluster/demo-daemon.pid

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$'; printf ' %q' "$@"; printf '\n'; "$@"; }

daemon_alive() { # a zombie answers kill -0 too: look at its state
  local pid=$1 state
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] && [ "$state" != X ]
}

if [ "${1:-}" = down ]; then
  if mountpoint -q "$mnt" 2>/dev/null; then
    umount "$mnt" 2>/dev/null || umount -l "$mnt"
    echo "unmounted $mnt"
  fi
  if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile")
    for _ in $(seq 1 100); do daemon_alive "$pid" || break; sleep 0.1; done
    if daemon_alive "$pid"; then
      echo "daemon $pid still running after unmount; stopping it" >&2
      kill "$pid" 2>/dev/null || true
    else
      echo "managed-cephfuse daemon $pid has exited"
    fi
    rm -f "$pidfile"
  fi
  [ -d "$mnt" ] && rmdir "$mnt" 2>/dev/null || true
  exit 0
fi

[ -f "$cluster/env" ] || { echo "no cluster in $cluster: run 'make cluster' (or 'make demo')" >&2; exit 1; }
[ -x "$root/bin/managed-cephfuse" ] || { echo "bin/managed-cephfuse is missing: run 'make build' (or 'make demo')" >&2; exit 1; }
# shellcheck disable=SC1091
. "$cluster/env"

mkdir -p "$mnt"
if mountpoint -q "$mnt"; then
  say "CephFS is already mounted at ./mnt"
else
  say "Mounting CephFS at ./mnt, with the arguments ceph-fuse takes"
  printf '$ bin/managed-cephfuse ./mnt -m %s -c %s -n client.%s --keyfile=%s\n' \
    "$CEPH_MON_HOST" "$CEPH_CONF" "$CEPH_USER_ID" "$CEPH_USER_KEYFILE"
  started=$(date +%s.%N)
  line=$("$root/bin/managed-cephfuse" "$mnt" -m "$CEPH_MON_HOST" -c "$CEPH_CONF" -n "client.$CEPH_USER_ID" \
    --keyfile="$CEPH_USER_KEYFILE" 2>&1 >/dev/null) || { echo "$line" >&2; exit 1; }
  echo "$line"
  pid=$(sed -n 's/^ceph-fuse\[\([0-9]*\)\]: starting fuse$/\1/p' <<<"$line")
  echo "$pid" >"$pidfile"
  printf 'mounted in %.2f s; the daemon is PID %s\n' "$(echo "$(date +%s.%N) - $started" | bc)" "$pid"
fi
run grep -F " $mnt " /proc/mounts

demo=$mnt/demo
say "Writing a few files"
run mkdir -p "$demo/photos"
printf 'Hello from managed-cephfuse, %s\n' "$(date -u +%FT%TZ)" >"$demo/hello.txt"
echo "\$ echo 'Hello from managed-cephfuse, …' > mnt/demo/hello.txt"
run dd if=/dev/urandom of="$demo/photos/big.bin" bs=1M count=64 status=none
echo '$ (cd mnt/demo/photos && sha256sum big.bin > big.bin.sha256)'
(cd "$demo/photos" && sha256sum big.bin >big.bin.sha256)
for i in 1 2 3; do echo "note $i" >"$demo/note-$i.txt"; done
run ln -sf hello.txt "$demo/latest"

say "Listing them (READDIRPLUS: names and attributes in one round trip)"
run ls -l "$demo" "$demo/photos"

say "Reading them back"
run cat "$demo/hello.txt" "$demo/latest" "$demo/note-2.txt"
echo '$ (cd mnt/demo/photos && sha256sum -c big.bin.sha256)'
(cd "$demo/photos" && sha256sum -c big.bin.sha256)
run getfattr -n ceph.dir.rbytes "$demo"

say "Space (the cluster's data pool; under a quota root df shows the quota)"
run df -h "$mnt"

cat <<EOF

== Look around
  ls -la ./mnt/demo                   the files above; anything you like works (cp, tar, vim, fio…)
  getfattr -d -m ceph. ./mnt/demo     CephFS's own attributes (rbytes, rfiles, layout…)
  ceph-fuse's admin socket commands:  ceph --admin-daemon $cluster/run/client.$CEPH_USER_ID.$(cat "$pidfile" 2>/dev/null || echo PID).asok status
  umount ./mnt                        ends the daemon (as ceph-csi unmounts a volume)

== Take it down
  make demo-down                      unmount (the daemon exits) and stop the cluster
EOF
