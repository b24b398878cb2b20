# The CSI plugin image: cephcsi and managed-cephfuse (its fuse mounter), both Native AOT, on Debian 12 with
# only the shared libraries they load (libcephfs2, librados2 and what those pull in).
#
# The binaries come from `make build` (bin/), not from a build stage: the same Dockerfile then builds
#   - here, with no container registry: `make image` (podman, on a debootstrap base; see docs/deploy.md)
#   - where a registry is reachable:     make build && docker build -t managed-cephfuse/cephcsi .
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}

# (an ARG before FROM is out of scope after it: declared again for the label)
ARG BASE_IMAGE
ARG VERSION=0.0.0
ARG REVISION=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="managed-cephfuse cephcsi" \
      org.opencontainers.image.description="CephFS CSI driver (cephcsi) with managed-cephfuse as its fuse mounter" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.base.name="${BASE_IMAGE}"

# No docs, man pages or translations from any package (debian:bookworm-slim sets the same); security and
# point-release updates first, then the two Ceph client libraries without recommends.
RUN printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
        'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' \
        'path-exclude /usr/share/lintian/*' > /etc/dpkg/dpkg.cfg.d/01-image-slim \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get upgrade -y \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libcephfs2 librados2 \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log

COPY bin/cephcsi bin/managed-cephfuse /usr/local/bin/
# Fails the build when a library the binaries load is missing from the run stage.
RUN /usr/local/bin/cephcsi --version && /usr/local/bin/managed-cephfuse --version \
 && ldd /usr/lib/x86_64-linux-gnu/libcephfs.so.2 /usr/lib/x86_64-linux-gnu/librados.so.2 | (! grep 'not found')

# As ceph-csi's image: the manifests give cephcsi its flags (args), nothing else runs.
ENTRYPOINT ["/usr/local/bin/cephcsi"]
