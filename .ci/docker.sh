#!/usr/bin/env bash
# Docker sandbox prerequisites for CI (a fresh Debian 12 machine, run as root): install the
# engine, debootstrap and bubblewrap from Debian, start dockerd if it is not running, wait for
# it, and build the sandbox image locally (debootstrap + docker import; no registry pull).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
if [ "${#need[@]}" -gt 0 ]; then
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${need[@]}"
fi

if ! docker info >/dev/null 2>&1; then
    echo "starting dockerd"
    nohup dockerd >/tmp/dockerd.log 2>&1 &
    for _ in $(seq 1 60); do
        docker info >/dev/null 2>&1 && break
        sleep 1
    done
fi
if ! docker info >/dev/null 2>&1; then
    echo "dockerd did not come up within 60 s; its log:" >&2
    tail -n 40 /tmp/dockerd.log >&2 || true
    exit 1
fi

python -m agentgym.sandboxes.cli build-image
