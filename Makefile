# Meridian: `make run` starts one region locally, `make test` runs every test.
# Everything a target needs is installed by the target itself (npm ci) or by .ci/run (apt packages).

SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
GO ?= go
NPM ?= npm
# Go tests and benchmarks find the traces here (they are never copied into the project).
TRACES ?= ../shared/traces

.PHONY: all build web run test test-go test-js vet lint fuzz-short bench bench-crdt conformance-long clean

all: build

# node_modules is rebuilt from the committed lockfile whenever the lockfile changes.
node_modules/.package-lock.json: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

build:
	@mkdir -p bin
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/meridian ./cmd/meridian

web: node_modules/.package-lock.json
	$(NPM) run build -w @meridian-sync/web

run: web build
	./bin/meridian serve --dev --listen :8080 --data ./data

test: node_modules/.package-lock.json vet test-go test-js

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...

test-go:
	$(GO) test -count=1 -timeout 20m ./...

# Each npm workspace member's own tests (node's built-in runner); they start real `meridian serve` processes.
test-js: node_modules/.package-lock.json
	$(NPM) run test --workspaces --if-present

lint: vet

# Every fuzz target, briefly. `make fuzz-short FUZZTIME=5m` runs each longer.
FUZZTIME ?= 10s
fuzz-short:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$target ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

# The differential test against real Yjs, at length.
conformance-long: node_modules/.package-lock.json
	MERIDIAN_CONFORMANCE_SEEDS=20000 $(GO) test -count=1 -timeout 120m -run 'TestDifferential$$|TestGoEditsMatchYjs$$' ./crdt/conformance

bench: bench-crdt

bench-crdt: node_modules/.package-lock.json
	$(GO) run ./crdt/bench -traces $(TRACES)

# Replication with real nodes on loopback: heal → convergence time and bytes (1k/10k/100k documents held,
# 1/100/10k diverged) and cross-region realtime visibility latency; then the same questions with real
# `meridian serve` processes on Pebble (replication/benchrepl/realbench): an empty region joining one that
# holds REAL_DOCS documents (A's write latency meanwhile), a heal after a region was stopped, durable write
# throughput over HTTP and WebSocket. REAL_TIMEOUT bounds each wait for a region; BENCH_REPL_FLAGS adds
# benchrepl flags (e.g. -real-scenarios throughput, -memory=false). Results go in BENCHMARKS.md.
REAL_DOCS ?= 100000
REAL_TIMEOUT ?= 10m
BENCH_REPL_FLAGS ?=
.PHONY: bench-replication
bench-replication: build
	$(GO) build -o bin/benchrepl ./replication/benchrepl
	taskset -c 0 ./bin/benchrepl -real -meridian bin/meridian -real-docs $(REAL_DOCS) -real-timeout $(REAL_TIMEOUT) $(BENCH_REPL_FLAGS)

# Meridian against the Node Yjs servers (server/bench/peers) under one load generator: fan-out throughput and
# latency, idle memory, cold load. Servers run on core 0, the generator on core 1. About 6 minutes.
.PHONY: bench-server
bench-server: node_modules/.package-lock.json build
	$(GO) build -o bin/loadgen ./server/bench/loadgen
	ulimit -n 20000 && taskset -c 1 ./bin/loadgen -meridian bin/meridian -peers server/bench/peers -server-cpus 0 \
	  -out bin/bench-server.md

clean:
	rm -rf bin

# The multi-region Docker deployment (deploy/). docker-image wraps the static release binary (editor
# embedded) in an image FROM scratch, so nothing is pulled; e2e-docker runs the chaos test against three
# regions and tears the cluster down however it ends. Both start dockerd if none runs.
.PHONY: docker-image e2e-docker
DOCKER_IMAGE ?= meridian:e2e
docker-image: web
	@mkdir -p bin/image/data
	CGO_ENABLED=0 $(GO) build -tags release -trimpath -o bin/image/meridian ./cmd/meridian
	bash deploy/ensure-dockerd.sh
	DOCKER_BUILDKIT=0 docker build -q -f deploy/Dockerfile.static -t $(DOCKER_IMAGE) bin/image

e2e-docker: docker-image
	MERIDIAN_IMAGE=$(DOCKER_IMAGE) bash deploy/e2e.sh
