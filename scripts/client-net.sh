#!/usr/bin/env bash
# Cut and restore ONE client's network to a cluster on 127.0.0.1, nothing else's: the client runs in
# a cgroup v2 group of its own, and an nftables table drops the group's sockets' packets to and from
# 127.0.0.1 (socket cgroupv2 match, both directions, TCP and UDP alike). Other processes, other
# addresses and the kernel's FUSE channel are untouched. A socket belongs to the group it was created
# in, so the client must be started through `run` (its children, e.g. a daemonized FUSE server, stay in).
#
#   scripts/client-net.sh run NAME -- CMD [ARGS]   run CMD in group NAME (made if missing)
#   scripts/client-net.sh cut NAME                 drop the group's loopback traffic (idempotent)
#   scripts/client-net.sh restore NAME             stop dropping it (idempotent)
#   scripts/client-net.sh remove NAME              restore, then delete the group (once it is empty)
#   scripts/client-net.sh status NAME              "cut" or "open", and the PIDs in the group
#
# NAME: [a-z0-9-], up to 40 characters. Needs root, nft (package nftables) and cgroup2 under /sys/fs/cgroup.
set -euo pipefail
usage() { sed -n '8,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 2 ] || usage
action=$1 name=$2
[[ "$name" =~ ^[a-z0-9-]{1,40}$ ]] || { echo "client-net: bad group name '$name'" >&2; exit 2; }
table=mcf_net_${name//-/_}

# The cgroup2 hierarchy: /sys/fs/cgroup on a unified system, /sys/fs/cgroup/unified on a hybrid one.
# nft names a group by its path below /sys/fs/cgroup, so the hierarchy must be mounted there.
root=$(awk '$3 == "cgroup2" && $2 ~ "^/sys/fs/cgroup" { print $2; exit }' /proc/mounts)
[ -n "$root" ] || { echo "client-net: no cgroup2 hierarchy mounted under /sys/fs/cgroup" >&2; exit 1; }
group=$root/mcf-net-$name
relative=${group#/sys/fs/cgroup/}

case "$action" in
  run)
    shift 2
    [ "${1:-}" = -- ] && shift
    [ $# -ge 1 ] || usage
    mkdir -p "$group"
    echo $$ >"$group/cgroup.procs"
    exec "$@"
    ;;
  cut)
    [ -d "$group" ] || { echo "client-net: no group $name (start the client with 'run')" >&2; exit 1; }
    # the socket match compares the socket's cgroup ancestor at a given depth with the group (named by its path
    # below /sys/fs/cgroup). The group's depth is 1 below the hierarchy's root, more when that root is a cgroup
    # namespace's: a rule per depth, of which only the true one can ever match.
    out= in=
    for level in 1 2 3 4 5 6 7 8; do
      out+="ip daddr 127.0.0.1 socket cgroupv2 level $level \"$relative\" counter drop; "
      in+="ip saddr 127.0.0.1 socket cgroupv2 level $level \"$relative\" counter drop; "
    done
    # one transaction: declare (so the delete cannot fail), delete, make afresh (a second cut adds nothing)
    nft -f - <<EOF
table inet $table
delete table inet $table
table inet $table {
  chain out { type filter hook output priority filter; policy accept; $out}
  chain in { type filter hook input priority filter; policy accept; $in}
}
EOF
    ;;
  restore | remove)
    if nft list table inet "$table" >/dev/null 2>&1; then nft delete table inet "$table"; fi
    if [ "$action" = remove ] && [ -d "$group" ]; then
      [ -z "$(cat "$group/cgroup.procs")" ] || { echo "client-net: group $name still has processes" >&2; exit 1; }
      rmdir "$group"
    fi
    ;;
  status)
    if nft list table inet "$table" >/dev/null 2>&1; then echo cut; else echo open; fi
    [ ! -d "$group" ] || tr '\n' ' ' <"$group/cgroup.procs"
    echo
    ;;
  *) usage ;;
esac
