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
TEST_PROJECTS := tests/CephClient.Tests tests/FuseFs.Tests tests/CsiPlugin.Tests
# every test project runs, even after one fails; the exit code says whether any did
TEST_LOGGER := --logger "console;verbosity=normal"

.PHONY: help deps build cluster cluster-down demo demo-down test test-only bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

deps: ## install the Debian packages the tests need (only what is missing)
	scripts/install-deps.sh test

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

test: deps build cluster ## everything: packages, build, cluster, all tests, cluster down
	rc=0; $(MAKE) --no-print-directory test-only || rc=$$?; \
	scripts/cluster-down.sh "$(CLUSTER_DIR)"; \
	exit $$rc

test-only: ## run the test projects against a running cluster (make cluster first)
	@rc=0; for p in $(TEST_PROJECTS); do \
	  echo "== $$p"; \
	  $(DOTNET) test $$p -c $(CONFIG) --no-build $(TEST_LOGGER) || rc=1; \
	done; exit $$rc

bench: ## the side-by-side performance comparison (reserved for the performance issue)
	@echo "make bench: not available yet (performance issue)"; exit 1

clean: ## remove build output
	rm -rf bin artifacts
	$(DOTNET) clean ManagedCephFuse.sln -v quiet -nologo
