# ManagedCephFuse — the interface people and CI use. `make help` lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

ROOT        := $(abspath .)
CLUSTER_DIR ?= $(ROOT)/.cluster
export CLUSTER_DIR
CONFIG      ?= Release
RID         := linux-x64
DOTNET      := DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 dotnet
# Faults.Tests (Category=Faults) starts, breaks and removes a cluster of its own in FAULTS_CLUSTER_DIR (docs/faults.md)
TEST_PROJECTS := tests/CephClient.Tests tests/FuseFs.Tests tests/CsiPlugin.Tests tests/BenchRunner.Tests tests/Deploy.Tests tests/Faults.Tests
FAULTS_CLUSTER_DIR ?= $(ROOT)/.cluster-faults
export FAULTS_CLUSTER_DIR
FAULTS_RESULTS := $(ROOT)/artifacts/faults/results.md
# every test project runs, even after one fails; the exit code says whether any did
TEST_LOGGER := --logger "console;verbosity=normal"
TEST_RESULTS := $(ROOT)/artifacts/test-results

.PHONY: help deps build cluster cluster-down demo demo-down test test-only test-faults test-image image image-clean install \
	uninstall install-fuse-ceph uninstall-fuse-ceph bench bench-build microbench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

deps: ## install the Debian packages (and npm packages) the tests need (only what is missing)
	scripts/install-deps.sh test
	scripts/install-deps.sh image
	cd tests/Deploy.Tests/schema && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }

build: ## build everything; publish bin/managed-cephfuse and bin/cephcsi
	$(DOTNET) build ManagedCephFuse.sln -c $(CONFIG) -v quiet -nologo
	$(DOTNET) publish src/FuseFs/FuseFs.csproj -c $(CONFIG) -r $(RID) -o bin -v quiet -nologo
	$(DOTNET) publish src/CsiPlugin/CsiPlugin.csproj -c $(CONFIG) -r $(RID) -o bin -v quiet -nologo
	@bin/managed-cephfuse --version && bin/cephcsi --version

cluster: ## start the throwaway Ceph cluster in .cluster/ (idempotent)
	scripts/cluster-up.sh "$(CLUSTER_DIR)"

cluster-down: ## stop the cluster's daemons (by PID) and remove .cluster/
	scripts/cluster-down.sh "$(CLUSTER_DIR)"

demo: deps cluster build ## cluster, build, then the demo (see README)
	scripts/demo.sh

demo-down: ## take the demo and its cluster down
	scripts/demo.sh down
	scripts/cluster-down.sh "$(CLUSTER_DIR)"

test: deps build cluster image ## everything: packages, build, image, cluster, all tests, cluster down
	rc=0; $(MAKE) --no-print-directory test-only || rc=$$?; \
	scripts/cluster-down.sh "$(CLUSTER_DIR)"; \
	exit $$rc

test-only: ## run the test projects against a running cluster (make cluster first)
	@rm -rf $(TEST_RESULTS); rc=0; for p in $(TEST_PROJECTS); do \
	  echo "== $$p"; \
	  $(DOTNET) test $$p -c $(CONFIG) --no-build $(TEST_LOGGER) \
	    --logger "trx;LogFileName=$$(basename $$p).trx" --results-directory $(TEST_RESULTS) || rc=1; \
	done; \
	$(MAKE) --no-print-directory faults-cleanup; \
	python3 scripts/test-summary.py $(TEST_RESULTS) || rc=1; exit $$rc

# The plugin image (docs/deploy.md): podman on a debootstrap base, no registry needed.
image: build ## the plugin image localhost/managed-cephfuse/cephcsi:<version> (and :latest), from bin/
	scripts/install-deps.sh image
	scripts/image.sh build

image-clean: ## remove the image, its cached debootstrap base (.cache/image) and the base in podman's storage
	scripts/image.sh clean

test-image: deps build cluster image ## only the image's tests (a container mounts the test cluster), cluster down
	rc=0; $(DOTNET) test tests/Deploy.Tests -c $(CONFIG) --no-build $(TEST_LOGGER) --filter Category=Image || rc=$$?; \
	scripts/cluster-down.sh "$(CLUSTER_DIR)"; \
	exit $$rc

# make install: PREFIX and DESTDIR as usual. mount(8) runs helpers from /sbin only, so the helper also gets a
# link there (MOUNT_HELPER_DIR=, empty, to skip). Man pages: list them in MAN8_PAGES.
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  := $(PREFIX)/bin
SBINDIR := $(PREFIX)/sbin
UNITDIR ?= $(PREFIX)/lib/systemd/system
MANDIR  ?= $(PREFIX)/share/man
MOUNT_HELPER_DIR ?= /sbin
MAN8_PAGES :=
INSTALLED_BINARIES := managed-cephfuse cephcsi

install: ## install binaries, mount helper, systemd units under PREFIX (DESTDIR for staging); run make build first
	@for b in $(INSTALLED_BINARIES); do [ -x bin/$$b ] || { echo "bin/$$b is missing: run make build first" >&2; exit 1; }; done
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR)
	install -m 0755 $(addprefix bin/,$(INSTALLED_BINARIES)) $(DESTDIR)$(BINDIR)/
	sed 's|@BINDIR@|$(BINDIR)|g' deploy/mount/mount.fuse.managed-cephfuse > $(DESTDIR)$(SBINDIR)/mount.fuse.managed-cephfuse
	chmod 0755 $(DESTDIR)$(SBINDIR)/mount.fuse.managed-cephfuse
	sed 's|@BINDIR@|$(BINDIR)|g' deploy/systemd/managed-cephfuse@.service.in > $(DESTDIR)$(UNITDIR)/managed-cephfuse@.service
	install -m 0644 deploy/systemd/managed-cephfuse.target $(DESTDIR)$(UNITDIR)/
	$(foreach page,$(MAN8_PAGES),install -D -m 0644 $(page) $(DESTDIR)$(MANDIR)/man8/$(notdir $(page));)
ifneq ($(MOUNT_HELPER_DIR),)
	if [ "$(abspath $(MOUNT_HELPER_DIR))" != "$(abspath $(SBINDIR))" ]; then \
	  install -d $(DESTDIR)$(MOUNT_HELPER_DIR) && \
	  ln -sfn $(SBINDIR)/mount.fuse.managed-cephfuse $(DESTDIR)$(MOUNT_HELPER_DIR)/mount.fuse.managed-cephfuse; \
	fi
endif

uninstall: ## remove what make install installed (same PREFIX, DESTDIR, MOUNT_HELPER_DIR)
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(INSTALLED_BINARIES)) $(DESTDIR)$(SBINDIR)/mount.fuse.managed-cephfuse \
	  $(DESTDIR)$(UNITDIR)/managed-cephfuse@.service $(DESTDIR)$(UNITDIR)/managed-cephfuse.target \
	  $(foreach page,$(MAN8_PAGES),$(DESTDIR)$(MANDIR)/man8/$(notdir $(page)))
ifneq ($(MOUNT_HELPER_DIR),)
	if [ -L $(DESTDIR)$(MOUNT_HELPER_DIR)/mount.fuse.managed-cephfuse ]; then rm -f $(DESTDIR)$(MOUNT_HELPER_DIR)/mount.fuse.managed-cephfuse; fi
endif

# -t fuse.ceph (existing ceph-fuse fstab lines) through managed-cephfuse: Debian's ceph-fuse owns
# /sbin/mount.fuse.ceph, so it is diverted (dpkg-divert keeps the package's copy as mount.fuse.ceph.distrib
# and its upgrades go there) and replaced by a link to our helper. Opt-in, on this machine only.
install-fuse-ceph: ## opt-in: make mount -t fuse.ceph use managed-cephfuse (diverts ceph-fuse's helper)
	@[ -z "$(DESTDIR)" ] || { echo "install-fuse-ceph changes this machine's /sbin: no DESTDIR" >&2; exit 1; }
	@[ -x $(SBINDIR)/mount.fuse.managed-cephfuse ] || { echo "$(SBINDIR)/mount.fuse.managed-cephfuse is missing: make install first" >&2; exit 1; }
	dpkg-divert --local --rename --divert /sbin/mount.fuse.ceph.distrib --add /sbin/mount.fuse.ceph
	ln -sfn $(SBINDIR)/mount.fuse.managed-cephfuse /sbin/mount.fuse.ceph

uninstall-fuse-ceph: ## undo install-fuse-ceph: ceph-fuse's own mount.fuse.ceph again
	if [ -L /sbin/mount.fuse.ceph ]; then rm -f /sbin/mount.fuse.ceph; fi
	dpkg-divert --local --rename --remove /sbin/mount.fuse.ceph

test-faults: deps build ## only the fault suite (its own cluster; ~5 min); results in artifacts/faults/results.md
	rc=0; $(DOTNET) test tests/Faults.Tests -c $(CONFIG) --no-build $(TEST_LOGGER) || rc=$$?; \
	$(MAKE) --no-print-directory faults-cleanup; exit $$rc

# the fault suite takes its cluster down itself; this catches a test host that died, then shows the measurements
.PHONY: faults-cleanup
faults-cleanup:
	@scripts/cluster-down.sh "$(FAULTS_CLUSTER_DIR)" >/dev/null
	@if [ -f $(FAULTS_RESULTS) ]; then echo "== $(FAULTS_RESULTS)"; sed -n '1,/^## Details/p' $(FAULTS_RESULTS); fi

# make bench: knobs are environment/make variables (BENCH_QUICK=1, BENCH_CONTENDERS=..., see docs/benchmarks.md)
BENCH_TOOLS_DIR ?= $(ROOT)/artifacts/bench
export BENCH_TOOLS_DIR
BENCH_CFLAGS := -O2 -Wall -Wextra -Werror
# managed-cephfuse is published unless both contender lists are given without it (it runs by default)
BENCH_WANTS_MANAGED := $(if $(and $(BENCH_CONTENDERS),$(BENCH_FUSE_CONTENDERS)),$(findstring managed,$(BENCH_CONTENDERS) $(BENCH_FUSE_CONTENDERS)),yes)

bench: ## side-by-side comparison: ceph-fuse / libcephfs direct / managed-cephfuse, and the FUSE layer alone
	scripts/install-deps.sh bench
	$(MAKE) --no-print-directory bench-build
	cd $(ROOT) && $(BENCH_TOOLS_DIR)/runner/bench-runner

bench-build: $(BENCH_TOOLS_DIR)/fsops $(BENCH_TOOLS_DIR)/libfuse-ref ## build what make bench runs (no run)
	$(DOTNET) publish perf/CephDirect/CephDirect.csproj -c $(CONFIG) -r $(RID) -o $(BENCH_TOOLS_DIR) -v quiet -nologo
	$(DOTNET) build perf/BenchRunner/BenchRunner.csproj -c $(CONFIG) -o $(BENCH_TOOLS_DIR)/runner -v quiet -nologo
ifneq ($(BENCH_WANTS_MANAGED),)
	$(DOTNET) publish src/FuseFs/FuseFs.csproj -c $(CONFIG) -r $(RID) -o bin -v quiet -nologo
endif

# make microbench: BenchmarkDotNet in process; MICROBENCH_ARGS go to it (e.g. MICROBENCH_ARGS="--filter '*Bridge*'")
MICROBENCH_DIR := $(ROOT)/artifacts/microbench
MICROBENCH_ARGS ?= --filter '*'

microbench: ## hot-path microbenchmarks (decode, dispatch, reply, READDIRPLUS, the CephFS bridge over a fake libcephfs)
	$(DOTNET) build perf/Benchmarks/ManagedCephFuse.Benchmarks.csproj -c Release -o $(MICROBENCH_DIR)/bin -v quiet -nologo
	gcc $(BENCH_CFLAGS) -shared -fPIC -o $(MICROBENCH_DIR)/bin/libcephfs-fake.so perf/Benchmarks/FakeCeph/fake_libcephfs.c
	cd $(ROOT) && BENCH_ARTIFACTS=$(MICROBENCH_DIR) $(MICROBENCH_DIR)/bin/ManagedCephFuse.Benchmarks $(MICROBENCH_ARGS)
	@echo "results: $(MICROBENCH_DIR)/results/*-report-github.md"

$(BENCH_TOOLS_DIR)/fsops: perf/tools/fsops.c
	@mkdir -p $(@D)
	gcc $(BENCH_CFLAGS) -o $@ $<

$(BENCH_TOOLS_DIR)/libfuse-ref: perf/libfuse-ref/libfuse_ref.c
	@mkdir -p $(@D)
	gcc $(BENCH_CFLAGS) -o $@ $< $$(pkg-config --cflags --libs fuse3) -lpthread

clean: ## remove build output
	rm -rf bin artifacts
	$(DOTNET) clean ManagedCephFuse.sln -v quiet -nologo
