package analyze

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/cdnadvise/cdnadvise/internal/store"
)

// Definitions says how every ratio is computed; it is part of the output.
var Definitions = map[string]string{
	"hit_ratio":      "edge requests answered from cache (HIT, STALE, UPDATING, REVALIDATED) / edge requests with a cache status",
	"byte_hit_ratio": "bytes of those responses / bytes of edge responses with a cache status",
	"offload":        "edge requests that did not reach the origin (HIT, STALE, UPDATING; a REVALIDATED response asked the origin) / edge requests with a cache status",
	"byte_offload":   "bytes the origin did not send (HIT, STALE, UPDATING, and REVALIDATED: a 304 carries no body) / bytes of edge responses with a cache status",
	"misses":         "MISS, EXPIRED, BYPASS, PASS, DYNAMIC and ERROR count as misses; rows without a cache status (e.g. CloudFront Redirect) count in requests only",
	"join":           "an origin request matches an edge request that reached the origin by request id when both tiers log one, else by method, path and query logged within the join window (whole seconds)",
	"latency":        "duration_ms percentiles (exact with linear interpolation up to 2,000,000 rows, else from a uniform sample; the report says which): hit and miss at the edge; origin from origin logs, else from the edge's upstream time",
	"saveable":       "requests that reached the origin although a shared cache could have answered them: GET/HEAD, a status cacheable by default (RFC 9111: 200 203 204 206 300 301 308 404 405 410 414 501), no Set-Cookie, no Authorization, no private/no-store",
	"keys":           "distinct cache keys (host + path + query as logged) of the main tier",
	"low_hit_ratio":  "flag: hit ratio below the threshold on an endpoint with enough requests to matter",
}

// Dimension names accepted by Options.By.
var Dimensions = []string{"endpoint", "pop", "status", "hour", "day", "host", "method", "method_group", "tier"}

// Options select and group the rows.
type Options struct {
	By           []string  // dimensions; default endpoint
	Since, Until time.Time // zero: unbounded
	Host         string
	Tier         string // "", "edge" or "origin"
	Top          int    // rows to return (0: all)
	HitThreshold float64
	// MinRequests is the traffic an endpoint needs to be flagged (0: the
	// larger of 100 and 0.5% of all requests).
	MinRequests int64
	Router      Router
	Templates   TemplateOptions
	// ExactPercentiles is the largest number of rows for which percentiles
	// are exact; above it they come from a deterministic sample of about
	// that many rows (at least 8,192), chosen by a hash of each row, so that
	// the same store gives the same figures (default 2,000,000; -1: always
	// exact).
	ExactPercentiles int64
	// JoinWindow is how far apart an origin request and the edge request it
	// served may be logged when no request id joins them (default 2s).
	JoinWindow time.Duration
	// Logger receives timings of each step at debug level (nil: none).
	Logger *slog.Logger
}

// Percentiles are latency percentiles in milliseconds.
type Percentiles struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
}

// Row is one group of requests.
type Row struct {
	Keys           map[string]string `json:"group"`
	Endpoint       string            `json:"endpoint,omitempty"`
	Static         bool              `json:"static,omitempty"`
	Fingerprinted  bool              `json:"fingerprinted,omitempty"`
	Requests       int64             `json:"requests"` // of the main tier: edge when edge logs exist, else origin
	Bytes          int64             `json:"bytes"`    // of the main tier
	EdgeRequests   int64             `json:"edge_requests"`
	OriginRequests int64             `json:"origin_requests"`
	HitRatio       *float64          `json:"hit_ratio"`
	ByteHitRatio   *float64          `json:"byte_hit_ratio"`
	Offload        *float64          `json:"offload"`
	ByteOffload    *float64          `json:"byte_offload"`
	StatusClasses  map[string]int64  `json:"status_classes"`
	EdgeHit        *Percentiles      `json:"edge_hit_ms"`
	EdgeMiss       *Percentiles      `json:"edge_miss_ms"`
	// Edge is every edge request's time, hit or miss: what clients waited.
	Edge           *Percentiles `json:"edge_ms,omitempty"`
	Origin         *Percentiles `json:"origin_ms"`
	SetCookie      *float64     `json:"set_cookie_share"`
	Auth           *float64     `json:"authorization_share"`
	Private        *float64     `json:"private_or_no_store_share"`
	CacheKeys      int64        `json:"cache_keys"`
	KeysNormalized *int64       `json:"cache_keys_normalized,omitempty"` // without tracking parameters, parameters sorted
	RequestsPerKey float64      `json:"requests_per_key"`
	Saveable       int64        `json:"saveable"`
	Flags          []string     `json:"flags,omitempty"`
	Params         []Param      `json:"query_params,omitempty"`
	epID           int64
}

// Param is a query parameter seen on an endpoint.
type Param struct {
	Name     string `json:"name"`
	Requests int64  `json:"requests"`
	Values   int64  `json:"distinct_values"`
	Tracking bool   `json:"tracking"`
}

// Join says how edge and origin rows were matched.
type Join struct {
	Method      string  `json:"method"` // request_id or "method+path+query within window"
	OriginRows  int64   `json:"origin_rows"`
	EdgeToOrig  int64   `json:"edge_rows_that_reached_origin"`
	Matched     int64   `json:"matched"`
	MatchRate   float64 `json:"match_rate"` // matched / origin rows
	WindowSec   float64 `json:"window_seconds,omitempty"`
	Unavailable string  `json:"unavailable,omitempty"`
}

// Report is the result of an analysis.
type Report struct {
	Mode        string            `json:"mode"` // "edge+origin", "edge", "origin", "empty"
	Notes       []string          `json:"notes,omitempty"`
	By          []string          `json:"by"`
	From        *time.Time        `json:"from,omitempty"`
	To          *time.Time        `json:"to,omitempty"`
	Totals      Row               `json:"totals"`
	Join        *Join             `json:"join,omitempty"`
	Rows        []Row             `json:"rows"`
	Omitted     int               `json:"omitted_rows"`
	Percentiles string            `json:"percentiles"` // "exact" or how they were approximated
	Definitions map[string]string `json:"definitions"`
}

// dimExpr is the SQL of each dimension over the base relation.
var dimExpr = map[string]string{
	"endpoint": "endpoint",
	"pop":      "coalesce(pop, '-')",
	"status":   "CASE WHEN status IS NULL THEN 'unknown' ELSE (status // 100)::VARCHAR || 'xx' END",
	"hour":     "strftime(date_trunc('hour', ts), '%Y-%m-%dT%H:00Z')",
	"day":      "strftime(date_trunc('day', ts), '%Y-%m-%d')",
	"host":     "coalesce(host, '-')",
	"method":   "coalesce(method, '-')",
	// method_group counts HEAD (and lines without a method) with GET, as
	// caches serve both from one entry; other methods stay apart.
	"method_group": "CASE WHEN method IS NULL OR method IN ('GET', 'HEAD') THEN 'GET' ELSE method END",
	"tier":         "tier",
}

// Run analyzes the store.
func Run(ctx context.Context, st *store.Store, opts Options) (*Report, error) {
	if len(opts.By) == 0 {
		opts.By = []string{"endpoint"}
	}
	for _, d := range opts.By {
		if _, ok := dimExpr[d]; !ok {
			return nil, fmt.Errorf("unknown dimension %q (use %s)", d, strings.Join(Dimensions, ", "))
		}
	}
	if opts.Tier != "" && opts.Tier != "edge" && opts.Tier != "origin" {
		return nil, fmt.Errorf("tier must be edge or origin, not %q", opts.Tier)
	}
	if opts.HitThreshold <= 0 {
		opts.HitThreshold = 0.7
	}
	if opts.JoinWindow <= 0 {
		opts.JoinWindow = 2 * time.Second
	}
	conn, err := st.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	a := &analysis{conn: conn, opts: opts, last: time.Now()}
	return a.run(ctx)
}

type analysis struct {
	conn  *sql.Conn
	opts  Options
	where string
	args  []any
	last  time.Time
	eps   []Template // endpoint templates by ep_id
	// sampleBelow: percentiles read the rows whose hash modulo store.SampleSpace
	// is below it (-1: every row, exact).
	sampleBelow int64
}

// step logs how long the step that just ended took.
func (a *analysis) step(name string) {
	now := time.Now()
	a.opts.Logger.Debug("analyze", "step", name, "took", now.Sub(a.last))
	a.last = now
}

// filters builds the WHERE clause over requests_raw r joined with files f.
func (a *analysis) filters() {
	var w []string
	if !a.opts.Since.IsZero() {
		w = append(w, "r.ts >= ?")
		a.args = append(a.args, a.opts.Since)
	}
	if !a.opts.Until.IsZero() {
		w = append(w, "r.ts < ?")
		a.args = append(a.args, a.opts.Until)
	}
	if a.opts.Host != "" {
		w = append(w, "r.host_id IN (SELECT id FROM d_host WHERE value = ?)")
		a.args = append(a.args, a.opts.Host)
	}
	if a.opts.Tier != "" {
		w = append(w, "f.tier = ?")
		a.args = append(a.args, a.opts.Tier)
	}
	if len(w) == 0 {
		a.where = "TRUE"
	} else {
		a.where = strings.Join(w, " AND ")
	}
}

func (a *analysis) run(ctx context.Context) (*Report, error) {
	a.filters()
	rep := &Report{By: a.opts.By, Definitions: Definitions}
	var edge, origin int64
	var from, to sql.NullTime
	err := a.conn.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE f.tier = 'edge'), count(*) FILTER (WHERE f.tier = 'origin'),
		min(r.ts), max(r.ts) FROM requests_raw r JOIN files f USING (file_id) WHERE `+a.where, a.args...).Scan(&edge, &origin, &from, &to)
	if err != nil {
		return nil, fmt.Errorf("count rows: %w", err)
	}
	if from.Valid {
		f, t := from.Time.UTC(), to.Time.UTC()
		rep.From, rep.To = &f, &t
	}
	switch {
	case edge > 0 && origin > 0:
		rep.Mode = "edge+origin"
	case edge > 0:
		rep.Mode = "edge"
	case origin > 0:
		rep.Mode = "origin"
		rep.Notes = append(rep.Notes, "origin logs only (no CDN or cache logs): hit ratios and offload need edge logs; what is shown is what the origin served, its latency and what a cache could take over (saveable). `cdnadvise replay` predicts the hit ratio a CDN would reach.")
	default:
		rep.Mode = "empty"
		rep.Notes = append(rep.Notes, "no requests match: ingest logs first (cdnadvise ingest), or widen --since/--until/--host/--tier")
		return rep, nil
	}
	a.step("count")
	if err := a.endpoints(ctx); err != nil {
		return nil, err
	}
	a.step("endpoints")
	primary := "edge"
	if edge == 0 {
		primary = "origin"
	}
	quantile := "quantile_cont(%s, [0.5, 0.95, 0.99])"
	rep.Percentiles = "exact"
	a.sampleBelow = -1
	if limit := a.opts.ExactPercentiles; limit >= 0 && edge+origin > max(limit, 2_000_000*boolInt(limit == 0)) {
		// A deterministic sample: the rows whose hash falls below a cut,
		// about max(limit, 8192) of them, so that the same store always
		// gives the same percentiles (a reservoir sample did not).
		limit = max(limit, 2_000_000*boolInt(limit == 0))
		target := max(limit, 8192)
		a.sampleBelow = store.SampleCut(target, edge+origin)
		rep.Percentiles = fmt.Sprintf("approximate: from a deterministic sample of about %d rows (chosen by a hash of each row; more than %d rows)", min(target, edge+origin), limit)
	}
	if err := a.keys(ctx, primary); err != nil {
		return nil, err
	}
	a.step("cache keys")
	rows, totals, err := a.aggregate(ctx, primary, quantile)
	if err != nil {
		return nil, err
	}
	a.step("aggregate")
	minReq := a.opts.MinRequests
	if minReq <= 0 {
		minReq = max(100, totals.Requests/200)
	}
	for i := range rows {
		r := &rows[i]
		if r.HitRatio != nil && *r.HitRatio < a.opts.HitThreshold && r.EdgeRequests >= minReq {
			r.Flags = append(r.Flags, "low_hit_ratio")
		}
	}
	if a.has("endpoint") {
		if err := a.params(ctx, rows); err != nil {
			return nil, err
		}
		a.step("query parameters")
	}
	if top := a.opts.Top; top > 0 && len(rows) > top {
		rep.Omitted = len(rows) - top
		rows = rows[:top]
	}
	rep.Rows, rep.Totals = rows, totals
	if edge > 0 && origin > 0 {
		j, err := a.join(ctx)
		if err != nil {
			return nil, err
		}
		rep.Join = j
		a.step("join")
	}
	return rep, nil
}

func (a *analysis) has(dim string) bool {
	for _, d := range a.opts.By {
		if d == dim {
			return true
		}
	}
	return false
}

// NotHTTPEndpoint is the endpoint of the requests whose request line was
// not HTTP (no method, no path): scanners, TLS sent to a plain port.
const NotHTTPEndpoint = "(not an HTTP request)"

// endpoints maps the distinct paths of the selected rows onto templates, in
// a temporary table ep(path_id, endpoint, static, fp).
func (a *analysis) endpoints(ctx context.Context) error {
	rows, err := a.conn.QueryContext(ctx, `SELECT r.path_id, p.value, count(*) FROM requests_raw r JOIN files f USING (file_id)
		JOIN d_path p ON p.id = r.path_id WHERE `+a.where+` GROUP BY ALL`, a.args...)
	if err != nil {
		return fmt.Errorf("read paths: %w", err)
	}
	var paths []PathStat
	for rows.Next() {
		var p PathStat
		if err := rows.Scan(&p.ID, &p.Path, &p.Requests); err != nil {
			rows.Close()
			return err
		}
		paths = append(paths, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	tpl := InferTemplates(paths, a.opts.Router, a.opts.Templates)
	// Requests whose line was not HTTP (a scanner's "hello", TLS bytes on a
	// plain port) have no path: one endpoint of their own, so that totals
	// count them.
	var bad int64
	if err := a.conn.QueryRowContext(ctx, `SELECT count(*) FROM requests_raw r JOIN files f USING (file_id) WHERE `+a.where+` AND r.path_id IS NULL`, a.args...).Scan(&bad); err != nil {
		return fmt.Errorf("read paths: %w", err)
	}
	if bad > 0 {
		paths = append(paths, PathStat{ID: -1, Requests: bad})
		tpl = append(tpl, Template{Endpoint: NotHTTPEndpoint, Source: "inferred"})
	}
	// Endpoints get small integer ids (grouping on them is cheaper than on
	// strings); a.eps holds them in id order.
	ids := map[string]int32{}
	a.eps = a.eps[:0]
	epOf := make([]int32, len(paths))
	for i, t := range tpl {
		id, ok := ids[t.Endpoint]
		if !ok {
			id = int32(len(a.eps))
			ids[t.Endpoint] = id
			a.eps = append(a.eps, t)
		} else {
			a.eps[id].Static = a.eps[id].Static && t.Static
			a.eps[id].Fingerprinted = a.eps[id].Fingerprinted && t.Fingerprinted
		}
		epOf[i] = id
	}
	if _, err := a.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE ep (path_id INTEGER, ep_id INTEGER, endpoint VARCHAR)`); err != nil {
		return err
	}
	return a.conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "ep")
		if err != nil {
			return fmt.Errorf("endpoint table: %w", err)
		}
		for i, p := range paths {
			if err := app.AppendRow(p.ID, epOf[i], tpl[i].Endpoint); err != nil {
				app.Close()
				return err
			}
		}
		return app.Close()
	})
}

// cacheableSQL: statuses a shared cache may store without explicit freshness
// (RFC 9111 section 4.2.2, heuristically cacheable).
const cacheableSQL = "status IN (200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501)"

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// keys stores the distinct cache keys of the main tier with their request
// counts, per endpoint, in the temporary table k: cache keys per endpoint,
// query parameters and normalized keys are computed from it.
func (a *analysis) keys(ctx context.Context, primary string) error {
	_, err := a.conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE k AS
		SELECT e.ep_id, r.host_id, r.path_id, r.query_id, count(*) AS n
		FROM requests_raw r JOIN files f USING (file_id) JOIN ep e ON e.path_id = coalesce(r.path_id, -1)
		WHERE `+a.where+` AND f.tier = '`+primary+`' GROUP BY ALL`, a.args...)
	if err != nil {
		return fmt.Errorf("cache keys: %w", err)
	}
	return nil
}

func (a *analysis) aggregate(ctx context.Context, primary, quantile string) ([]Row, Row, error) {
	// Per row, once: the booleans every aggregate filters on.
	var cols, joins []string
	dims := make([]string, len(a.opts.By))
	for i, d := range a.opts.By {
		switch d {
		case "endpoint":
			dims[i] = "e.ep_id"
		case "pop":
			dims[i], joins = "coalesce(pop.value, '-')", append(joins, "LEFT JOIN d_misc pop ON pop.id = r.pop_id")
		case "host":
			dims[i], joins = "coalesce(h.value, '-')", append(joins, "LEFT JOIN d_host h ON h.id = r.host_id")
		case "method":
			dims[i], joins = "coalesce(m.value, '-')", append(joins, "LEFT JOIN d_misc m ON m.id = r.method_id")
		case "method_group":
			dims[i], joins = "CASE WHEN mg.value IS NULL OR mg.value IN ('GET', 'HEAD') THEN 'GET' ELSE mg.value END", append(joins, "LEFT JOIN d_misc mg ON mg.id = r.method_id")
		case "tier":
			dims[i] = "f.tier"
		default:
			dims[i] = strings.NewReplacer("ts", "r.ts", "status", "r.status").Replace(dimExpr[d])
		}
		cols = append(cols, dims[i]+" AS d"+fmt.Sprint(i))
	}
	dimCols := make([]string, len(dims))
	for i := range dims {
		dimCols[i] = "d" + fmt.Sprint(i)
	}
	sampled, sampleCol := "", ""
	if a.sampleBelow >= 0 {
		sampled = " AND sampled"
		sampleCol = ",\n\t\t\t" + store.InSampleSQL(fmt.Sprint(a.sampleBelow)) + " AS sampled"
	}
	base := `WITH base AS (
		SELECT ` + strings.Join(cols, ", ") + `,
			f.tier = 'edge' AS edge, f.tier = 'origin' AS origin, f.tier = '` + primary + `' AS main,
			r.cache_status IS NOT NULL AND f.tier = 'edge' AS cached,
			r.cache_status IN ('HIT', 'STALE', 'UPDATING', 'REVALIDATED') AS hit,
			r.cache_status IN ('HIT', 'STALE', 'UPDATING') AS noorig,
			r.status // 100 AS cls, r.status, r.bytes, r.duration_ms, r.origin_ms, r.set_cookie, r.has_auth, r.host_id, r.path_id, r.query_id,
			coalesce(r.cc_id IN (SELECT id FROM d_misc WHERE value ILIKE '%private%' OR value ILIKE '%no-store%'), false) AS private,
			coalesce(r.method_id IN (SELECT id FROM d_misc WHERE value IN ('GET', 'HEAD')), true) AS safe_method` + sampleCol + `
		FROM requests_raw r JOIN files f USING (file_id) JOIN ep e ON e.path_id = coalesce(r.path_id, -1) ` + strings.Join(joins, " ") + `
		WHERE ` + a.where + `
	)`
	// Distinct cache keys: from k when grouping by endpoint alone (cheaper),
	// else counted here.
	distinctKeys := "count(DISTINCT hash(host_id, path_id, query_id)) FILTER (WHERE main)"
	byEndpoint := len(a.opts.By) == 1 && a.opts.By[0] == "endpoint"
	if byEndpoint {
		distinctKeys = "NULL::BIGINT"
	}
	// reached: a row of the main tier whose request reached the origin.
	reached := "origin"
	if primary == "edge" {
		reached = "(cached AND NOT coalesce(noorig, false))"
	}
	q := base + `
	SELECT ` + strings.Join(append(dimCols, "grouping("+strings.Join(dimCols, ", ")+") AS gid"), ", ") + `,
		count(*) FILTER (WHERE main), coalesce(sum(bytes) FILTER (WHERE main), 0),
		count(*) FILTER (WHERE edge), count(*) FILTER (WHERE origin),
		count(*) FILTER (WHERE cached), count(*) FILTER (WHERE cached AND hit), count(*) FILTER (WHERE cached AND noorig),
		coalesce(sum(bytes) FILTER (WHERE cached), 0), coalesce(sum(bytes) FILTER (WHERE cached AND hit), 0),
		count(*) FILTER (WHERE main AND cls = 2), count(*) FILTER (WHERE main AND cls = 3),
		count(*) FILTER (WHERE main AND cls = 4), count(*) FILTER (WHERE main AND cls >= 5),
		` + fmt.Sprintf(quantile, "duration_ms") + ` FILTER (WHERE cached AND hit` + sampled + `),
		` + fmt.Sprintf(quantile, "duration_ms") + ` FILTER (WHERE cached AND NOT hit` + sampled + `),
		` + fmt.Sprintf(quantile, "duration_ms") + ` FILTER (WHERE origin` + sampled + `),
		` + fmt.Sprintf(quantile, "origin_ms") + ` FILTER (WHERE edge` + sampled + `),
		` + fmt.Sprintf(quantile, "duration_ms") + ` FILTER (WHERE edge` + sampled + `),
		avg(set_cookie::INTEGER) FILTER (WHERE main), avg(has_auth::INTEGER) FILTER (WHERE main), avg(private::INTEGER) FILTER (WHERE main),
		` + distinctKeys + `,
		count(*) FILTER (WHERE ` + reached + ` AND safe_method AND ` + cacheableSQL + `
			AND NOT coalesce(set_cookie, false) AND NOT coalesce(has_auth, false) AND NOT private)
	FROM base GROUP BY GROUPING SETS ((` + strings.Join(dimCols, ", ") + `), ())`
	a.opts.Logger.Debug("aggregate", "sql", q)
	rows, err := a.conn.QueryContext(ctx, q, a.args...)
	if err != nil {
		return nil, Row{}, fmt.Errorf("aggregate: %w", err)
	}
	defer rows.Close()
	var out []Row
	var totals Row
	for rows.Next() {
		keys := make([]sql.NullString, len(dims))
		var gid int64
		var r Row
		var withStatus, hits, noOrigin, edgeBytes, hitBytes int64
		var c2, c3, c4, c5 int64
		var hitQ, missQ, originQ, upstreamQ, edgeQ any
		var setCookie, auth, private sql.NullFloat64
		var keys_ sql.NullInt64
		dest := make([]any, 0, 40)
		for i := range keys {
			dest = append(dest, &keys[i])
		}
		dest = append(dest, &gid, &r.Requests, &r.Bytes, &r.EdgeRequests, &r.OriginRequests, &withStatus, &hits, &noOrigin,
			&edgeBytes, &hitBytes, &c2, &c3, &c4, &c5, &hitQ, &missQ, &originQ, &upstreamQ, &edgeQ, &setCookie, &auth, &private,
			&keys_, &r.Saveable)
		if err := rows.Scan(dest...); err != nil {
			return nil, Row{}, fmt.Errorf("aggregate: %w", err)
		}
		r.StatusClasses = map[string]int64{"2xx": c2, "3xx": c3, "4xx": c4, "5xx": c5}
		if withStatus > 0 {
			r.HitRatio = ratio(hits, withStatus)
			r.Offload = ratio(noOrigin, withStatus)
			if edgeBytes > 0 {
				r.ByteHitRatio = ratio(hitBytes, edgeBytes)
				r.ByteOffload = r.ByteHitRatio
			}
		}
		r.EdgeHit, r.EdgeMiss, r.Edge = percentiles(hitQ), percentiles(missQ), percentiles(edgeQ)
		if r.Origin = percentiles(originQ); r.Origin == nil {
			r.Origin = percentiles(upstreamQ)
		}
		r.SetCookie, r.Auth, r.Private = nullFloat(setCookie), nullFloat(auth), nullFloat(private)
		r.CacheKeys = keys_.Int64
		if gid != 0 {
			totals = r
			continue
		}
		if r.Requests == 0 && !a.has("tier") {
			continue // only rows of the other tier (e.g. origin rows have no PoP)
		}
		r.Keys = map[string]string{}
		for i, d := range a.opts.By {
			r.Keys[d] = keys[i].String
			if d == "endpoint" {
				var id int
				fmt.Sscan(keys[i].String, &id)
				if id >= 0 && id < len(a.eps) {
					t := a.eps[id]
					r.epID = int64(id)
					r.Keys[d], r.Endpoint, r.Static, r.Fingerprinted = t.Endpoint, t.Endpoint, t.Static, t.Fingerprinted
				}
			}
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, Row{}, err
	}
	if err := a.conn.QueryRowContext(ctx, "SELECT count(*) FROM k").Scan(&totals.CacheKeys); err != nil {
		return nil, Row{}, err
	}
	if byEndpoint {
		perEP := map[int64]int64{}
		res, err := a.conn.QueryContext(ctx, "SELECT ep_id, count(*) FROM k GROUP BY 1")
		if err != nil {
			return nil, Row{}, err
		}
		for res.Next() {
			var id, n int64
			if err := res.Scan(&id, &n); err != nil {
				res.Close()
				return nil, Row{}, err
			}
			perEP[id] = n
		}
		res.Close()
		for i := range out {
			out[i].CacheKeys = perEP[out[i].epID]
		}
	}
	for i := range out {
		out[i].requestsPerKey()
	}
	totals.requestsPerKey()
	sortRows(out, a.opts.By)
	return out, totals, nil
}

func (r *Row) requestsPerKey() {
	if r.CacheKeys > 0 {
		r.RequestsPerKey = float64(r.Requests) / float64(r.CacheKeys)
	}
}

// sortRows puts first what matters most: origin requests a cache could have
// saved, then requests; time dimensions alone sort by time.
func sortRows(rows []Row, by []string) {
	timeOnly := len(by) == 1 && (by[0] == "hour" || by[0] == "day")
	sort.SliceStable(rows, func(i, j int) bool {
		x, y := &rows[i], &rows[j]
		if timeOnly {
			return x.Keys[by[0]] < y.Keys[by[0]]
		}
		if x.Saveable != y.Saveable {
			return x.Saveable > y.Saveable
		}
		if x.Requests != y.Requests {
			return x.Requests > y.Requests
		}
		for _, d := range by {
			if x.Keys[d] != y.Keys[d] {
				return x.Keys[d] < y.Keys[d]
			}
		}
		return false
	})
}

func ratio(a, b int64) *float64 {
	if b == 0 {
		return nil
	}
	v := float64(a) / float64(b)
	return &v
}

func nullFloat(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	return &v.Float64
}

// percentiles reads a DuckDB list of three doubles (NULL when no rows).
func percentiles(v any) *Percentiles {
	l, ok := v.([]any)
	if !ok || len(l) != 3 {
		return nil
	}
	var f [3]float64
	for i, x := range l {
		d, ok := x.(float64)
		if !ok || math.IsNaN(d) {
			return nil
		}
		f[i] = d
	}
	return &Percentiles{P50: f[0], P95: f[1], P99: f[2]}
}
