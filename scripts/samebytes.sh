#!/usr/bin/env bash
# samebytes.sh OLD NEW: proves that two cdnadvise binaries behave the same, byte for byte.
#
#   bash scripts/samebytes.sh OLD_BIN NEW_BIN
#   bash scripts/samebytes.sh HEAD ./cdnadvise     # OLD may be a git revision: built in a
#                                                 # temporary `git worktree` (go build -tags duckdb_arrow)
#   SAMEBYTES_KEEP=1 bash scripts/samebytes.sh ...  # keep the temporary folder to look into
#
# Every command of the CLI (ingest, analyze, replay, advise, patch, edge with every edge,
# report, verify, run, routes, formats, advice list, sql, export, completion, --help of each,
# text, --json and --csv forms, -v, error paths) is run with both binaries on the bundled
# examples (examples/logs, examples/{django,fastapi,flask}_app), on every fixture in every
# testdata/ folder (each Python project as --src, the fuzz corpus decoded into a project as the fuzz
# test does, replay/testdata's CSV given to replay --trace) and on inputs generated here
# deterministically (awk with a fixed-seed LCG) for what the repository has no file of:
# traffic on the fixtures' routes, the "after" traffic verify needs, a cache trace, a file per
# log format (the example line `formats` prints for it). Exact mode (--python) runs with
# /usr/bin/python3 where it can import what the project imports, else it is a "skip" line.
#
# Inputs are a snapshot of examples/ and the testdata/ folders taken when the script starts (the tree
# may change while it runs). Each binary runs in a fresh work directory; both use the SAME
# absolute path ($T/work, one side after the other, then moved aside), so that paths the tool
# prints or records are equal by construction instead of normalised. For each invocation the
# script keeps stdout, stderr, the exit code and every file the invocation wrote or changed
# (found by mtime). DuckDB stores and Parquet files are compared by their content (schema,
# tables, metadata, a hash of every row; read by the OLD binary's `sql` for both sides), not
# their pages. Then OLD and NEW are compared byte for byte after the normalisations in
# normalise() (and the two column exclusions in dump_store/dump_parquet), each found by running
# the script with the same binary as OLD and NEW; the comment on each says what differed.
# The one exception is the build's own version string (see OLD_VERSION), which differs
# between two builds by construction, and is replaced literally.
#
# Output: one line per invocation, "same  LABEL" or "DIFF  LABEL" plus the first lines of a
# unified diff per differing part; "skip LABEL: REASON" for what cannot run here; then
# "samebytes: N same, M different". Exit status 1 when M > 0 (2 on a usage or build error).
set -u -o pipefail

usage() { echo "usage: bash scripts/samebytes.sh OLD_BIN|GIT_REV NEW_BIN|GIT_REV" >&2; exit 2; }
[ $# -eq 2 ] || usage

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/samebytes.XXXXXX")
cleanup() {
	local wt
	for wt in "$T"/src-*; do # a worktree left by a build that failed or was interrupted
		[ -d "$wt" ] || continue
		git -C "$REPO" worktree remove --force "$wt" >/dev/null 2>&1
		git -C "$REPO" worktree prune >/dev/null 2>&1
	done
	if [ -n "${SAMEBYTES_KEEP-}" ]; then
		echo "samebytes: kept $T (cap-old/, cap-new/: what each invocation printed and wrote)" >&2
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The environment may name a store; every invocation here names its own.
unset CDNADVISE_DB
# Exact mode runs the project's Python, whose str hashes are salted at random per process:
# Django's exact routes list a DRF @api_view's methods in the order of a Python set (GET,POST
# in one run, POST,GET in the next, with the same binary). One fixed seed for every process
# of both sides takes that randomness out at its source instead of rewriting the output.
export PYTHONHASHSEED=0

# resolve NAME ARG: the path of an executable, or a git revision built in a worktree.
resolve() {
	local name=$1 arg=$2
	if [ -f "$arg" ] && [ -x "$arg" ]; then
		(cd "$(dirname "$arg")" && echo "$PWD/$(basename "$arg")")
		return
	fi
	if git -C "$REPO" rev-parse --verify -q "$arg^{commit}" >/dev/null; then
		local wt=$T/src-$name rev
		rev=$(git -C "$REPO" rev-parse "$arg^{commit}")
		echo "building $name from $arg ($rev) in a temporary worktree..." >&2
		git -C "$REPO" worktree add --detach -q "$wt" "$rev" >&2 || exit 2
		(cd "$wt" && go build -tags duckdb_arrow -o "$T/bin-$name" ./cmd/cdnadvise) >&2 || { echo "samebytes: building $arg failed" >&2; exit 2; }
		git -C "$REPO" worktree remove --force "$wt" >/dev/null 2>&1
		echo "$T/bin-$name"
		return
	fi
	echo "samebytes: $arg is neither an executable file nor a git revision" >&2
	exit 2
}
OLD=$(resolve old "$1") || exit 2
NEW=$(resolve new "$2") || exit 2
# The reader of DuckDB stores, the same for both sides.
READER=$OLD

# The build's own identity (module version, VCS commit, dirty flag, commit time, Go version),
# as --version prints it and as advice runs record it (advice list, advice.json, the store).
# Two builds of different commits (or of a dirty tree) differ here by construction; it is
# replaced by a placeholder, each side's own string, literally. Running the script with
# OLD=NEW shows it is the same string on both sides, so this hides nothing there.
OLD_VERSION=$("$OLD" --version | sed 's/^cdnadvise //')
NEW_VERSION=$("$NEW" --version | sed 's/^cdnadvise //')

IN=$T/in          # inputs generated here, shared (read only) by both sides
W=$T/work         # the work directory: cwd of every invocation, fresh for each side
SNAP=$T/repo      # the fixtures, as the working tree has them when the script starts
mkdir -p "$IN" "$T/cwd"
cd "$T/cwd" || exit 2

# A snapshot of examples/ and every testdata/ folder of the working tree (at any depth),
# shared by both sides:
# the repository may change while the script runs (a refactor in progress moves fixtures),
# and the advice records the git commit of --src (with -dirty when the tree has changes),
# which must not depend on the state of the working tree at the moment each side runs. The
# snapshot is a git repository of its own with one commit of fixed author, committer and
# dates: its commit id depends only on the fixtures.
mkdir -p "$SNAP"
TESTDATA=$(cd "$REPO" && find . \( -name .git -o -name node_modules \) -prune -o -type d -name testdata -print | sed 's|^\./||' | LC_ALL=C sort)
(cd "$REPO" && for d in examples $TESTDATA; do [ -d "$d" ] && [ ! -e "$SNAP/$d" ] && mkdir -p "$SNAP/$(dirname "$d")" && cp -a "$d" "$SNAP/$d"; done)
find "$SNAP" \( -name __pycache__ -o -name '*.pyc' \) -prune -exec rm -rf {} +
if command -v git >/dev/null; then
	git -C "$SNAP" init -q &&
		git -C "$SNAP" add -A &&
		GIT_AUTHOR_NAME=samebytes GIT_AUTHOR_EMAIL=samebytes@localhost GIT_AUTHOR_DATE=2026-01-01T00:00:00Z \
			GIT_COMMITTER_NAME=samebytes GIT_COMMITTER_EMAIL=samebytes@localhost GIT_COMMITTER_DATE=2026-01-01T00:00:00Z \
			git -C "$SNAP" -c commit.gpgsign=false commit -q -m "fixtures" || exit 2
fi
E=$SNAP/examples

# ---------------------------------------------------------------- generated inputs

# traffic LOGFILE ORIGINFILE DAY HITSHARE CC PATH...: deterministic nginx-cache edge lines
# (combined + $request_time $upstream_response_time $upstream_cache_status pop=) and, for each
# miss, the origin's line (combined + microseconds), 3000 requests over 50 minutes of day DAY
# of November 2026, Zipf-like popularity (fixed-seed Park-Miller LCG), POSTs, tracking and
# other query parameters, 404s and 500s, content that changes size, 13 clients, 3 PoPs. With
# CC non-empty, the edge lines carry "$sent_http_cache_control" "$http_cookie" too (read with
# --nginx-format).
traffic() {
	local edge=$1 origin=$2 day=$3 hit=$4 cc=$5
	shift 5
	printf '%s\n' "$@" | awk -v day="$day" -v hit="$hit" -v cc="$cc" -v ef="$edge" -v of="$origin" '
	function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
	{ p[n++] = $0 }
	END {
		seed = 42 + day
		for (i = 0; i < 3000; i++) {
			t = int(i / 1); h = int(t / 3600) % 24; m = int(t / 60) % 60; s = t % 60
			ts = sprintf("%02d/Nov/2026:%02d:%02d:%02d +0000", day, 10 + h, m, s)
			r = rnd(); k = int(n * r * r * r); path = p[k]
			method = "GET"
			if (path ~ /^POST /) { method = "POST"; sub(/^POST /, "", path) }
			else if (i % 9 == 0) method = "HEAD"
			q = ""
			if (i % 4 == 0) q = "?utm_source=news&page=" (i % 3)
			else if (i % 11 == 0) q = "?page=" (i % 5)
			status = 200
			if (i % 97 == 0) status = 404
			if (i % 211 == 0) status = 500
			if (method == "POST") status = 201
			bytes = 100 + (k * 37) % 900 + ((k % 3 == 0) ? int(i / 700) * 13 : 0)
			c = (method != "POST" && path !~ /me\/?$/ && rnd() < hit) ? "HIT" : "MISS"
			ip = "10.0.0." (i % 13); ua = "Mozilla/5.0 (X11; client " (i % 13) ")"
			pop = (i % 3 == 0) ? "FRA" : ((i % 3 == 1) ? "IAD" : "SIN")
			dur = (c == "HIT") ? 0.002 : 0.010 + (i % 17) / 1000
			if (cc != "") {
				ccv = (path ~ /me\/?$/) ? "private, no-store" : ((k % 2 == 0) ? cc : "-")
				printf "%s - - [%s] \"%s %s%s HTTP/1.1\" %d %d \"-\" \"%s\" %.3f %s \"%s\" \"sessionid=%d\"\n", ip, ts, method, path, q, status, bytes, ua, dur, c, ccv, i % 13 > ef
			} else {
				printf "%s - - [%s] \"%s %s%s HTTP/1.1\" %d %d \"-\" \"%s\" %.3f %.3f %s pop=%s\n", ip, ts, method, path, q, status, bytes, ua, dur, (c == "HIT") ? 0 : dur - 0.001, c, pop > ef
			}
			if (c == "MISS" && of != "")
				printf "%s - - [%s] \"%s %s%s HTTP/1.1\" %d %d \"-\" \"%s\" %d\n", ip, ts, method, path, q, status, bytes, ua, (dur - 0.001) * 1000000 > of
		}
	}'
}
# Concrete paths for the routes of every project: examples/*_app and the testdata projects
# (routes --src lists them); "POST " marks a POST.
FIXTURE_PATHS=(
	/ /api/items /api/items/ /api/items/5 /api/items/3/ "POST /api/items" "POST /api/items/"
	/api/leaderboard /api/leaderboard/ /api/me /api/me/ /search /search/ /static/app.3f2a9c1b.js
	/en/about/ /api/ /api/dynamic/ /api/orders/ "POST /api/orders/" /api/products/ "POST /api/products/"
	/api/products/widget/ /api/products/widget/reviews/ /api/products/featured/ /api/products.json
	/api/search/ /api/tags/ "POST /api/tags/" /blog/ /blog/hello/ /blog/contact/ /by-year/2024/
	/comments/ "POST /comments/" /items/4/ /archive/2023/
	/api/items/3/raw /api/items/3/reviews/9 /docs /health /leaderboard /openapi.json /users/me
	/admin/stats "POST /api/items/5/reviews" /api/things/6f1c1a3e-1b1a-4c55-9a55-0d2b7c6e2a11
	/api/v2/files/a/b.txt /assets/plain.js /assets/app.3f2a9c1b.js /healthz /me /tags/news
	/__debug__/ping/ /accounts/login/ /admin/login/ /api/v2/checks/ "POST /api/v2/checks/" /health/
	/integrations/email/add/ /integrations/slack/add/ /media/x.png
	/projects/6f1c1a3e-1b1a-4c55-9a55-0d2b7c6e2a11/ /robots.txt /signup/
	/api/v1/admin/stats /api/v1/items/ "POST /api/v1/items/" /api/v1/items/7 /api/v1/users/me
	/v2/status /v2/x/things/abc /static/app.css /static/plain.js
)
# The routes of examples/fastapi_app, which the bundled logs hit.
EXAMPLE_PATHS=(/ /api/items /api/items/1 /api/items/2 /api/items/3 "POST /api/items" /api/leaderboard /api/me /search /static/app.3f2a9c1b.js)
NGINX_CC_FORMAT='$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_cache_status "$sent_http_cache_control" "$http_cookie"'
CC='public, max-age=0, s-maxage=30, stale-while-revalidate=30, stale-if-error=86400'
traffic "$IN/fx-edge.log" "$IN/fx-origin.log" 1 0.35 "" "${FIXTURE_PATHS[@]}"
traffic "$IN/fx-day2.log" "" 2 0.85 "$CC" "${FIXTURE_PATHS[@]}"
traffic "$IN/ex-day2.log" "" 30 0.9 "" "${EXAMPLE_PATHS[@]}"
gzip -9nc "$IN/fx-edge.log" >"$IN/fx-edge.log.gz"

# A cache trace (time,obj_id,obj_size): 20000 requests over 800 objects, Zipf-like, 3% of
# requests find their object with a new size (as bench/gentrace does, smaller).
awk 'function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
BEGIN {
	seed = 7; print "time,obj_id,obj_size"
	for (i = 0; i < 20000; i++) {
		r = rnd(); id = int(800 * r * r * r)
		if (rnd() < 0.03) v[id]++
		printf "%d,%d,%d\n", 1000 + int(i / 4), id, 200 + (id * 131) % 4000 + v[id] * 64
	}
}' >"$IN/trace.csv"
gzip -9nc "$IN/trace.csv" >"$IN/trace.csv.gz"

# One file per log format, with the example line `cdnadvise formats` (OLD) prints for it.
mkdir -p "$IN/formats"
"$OLD" formats | awk -v d="$IN/formats" '
	/^[a-z0-9-]+ \((edge|origin)\)$/ { name = $1 }
	/^  example: / && name != "" { sub(/^  example: /, ""); print > (d "/" name ".log"); close(d "/" name ".log"); name = "" }'

# Bad inputs for the error paths.
printf 'hello\nworld\n' >"$IN/junk.txt"
printf '{"time":"2026-11-25T08:25:31Z","uri":"/items/1","status":200,"size":512,"cache_status":"HIT","pop":"FRA"}\n{"time":"2026-11-25T08:25:32Z","uri":"/items/2","status":200,"size":600,"cache_status":"MISS","pop":"FRA"}\n' >"$IN/custom.jsonl"
printf '10.0.0.1 - - [25/Nov/2026:08:25:31 +0000] "GET /items/1 HTTP/1.1" 200 512 3\n10.0.0.2 - - [25/Nov/2026:08:25:32 +0000] "GET /items/2 HTTP/1.1" 200 600 1\n' >"$IN/apache-T.log"
printf '{"/api/items/{item_id}": {"ttl": "5m"}, "/api/me": {"skip": true}, "/": {"cache_control": "public, max-age=10"}}\n' >"$IN/policy.json"
printf '{"request_cookie": "ignore", "min_ttl": "1s"}\n' >"$IN/profile.json"

# The fuzz corpus of each testdata/fuzz: each entry is Python source that FuzzExtractRoutes
# writes as urls.py and main.py of a project; the same here (decoded with python3's parser of
# literals, the Go quoting of these files being a subset of Python's).
FUZZ_PROJECTS=()
FUZZ_UNREAD=()
for f in $(for t in $TESTDATA; do [ -d "$SNAP/$t/fuzz" ] && find "$SNAP/$t/fuzz" -mindepth 2 -maxdepth 2 -type f; done | LC_ALL=C sort); do
	d=$IN/fuzz-$(basename "$(dirname "$f")")-$(basename "$f")
	mkdir -p "$d"
	if python3 - "$f" "$d" <<'EOF' 2>/dev/null; then FUZZ_PROJECTS+=("$d"); else FUZZ_UNREAD+=("${f#"$SNAP"/}"); fi
import ast, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert lines[0] == "go test fuzz v1" and lines[1].startswith("[]byte(") and lines[1].endswith(")")
s = ast.literal_eval(lines[1][len("[]byte("):-1])
try:
    b = s.encode("latin-1")
except UnicodeEncodeError:
    b = s.encode("utf-8")
for name in ("urls.py", "main.py"):
    open(sys.argv[2] + "/" + name, "wb").write(b)
EOF
done

# The Python projects: examples/*_app and every folder of a testdata/ holding Python files.
PROJECTS=("$E/django_app" "$E/fastapi_app" "$E/flask_app")
OTHER_FIXTURES=()
for d in $(for t in $TESTDATA; do printf '%s\n' "$SNAP/$t"/*; done); do
	case $d in */fuzz) continue ;; esac
	[ -e "$d" ] || continue
	if [ -d "$d" ] && [ -n "$(find "$d" -name '*.py' -print -quit)" ]; then
		PROJECTS+=("$d")
	else
		OTHER_FIXTURES+=("$d")
	fi
done
TESTDATA_PROJECTS=("${PROJECTS[@]:3}")

# fixture NAME: the testdata project NAME, wherever the tree keeps it (else the first one).
fixture() {
	local p
	for p in "${TESTDATA_PROJECTS[@]}"; do
		[ "$(basename "$p")" = "$1" ] && { echo "$p"; return; }
	done
	echo "${TESTDATA_PROJECTS[0]}"
}

# py_missing DIR: the third-party modules DIR imports that /usr/bin/python3 cannot import
# (empty when exact mode can run on it).
py_missing() {
	[ -x /usr/bin/python3 ] || { echo "/usr/bin/python3"; return; }
	local mods m missing=()
	mods=$(grep -rhoE '^[[:space:]]*(from|import)[[:space:]]+[A-Za-z_][A-Za-z0-9_]*' "$1" --include='*.py' | awk '{print $2}' | sort -u)
	for m in $mods; do
		# The project's own packages and modules.
		[ -n "$(find "$1" \( -name "$m" -o -name "$m.py" \) -print -quit)" ] && continue
		/usr/bin/python3 -c "import $m" >/dev/null 2>&1 || missing+=("$m")
	done
	echo "${missing[*]-}"
}
declare -A PY_MISSING
for p in "${PROJECTS[@]}"; do PY_MISSING[$p]=$(py_missing "$p"); done

# ---------------------------------------------------------------- running

# label ARGS...: the command line, repository and input paths shortened.
label() {
	local a out=""
	for a in "$@"; do
		a=${a//$SNAP\//}
		a=${a//$IN\//in/}
		case $a in
		*[[:space:]\'\"\$\{\}\*\;\&\|\<\>]* | "") a="'${a//\'/\'\\\'\'}'" ;;
		esac
		out+=" $a"
	done
	echo "${out# }"
}

# inv ARGS...: run the binary of this side in $W and keep what it did. INV_STDIN (a file)
# and INV_ENV (VAR=value ...) apply to the next call only.
INV_STDIN=""
INV_ENV=()
inv() {
	N=$((N + 1))
	local d=$CAP/$(printf %03d $N) lbl
	mkdir -p "$d"
	lbl=$(label "$@")
	[ -n "$INV_STDIN" ] && lbl+=" < $(label "$INV_STDIN")"
	[ ${#INV_ENV[@]} -gt 0 ] && lbl="${INV_ENV[*]} $lbl"
	printf '%s\n' "$lbl" >"$d/label"
	touch "$T/stamp"
	(cd "$W" && env "${INV_ENV[@]+"${INV_ENV[@]}"}" "$BIN" "$@" <"${INV_STDIN:-/dev/null}" >"$d/stdout" 2>"$d/stderr")
	echo $? >"$d/rc"
	INV_STDIN=""
	INV_ENV=()
	capture "$d"
}

# skip LABEL REASON: an invocation that cannot run here (printed in sequence).
skip() {
	N=$((N + 1))
	local d=$CAP/$(printf %03d $N)
	mkdir -p "$d"
	printf '%s\n' "$1" >"$d/label"
	printf '%s\n' "$2" >"$d/skip"
}

# capture DIR: every file under $W written since the stamp: stores as a dump of their
# content, everything else as it is; and any file of the inputs (the fixtures' snapshot
# but for its .git, the generated inputs) written since, which nothing may write (patch
# writes a diff, never the project): as in/... and repo/...
capture() {
	local d=$1 f rel
	mkdir -p "$d/files"
	: >"$d/files.list"
	while IFS= read -r f; do
		case $f in
		"$W"/*) rel=${f#"$W"/} ;;
		"$IN"/*) rel=in/${f#"$IN"/} ;;
		*) rel=repo/${f#"$SNAP"/} ;;
		esac
		case $rel in
		*.duckdb.wal) continue ;; # DuckDB's log, folded into the store at close: see the store's dump
		esac
		printf '%s\n' "$rel" >>"$d/files.list"
		mkdir -p "$d/files/$(dirname "$rel")"
		case $rel in
		*.duckdb) cached dump_store "$f" >"$d/files/$rel.dump" ;;
		*.parquet) cached dump_parquet "$f" >"$d/files/$rel.dump" ;;
		*) cp "$f" "$d/files/$rel" ;;
		esac
	done < <(find "$W" "$IN" "$SNAP" -path "$SNAP/.git" -prune -o -type f -newer "$T/stamp" -print | LC_ALL=C sort)
}

# cached DUMPER FILE: DUMPER's text for FILE, computed once per content of FILE (DuckDB
# rewrites a store's file when a command only reads it).
cached() {
	local sum
	sum=$(cksum <"$2" | tr ' ' '-')
	mkdir -p "$T/dumps"
	[ -f "$T/dumps/$1-$sum" ] || "$1" "$2" >"$T/dumps/$1-$sum"
	cat "$T/dumps/$1-$sum"
}

# dump_store DB: the store's content as text: tables and columns, then each table's rows in a
# fixed order (requests_raw, the requests view and the d_* dictionaries: per file the row
# count and a hash of every row, for the view how many requests each client made).
dump_store() {
	local db=$T/peek.duckdb tables q
	# A copy: opening a store rewrites its file, and the next invocation must find the store
	# exactly as the previous one left it.
	rm -f "$db" "$db.wal"
	cp "$1" "$db"
	[ -f "$1.wal" ] && cp "$1.wal" "$db.wal"
	tables=$("$READER" -q --db "$db" sql "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1" | tail -n +2)
	q="SELECT 0 AS o, 'table ' || table_name || ': ' || string_agg(column_name || ' ' || data_type, ', ' ORDER BY column_index) AS line FROM duckdb_columns() WHERE NOT internal AND schema_name = 'main' GROUP BY table_name"
	q+=" UNION ALL SELECT 0, 'view ' || view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'"
	local t
	for t in $tables; do
		case $t in
		# A random key per store (the salt of the clients' keyed hash, README "Privacy").
		meta) q+=" UNION ALL SELECT 1, 'meta ' || key || '=' || CASE WHEN key = 'client_salt' THEN '<random per store>' ELSE value END FROM meta" ;;
		# ingested_at: the wall-clock time of the ingest.
		files) q+=" UNION ALL SELECT 2, 'files ' || to_json(x)::VARCHAR FROM (SELECT * EXCLUDE (ingested_at) FROM files) x" ;;
		# created_at: the wall-clock time of the advice run.
		advice_runs) q+=" UNION ALL SELECT 3, 'advice_runs ' || to_json(x)::VARCHAR FROM (SELECT * EXCLUDE (created_at) FROM advice_runs) x" ;;
		# requests_raw.client_hash, and the view's client built from it: a keyed hash with
		# the store's random salt. Left out of the row hashes; the view's clients are compared
		# by how many requests each made, those kept as logged (--keep-client) in d_client.
		requests_raw)
			q+=" UNION ALL SELECT 4, 'requests_raw file ' || file_id || ': ' || count(*) || ' rows, row hash ' || sum(hash(x)::HUGEINT) FROM (SELECT * EXCLUDE (client_hash) FROM requests_raw) x GROUP BY file_id"
			q+=" UNION ALL SELECT 5, 'requests file ' || file_id || ': ' || count(*) || ' rows, row hash ' || sum(hash(x)::HUGEINT) FROM (SELECT * EXCLUDE (client) FROM requests) x GROUP BY file_id"
			q+=" UNION ALL SELECT 5, 'requests file ' || file_id || ': requests per client ' || list(n ORDER BY n)::VARCHAR FROM (SELECT file_id, count(*) AS n FROM requests GROUP BY file_id, client) GROUP BY file_id"
			;;
		d_client) q+=" UNION ALL SELECT 6, 'd_client ' || to_json(x)::VARCHAR FROM d_client x" ;;
		d_*) q+=" UNION ALL SELECT 6, '$t ' || count(*) || ' values, hash ' || coalesce(sum(hash(x)::HUGEINT), 0) FROM $t x" ;;
		*) q+=" UNION ALL SELECT 7, '$t ' || to_json(x)::VARCHAR FROM $t x" ;;
		esac
	done
	"$READER" -q --db "$db" sql "SELECT line FROM ($q) ORDER BY o, line" 2>&1 || echo "samebytes: cannot read $1"
}

# dump_parquet FILE: a Parquet file's schema, layout and rows as text. Its pages hold the
# client column, a keyed hash with the store's random salt (see dump_store): rows are
# compared by a hash of every other column, clients by how many rows each has; and the
# file's size, which follows from how well those random values compress (two bytes apart
# between two runs of one binary), is left out.
dump_parquet() {
	local f=$1
	"$READER" -q --db "$T/reader.duckdb" sql "SELECT line FROM (
		SELECT 0 AS o, 'file ' || to_json(x)::VARCHAR AS line FROM (SELECT * EXCLUDE (file_name, file_size_bytes) FROM parquet_file_metadata('$f')) x
		UNION ALL SELECT 1, 'kv ' || to_json(x)::VARCHAR FROM (SELECT * EXCLUDE (file_name) FROM parquet_kv_metadata('$f')) x
		UNION ALL SELECT 2, 'schema ' || to_json(x)::VARCHAR FROM (SELECT * EXCLUDE (file_name) FROM parquet_schema('$f')) x
		UNION ALL SELECT 3, 'column ' || to_json(x)::VARCHAR FROM (SELECT row_group_id, row_group_num_rows, column_id, path_in_schema, type, compression, num_values FROM parquet_metadata('$f')) x
		UNION ALL SELECT 4, 'rows ' || count(*) || ', row hash ' || sum(hash(x)::HUGEINT) FROM (SELECT * EXCLUDE (client) FROM read_parquet('$f')) x
		UNION ALL SELECT 5, 'rows per client ' || list(n ORDER BY n)::VARCHAR FROM (SELECT count(*) AS n FROM read_parquet('$f') GROUP BY client)
	) ORDER BY o, line" 2>&1 || echo "samebytes: cannot read $1"
}

# ---------------------------------------------------------------- the invocations

scenario() {
	local p e s f

	# Help and version: every command's flags and text.
	inv --help
	inv --version
	for s in ingest analyze replay advise patch edge report verify run routes formats advice "advice list" sql export completion; do
		# shellcheck disable=SC2086
		inv $s --help
	done
	inv completion bash
	inv nosuchcommand
	inv formats
	inv formats --json

	# routes on every project, static (parsed), text and JSON.
	for f in ${FUZZ_UNREAD[@]+"${FUZZ_UNREAD[@]}"}; do
		skip "routes --src <$f as a project>" "cannot decode it (python3 missing, or not a []byte entry)"
	done
	for p in "${PROJECTS[@]}" ${FUZZ_PROJECTS[@]+"${FUZZ_PROJECTS[@]}"}; do
		inv routes --src "$p"
		inv routes --src "$p" --json
	done
	inv routes --src /nonexistent/dir
	inv routes
	# Exact mode: the framework's own routes, read with /usr/bin/python3.
	for p in "${PROJECTS[@]}"; do
		for s in "" --json; do
			if [ -z "${PY_MISSING[$p]}" ]; then
				inv routes --src "$p" --python /usr/bin/python3 $s
			else
				skip "$(label routes --src "$p" --python /usr/bin/python3 $s)" "/usr/bin/python3 cannot import ${PY_MISSING[$p]}"
			fi
		done
	done
	inv routes --src "$E/django_app" --python /nonexistent/python
	inv advise --python /usr/bin/python3

	# replay --trace: the trace generated here, and replay/testdata's result file (not a trace).
	inv replay --trace "$IN/trace.csv" --policy lru --capacity 64KiB,256KiB,1MiB,4MiB
	inv replay --trace "$IN/trace.csv" --policy fifo --capacity 64KiB,256KiB,1MiB,4MiB --json
	inv replay --trace "$IN/trace.csv.gz" --policy lru --capacity 64KiB,1MiB --size-change miss --json
	inv replay --trace "$IN/trace.csv" --capacity 1MiB --ttl 10s,1m,inf
	inv replay --trace "$IN/trace.csv"
	# Other fixtures: a CSV under testdata (replay/testdata holds libCacheSim's results for a
	# trace the tests generate, not the trace) goes to replay --trace as it is.
	for f in ${OTHER_FIXTURES[@]+"${OTHER_FIXTURES[@]}"}; do
		case $f in
		*.md) ;;
		*.csv | *.csv.gz)
			inv replay --trace "$f" --capacity 64KiB,256KiB,1MiB,4MiB
			inv replay --trace "$f" --capacity 64KiB,256KiB,1MiB,4MiB --policy fifo --json
			;;
		*) skip "$(label "$f")" "a fixture of a kind this script has no command for" ;;
		esac
	done

	# ---- the bundled example logs in a store of their own (README, main_test.go).
	inv --db ex.duckdb ingest --json "$E/logs"
	inv --db ex-v.duckdb -v ingest --workers 1 --memory-limit 64MiB "$E/logs"
	inv --db ex.duckdb ingest "$E/logs/"
	inv --db ex.duckdb sql "SELECT tier, format, count(*) AS n, sum(bytes) AS b FROM requests GROUP BY ALL ORDER BY ALL"
	inv --db ex.duckdb sql --json "SELECT cache_status, count(*) AS n FROM requests GROUP BY ALL ORDER BY ALL"
	inv --db ex.duckdb sql "SELECT path, lines_read, rows, rejected, format, tier, layout FROM files ORDER BY path"
	inv --db ex.duckdb sql "SELEC nonsense"
	inv --db ex.duckdb analyze
	inv --db ex.duckdb analyze --json
	inv --db ex.duckdb analyze --csv
	inv --db ex.duckdb analyze --by endpoint,pop --top 20
	inv --db ex.duckdb analyze --by hour --csv
	inv --db ex.duckdb analyze --by status,method --json
	inv --db ex.duckdb analyze --by day,host,tier,method_group
	inv --db ex.duckdb analyze --tier origin --hit-threshold 0.5 --min-requests 10
	inv --db ex.duckdb analyze --since 2026-11-29T07:31:00Z --until 2026-11-29T07:32:00Z --json
	inv --db ex.duckdb analyze --since 2099-01-01
	inv --db ex.duckdb analyze --join-window 5s --params=false --host nosuch.example
	inv --db ex.duckdb analyze --since 1m --by endpoint,tier --json
	inv --db ex.duckdb analyze --by nope
	inv --db ex.duckdb analyze --since yesterday-ish
	for p in "$E/fastapi_app" "$E/django_app" "$E/flask_app"; do
		inv --db ex.duckdb analyze --src "$p" --json
	done
	inv --db ex.duckdb analyze --src "$E/fastapi_app" --by endpoint,method
	inv --db ex.duckdb replay
	inv --db ex.duckdb replay --json
	inv --db ex.duckdb replay --ttl 0,1m,inf --edge nginx
	inv --db ex.duckdb replay --ttl 30s,5m --swr 30s --json --key no-tracking --pop-mode shared --shield
	for e in varnish cloudfront cloudflare fastly generic; do
		inv --db ex.duckdb replay --edge "$e" --ttl 10s,1m,1h --top 5
	done
	inv --db ex.duckdb replay --edge varnish --profile-file "$IN/profile.json" --json
	inv --db ex.duckdb replay --capacity 64KiB --policy fifo --key sorted --sie 1h
	inv --db ex.duckdb replay --src "$E/fastapi_app" --ttl 10s,30s --json
	inv --db ex.duckdb replay --tier origin --key no-query --sample 0.5
	inv --db ex.duckdb replay --since 90s --until 2026-11-29T07:32:00Z --host nosuch.example --json
	inv --db ex.duckdb replay --memory-limit 64MiB --ttl 1m,inf
	inv --db ex.duckdb -v replay --ttl 1m,1h
	inv --db ex.duckdb -v advise --src "$E/fastapi_app" --top 3
	inv --db ex.duckdb replay --ttl 5x
	inv --db ex.duckdb replay --edge squid
	for s in 0 1 2 3; do
		inv --db ex.duckdb replay -q --shard "$s/4" -o "shard-$s.json" --ttl 0,10s,1m,inf --edge nginx
	done
	inv replay --merge shard-0.json shard-1.json shard-2.json shard-3.json
	inv replay --merge shard-0.json shard-1.json shard-2.json shard-3.json --json
	inv replay --merge shard-0.json shard-0.json
	inv --db ex.duckdb replay --shard 1/2 -o half-1.json --key sorted
	inv --db ex.duckdb advise
	inv --db ex.duckdb advise --json
	for p in "$E/fastapi_app" "$E/django_app" "$E/flask_app"; do
		inv --db ex.duckdb advise --src "$p"
		inv --db ex.duckdb advise --src "$p" --json
	done
	for e in nginx varnish cloudfront cloudflare fastly; do
		inv --db ex.duckdb advise --src "$E/fastapi_app" --edge "$e"
	done
	inv --db ex.duckdb advise --src "$E/fastapi_app" --edge cloudfront --max-stale 5m --policy "$IN/policy.json" --json
	inv --db ex.duckdb advise --src "$E/django_app" --replace --target 0.8 --top 0 --key no-tracking --pop-mode shared
	inv --db ex.duckdb advise --src "$E/flask_app" --edge varnish --profile-file "$IN/profile.json"
	for p in "$E/fastapi_app" "$E/django_app" "$E/flask_app"; do
		inv --db ex.duckdb patch --src "$p"
	done
	inv --db ex.duckdb patch --src "$E/fastapi_app" -o cache.patch --edge cloudfront
	inv --db ex.duckdb patch --src "$E/django_app" --json
	inv --db ex.duckdb patch --src "$E/flask_app" --replace --max-stale 10s
	for e in varnish nginx cloudflare cloudfront fastly; do
		inv --db ex.duckdb edge --edge "$e" --src "$E/fastapi_app"
	done
	inv --db ex.duckdb edge --edge varnish --src "$E/django_app" --upstream http://127.0.0.1:9009 -o cdnadvise.vcl
	inv --db ex.duckdb edge --edge nginx --listen 0.0.0.0:80 --upstream http://10.0.0.5:8000 --cache-dir /tmp/nc --access-log /var/log/nginx/cdn.log -o edge.conf
	inv --db ex.duckdb edge --edge cloudflare --src "$E/flask_app" -o cf.json
	inv --db ex.duckdb edge --edge cloudfront -o cloudfront.json
	inv --db ex.duckdb edge --edge fastly --max-stale 1m -o fastly.vcl
	inv --db ex.duckdb edge --edge generic
	inv --db ex.duckdb edge --edge akamai
	inv --db ex.duckdb report -o report.html
	inv --db ex.duckdb report --src "$E/fastapi_app" --edge cloudfront --title 'Shop & <co>' --top 5 -o report-src.html
	for p in "$E/django_app" "$E/flask_app"; do
		inv --db ex.duckdb report --src "$p" -o "report-$(basename "$p").html"
	done
	inv --db ex.duckdb advice list
	inv --db ex.duckdb advice list --json
	inv --db ex.duckdb verify
	INV_STDIN=$IN/ex-day2.log inv --db ex.duckdb ingest --tier edge -
	inv --db ex.duckdb verify
	inv --db ex.duckdb verify --json --since 2026-11-30
	inv --db ex.duckdb verify --run 2 --tolerance 10
	inv --db ex.duckdb verify --run 99
	inv --db ex.duckdb export --parquet pq --json
	inv --db ex.duckdb export --parquet pq
	inv analyze --parquet pq --json
	inv replay --parquet pq --json --ttl 0,1m,1h
	inv advise --parquet pq --src "$E/fastapi_app" --json
	inv --db ex.duckdb analyze --parquet pq
	INV_ENV=(CDNADVISE_DB=ex.duckdb)
	inv analyze --top 3

	# ---- run: the whole job (README quick start, main_test.go), every edge, every example app.
	inv run "$E/logs/" --src "$E/fastapi_app"
	inv run "$E/logs/" --src "$E/fastapi_app" --max-stale 10s
	inv run "$E/logs/" --src "$E/django_app" --edge varnish --out out-django
	inv run "$E/logs/" --src "$E/flask_app" --edge nginx --out out-flask
	inv run "$E/logs/edge" "$E/logs/origin" --edge cloudfront --out out-cf --target 0.8 --key no-tracking
	inv run "$E/logs/" --src "$E/fastapi_app" --edge cloudflare --out out-cfl --policy "$IN/policy.json" --replace
	inv --db run.duckdb run "$E/logs/" --src "$E/fastapi_app" --edge fastly --out out-fastly
	inv --db out-django/cdnadvise.duckdb verify --advice out-django/advice.json --tolerance 10
	inv run "$IN/nonexistent.log" --out out-missing
	inv -q run "$E/logs/" --out out-quiet

	# ---- traffic on the fixtures' routes: every Python project of a testdata/ as --src.
	inv --db fx.duckdb ingest --json --tier edge "$IN/fx-edge.log.gz" --tier origin "$IN/fx-origin.log"
	inv --db fx.duckdb analyze --by endpoint,pop --top 0
	inv --db fx.duckdb export --parquet fx-pq
	inv replay --parquet fx-pq --ttl 0,1m,1h --pop-mode shared
	inv --db fx.duckdb replay --ttl 0,30s,5m,1h --json
	local i=0
	for p in "${TESTDATA_PROJECTS[@]}" ${FUZZ_PROJECTS[@]+"${FUZZ_PROJECTS[@]}"}; do
		inv --db fx.duckdb advise --src "$p"
		inv --db fx.duckdb advise --src "$p" --json --top 0
		inv --db fx.duckdb patch --src "$p"
		inv --db fx.duckdb patch --src "$p" --json
		inv --db fx.duckdb analyze --src "$p" --csv --top 0
		e=(varnish nginx cloudflare cloudfront fastly)
		inv --db fx.duckdb edge --edge "${e[$((i % 5))]}" --src "$p"
		i=$((i + 1))
	done
	for e in varnish nginx cloudflare cloudfront fastly; do
		inv --db fx.duckdb edge --edge "$e" --src "$(fixture djangoproj)" -o "fx-edge-$e"
	done
	inv --db fx.duckdb report --src "$(fixture djangoproj)" -o fx-report.html
	inv --db fx.duckdb report --src "$(fixture flaskproj)" --edge varnish -o fx-report-flask.html
	# Exact mode on the fixtures' traffic.
	for p in "${PROJECTS[@]}"; do
		if [ -z "${PY_MISSING[$p]}" ]; then
			inv --db fx.duckdb advise --src "$p" --python /usr/bin/python3 --json
		else
			skip "$(label --db fx.duckdb advise --src "$p" --python /usr/bin/python3 --json)" "/usr/bin/python3 cannot import ${PY_MISSING[$p]}"
		fi
	done
	inv --db fx.duckdb advice list
	inv --db fx.duckdb ingest --nginx-format "$NGINX_CC_FORMAT" --tier edge "$IN/fx-day2.log"
	inv --db fx.duckdb verify
	inv --db fx.duckdb verify --json
	inv --db fx.duckdb verify --since 2026-11-02T10:00:00Z --tolerance 1
	for p in "${TESTDATA_PROJECTS[@]}"; do
		inv run "$IN/fx-edge.log.gz" "$IN/fx-origin.log" --src "$p" --out "run-$(basename "$p")"
	done

	# ---- ingest: every format's example line, custom layouts, error paths.
	inv --db fmt.duckdb ingest --json "$IN/formats"
	inv --db fmt.duckdb analyze --by tier,method,status --json
	inv --db fmt.duckdb sql "SELECT format, tier, method, host, path, query, status, bytes, cache_status, pop FROM requests ORDER BY ALL"
	inv --db fmt.duckdb ingest --json-map 'ts=time,path=uri,status=status,bytes=size,cache=cache_status,pop=pop' "$IN/custom.jsonl"
	inv --db fmt.duckdb ingest --apache-format '%h %l %u %t "%r" %>s %b %T' "$IN/apache-T.log"
	inv --db fmt2.duckdb ingest --log-format '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)s' --keep-client "$IN/apache-T.log"
	inv --db fmt2.duckdb sql --json "SELECT client, path, duration_ms FROM requests ORDER BY ALL"
	inv --db fmt.duckdb ingest --format cloudfront "$IN/apache-T.log"
	inv --db bad.duckdb ingest "$IN/junk.txt"
	inv --db bad.duckdb ingest --json --max-reject-ratio 1 --workers 1 "$IN/junk.txt" "$IN/apache-T.log"
	inv --db bad.duckdb ingest --tier cdn "$IN/junk.txt"
	inv --db bad.duckdb ingest --format nope "$IN/junk.txt"
	inv --db bad.duckdb ingest --nginx-format '$status' "$IN/junk.txt"
	inv --db bad.duckdb ingest --memory-limit lots "$IN/junk.txt"
	inv --db bad.duckdb sql "SELECT count(*) AS n FROM rejects"
	inv --db empty.duckdb analyze
	inv --db empty.duckdb advise --src "$E/fastapi_app"
	inv --db empty.duckdb verify
	inv export
}

run_side() {
	SIDE=$1 BIN=$2
	CAP=$T/cap-$SIDE
	N=0
	rm -rf "$W" "$CAP"
	mkdir -p "$W" "$CAP"
	scenario
	mv "$W" "$T/work-$SIDE"
}

# ---------------------------------------------------------------- comparing

# normalise FILE VERSION: the normalised text of FILE, on stdout. Each rule was found by
# running the script with the same binary as OLD and NEW; nothing else is rewritten.
# A Go time.Duration as String() prints it: 0s, 850µs, 14ms, 1.234s, 2m3.5s, 1h2m3s.
DUR='(?:\d+(?:\.\d+)?(?:ns|us|\xc2\xb5s|ms|s)|(?:\d+h)?(?:\d+m)?\d+(?:\.\d+)?s)'
export DUR
normalise() {
	VERSION=$2 perl -MTime::Local=timegm -pe '
		# The build identity (see OLD_VERSION above).
		s/\Q$ENV{VERSION}\E/<cdnadvise-version>/g if length $ENV{VERSION};
		# Wall-clock times of the run itself: when an advice run was recorded ("created_at"
		# in advise --json, advice.json, advice list; its CREATED column) and when a report
		# was drawn ("Generated 2026-12-04 20:31 UTC"). Only a time that falls within this
		# script'"'"'s own run is replaced: the times in the logs, the data_from/data_to of
		# the advice, --since and the like are years or days away from it and stay.
		s{(\d{4})-(\d\d)-(\d\d)([T ])(\d\d):(\d\d)(:\d\d(?:\.\d+)?)?}{
			my $t = eval { timegm(0, $6, $5, $3, $2 - 1, $1) };
			defined $t && $t >= $ENV{RUN_FROM} - 120 && $t <= $ENV{RUN_TO} + 120
				? "<now>" : $&
		}ge;
		# Elapsed times: the ingest summary ("ex.duckdb in 14ms (65k lines/s)"), run'"'"'s
		# "done in 241ms", a shard'"'"'s "1 pass(es), 12ms; wrote".
		s{ in $ENV{DUR} \(\d+(?:\.\d+)?[kMG]? lines/s\)}{ in <duration> (<rate> lines/s)}g;
		s{^done in \S+$}{done in <duration>};
		s{(pass\(es\)), $ENV{DUR}(; wrote)}{$1, <duration>$2};
		# -v diagnostics (log/slog lines; their time= is a wall-clock time, see above): how
		# long a step took and memory gauges (Go heap, DuckDB buffers) measured at that moment.
		if (/^time=\S+ level=/) {
			s{\b((?:took|insert_time)=)$ENV{DUR}}{$1<duration>}g;
			s{\b(\w*_mib|duckdb_memory)=\d+}{$1=<measured>}g;
		}
	' "$1"
}

RUN_FROM=$(date +%s)
export RUN_FROM
run_side old "$OLD"
run_side new "$NEW"
RUN_TO=$(date +%s)
export RUN_TO

SAME=0
DIFFS=0
if [ "$OLD_VERSION" != "$NEW_VERSION" ]; then
	echo "note: the builds name themselves differently (normalised): old \"$OLD_VERSION\", new \"$NEW_VERSION\""
fi
# part NAME: compare one part (stdout, stderr, rc, files.list, files/...) of invocation $id.
part() {
	local a=$T/cap-old/$id/$1 b=$T/cap-new/$id/$1
	if [ ! -e "$a" ] || [ ! -e "$b" ]; then
		[ -e "$a" ] || [ -e "$b" ] || { echo "    $1: kept on neither side (a bug of this script)" >>"$T/why"; return 1; }
		echo "    $1: only in $([ -e "$a" ] && echo old || echo new)" >>"$T/why"
		return 1
	fi
	if grep -qs '^samebytes: cannot read' "$a" "$b"; then # a dump that failed proves nothing
		grep -hs '^samebytes: cannot read' "$a" "$b" | sed 's/^/    /' >>"$T/why"
		return 1
	fi
	if cmp -s "$a" "$b"; then return 0; fi
	if ! grep -Iq . "$a" 2>/dev/null && [ -s "$a" ]; then
		echo "    $1: binary files differ ($(cmp "$a" "$b" 2>&1 | head -1))" >>"$T/why"
		return 1
	fi
	normalise "$a" "$OLD_VERSION" >"$T/na"
	normalise "$b" "$NEW_VERSION" >"$T/nb"
	cmp -s "$T/na" "$T/nb" && return 0
	diff -u --label "old/$1" --label "new/$1" "$T/na" "$T/nb" | head -n 24 | cut -c1-300 | sed 's/^/    /' >>"$T/why"
	# Lines may be long (JSON rows, the report's data): where the first difference is.
	local at
	at=$(cmp "$T/na" "$T/nb" 2>/dev/null | sed -n 's/.* byte \([0-9]*\), line \([0-9]*\).*/\1 \2/p')
	if [ -n "$at" ]; then
		set -- $at
		printf '    first difference at byte %s (line %s): old "%s" new "%s"\n' "$1" "$2" \
			"$(tail -c +$(($1 > 60 ? $1 - 60 : 1)) "$T/na" | head -c 140 | tr '\n\t' '  ')" \
			"$(tail -c +$(($1 > 60 ? $1 - 60 : 1)) "$T/nb" | head -c 140 | tr '\n\t' '  ')" >>"$T/why"
	fi
	return 1
}
for d in "$T"/cap-old/*; do
	id=$(basename "$d")
	lbl=$(cat "$d/label")
	if [ -e "$d/skip" ]; then
		echo "skip $lbl: $(cat "$d/skip")"
		continue
	fi
	: >"$T/why"
	ok=1
	[ "$lbl" = "$(cat "$T/cap-new/$id/label" 2>/dev/null)" ] || { echo "samebytes: the two sides ran different invocations at $id" >&2; exit 2; }
	for p in rc stdout stderr files.list; do part "$p" || ok=0; done
	while IFS= read -r f; do part "$f" || ok=0; done < <(cd "$T" && find "cap-old/$id/files" "cap-new/$id/files" -type f | sed 's|^cap-[a-z]*/[0-9]*/||' | LC_ALL=C sort -u)
	if [ $ok = 1 ]; then
		echo "same  $lbl"
		SAME=$((SAME + 1))
	else
		echo "DIFF  $lbl"
		cat "$T/why"
		DIFFS=$((DIFFS + 1))
	fi
done
echo "samebytes: $SAME same, $DIFFS different"
echo "(both binaries in $((RUN_TO - RUN_FROM)) s)" >&2
[ $DIFFS -eq 0 ]
