#!/usr/bin/env bash
# Ingest memory with tens of millions of distinct query strings: peak RSS and
# time of `cdnadvise ingest` on the realistic shape (bench/genlog: half the
# lines carry a campaign tag or click id of their own) at 50 M lines, this
# tree against BASE (default: the commit before bounded dictionaries) as
# the reference run of the same command.
#   bash bench/dictspill.sh [LINES] [BASE]     (default 50,000,000 f335fd5)
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-50000000}
base=${2:-f335fd5}
work=${BENCH_DIR:-/tmp/cdnadvise-bench}
mkdir -p "$work"
go build -tags duckdb_arrow -o "$work/cdnadvise" ./cmd/cdnadvise
if [ ! -x "$work/cdnadvise-$base" ]; then
  rm -rf "$work/base-src"
  git worktree add -f -q "$work/base-src" "$base"
  (cd "$work/base-src" && go build -o "$work/cdnadvise-$base" ./cmd/cdnadvise)
  git worktree remove -f "$work/base-src"
fi
log="$work/access-realistic-$lines.log"
[ -s "$log" ] || go run ./bench/genlog -n "$lines" -shape realistic > "$log"
echo "log: $log ($(du -h "$log" | cut -f1), $lines lines)"
for bin in "cdnadvise-$base" cdnadvise; do
  db="$work/spill.duckdb"
  rm -f "$db" "$db.wal"
  read -r tm rss < <( { /usr/bin/time -f "%e %M" "$work/$bin" --db "$db" ingest -q "$log" > /dev/null; } 2>&1 | tail -1)
  q=$("$work/cdnadvise" --db "$db" sql --json "SELECT count(*) AS n FROM d_query" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["n"])')
  dup=$("$work/cdnadvise" --db "$db" sql --json "SELECT count(*) - count(DISTINCT value) AS n FROM d_query" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["n"])')
  printf "  %-22s %8.1f s  %9.0f lines/s  peak RSS %5.0f MiB  distinct query strings %s (stored twice: %s)\n" \
    "$bin" "$tm" "$(python3 -c "print($lines / $tm)")" "$((rss / 1024))" "$q" "$dup"
done
