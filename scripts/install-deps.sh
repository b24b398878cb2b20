#!/usr/bin/env bash
# Install the Debian packages a part of the project needs, only when something is missing.
#   scripts/install-deps.sh cluster|test|image|bench|all
set -euo pipefail
cluster_pkgs="ceph-mon ceph-mgr ceph-osd ceph-mds ceph-common python3-rados uuid-runtime bc iproute2"
# libcephfs-dev/librados-dev: headers for the struct-layout tests; ceph-fuse: the comparison client;
# fuse3 (fusermount3), attr/acl (xattr and ACL tools), gcc: C checks compiled at test time;
# fio, pkg-config: the bench's tests run fio and build the libfuse reference; nftables: the fault suite cuts one
# client's loopback traffic (scripts/client-net.sh)
test_pkgs="$cluster_pkgs libcephfs2 librados2 libcephfs-dev librados-dev ceph-fuse fuse3 libfuse3-dev attr acl gcc libc6-dev fio pkg-config nftables"
# tests/Deploy.Tests: systemd-analyze (systemd) for the unit, node and npm for the manifests' schemas
# (kubernetes-models), kubectl for their kustomization (machines of this kind ship kubectl 1.32; Debian's
# kubernetes-client, kubectl 1.20, only where none is installed)
test_pkgs="$test_pkgs systemd"
command -v npm >/dev/null || test_pkgs="$test_pkgs nodejs npm"
command -v kubectl >/dev/null || test_pkgs="$test_pkgs kubernetes-client"
# make image: podman (with runc: crun 1.8 refuses hybrid cgroups) and debootstrap for the base
image_pkgs="podman runc debootstrap"
# make bench: fio and the tools above; linux-perf for profiles of the daemons
bench_pkgs="$test_pkgs linux-perf"
case "${1:-all}" in
  cluster) want=$cluster_pkgs ;;
  test) want=$test_pkgs ;;
  image) want=$image_pkgs ;;
  bench) want=$bench_pkgs ;;
  all) want="$bench_pkgs $image_pkgs" ;;
  *) echo "usage: $0 cluster|test|image|bench|all" >&2; exit 2 ;;
esac
missing=()
for pkg in $want; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
((${#missing[@]})) || exit 0
echo "[deps] installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if [ "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages' 2>/dev/null | wc -l)" = 0 ]; then
  apt-get update -qq
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || {
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
