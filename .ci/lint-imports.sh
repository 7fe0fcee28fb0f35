#!/usr/bin/env bash
# Check the layer contract (.importlinter) on a plain install of the checkout: import-linter
# walks package folders, and agentgym maps some subpackages from folders beside agentgym/.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/src"
tar --exclude=.git --exclude=build --exclude='*.egg-info' --exclude=tests -c . | tar -C "$tmp/src" -x
pip install -q --no-deps --no-build-isolation --target "$tmp/site" "$tmp/src"
(cd "$tmp" && PYTHONPATH="$tmp/site" lint-imports --no-cache "$OLDPWD/.importlinter")
