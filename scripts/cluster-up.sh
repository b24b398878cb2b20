#!/usr/bin/env bash
# Start a throwaway single-node Ceph cluster (Debian's Pacific packages) for the demo and the tests:
# one mon, one mgr (volumes module), one OSD on memstore, one MDS, CephFS "cephfs", cephx on,
# every address on 127.0.0.1 and every byte of state under one directory.
#
#   scripts/cluster-up.sh [DIR]      DIR defaults to $CLUSTER_DIR or ./.cluster
#
# Idempotent: a healthy cluster in DIR is left running; a partial one is stopped (by its PIDs) and
# made again. Ports are picked from a free block below the ephemeral range, so several clusters
# (one per checkout) can run side by side. Writes DIR/env with what clients need (see README).
#
# Opt-ins for the fault suite (tests/Faults.Tests); the default cluster stays as above:
#   CLUSTER_MDS_COUNT=2         MDS daemons mds.a, mds.b, ...: one active, the others standby
#   CLUSTER_STANDBY_REPLAY=1    allow_standby_replay on the file system (a standby follows the journal)
#   CLUSTER_OSD_STORE=bluestore bluestore on a sparse file (CLUSTER_BLUESTORE_BYTES, default 4 GiB) instead of
#                               memstore, whose data does not survive a kill -9 of the OSD
#   CLUSTER_CONF_EXTRA=FILE     lines appended to [global] of ceph.conf (e.g. shortened timeouts)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-${CLUSTER_DIR:-$here/../.cluster}}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
fs_name=${CEPH_FS:-cephfs}
memstore_bytes=${CLUSTER_MEMSTORE_BYTES:-8589934592}
osd_store=${CLUSTER_OSD_STORE:-memstore}
bluestore_bytes=${CLUSTER_BLUESTORE_BYTES:-4294967296}
mds_count=${CLUSTER_MDS_COUNT:-1}
standby_replay=${CLUSTER_STANDBY_REPLAY:-0}
conf_extra=${CLUSTER_CONF_EXTRA:-}
started=$(date +%s.%N)

say() { printf '[cluster %5.1fs] %s\n' "$(echo "$(date +%s.%N) - $started" | bc)" "$*" >&2; }
die() { say "error: $*"; exit 1; }

case "$osd_store" in memstore | bluestore) ;; *) die "CLUSTER_OSD_STORE must be memstore or bluestore, not '$osd_store'" ;; esac
[[ "$mds_count" =~ ^[1-9]$ ]] || die "CLUSTER_MDS_COUNT must be 1 to 9, not '$mds_count'"
[ -z "$conf_extra" ] || [ -r "$conf_extra" ] || die "CLUSTER_CONF_EXTRA: cannot read '$conf_extra'"
mds_names=$(printf 'mds.%s ' $(echo a b c d e f g h i | cut -d' ' -f1-"$mds_count"))
mds_names=${mds_names% }

# --- packages -------------------------------------------------------------------------------
"$here/install-deps.sh" cluster

# --- already running? -------------------------------------------------------------------------
# shellcheck source=cluster-lib.sh
. "$here/cluster-lib.sh"
if [ -f "$dir/env" ] && cluster_all_running "$dir" &&
   timeout 20 ceph -c "$dir/ceph.conf" --connect-timeout 10 fs status "$fs_name" >/dev/null 2>&1; then
  say "cluster in $dir is already up"
  cat "$dir/env"
  exit 0
fi
if [ -d "$dir/run" ]; then
  say "partial cluster in $dir: stopping what is left of it and starting afresh"
  "$here/cluster-down.sh" "$dir" >&2
  mkdir -p "$dir"
fi
find "$dir" -mindepth 1 -delete

# --- ports: a block of 100 below the ephemeral range that nobody uses -------------------------
read -r ephemeral_low _ </proc/sys/net/ipv4/ip_local_port_range
port_block_free() {
  ss -Htan | awk -v lo="$1" -v hi="$(($1 + 99))" '
    { n = split($4, a, ":"); p = a[n] + 0; if (p >= lo && p <= hi) busy = 1 }
    END { exit busy }'
}
base=""
for candidate in ${CLUSTER_PORT_BASE:-} 13300 14300 15300 17300 18300 19300 20300 21300 22300 23300 24300 25300; do
  [ "$((candidate + 99))" -lt "$ephemeral_low" ] || continue
  if port_block_free "$candidate"; then base=$candidate; break; fi
done
[ -n "$base" ] || die "no free block of 100 ports below $ephemeral_low"
mon_v2=$base mon_v1=$((base + 1))
mon_host="[v2:127.0.0.1:$mon_v2,v1:127.0.0.1:$mon_v1]"
conf=$dir/ceph.conf
mkdir -p "$dir"/{run,log,mon.a,mgr.x,osd.0}
for mds in $mds_names; do mkdir -p "$dir/$mds"; done
# written before any daemon starts: cluster-down.sh stops exactly these, even of a cluster that failed to start
echo "mon.a mgr.x osd.0 $mds_names" >"$dir/daemons"
fsid=$(uuidgen)

# --- configuration ----------------------------------------------------------------------------
cat >"$conf" <<EOF
# Throwaway test cluster made by scripts/cluster-up.sh; removed by scripts/cluster-down.sh.
[global]
fsid = $fsid
mon host = $mon_host
public addr = 127.0.0.1
public network = 127.0.0.0/8
ms bind port min = $((base + 10))
ms bind port max = $((base + 99))
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
run dir = $dir/run
crash dir = $dir/crash
osd pool default size = 1
osd pool default min size = 1
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 2
mon data avail crit = 1
mon osd full ratio = .99
mon osd nearfull ratio = .99
mon osd backfillfull ratio = .99
osd failsafe full ratio = .99
# pg and mds state reach the mon every second instead of every five: start-up is bound by this
mgr stats period = 1
mon mgr digest period = 1

[client]
keyring = $dir/ceph.\$name.keyring
log file = $dir/log/\$name.log
admin socket = $dir/run/\$name.\$pid.asok

[mon]
mon data = $dir/mon.\$id
keyring = $dir/mon.\$id/keyring
mon cluster log file = $dir/log/cluster.log
mgr initial modules = iostat

[mgr]
mgr data = $dir/mgr.\$id
keyring = $dir/mgr.\$id/keyring

[osd]
osd data = $dir/osd.\$id
keyring = $dir/osd.\$id/keyring
osd objectstore = $osd_store
memstore device bytes = $memstore_bytes
osd check max object name len on startup = false
# memstore holds everything in RAM: a short pg log keeps the OSD small during benchmarks
osd min pg log entries = 500
osd max pg log entries = 500
osd pg log dups tracked = 500

[mds]
mds data = $dir/mds.\$id
keyring = $dir/mds.\$id/keyring

[mon.a]
log file = $dir/log/mon.a.log
pid file = $dir/run/mon.a.pid
admin socket = $dir/run/mon.a.asok
[mgr.x]
log file = $dir/log/mgr.x.log
pid file = $dir/run/mgr.x.pid
admin socket = $dir/run/mgr.x.asok
[osd.0]
log file = $dir/log/osd.0.log
pid file = $dir/run/osd.0.pid
admin socket = $dir/run/osd.0.asok
EOF
if [ "$osd_store" = bluestore ]; then
  # a sparse file DIR/osd.0/block, a small cache (the OSD shares two cores and the RAM with everything else)
  sed -i '/^osd objectstore = /a\
bluestore block create = true\
bluestore block size = '"$bluestore_bytes"'\
bluestore fsck on mount = false\
bluestore cache autotune = false\
bluestore cache size = 134217728' "$conf"
fi
for mds in $mds_names; do
  printf '[%s]\nlog file = %s\npid file = %s\nadmin socket = %s\n' \
    "$mds" "$dir/log/$mds.log" "$dir/run/$mds.pid" "$dir/run/$mds.asok" >>"$conf"
done
if [ -n "$conf_extra" ]; then
  # into [global]: the options there reach every daemon and client
  extra=$(grep -v '^[[:space:]]*\[' "$conf_extra")
  awk -v extra="$extra" '{ print } /^\[global\]$/ { print "# CLUSTER_CONF_EXTRA"; print extra }' "$conf" >"$conf.new"
  mv "$conf.new" "$conf"
fi

# --- keys and the monitor ---------------------------------------------------------------------
umask 077
mon_keyring=$dir/bootstrap.keyring
admin_keyring=$dir/ceph.client.admin.keyring
{
  ceph-authtool --create-keyring "$mon_keyring" --gen-key -n mon. --cap mon 'allow *'
  ceph-authtool --create-keyring "$admin_keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap mgr 'allow *' --cap osd 'allow *' --cap mds 'allow *'
  ceph-authtool "$mon_keyring" --import-keyring "$admin_keyring"
  # mgr and mds keys go into the mon's database at mkfs, so both daemons can start at once
  ceph-authtool "$mon_keyring" --gen-key -n mgr.x \
    --cap mon 'allow profile mgr' --cap mds 'allow *' --cap osd 'allow *'
  for mds in $mds_names; do
    ceph-authtool "$mon_keyring" --gen-key -n "$mds" \
      --cap mon 'allow profile mds' --cap mgr 'allow profile mds' --cap mds 'allow' --cap osd 'allow rw tag cephfs *=*'
  done
} >/dev/null
for daemon in mgr.x $mds_names; do
  printf '[%s]\n\tkey = %s\n' "$daemon" "$(ceph-authtool "$mon_keyring" -n "$daemon" -p)" >"$dir/$daemon/keyring"
done
ceph-authtool "$admin_keyring" -n client.admin -p >"$dir/client.admin.key"
monmaptool -q --create --fsid "$fsid" --addv a "$mon_host" "$dir/monmap" >/dev/null 2>&1 ||
  monmaptool --create --fsid "$fsid" --addv a "$mon_host" "$dir/monmap" >/dev/null
ceph-mon -c "$conf" -i a --mkfs --monmap "$dir/monmap" --keyring "$mon_keyring" >"$dir/log/mkfs.mon.log" 2>&1 ||
  { cat "$dir/log/mkfs.mon.log" >&2; die "ceph-mon --mkfs failed"; }
rm -f "$mon_keyring"
umask 022
cluster_start_daemon "$dir" mon.a || die "ceph-mon did not start"
say "mon.a listening on $mon_host"
# the mgr spends most of start-up loading Python modules: start it right away
cluster_start_daemon "$dir" mgr.x || die "ceph-mgr did not start"
say "mgr.x started"

# --- OSD, pools, file system and client keys --------------------------------------------------
osd_uuid=$(uuidgen)
osd_secret=$(ceph-authtool --gen-print-key)
"$here/cluster-admin.py" "$conf" osd-new "$osd_uuid" "$osd_secret" || die "osd new failed"
start_osd_and_mds() {
  ceph-osd -c "$conf" -i 0 --mkfs --key "$osd_secret" --osd-uuid "$osd_uuid" >"$dir/log/mkfs.osd.log" 2>&1 ||
    { cat "$dir/log/mkfs.osd.log" >&2; return 1; }
  # --mkfs stores the key inside the object store only; the daemon reads it from its keyring
  (umask 077; printf '[osd.0]\n\tkey = %s\n' "$osd_secret" >"$dir/osd.0/keyring")
  cluster_start_daemon "$dir" osd.0 || return 1
  say "osd.0 started ($osd_store)"
  local mds
  for mds in $mds_names; do cluster_start_daemon "$dir" "$mds" || return 1; done
  say "$mds_names started"
}
start_osd_and_mds & daemons_pid=$!
"$here/cluster-admin.py" "$conf" setup "$fs_name" "$dir" || die "creating pools, file system and keys failed"
wait "$daemons_pid" || die "starting osd.0 or $mds_names failed"
say "pools, file system $fs_name and client keys created"
if [ "$standby_replay" = 1 ]; then
  "$here/cluster-admin.py" "$conf" fs-set "$fs_name" allow_standby_replay true || die "allow_standby_replay failed"
fi

"$here/cluster-admin.py" "$conf" wait-ready "$fs_name" "$((mds_count - 1))" ||
  die "cluster did not become ready (logs in $dir/log)"

# --- env for tests and people -----------------------------------------------------------------
cat >"$dir/env" <<EOF
CLUSTER_DIR=$dir
CEPH_CONF=$conf
CEPH_FSID=$fsid
CEPH_MON_HOST=$mon_host
CEPH_MON_V1=127.0.0.1:$mon_v1
CEPH_FS=$fs_name
CEPH_MDS_NAMES=${mds_names// /,}
CEPH_OSD_STORE=$osd_store
CEPH_ADMIN_KEYRING=$admin_keyring
CEPH_ADMIN_KEYFILE=$dir/client.admin.key
CEPH_USER_ID=fsuser
CEPH_USER_KEYFILE=$dir/client.fsuser.key
CEPH_CSI_PROVISIONER_ID=csi-cephfs-provisioner
CEPH_CSI_PROVISIONER_KEYFILE=$dir/client.csi-cephfs-provisioner.key
CEPH_CSI_NODE_ID=csi-cephfs-node
CEPH_CSI_NODE_KEYFILE=$dir/client.csi-cephfs-node.key
EOF
elapsed=$(echo "$(date +%s.%N) - $started" | bc)
printf '%.1f\n' "$elapsed" >"$dir/startup-seconds"
say "ready in $(cat "$dir/startup-seconds") s; connection details in $dir/env"
cat "$dir/env"
