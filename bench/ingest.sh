#!/usr/bin/env bash
# Ingest speed: cdnadvise vs GoAccess on the same generated nginx-cache logs
# (combined + $request_time $upstream_cache_status), in one run, in two shapes:
#   simple:    short URLs, four user agents (Zipf URLs)
#   realistic: long and varied query strings (campaign tags, click ids: most
#              distinct), 4,500 user agents, 28,000 referers, percent-encoded
#              non-ASCII paths, a quarter of IPv6 clients
#   bash bench/ingest.sh [LINES]      (default 2,000,000 per shape)
# Needs hyperfine and goaccess (Debian packages; installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-2000000}
work=${BENCH_DIR:-/tmp/cdnadvise-bench}
mkdir -p "$work"
for tool in hyperfine goaccess; do
  if ! command -v $tool >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $tool >/dev/null
  fi
done
go build -o "$work/cdnadvise" ./cmd/cdnadvise
db="$work/bench.duckdb"
ga_format='%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %T %C'
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
for shape in simple realistic; do
  log="$work/access-$shape-$lines.log"
  [ -s "$log" ] || go run ./bench/genlog -n "$lines" -shape "$shape" > "$log"
  cat "$log" > /dev/null # page cache
  hyperfine -w 1 -r 5 -N --export-json "$work/hf-$shape.json" \
    -p "rm -f $db $db.wal" -n cdnadvise "$work/cdnadvise --db $db ingest -q $log" \
    -n goaccess "goaccess $log --log-format='$ga_format' --date-format=%d/%b/%Y --time-format=%T -o $work/ga.json --no-progress" >&2
  rm -f "$db" "$db.wal"
  cd_rss=$(rss "$work/cdnadvise" --db "$db" ingest -q "$log")
  ga_rss=$(rss goaccess "$log" --log-format="$ga_format" --date-format=%d/%b/%Y --time-format=%T -o "$work/ga.json" --no-progress)
  python3 - "$work/hf-$shape.json" "$lines" "$cd_rss" "$ga_rss" "$shape" "$(stat -c %s "$log")" <<'PY'
import json, sys
runs = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
n = int(sys.argv[2])
c, g = runs["cdnadvise"]["median"], runs["goaccess"]["median"]
print(f"shape {sys.argv[5]}: {n:,} lines, {int(sys.argv[6])/2**20:.0f} MiB")
print(f"  cdnadvise ingest: {c:.3f} s median -> {n/c:,.0f} lines/s, peak RSS {int(sys.argv[3])/1024:.0f} MiB")
print(f"  goaccess:         {g:.3f} s median -> {n/g:,.0f} lines/s, peak RSS {int(sys.argv[4])/1024:.0f} MiB")
print(f"  ratio: {g/c:.1f}x")
PY
done
