#!/usr/bin/env bash
# Replay at scale: time and peak RSS of `cdnadvise replay` (the default
# 16-TTL grid, one cache per PoP) on the first 10 M, 50 M and all 100 M
# requests of a generated month (bench/genstore: 20 PoPs, ~30 M cache keys
# at 100 M), with the default memory limit (a quarter of RAM) and with
# --memory-limit 1GiB (in passes: its time is given as a ratio to the
# default's, the reference run of the same command).
#   bash bench/scale.sh [REQUESTS]        (default 100,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-100000000}
keys=$((requests * 3 / 10))
work=${BENCH_DIR:-/tmp/cdnadvise-bench}
mkdir -p "$work"
go build -tags duckdb_arrow -o "$work/cdnadvise" ./cmd/cdnadvise
db="$work/scale-$requests.duckdb"
[ -s "$db" ] || go run ./bench/genstore -requests "$requests" -keys "$keys" -o "$db"
last=$("$work/cdnadvise" --db "$db" sql --json "SELECT max(ts)::VARCHAR AS t FROM requests_raw" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["t"])')
echo "store: $db ($(du -h "$db" | cut -f1)), last request $last"
measure() { # label, args...
  local label=$1; shift
  local out
  out=$( { /usr/bin/time -f "%e %M" "$work/cdnadvise" --db "$db" replay -v "$@" > /dev/null; } 2>&1 )
  local passes tm rss
  passes=$(echo "$out" | grep -o 'msg=replay requests=[0-9]* passes=[0-9]*' | tail -1 | sed 's/.*passes=//')
  read -r tm rss < <(echo "$out" | tail -1)
  printf "  %-24s %8.1f s  peak RSS %6.0f MiB  passes %s\n" "$label" "$tm" "$((rss / 1024))" "${passes:-?}"
  last_time=$tm
}
for n in 10000000 50000000 "$requests"; do
  [ "$n" -le "$requests" ] || continue
  until=()
  if [ "$n" -lt "$requests" ]; then
    # The first n requests: they are spread evenly over the 30 days.
    until=(--until "$(python3 -c "import datetime as d; print((d.datetime(2026,10,1)+d.timedelta(days=30*$n/$requests)).strftime('%Y-%m-%dT%H:%M:%SZ'))")")
  fi
  echo "first $n requests:"
  measure "default memory limit" "${until[@]}"
  ref=$last_time
  measure "--memory-limit 1GiB" "${until[@]}" --memory-limit 1GiB
  python3 -c "print(f'  1GiB / default: {$last_time / $ref:.2f}x the time')"
done
