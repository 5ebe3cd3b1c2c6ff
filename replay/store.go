package replay

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/cdnadvise/cdnadvise/analyze"
	"github.com/cdnadvise/cdnadvise/internal/store"
)

// KeyPolicy says how the query string enters the cache key.
type KeyPolicy string

// Cache key policies.
const (
	KeyRaw        KeyPolicy = "raw"         // host + path + query as logged
	KeyNoTracking KeyPolicy = "no-tracking" // tracking parameters (utm_*, fbclid, ...) dropped
	KeySorted     KeyPolicy = "sorted"      // tracking parameters dropped and parameters sorted
	KeyNoQuery    KeyPolicy = "no-query"    // the query string ignored
)

// LoadOptions select the requests replayed from the store.
type LoadOptions struct {
	Since, Until time.Time
	Host         string
	// Tier: "edge" or "origin"; default edge when edge logs exist (their
	// arrivals), else origin ("what if a CDN were in front").
	Tier string
	// PerPoP keeps one cache per edge location (else one shared cache).
	PerPoP bool
	Key    KeyPolicy
	// Sample keeps this share of cache keys (SHARDS-style spatial sampling:
	// by a hash of path and query, so a key is all in or all out); 0 or 1: all.
	Sample float64
	Router analyze.Router
	// Stock, when set, replays the edge as configured by default (without
	// the configuration cdnadvise edge writes): requests it would pass
	// (carrying cookies when it passes those, of a file extension it does
	// not cache) are misses whatever the TTL. (Requests with Authorization
	// are never stored, stock or not.)
	Stock *Profile
	// UncachedStatuses are statuses the edge does not store even with a
	// TTL (the profile's; RFC 9111 lets a cache store more).
	UncachedStatuses []int
	// EdgeHitMS is the time a hit takes at the edge when the logs show no
	// hit and no upstream time (the profile's stated default; nil: none).
	EdgeHitMS *float64
	// AssumeCookies: requests whose log line does not say whether they
	// carried a Cookie header are taken to (browsers send the site's
	// cookies with every request); lines that say so are taken at their word.
	AssumeCookies bool
	// SplitVary names, per endpoint, the request headers its responses vary
	// on that the edge keeps one copy per value of (Vary: Accept-Language,
	// ...): the cache key gains the request's value where the log records
	// it (Accept-Language and Accept, see LoggedVaryHeaders; in a file that
	// logs the header, a line without it is one more value: not sent), and
	// where it does not, each client (address and user agent) is taken to
	// send its own value, the worst case (Accept: each user agent, as the
	// browser sets it).
	SplitVary map[string][]string
	// SplitMethods replays requests of unsafe methods (POST, PUT, ...) as
	// an endpoint of their own, named UnsafeEndpoint(endpoint), so that an
	// endpoint's figures are those of its GET and HEAD requests: the ones a
	// cache can serve.
	SplitMethods bool
	// Shard and Shards: replay only the content keys (path and normalized
	// query) whose hash modulo Shards is Shard (Shards 0 or 1: all). The
	// shards of one store are disjoint and cover it; their Partials merge
	// into the whole replay.
	Shard, Shards int
	// MemoryLimit bounds the replay's memory in bytes (0: none): the keys
	// are replayed in as many passes as their state needs (see
	// ReplayPartial).
	MemoryLimit int64
	// WindowRows bounds the requests of one pass read in one query (0:
	// from MemoryLimit, see ResultShare).
	WindowRows int64
	// ExactPercentiles is the most misses of one endpoint whose latency
	// percentiles are read exactly; above it they come from a deterministic
	// sample of about that many of its misses, chosen by a hash of each row,
	// so that the same store gives the same figures (0: 20,000; -1: always
	// exact). Sorting every miss of a big store cost the replay a third of
	// its time; a p95 drawn from 20,000 is within about 0.15 percentile
	// points of the exact one.
	ExactPercentiles int64
	// Logger receives diagnostics (passes, memory); nil: slog's default.
	Logger *slog.Logger
	// Progress, when set, is called as requests are replayed.
	Progress func(done, total int)
}

// LoadStream reads the whole request stream from the store into memory
// (for tests and small stores; Replay streams instead).
func LoadStream(ctx context.Context, st *store.Store, o LoadOptions) (*Stream, string, error) {
	l, err := newStoreLoader(ctx, st, o)
	if err != nil {
		return nil, "", err
	}
	defer l.conn.Close()
	l.setPart(0, 1)
	if err := l.loadChanges(ctx); err != nil {
		return nil, "", err
	}
	s := &Stream{}
	err = l.stream(ctx, nil, func(b *Batch) {
		s.TimeMS = append(s.TimeMS, b.TimeMS...)
		s.Instance = append(s.Instance, b.Instance...)
		s.State = append(s.State, b.State...)
		s.Content = append(s.Content, b.Content...)
		s.Endpoint = append(s.Endpoint, b.Endpoint...)
		s.Size = append(s.Size, b.Size...)
		s.Flags = append(s.Flags, b.Flags...)
	})
	if err != nil {
		return nil, "", err
	}
	s.NStates, s.NContent = l.nStates, l.nContent
	s.Endpoints, s.HitMS, s.MissMS = l.endpoints, l.hitMS, l.missMS
	s.Changes = make([][]int64, l.nContent)
	for c := range s.Changes {
		s.Changes[c] = l.changes.of(int32(c))
	}
	return s, l.tier, nil
}

// Replay streams the store's requests through a Sweeper: memory stays
// proportional to cache entries, whatever the number of requests, and
// within lo.MemoryLimit (see ReplayPartial). It returns the result, the
// tier replayed and the number of requests.
func Replay(ctx context.Context, st *store.Store, lo LoadOptions, so SweepOptions) (*SweepResult, string, int, error) {
	p, tier, err := ReplayPartial(ctx, st, lo, so)
	if err != nil {
		return nil, "", 0, err
	}
	return p.Result(), tier, int(p.Requests), nil
}

// ErrCapacityShards: a byte capacity is shared by all the keys of a cache,
// so a replay with one cannot be split by key.
var ErrCapacityShards = errors.New("a cache of bounded size is shared by all its keys: a replay with --capacity cannot be split into shards")

// ReplayPartial replays the cache keys of lo's shard (every key without
// one) and returns their raw counts, which merge with the other shards'
// into exactly the whole replay. When lo.MemoryLimit says the state of
// the cache entries would not fit, the keys are replayed in several
// passes over the store, each over a share of them (by the same hash) and
// exact for those keys. A byte capacity (so.Capacity) makes the keys of
// one cache depend on one another: then one pass whatever the limit, and
// no shards.
func ReplayPartial(ctx context.Context, st *store.Store, lo LoadOptions, so SweepOptions) (*Partial, string, error) {
	if lo.Shards > 1 && so.Capacity > 0 {
		return nil, "", ErrCapacityShards
	}
	if lo.Shards > 1 && (lo.Shard < 0 || lo.Shard >= lo.Shards) {
		return nil, "", fmt.Errorf("shard %d of %d: shards are numbered 0 to %d", lo.Shard, lo.Shards, lo.Shards-1)
	}
	if lo.EdgeHitMS == nil {
		lo.EdgeHitMS = so.Profile.HitMS
	}
	if lo.UncachedStatuses == nil {
		lo.UncachedStatuses = so.Profile.UncachedStatuses
	}
	l, err := newStoreLoader(ctx, st, lo)
	if err != nil {
		return nil, "", err
	}
	defer l.conn.Close()
	passes, total, err := l.passes(ctx, so)
	if err != nil {
		return nil, "", err
	}
	if lo.MemoryLimit > 0 || lo.WindowRows > 0 {
		maxRows := lo.WindowRows
		if maxRows <= 0 {
			maxRows = max(lo.MemoryLimit*ResultShare/10/ResultRowBytes, 1<<16)
		}
		if err := l.timeWindows(ctx, maxRows, max(lo.Shards, 1)*passes); err != nil {
			return nil, "", err
		}
	}
	if total == 0 && lo.Progress != nil {
		// Not counted: the requests of all shards, shared out.
		rows, _, err := l.input(ctx)
		if err != nil {
			return nil, "", err
		}
		total = int(rows) / max(lo.Shards, 1)
	}
	var all *Partial
	done := 0
	for pass := range passes {
		l.setPart(pass, passes)
		if err := l.loadChanges(ctx); err != nil {
			return nil, "", err
		}
		w := newSweeper(so, l.changes)
		l.changes = changeTimes{}
		l.onStates = w.Reserve
		// Reading and replaying overlap: batches go through a small channel
		// and come back for reuse.
		full, free := make(chan *Batch, 2), make(chan *Batch, 4)
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			for b := range full {
				done += len(b.TimeMS)
				w.Add(b)
				if lo.Progress != nil {
					lo.Progress(done, max(total, done))
				}
				b.reset()
				free <- b
			}
		}()
		err = l.stream(ctx, free, func(b *Batch) { full <- b })
		close(full)
		<-finished
		if err != nil {
			return nil, "", err
		}
		p := w.Partial(l.endpoints, l.hitMS, l.missMS)
		p.HitFrom, p.MissQuantiles = l.hitFrom, l.missQ
		w, l.onStates = nil, nil // (onStates holds the sweeper too)
		if passes > 1 {
			// The next pass allocates its state anew: give this one's back
			// first, or both would be held at once.
			debug.FreeOSMemory()
		}
		if all == nil {
			all = p
		} else if err := all.Merge(p); err != nil {
			return nil, "", err
		}
		if l.log().Enabled(ctx, slog.LevelDebug) {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			var duck sql.NullInt64
			l.conn.QueryRowContext(ctx, "SELECT sum(memory_usage_bytes) FROM duckdb_memory()").Scan(&duck)
			l.log().Debug("replay pass", "pass", pass+1, "of", passes, "requests", p.Requests, "entries", l.nStates, "contents", l.nContent,
				"go_heap_mib", ms.HeapInuse>>20, "go_sys_mib", ms.Sys>>20, "duckdb_mib", duck.Int64>>20)
		}
	}
	if lo.Shards > 1 {
		if all.InputRows, _, err = l.input(ctx); err != nil {
			return nil, "", err
		}
	}
	return all, l.tier, nil
}

// stateBytes is what the replay keeps per cache entry (one fill time per
// TTL: 4 bytes while the stream spans less than 49 days, else 8; its
// number, found by its key: entryMapBytes) and per content key (where its
// change times start, and with a shield one fill time per TTL), without
// the change times themselves.
func stateBytes(ttls int, shield, long, vary bool) (perEntry, perContent int64) {
	perEntry, perContent = 4*int64(ttls), 8
	if long {
		perEntry *= 2
	}
	perEntry += entryMapBytes(vary)
	perContent += contentMapBytes
	if shield {
		perContent += 8 * int64(ttls)
	}
	return perEntry, perContent
}

// input counts the requests of the replayed tier in the time range (all
// shards') and the milliseconds they span, once.
func (l *storeLoader) input(ctx context.Context) (rows, spanMS int64, err error) {
	if !l.counted {
		err = l.conn.QueryRowContext(ctx, `SELECT count(*), coalesce(epoch_ms(max(r.ts)) - epoch_ms(min(r.ts)), 0)
			FROM requests_raw r JOIN files f USING (file_id) WHERE f.tier = '`+l.tier+`' AND `+l.cond, l.args...).Scan(&l.inputRows, &l.inputSpan)
		l.counted = err == nil
	}
	return l.inputRows, l.inputSpan, err
}

func (l *storeLoader) log() *slog.Logger {
	if l.o.Logger != nil {
		return l.o.Logger
	}
	return slog.Default()
}

// MaxPasses bounds the passes of one replay: beyond it, a memory limit
// too small for the store is exceeded rather than the store read a
// thousand times.
const MaxPasses = 1024

// How a memory limit is shared, in tenths: the replay's state, DuckDB's
// buffers (DuckDBShare, for the caller to set), the result of DuckDB's
// query that the replay reads (held outside DuckDB's buffers: the stream
// is read in time windows of at most this share), and the rest for what
// none bounds (Go's garbage, DuckDB beyond its buffers, the program).
const (
	StateShare  = 3
	DuckDBShare = 2
	ResultShare = 1
)

// passes says in how many passes the loader's shard is replayed within
// lo.MemoryLimit (StateShare of it for the replay's state), and how many
// requests the shard holds when it had to count them (0: not counted).
func (l *storeLoader) passes(ctx context.Context, so SweepOptions) (int, int, error) {
	limit := l.o.MemoryLimit
	if limit <= 0 || so.Capacity > 0 {
		return 1, 0, nil
	}
	budget := max(limit*StateShare/10, 1)
	rows, span, err := l.input(ctx)
	if err != nil {
		return 0, 0, err
	}
	perEntry, perContent := stateBytes(len(so.TTLs), so.Shield, span >= math.MaxUint32-1, len(l.o.SplitVary) > 0)
	if rows*(perEntry+perContent) <= budget {
		return 1, 0, nil // even a key per request fits
	}
	// Count the shard's cache entries and (about: a memory estimate)
	// content keys.
	start := time.Now()
	l.setPart(0, 1)
	var entries, contents, shardRows int64
	if err := l.conn.QueryRowContext(ctx, `SELECT count(*), coalesce(approx_count_distinct(ck), 0), coalesce(sum(n), 0)
		FROM (SELECT ck, count(*) AS n FROM (`+l.baseSQL(false)+`) GROUP BY ck, host, pop, vk)`, l.args...).Scan(&entries, &contents, &shardRows); err != nil {
		return 0, 0, fmt.Errorf("count cache entries: %w", err)
	}
	l.timed("count cache entries", start)
	need := entries*perEntry + contents*perContent
	passes := int(min((need+budget-1)/budget, MaxPasses))
	// The hash shares the entries out about evenly.
	l.entriesHint = int(entries/int64(max(passes, 1))) * 21 / 20
	l.contentsHint = int(contents/int64(max(passes, 1))) * 21 / 20
	l.log().Debug("replay memory", "entries", entries, "contents", contents, "state_bytes", need, "budget", budget, "passes", passes)
	return max(passes, 1), int(shardRows), nil
}

// storeLoader maps store rows onto cache entries, content keys and
// endpoints: DuckDB numbers the endpoints (a temporary table joined), the
// loader numbers content keys and cache entries as they come.
type storeLoader struct {
	conn *sql.Conn
	// input's count, once made
	counted              bool
	inputRows, inputSpan int64
	part                 string      // SQL condition on a request's content key hash h: the shard's pass
	contents             *contentIDs // the pass's content keys
	o                    LoadOptions
	tier                 string
	cond                 string
	args                 []any
	nq                   string // SQL expression of the normalized query id
	joinQ                string // join that expression needs
	endpoints            []string
	nContent             int
	nStates              int
	entriesHint          int                        // cache entries expected in a pass (0: unknown)
	contentsHint         int                        // content keys expected in a pass (0: unknown)
	windows              []time.Time                // bounds of the time windows the stream is read in (nil: one query)
	onStates             func(states, contents int) // called with the entries expected and the content keys
	changes              changeTimes
	changeSrc            string // SQL condition on the requests content changes are read from
	hitMS, missMS        []float64
	hitFrom              []string    // where each endpoint's hit time comes from (HitFrom...)
	missQ                [][]float64 // each endpoint's miss latency at percentiles 0..100 (nil: none)
}

func newStoreLoader(ctx context.Context, st *store.Store, o LoadOptions) (*storeLoader, error) {
	if o.Key == "" {
		o.Key = KeyRaw
	}
	switch o.Key {
	case KeyRaw, KeyNoTracking, KeySorted, KeyNoQuery:
	default:
		return nil, fmt.Errorf("unknown key policy %q (raw, no-tracking, sorted, no-query)", o.Key)
	}
	switch o.Tier {
	case "", "edge", "origin":
	default:
		return nil, fmt.Errorf("unknown tier %q (edge or origin)", o.Tier)
	}
	conn, err := st.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	l := &storeLoader{conn: conn, o: o}
	if err := l.prepare(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return l, nil
}

// appendRows fills a temporary table through DuckDB's appender.
func (l *storeLoader) appendRows(table string, n int, row func(i int) []driver.Value) error {
	return l.conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", table)
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			if err := app.AppendRow(row(i)...); err != nil {
				app.Close()
				return err
			}
		}
		return app.Close()
	})
}

func (l *storeLoader) prepare(ctx context.Context) error {
	o := l.o
	var where []string
	if !o.Since.IsZero() {
		where, l.args = append(where, "r.ts >= ?"), append(l.args, o.Since)
	}
	if !o.Until.IsZero() {
		where, l.args = append(where, "r.ts < ?"), append(l.args, o.Until)
	}
	if o.Host != "" {
		where, l.args = append(where, "r.host_id IN (SELECT id FROM d_host WHERE value = ?)"), append(l.args, o.Host)
	}
	if o.Sample > 0 && o.Sample < 1 {
		where = append(where, fmt.Sprintf("hash(r.path_id, coalesce(r.query_id, -1)) %% 1000000 < %d", int64(o.Sample*1e6)))
	}
	where = append(where, "r.ts IS NOT NULL")
	l.cond = strings.Join(where, " AND ")
	l.tier = o.Tier
	if l.tier == "" {
		var edge int64
		if err := l.conn.QueryRowContext(ctx, `SELECT count(*) FROM requests_raw r JOIN files f USING (file_id) WHERE f.tier = 'edge' AND `+l.cond, l.args...).Scan(&edge); err != nil {
			return err
		}
		l.tier = "origin"
		if edge > 0 {
			l.tier = "edge"
		}
	}
	for _, step := range []struct {
		name string
		run  func(context.Context) error
	}{{"query keys", l.queryKeys}, {"endpoints", l.pathEndpoints}, {"logged vary", l.loggedVary}, {"latency", l.loadLatency}} {
		start := time.Now()
		if err := step.run(ctx); err != nil {
			return err
		}
		l.timed(step.name, start)
	}
	return nil
}

// ResultRowBytes is what DuckDB holds per request of the stream's result
// (six BIGINT columns) until the replay reads it.
const ResultRowBytes = 48

// timeWindows splits the stream into time windows of at most maxRows
// requests of one pass (the tier's requests shared out over parts: shards
// times passes), at whole minutes, into l.windows; it leaves it nil when
// one window holds them all.
func (l *storeLoader) timeWindows(ctx context.Context, maxRows int64, parts int) error {
	rows, _, err := l.input(ctx)
	if err != nil || rows/int64(parts) <= maxRows {
		return err
	}
	defer l.timed("time windows", time.Now())
	r, err := l.conn.QueryContext(ctx, `SELECT epoch_ms(r.ts) // 60000 AS m, count(*) FROM requests_raw r JOIN files f USING (file_id)
		WHERE f.tier = '`+l.tier+`' AND `+l.cond+` GROUP BY 1 ORDER BY 1`, l.args...)
	if err != nil {
		return fmt.Errorf("requests per minute: %w", err)
	}
	defer r.Close()
	minute := func(m int64) time.Time { return time.UnixMilli(m * 60000).UTC() }
	var n, last int64
	for r.Next() {
		var m, c int64
		if err := r.Scan(&m, &c); err != nil {
			return err
		}
		if l.windows == nil {
			l.windows = []time.Time{minute(m)}
		} else if n+c > maxRows*int64(parts) {
			l.windows, n = append(l.windows, minute(m)), 0
		}
		n += c
		last = m
	}
	if err := r.Err(); err != nil {
		return err
	}
	if l.windows != nil {
		l.windows = append(l.windows, minute(last+1))
	}
	l.log().Debug("replay time windows", "windows", len(l.windows)-1, "rows_each", maxRows)
	return nil
}

// timed logs (debug) how long a step of the replay took.
func (l *storeLoader) timed(step string, start time.Time) {
	l.log().Debug("replay "+step, "took", time.Since(start))
}

// setPart sets the part of the content keys (path, normalized query) the
// next reads keep: the loader's shard and, within it, pass `pass` of
// `passes`, by the hash of the key; and starts numbering content keys
// afresh.
func (l *storeLoader) setPart(pass, passes int) {
	shards := max(l.o.Shards, 1)
	h := "hash(r.path_id, " + l.nq + ")"
	var c []string
	if shards > 1 {
		c = append(c, fmt.Sprintf("%s %% %d = %d", h, shards, l.o.Shard))
	}
	if passes > 1 {
		c = append(c, fmt.Sprintf("(%s // %d) %% %d = %d", h, shards, passes, pass))
	}
	l.part = strings.Join(c, " AND ")
	if l.part == "" {
		l.part = "true"
	}
	l.contents = newContentIDs(l.contentsHint)
}

// contentIDs numbers content keys (path id << 32 | normalized query id +
// 1), densely from 0 in the order they first appear.
type contentIDs struct{ ids map[int64]int32 }

// contentMapBytes is what contentIDs holds per content key (see
// entryMapBytes).
const contentMapBytes = 24

func newContentIDs(hint int) *contentIDs { return &contentIDs{ids: make(map[int64]int32, hint)} }

func (c *contentIDs) id(key int64) int32 {
	if v, ok := c.ids[key]; ok {
		return v
	}
	v := int32(len(c.ids))
	c.ids[key] = v
	return v
}

func (c *contentIDs) len() int { return len(c.ids) }

// contentKeySQL is the SQL of a request's content key as contentIDs takes
// it.
func (l *storeLoader) contentKeySQL() string {
	return "(r.path_id::BIGINT << 32) | ((" + l.nq + ")::BIGINT + 1)"
}

// queryKeys sets how the query string enters the key: raw ids, none, or
// the ids of normalized query strings (a temporary table rq).
func (l *storeLoader) queryKeys(ctx context.Context) error {
	switch l.o.Key {
	case KeyRaw:
		l.nq = "coalesce(r.query_id, -1)"
		return nil
	case KeyNoQuery:
		l.nq = "-1"
		return nil
	}
	// In id order: a normalized query's number is the same in every
	// process (shards hash it).
	rows, err := l.conn.QueryContext(ctx, "SELECT id, value FROM d_query ORDER BY id")
	if err != nil {
		return err
	}
	byText := map[string]int32{}
	var ids, nqs []int32
	for rows.Next() {
		var id int32
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			rows.Close()
			return err
		}
		nq := int32(-1)
		if n := NormalizeQuery(v, l.o.Key == KeySorted); n != "" {
			var ok bool
			if nq, ok = byText[n]; !ok {
				nq = int32(len(byText))
				byText[n] = nq
			}
		}
		ids, nqs = append(ids, id), append(nqs, nq)
	}
	rows.Close()
	if _, err := l.conn.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE rq (query_id INTEGER, nq INTEGER)"); err != nil {
		return err
	}
	if err := l.appendRows("rq", len(ids), func(i int) []driver.Value { return []driver.Value{ids[i], nqs[i]} }); err != nil {
		return fmt.Errorf("normalized queries: %w", err)
	}
	l.nq = "coalesce(rq.nq, -1)"
	l.joinQ = "LEFT JOIN rq ON rq.query_id = r.query_id"
	return nil
}

// stockCookie is the SQL that passes requests carrying cookies on a stock
// edge that passes those: the log's word where it has one, else the
// assumption.
func (l *storeLoader) stockCookie() string {
	if l.o.Stock == nil || l.o.Stock.RequestCookie != "pass" {
		return ""
	}
	return fmt.Sprintf(" OR coalesce(r.has_cookie, %t)", l.o.AssumeCookies)
}

// UnsafeEndpoint names the endpoint that holds an endpoint's requests of
// unsafe methods when LoadOptions.SplitMethods is set.
func UnsafeEndpoint(endpoint string) string { return "non-GET " + endpoint }

// unsafeSQL is true for a request whose method a cache never serves.
const unsafeSQL = "coalesce(r.method_id IN (SELECT id FROM d_misc WHERE value NOT IN ('GET', 'HEAD')), false)"

// unsafeExpr is the SQL of the unsafe flag the endpoints are split by.
func (l *storeLoader) unsafeExpr() string {
	if l.o.SplitMethods {
		return unsafeSQL
	}
	return "false"
}

// pathEndpoints maps the replayed paths (and, with SplitMethods, whether
// the method is unsafe) onto endpoint templates, in the temporary table
// pe(path_id, unsafe, ep).
func (l *storeLoader) pathEndpoints(ctx context.Context) error {
	var paths []analyze.PathStat
	var safeN []int64
	var safeMiss, unsafeMiss []int64
	inTier := `f.tier = '` + l.tier + `' AND ` + missSQL
	rows, err := l.conn.QueryContext(ctx, `SELECT p.id, p.value, count(*), count(*) FILTER (WHERE NOT `+l.unsafeExpr()+`),
			count(r.duration_ms) FILTER (WHERE `+inTier+` AND NOT `+l.unsafeExpr()+`), count(r.duration_ms) FILTER (WHERE `+inTier+` AND `+l.unsafeExpr()+`)
		FROM requests_raw r JOIN files f USING (file_id) JOIN d_path p ON p.id = r.path_id
		WHERE `+l.cond+` GROUP BY ALL ORDER BY p.value`, l.args...)
	if err != nil {
		return fmt.Errorf("read paths: %w", err)
	}
	for rows.Next() {
		var p analyze.PathStat
		var safe, sm, um int64
		if err := rows.Scan(&p.ID, &p.Path, &p.Requests, &safe, &sm, &um); err != nil {
			rows.Close()
			return err
		}
		paths, safeN = append(paths, p), append(safeN, safe)
		safeMiss, unsafeMiss = append(safeMiss, sm), append(unsafeMiss, um)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	tpl := analyze.InferTemplates(paths, l.o.Router, analyze.TemplateOptions{})
	epIndex := map[string]int32{}
	epID := func(name string) int32 {
		id, ok := epIndex[name]
		if !ok {
			id = int32(len(l.endpoints))
			epIndex[name] = id
			l.endpoints = append(l.endpoints, name)
		}
		return id
	}
	type peRow struct {
		path   int32
		unsafe bool
		ep     int32
		pass   bool
		vary   int32 // varyMask bits
		misses int64 // in the replayed tier
	}
	var pe []peRow
	for i := range paths {
		unsafe := paths[i].Requests - safeN[i]
		pass := l.stockPasses(paths[i].Path)
		vary := varyMask(l.o.SplitVary[tpl[i].Endpoint])
		if safeN[i] > 0 || unsafe == 0 {
			pe = append(pe, peRow{paths[i].ID, false, epID(tpl[i].Endpoint), pass, vary, safeMiss[i]})
		}
		if unsafe > 0 {
			pe = append(pe, peRow{paths[i].ID, true, epID(UnsafeEndpoint(tpl[i].Endpoint)), pass, 0, unsafeMiss[i]})
		}
	}
	// Each endpoint's cut of the sample its miss percentiles are read from,
	// from its misses over all its paths.
	misses := make([]int64, len(l.endpoints))
	for _, r := range pe {
		misses[r.ep] += r.misses
	}
	limit := l.o.ExactPercentiles
	if limit == 0 {
		limit = DefaultExactPercentiles
	}
	if _, err := l.conn.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE pe (path_id INTEGER, unsafe BOOLEAN, ep INTEGER, stock_pass BOOLEAN, vary INTEGER, qcut BIGINT)"); err != nil {
		return err
	}
	return l.appendRows("pe", len(pe), func(i int) []driver.Value {
		cut := int64(store.SampleSpace)
		if limit > 0 {
			cut = store.SampleCut(limit, misses[pe[i].ep])
		}
		return []driver.Value{pe[i].path, pe[i].unsafe, pe[i].ep, pe[i].pass, pe[i].vary, cut}
	})
}

// Bits of pe.vary: the request headers an endpoint's cache key is split on.
const (
	varyLang   = 1 // Accept-Language: the logged value, else per client
	varyAccept = 2 // Accept: the logged value, else per user agent
	varyClient = 4 // another header, never logged: per client
)

// varyMask folds the headers an endpoint is split on into pe.vary bits.
func varyMask(headers []string) int32 {
	var m int32
	for _, h := range headers {
		switch strings.ToLower(h) {
		case "accept-language":
			m |= varyLang
		case "accept":
			m |= varyAccept
		default:
			m |= varyClient
		}
	}
	return m
}

// varyKeySQL is the cache key's Vary part of a request row: 0 when the
// endpoint is not split, else a hash of the logged values of its varied
// headers (a line without the header, in a file that logs it, is the
// "not sent" value -1) and, for a header the file does not log, of the
// client (address and user agent): Accept-Language is the user's; Accept,
// which the browser and the page's code choose, of the user agent.
const varyKeySQL = `CASE WHEN pe.vary = 0 THEN 0 ELSE hash(
		CASE WHEN pe.vary & 4 <> 0 THEN hash(r.client_hash, r.client_id, r.ua_id) END,
		CASE WHEN pe.vary & 1 <> 0 THEN CASE WHEN coalesce(lv.lang, false) THEN hash(coalesce(r.accept_language_id, -1)) ELSE hash(r.client_hash, r.client_id, r.ua_id) END END,
		CASE WHEN pe.vary & 2 <> 0 THEN CASE WHEN coalesce(lv.accept, false) THEN hash(coalesce(r.accept_id, -1)) ELSE hash(coalesce(r.ua_id, -1)) END END) END`

// loggedVary makes the temporary table logged_vary: per file, whether it
// logs the request's Accept-Language and Accept (some line has them). It is
// left empty when no endpoint is split on them.
func (l *storeLoader) loggedVary(ctx context.Context) error {
	need := false
	for _, hs := range l.o.SplitVary {
		need = need || varyMask(hs)&(varyLang|varyAccept) != 0
	}
	q := `CREATE OR REPLACE TEMP TABLE logged_vary AS SELECT file_id, bool_or(accept_language_id IS NOT NULL) AS lang, bool_or(accept_id IS NOT NULL) AS accept
		FROM requests_raw GROUP BY file_id`
	if !need {
		q = `CREATE OR REPLACE TEMP TABLE logged_vary (file_id INTEGER, lang BOOLEAN, accept BOOLEAN)`
	}
	if _, err := l.conn.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("logged request headers: %w", err)
	}
	return nil
}

// LoggedVaryHeaders lists which of the request headers the replay can key
// on by their logged value (Accept-Language, Accept) the tier's logs
// record ("" for every tier): those some line of some file of the tier has.
func LoggedVaryHeaders(ctx context.Context, st *store.Store, tier string) (map[string]bool, error) {
	var lang, accept bool
	err := st.DB.QueryRowContext(ctx, `SELECT coalesce(bool_or(r.accept_language_id IS NOT NULL), false), coalesce(bool_or(r.accept_id IS NOT NULL), false)
		FROM requests_raw r JOIN files f USING (file_id) WHERE ? = '' OR f.tier = ?`, tier, tier).Scan(&lang, &accept)
	if err != nil {
		return nil, fmt.Errorf("logged request headers: %w", err)
	}
	return map[string]bool{"Accept-Language": lang, "Accept": accept}, nil
}

// stockPasses reports whether the stock edge passes every request of this
// path: it caches only some file extensions and this path has none of them.
func (l *storeLoader) stockPasses(path string) bool {
	p := l.o.Stock
	if p == nil {
		return false
	}
	if len(p.Extensions) > 0 {
		return !p.Eligible(path)
	}
	return false
}

// baseSQL is the query of the requests to replay, one row each: time,
// content key, host, PoP, endpoint, Vary part of the key, bytes, status
// and whether a shared cache may store the response. With window, two
// more arguments bound the time: from (included) and to.
func (l *storeLoader) baseSQL(window bool) string {
	cond := l.cond
	if window {
		cond += " AND r.ts >= ? AND r.ts < ?"
	}
	pop := "-1"
	if l.o.PerPoP {
		pop = "coalesce(r.pop_id, -1)"
	}
	return `SELECT epoch_ms(r.ts) AS t, ` + l.contentKeySQL() + ` AS ck, coalesce(r.host_id, -1) AS host, ` + pop + ` AS pop, pe.ep,
				` + varyKeySQL + ` AS vk,
				coalesce(r.bytes, 0) AS bytes, coalesce(r.status, 0)::BIGINT AS status,
				CASE WHEN coalesce(m.value NOT IN ('GET', 'HEAD'), false) OR coalesce(r.set_cookie, false) OR coalesce(r.has_auth, false)
					OR coalesce(cc.value ILIKE '%private%' OR cc.value ILIKE '%no-store%', false) OR pe.stock_pass` + l.stockCookie() + ` THEN 1 ELSE 0 END AS flag
			FROM requests_raw r JOIN files f USING (file_id) LEFT JOIN logged_vary lv USING (file_id) ` + l.joinQ + `
			JOIN pe ON pe.path_id = r.path_id AND pe.unsafe = ` + l.unsafeExpr() + `
			LEFT JOIN d_misc m ON m.id = r.method_id LEFT JOIN d_misc cc ON cc.id = r.cc_id
			WHERE f.tier = '` + l.tier + `' AND ` + cond + ` AND ` + l.part
}

// stream reads the requests in time order, each as four integers with its
// content key, cache entry and endpoint already numbered, and hands them to
// fn in batches; fn owns a batch it is given. Empty batches are taken from
// free when it has one.
func (l *storeLoader) stream(ctx context.Context, free chan *Batch, fn func(*Batch)) error {
	newBatch := func() *Batch {
		select {
		case b := <-free:
			return b
		default:
			return &Batch{}
		}
	}
	// Cache entries (content key, host, PoP, Vary part) are numbered here,
	// in the order they first appear: numbering them in DuckDB first read
	// and joined the requests twice (1.8 s of the 10 M benchmark's 14).
	ids := newEntryIDs(l.entriesHint)
	if l.onStates != nil {
		l.onStates(l.entriesHint, l.contentsHint)
	}
	start := time.Now()
	defer func() {
		l.nStates, l.nContent = ids.len(), l.contents.len()
		l.log().Debug("replay stream read", "entries", l.nStates, "took", time.Since(start))
	}()
	q := `SELECT t, ck, ((host::BIGINT + 1) << 32) | (pop::BIGINT & 4294967295), (vk >> 1)::BIGINT, (ep::BIGINT << 32) | (status << 4) | flag, bytes
		FROM (` + l.baseSQL(l.windows != nil) + `) ORDER BY t, pop, host, vk, bytes, status, flag`
	b := newBatch()
	read := func(cols [][]int64) {
		ts, cks, hostPops, vks, epsts, sizes := cols[0], cols[1], cols[2], cols[3], cols[4], cols[5]
		for i, t := range ts {
			cid := l.contents.id(cks[i])
			hp := hostPops[i]
			sid, inst := ids.id(entryKey{cid, int32(hp>>32 - 1), int32(hp), vks[i]})
			epst := epsts[i]
			ep, status := int32(epst>>32), (epst>>4)&0xfff
			var fl uint8
			switch {
			case epst&1 != 0:
				fl = FlagUncacheable
			case status >= 500:
				fl = FlagOriginError
			case !cacheableStatus(status) || slices.Contains(l.o.UncachedStatuses, int(status)):
				fl = FlagUncacheable
			}
			b.TimeMS = append(b.TimeMS, t)
			b.Instance = append(b.Instance, inst)
			b.State = append(b.State, sid)
			b.Content = append(b.Content, cid)
			b.Endpoint = append(b.Endpoint, ep)
			b.Size = append(b.Size, sizes[i])
			b.Flags = append(b.Flags, fl)
			if len(b.TimeMS) == 1<<16 {
				fn(b)
				b = newBatch()
			}
		}
	}
	// DuckDB holds a query's whole result until it is read, outside its
	// memory limit: in time windows, each result stays small.
	var err error
	if l.windows == nil {
		err = l.readColumns(ctx, q, l.args, 6, read)
	}
	for i := 0; err == nil && i+1 < len(l.windows); i++ {
		err = l.readColumns(ctx, q, append(slices.Clip(l.args), l.windows[i], l.windows[i+1]), 6, read)
	}
	if err != nil {
		return fmt.Errorf("read requests: %w", err)
	}
	fn(b)
	return nil
}

// entryIDs numbers cache entries, densely from 0 in the order they first
// appear, and the cache instances (PoPs) they belong to.
type entryIDs struct {
	// An entry without a Vary part whose host and PoP ids fit in 16 bits
	// each (nearly all) is found by one uint64; the others by their whole
	// key. Values: entry<<32 | instance.
	packed map[uint64]uint64
	full   map[entryKey]uint64
	inst   map[int32]int32
	n      int32
}

// entryKey is a cache entry's whole key: content key, host and PoP ids
// (-1: unknown), and the Vary part.
type entryKey struct {
	cid, host, pop int32
	vk             int64
}

// entryMapBytes is what entryIDs holds per entry: a map slot of 16 bytes
// (32 for a whole key) in tables between 7/16 and 7/8 full, plus control
// bytes. Go's maps grow one table of at most 1,024 slots at a time, so
// there is no doubling of the whole map.
func entryMapBytes(vary bool) int64 {
	if vary {
		return 64
	}
	return 32
}

func newEntryIDs(hint int) *entryIDs {
	return &entryIDs{packed: make(map[uint64]uint64, hint), full: map[entryKey]uint64{}, inst: map[int32]int32{}}
}

// id returns the entry of k and its instance, numbering it when it is new.
func (e *entryIDs) id(k entryKey) (entry, inst int32) {
	if p, ok := k.packed(); ok {
		if v, ok := e.packed[p]; ok {
			return int32(v >> 32), int32(v)
		}
		v := e.next(k.pop)
		e.packed[p] = v
		return int32(v >> 32), int32(v)
	}
	if v, ok := e.full[k]; ok {
		return int32(v >> 32), int32(v)
	}
	v := e.next(k.pop)
	e.full[k] = v
	return int32(v >> 32), int32(v)
}

// packed is k in 64 bits when it has no Vary part and its host and PoP
// ids fit in 16 bits (+1, so that unknown, -1, is 0).
func (k entryKey) packed() (uint64, bool) {
	if k.vk != 0 || k.host < -1 || k.host >= 0xffff || k.pop < -1 || k.pop >= 0xffff {
		return 0, false
	}
	return uint64(uint32(k.cid))<<32 | uint64(k.host+1)<<16 | uint64(k.pop+1), true
}

// next numbers a new entry of PoP pop.
func (e *entryIDs) next(pop int32) uint64 {
	in, ok := e.inst[pop]
	if !ok {
		in = int32(len(e.inst))
		e.inst[pop] = in
	}
	v := uint64(e.n)<<32 | uint64(uint32(in))
	e.n++
	return v
}

func (e *entryIDs) len() int { return int(e.n) }

// cacheableStatus: statuses a shared cache may store (RFC 9111 4.2.2).
func cacheableStatus(s int64) bool {
	switch s {
	case 0, 200, 203, 204, 206, 300, 301, 304, 308, 404, 405, 410, 414, 501:
		return true
	}
	return false
}

// NormalizeQuery drops tracking parameters (and sorts the rest when sorted).
func NormalizeQuery(q string, sorted bool) string {
	parts := strings.Split(q, "&")
	out := parts[:0]
	for _, p := range parts {
		if p == "" {
			continue
		}
		name := p
		if i := strings.IndexByte(p, '='); i >= 0 {
			name = p[:i]
		}
		if dec, err := url.QueryUnescape(name); err == nil {
			name = dec
		}
		if analyze.IsTracking(name) {
			continue
		}
		out = append(out, p)
	}
	if sorted {
		sort.Strings(out)
	}
	return strings.Join(out, "&")
}

// loadChanges finds when each content key changed at the origin: origin
// responses (or, without origin logs, the edge's fetches from the origin)
// whose ETag, or size when there is no ETag, differs from the previous one.
func (l *storeLoader) loadChanges(ctx context.Context) error {
	defer l.timed("content changes", time.Now())
	if l.changeSrc == "" { // once, not per pass
		var origin bool
		if err := l.conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM requests_raw r JOIN files f USING (file_id) WHERE f.tier = 'origin' AND `+l.cond+`)`, l.args...).Scan(&origin); err != nil {
			return err
		}
		l.changeSrc = `f.tier = 'origin'`
		if !origin {
			l.changeSrc = `f.tier = 'edge' AND r.cache_status IN ('MISS', 'EXPIRED')`
		}
	}
	// A version is read from a response with a body: a GET (HEAD has no
	// body) answered 200 (not 206 or 304) with an ETag or a size above 0;
	// unknown and empty sizes tell nothing.
	// Ordered by content key and time, ties by version: the same in every
	// process.
	q := `SELECT ` + l.contentKeySQL() + ` AS ck, epoch_ms(r.ts) AS t, coalesce(r.etag_id::BIGINT, -1) AS etag, coalesce(r.bytes, -1)::BIGINT AS size
		FROM requests_raw r JOIN files f USING (file_id) ` + l.joinQ + `
		WHERE ` + l.changeSrc + ` AND r.path_id IS NOT NULL AND r.status = 200 AND (r.etag_id IS NOT NULL OR r.bytes > 0)
			AND coalesce(r.method_id NOT IN (SELECT id FROM d_misc WHERE value = 'HEAD'), true) AND ` + l.cond + ` AND ` + l.part + `
		ORDER BY ck, t, etag, size`
	// The content keys come in order, each numbered as it comes (the
	// others later, by the stream: none of them has changes), its changes
	// appended.
	l.changes = changeTimes{}
	// A change is the first response of a version that does not alternate
	// with another: a version that comes back after another one answered in
	// between (a gzip and an identity copy, two variants of one page) is a
	// variant of the same content, not new content each time; a return to
	// an earlier version is not counted again.
	prevC := int32(-1)
	var seq []versionAt
	flush := func() {
		l.changes.start = append(l.changes.start, len(l.changes.t))
		l.changes.t = append(l.changes.t, changesOf(seq)...)
		seq = seq[:0]
	}
	err := l.readColumns(ctx, q, l.args, 4, func(cols [][]int64) {
		for i, ck := range cols[0] {
			c, t, etag, size := l.contents.id(ck), cols[1][i], cols[2][i], cols[3][i]
			v := size
			if etag >= 0 {
				v = math.MaxInt32 + etag
			}
			if c != prevC && prevC >= 0 {
				flush()
			}
			seq = append(seq, versionAt{t, v})
			prevC = c
		}
	})
	if err != nil {
		return fmt.Errorf("content versions: %w", err)
	}
	if prevC >= 0 {
		flush()
	}
	l.changes.start = append(l.changes.start, len(l.changes.t))
	return nil
}

// versionAt is one response's version (size or ETag) at a time (ms).
type versionAt struct{ t, v int64 }

// changesOf returns the times at which a key's content changed, from its
// responses' versions in time order: the first response of each version
// after the first, unless that version alternates with another (it comes
// back after a different one answered in between): then it is a variant of
// the same content.
func changesOf(seq []versionAt) []int64 {
	last := map[int64]int{}
	alternates := map[int64]bool{}
	for k, x := range seq {
		if p, ok := last[x.v]; ok && p < k-1 {
			alternates[x.v] = true
		}
		last[x.v] = k
	}
	var out []int64
	seen := map[int64]bool{}
	for k, x := range seq {
		if k > 0 && !seen[x.v] && !alternates[x.v] {
			out = append(out, x.t)
		}
		seen[x.v] = true
	}
	return out
}

// percentileGrid is the SQL list of levels 0, 0.01, ..., 1.
var percentileGrid = func() string {
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i <= 100; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%.2f", float64(i)/100)
	}
	return b.String() + "]"
}()

// hitSQL and missSQL tell a request row r the edge served from its cache
// from one that reached the origin (every origin-tier row is a miss).
const (
	hitSQL  = `r.cache_status IN ('HIT', 'STALE', 'UPDATING')`
	missSQL = `(r.cache_status IS NULL OR NOT ` + hitSQL + `)`
)

// DefaultExactPercentiles is LoadOptions.ExactPercentiles' default.
const DefaultExactPercentiles = 20_000

// loadLatency reads the observed mean latency of hits and misses per
// endpoint (misses: the origin's own time when only origin logs exist).
func (l *storeLoader) loadLatency(ctx context.Context) error {
	// Sums of whole microseconds: exact, so that every process replaying a
	// shard finds the same means (float sums depend on DuckDB's threads).
	const us = `round(r.duration_ms * 1000)::BIGINT`
	// One scan: per endpoint, the hits' and misses' sums, the time misses
	// spend at the edge besides the origin's, and the misses' latency at
	// percentiles 0 to 100 (what the percentiles at a TTL are drawn from),
	// from a sample of the misses on endpoints with many (pe.qcut).
	rows, err := l.conn.QueryContext(ctx, `SELECT pe.ep,
			sum(`+us+`) FILTER (WHERE `+hitSQL+`), count(r.duration_ms) FILTER (WHERE `+hitSQL+`),
			sum(`+us+`) FILTER (WHERE `+missSQL+`), count(r.duration_ms) FILTER (WHERE `+missSQL+`),
			sum(greatest(round((r.duration_ms - r.origin_ms) * 1000)::BIGINT, 0)) FILTER (WHERE `+missSQL+`),
			count(r.duration_ms - r.origin_ms) FILTER (WHERE `+missSQL+`),
			to_json(quantile_cont(r.duration_ms, `+percentileGrid+`) FILTER (WHERE `+missSQL+` AND `+store.InSampleSQL("pe.qcut")+`))::VARCHAR
		FROM requests_raw r JOIN files f USING (file_id) JOIN pe ON pe.path_id = r.path_id AND pe.unsafe = `+l.unsafeExpr()+`
		WHERE f.tier = '`+l.tier+`' AND `+l.cond+` GROUP BY 1`, l.args...)
	if err != nil {
		return fmt.Errorf("latency: %w", err)
	}
	defer rows.Close()
	n := len(l.endpoints)
	hs, hn, ms, mn := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	l.missQ = make([][]float64, n)
	var allHits, allHitN, over, overN int64
	for rows.Next() {
		var ep int32
		var hsum, msum, osum sql.NullInt64
		var hc, mc, oc int64
		var js sql.NullString
		if err := rows.Scan(&ep, &hsum, &hc, &msum, &mc, &osum, &oc, &js); err != nil {
			return err
		}
		allHits, allHitN, over, overN = allHits+hsum.Int64, allHitN+hc, over+osum.Int64, overN+oc
		if int(ep) >= n {
			continue
		}
		hs[ep] += float64(hsum.Int64) / 1000
		hn[ep] += float64(hc)
		ms[ep] += float64(msum.Int64) / 1000
		mn[ep] += float64(mc)
		var q []float64
		if js.Valid && json.Unmarshal([]byte(js.String), &q) == nil && len(q) == 101 {
			l.missQ[ep] = q
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// What a hit will take on a route whose logs show none (the first-time
	// user's case: no cache yet): the edge's hits on other routes, else the
	// time misses spend at the edge besides the origin's, else the edge's
	// stated default; each said.
	fallback, from := math.NaN(), ""
	switch {
	case allHitN > 0:
		fallback, from = float64(allHits)/1000/float64(allHitN), HitFromOtherRoutes
	case overN > 0:
		fallback, from = float64(over)/1000/float64(overN), HitFromMissOverhead
	case l.o.EdgeHitMS != nil:
		fallback, from = *l.o.EdgeHitMS, HitFromEdgeDefault
	}
	l.hitMS, l.missMS, l.hitFrom = make([]float64, n), make([]float64, n), make([]string, n)
	for e := 0; e < n; e++ {
		l.hitMS[e], l.missMS[e] = math.NaN(), math.NaN()
		switch {
		case hn[e] > 0:
			l.hitMS[e], l.hitFrom[e] = hs[e]/hn[e], HitFromRoute
		case mn[e] > 0 && !math.IsNaN(fallback):
			l.hitMS[e], l.hitFrom[e] = fallback, from
		}
		if mn[e] > 0 {
			l.missMS[e] = ms[e] / mn[e]
		}
	}
	return nil
}
