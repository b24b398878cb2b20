# The CSI node/controller plugin image: cephcsi plus managed-cephfuse (its fuse mounter), both Native AOT.
#   docker build -t managed-cephfuse/cephcsi .
# Build stage: the .NET 10 SDK on Debian 12 with what Native AOT links against.
FROM mcr.microsoft.com/dotnet/sdk:10.0-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends clang zlib1g-dev make \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish src/FuseFs/FuseFs.csproj -c Release -r linux-x64 -o /out \
 && dotnet publish src/CsiPlugin/CsiPlugin.csproj -c Release -r linux-x64 -o /out \
 && rm -f /out/*.dbg /out/*.pdb

# Run stage: Debian 12 with the Ceph client libraries the binaries load at run time.
FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcephfs2 librados2 ceph-common fuse3 util-linux ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/cephcsi /out/managed-cephfuse /usr/local/bin/
ENTRYPOINT ["/usr/local/bin/cephcsi"]
