#!/usr/bin/env bash
# The plugin image, built with Debian's podman on a machine with no container registry.
#
#   scripts/image.sh build    base (cached) + the image from bin/ (make build), tagged :<version> and :latest
#   scripts/image.sh base     only the base: debootstrap --variant=minbase bookworm, imported into podman
#   scripts/image.sh clean    remove the image, the cached base tarball and the base in podman's storage
#   scripts/image.sh conf     write this machine's containers.conf and print its path (for podman by hand:
#                             CONTAINERS_CONF=$(scripts/image.sh conf) podman run ...)
#
# The base is made once and kept twice: as a tarball in $IMAGE_CACHE_DIR (default .cache/image, git-ignored)
# and as the image $BASE_IMAGE in podman's storage (/var/lib/containers), which outlives a fresh clone.
# Delete both (`make image-clean`) to start from debootstrap again.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${IMAGE_CACHE_DIR:-$root/.cache/image}
image=${IMAGE_NAME:-localhost/managed-cephfuse/cephcsi}
base=${BASE_IMAGE:-localhost/managed-cephfuse/debian-base:bookworm-minbase}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
base_tar=$cache/bookworm-minbase.tar

say() { printf '[image] %s\n' "$*" >&2; }

# What podman needs on this machine, in a containers.conf of our own (CONTAINERS_CONF), /etc left alone:
# - runc, not crun: Debian 12's crun 1.8 refuses hybrid cgroup hierarchies (cgroup v1 controllers plus a
#   cgroup2 mount with controllers: "cgroups in hybrid mode not supported"); runc runs on v1, hybrid and v2.
# - without systemd as PID 1: the cgroupfs cgroup manager and a file events log (no journald to write to).
# - without CAP_SYS_RESOURCE (containers in containers, sandboxes): podman 4.3 asks the runtime for
#   RLIMIT_NOFILE 1048576, which it cannot raise to ("setrlimit RLIMIT_NOFILE: Operation not permitted");
#   give containers the limits podman itself runs with: our hard RLIMIT_NOFILE, and the RLIMIT_NPROC of
#   32768 that podman sets for itself when it starts.
write_conf() {
  local conf=$cache/containers.conf cap_eff manager=systemd events=journald ulimits=""
  mkdir -p "$cache"
  if [ ! -d /run/systemd/system ]; then manager=cgroupfs; events=file; fi
  cap_eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
  if (( (16#$cap_eff >> 24 & 1) == 0 )); then
    ulimits="default_ulimits = [\"nofile=$(ulimit -Hn):$(ulimit -Hn)\", \"nproc=32768:32768\"]"
  fi
  cat >"$conf.tmp" <<EOF
# written by scripts/image.sh for this machine
[containers]
$ulimits

[engine]
runtime = "runc"
cgroup_manager = "$manager"
events_logger = "$events"
EOF
  mv "$conf.tmp" "$conf"
  echo "$conf"
}

CONTAINERS_CONF=$(write_conf)
export CONTAINERS_CONF

# debootstrap's minbase, made slim as debian:bookworm-slim is (no docs, man pages, translations, apt lists
# or downloaded .debs), with bookworm, bookworm-updates and bookworm-security as apt sources.
make_base_tar() {
  local rootfs=$cache/rootfs.tmp
  say "debootstrap --variant=minbase bookworm from $mirror (a few minutes, once)"
  rm -rf "$rootfs"
  mkdir -p "$cache"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 || {
    tail -20 "$cache/debootstrap.log" >&2
    rm -rf "$rootfs"
    return 1
  }
  rm -f "$rootfs/etc/apt/sources.list"
  cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security_mirror
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # security and point-release updates now, in the base: an upgrade in the image's own layer would carry
  # a second copy of every upgraded file
  say "updating the base from bookworm-updates and bookworm-security"
  { chroot "$rootfs" apt-get update && DEBIAN_FRONTEND=noninteractive chroot "$rootfs" apt-get upgrade -y; } \
    >>"$cache/debootstrap.log" 2>&1 || { tail -20 "$cache/debootstrap.log" >&2; rm -rf "$rootfs"; return 1; }
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$rootfs"/usr/share/{man,info,locale}/* "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/* "$rootfs"/tmp/*
  : >"$rootfs/etc/machine-id"
  tar -C "$rootfs" --numeric-owner -cf "$base_tar.tmp" .
  mv "$base_tar.tmp" "$base_tar"
  rm -rf "$rootfs"
}

ensure_base() {
  if podman image exists "$base"; then
    return 0
  fi
  [ -s "$base_tar" ] || make_base_tar
  say "importing $base_tar as $base"
  podman import --change 'CMD ["/bin/bash"]' "$base_tar" "$base" >/dev/null
}

# The binaries' own version (both must agree), the commit, and where the source lives.
binaries_version() {
  local csi fuse
  csi=$("$root/bin/cephcsi" --version | awk '{print $3}')
  fuse=$("$root/bin/managed-cephfuse" --version | awk '{print $3}')
  if [ -z "$csi" ] || [ "$csi" != "$fuse" ]; then
    echo "cephcsi ($csi) and managed-cephfuse ($fuse) report different versions: run make build" >&2
    return 1
  fi
  echo "$csi"
}

build_image() {
  local version revision source
  for binary in cephcsi managed-cephfuse; do
    [ -x "$root/bin/$binary" ] || { echo "bin/$binary is missing: run make build first" >&2; exit 1; }
  done
  version=$(binaries_version)
  revision=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
  if [ "$revision" != unknown ] && [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    revision=$revision-dirty
  fi
  source=$(git -C "$root" config --get remote.origin.url 2>/dev/null || echo "file://$root")
  ensure_base
  say "building $image:$version on $base"
  # host network: the RUN step reaches the Debian mirror as the host does; --pull=never: no registry here
  podman build --pull=never --network=host --file "$root/Dockerfile" \
    --build-arg "BASE_IMAGE=$base" --build-arg "VERSION=$version" \
    --build-arg "REVISION=$revision" --build-arg "SOURCE=$source" \
    --tag "$image:$version" --tag "$image:latest" "$root" >"$cache/build.log" 2>&1 || {
    tail -30 "$cache/build.log" >&2
    exit 1
  }
  say "$image:$version ($(podman image inspect --format '{{.Size}}' "$image:$version" | awk '{printf "%.1f MB", $1/1e6}'))"
}

case "${1:-build}" in
  build) build_image ;;
  base) ensure_base ;;
  clean)
    podman images --format '{{.Repository}}:{{.Tag}}' "$image" | while read -r name; do
      podman rmi --force "$name" >/dev/null
    done
    ! podman image exists "$base" || podman rmi --force "$base" >/dev/null
    rm -rf "$cache" ;;
  conf) echo "$CONTAINERS_CONF" ;;
  *) echo "usage: $0 build|base|clean|conf" >&2; exit 2 ;;
esac
