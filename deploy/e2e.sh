#!/usr/bin/env bash
# The chaos test of the multi-region deployment (`make e2e-docker` runs it after building the image):
# starts deploy/docker-compose.yml as a throw-away compose project, runs the Go checker (deploy/chaos)
# against it, and tears everything down (containers, networks, volumes) on every exit, failure included.
#
# Environment (all optional):
#   MERIDIAN_IMAGE   image to run (default meridian:e2e, built by `make docker-image`)
#   E2E_EXPECT       replicated (every region converges; default) or isolated (a build without
#                    replication: each node is checked on its own)
#   E2E_PORT_BASE    first of the four loopback ports published (default 28081)
#   E2E_WAN_PREFIX   /24 prefix of the test's WAN network (default 10.213.7)
#   E2E_ARGS         extra checker flags, e.g. "--cut-for 10s --docs 5"
#   E2E_KEEP_LOGS    directory for the containers' logs (default bin/e2e-logs)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

bash deploy/ensure-dockerd.sh

if docker compose version >/dev/null 2>&1; then
  compose_bin=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose_bin=(docker-compose)
else
  echo "e2e: neither 'docker compose' nor 'docker-compose' is installed (apt-get install docker-compose)" >&2
  exit 1
fi

project="meridian-e2e-$(date +%s)"
base=${E2E_PORT_BASE:-28081}
export COMPOSE_PROJECT_NAME="$project"
export MERIDIAN_IMAGE=${MERIDIAN_IMAGE:-meridian:e2e}
export MERIDIAN_WAN_PREFIX=${E2E_WAN_PREFIX:-10.213.7}
export MERIDIAN_BIND=127.0.0.1
export MERIDIAN_EU_PORT=$base MERIDIAN_US_PORT=$((base + 1)) MERIDIAN_AP_PORT=$((base + 2)) MERIDIAN_EU2_PORT=$((base + 3))
# Fresh secrets for every run; they never leave this process tree.
MERIDIAN_CLUSTER_KEY=$(head -c 32 /dev/urandom | base64)
MERIDIAN_JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
export MERIDIAN_CLUSTER_KEY MERIDIAN_JWT_SECRET
logs=${E2E_KEEP_LOGS:-bin/e2e-logs}
mkdir -p "$logs"

compose() { "${compose_bin[@]}" -p "$project" -f deploy/docker-compose.yml "$@"; }

teardown() {
  local status=$?
  trap - EXIT INT TERM
  echo "e2e: tearing down $project"
  # A paused container cannot be stopped: undo a pause the checker could not (it was killed, say).
  for id in $(docker ps -q --filter "label=com.docker.compose.project=$project" --filter status=paused); do
    docker unpause "$id" >/dev/null || true
  done
  compose logs --no-color --timestamps >"$logs/$project.log" 2>&1 || true
  if [ "$status" -ne 0 ]; then
    echo "e2e: FAILED (exit $status); the nodes' last log lines (all in $logs/$project.log):"
    tail -n 40 "$logs/$project.log" || true
  fi
  compose down --volumes --remove-orphans --timeout 5 >/dev/null 2>&1 || true
  # Belt and braces: whatever compose did not remove still carries the project label.
  docker ps -aq --filter "label=com.docker.compose.project=$project" | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker network ls -q --filter "label=com.docker.compose.project=$project" | xargs -r docker network rm >/dev/null 2>&1 || true
  docker volume ls -q --filter "label=com.docker.compose.project=$project" | xargs -r docker volume rm >/dev/null 2>&1 || true
  exit "$status"
}
trap teardown EXIT
trap 'exit 130' INT TERM

echo "e2e: building the checker"
go build -o bin/chaos ./deploy/chaos
meridian=${MERIDIAN_BIN:-bin/image/meridian}
token=$("$meridian" token --admin --doc 'chaos/*' --perm write --ttl 2h)

echo "e2e: starting $project ($MERIDIAN_IMAGE; eu on $base and $((base + 3)), us on $((base + 1)), ap on $((base + 2)))"
compose up -d --no-build

nodes="eu/eu-1=127.0.0.1:$base,eu/eu-2=127.0.0.1:$((base + 3)),us/us-1=127.0.0.1:$((base + 1)),ap/ap-1=127.0.0.1:$((base + 2))"
# shellcheck disable=SC2086
# --foreground keeps the checker in this process group, so Ctrl-C reaches it and it heals its faults; on
# expiry it gets SIGINT too (the same clean path), then SIGKILL a minute later.
MERIDIAN_TOKEN=$token timeout --foreground --signal=INT --kill-after=60 900 bin/chaos \
  --project "$project" --nodes "$nodes" --expect "${E2E_EXPECT:-replicated}" \
  --cut ap --cut-for 30s --kill eu-2 --down-for 5s --pause us-1 --pause-for 20s \
  ${E2E_ARGS:-}
