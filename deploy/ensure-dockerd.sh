#!/usr/bin/env bash
# Makes sure a Docker engine answers, starting dockerd if none runs (CI machines and fresh sandboxes have
# the packages, installed by .ci/run, but no daemon). The daemon is left running for later targets.
#
# Sandboxes without iptables or overlayfs need --iptables=false and the vfs storage driver; published
# ports still work through docker-proxy on loopback. Override with DOCKERD_FLAGS.
set -euo pipefail

if docker info >/dev/null 2>&1; then
  exit 0
fi
if ! command -v dockerd >/dev/null 2>&1; then
  echo "ensure-dockerd: no Docker engine answers and dockerd is not installed." >&2
  echo "  Debian/Ubuntu: apt-get install -y docker.io docker-compose" >&2
  exit 1
fi
log=${DOCKERD_LOG:-/tmp/meridian-dockerd.log}
echo "ensure-dockerd: starting dockerd (log: $log)"
# setsid: the daemon must not die with the make process that started it.
# shellcheck disable=SC2086
setsid dockerd ${DOCKERD_FLAGS:---iptables=false --storage-driver=vfs} >"$log" 2>&1 < /dev/null &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "ensure-dockerd: dockerd is up"
    exit 0
  fi
  sleep 1
done
echo "ensure-dockerd: dockerd did not answer within 60 s; its log ends with:" >&2
tail -n 20 "$log" >&2
exit 1
