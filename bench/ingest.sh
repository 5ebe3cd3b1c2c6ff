#!/usr/bin/env bash
# Ingest speed: cdnadvise vs GoAccess on the same generated nginx-cache log
# (combined + $request_time $upstream_cache_status, Zipf URLs).
#   bash bench/ingest.sh [LINES]      (default 2,000,000)
# Needs hyperfine and goaccess (Debian packages; installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-2000000}
work=${BENCH_DIR:-/tmp/cdnadvise-bench}
mkdir -p "$work"
log="$work/access-$lines.log"
for tool in hyperfine goaccess; do
  if ! command -v $tool >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $tool >/dev/null
  fi
done
go build -o "$work/cdnadvise" ./cmd/cdnadvise
[ -s "$log" ] || go run ./bench/genlog -n "$lines" > "$log"
cat "$log" > /dev/null # page cache

db="$work/bench.duckdb"
ga_format='%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %T %C'
hyperfine -w 1 -r 5 -N --export-json "$work/hf.json" \
  -p "rm -f $db $db.wal" -n cdnadvise "$work/cdnadvise --db $db ingest -q $log" \
  -n goaccess "goaccess $log --log-format='$ga_format' --date-format=%d/%b/%Y --time-format=%T -o $work/ga.json --no-progress" >&2

rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
rm -f "$db" "$db.wal"
cd_rss=$(rss "$work/cdnadvise" --db "$db" ingest -q "$log")
python3 - "$work/hf.json" "$lines" "$cd_rss" <<'PY'
import json, sys
runs = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
n = int(sys.argv[2])
c, g = runs["cdnadvise"]["median"], runs["goaccess"]["median"]
print(f"lines: {n:,}")
print(f"cdnadvise ingest: {c:.3f} s median -> {n/c:,.0f} lines/s, peak RSS {int(sys.argv[3])/1024:.0f} MiB")
print(f"goaccess 1.7:     {g:.3f} s median -> {n/g:,.0f} lines/s")
print(f"ratio: {g/c:.1f}x")
PY
