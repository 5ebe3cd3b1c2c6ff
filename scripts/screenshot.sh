#!/usr/bin/env bash
# Render the report of a store and take a PNG screenshot of it in headless
# Chromium (Debian's chromium; installed when missing).
#   scripts/screenshot.sh [STORE] [OUT.png]    default: cdnadvise.duckdb, report.png
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-cdnadvise.duckdb}
png=${2:-report.png}
if ! command -v chromium >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
html=$(mktemp --suffix=.html)
profile=$(mktemp -d)
trap 'rm -rf "$html" "$profile"' EXIT
go run ./cmd/cdnadvise --db "$db" report -q -o "$html"
chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
  --disable-sync --no-first-run --disable-quic --user-data-dir="$profile" --host-resolver-rules="MAP * ~NOTFOUND" \
  --window-size=1400,4200 --virtual-time-budget=5000 --hide-scrollbars --screenshot="$png" "file://$html" 2>/dev/null
echo "screenshot: $png"
