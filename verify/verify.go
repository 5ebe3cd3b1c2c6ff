// Package verify compares the traffic after a change was deployed with
// what a recorded advice run predicted for it: per route, requests, hit
// ratio, origin requests per minute and edge latency before and after,
// whether the logs show the recommended Cache-Control, and a verdict.
package verify

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"github.com/cdnadvise/cdnadvise/internal/httpheader"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/cdnadvise/cdnadvise/advisor"
	"github.com/cdnadvise/cdnadvise/analyze"
	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/internal/store"
	"github.com/cdnadvise/cdnadvise/runs"
)

// Verdicts.
const (
	AsPredicted    = "as predicted"  // within Band of the prediction
	Better         = "better"        // above it
	Worse          = "worse"         // below it
	NotDeployed    = "not deployed"  // the header is not seen, or nothing changed
	NoTrafficAfter = "no traffic"    // no request after the change
	NoPrediction   = "no prediction" // the advice predicted nothing for it
	// Broke: the share of 4xx/5xx responses rose beyond the tolerance
	// after the change (a cache that strips cookies from a form's POST, a
	// CSRF failure, a login loop).
	Broke = "broke"
	// PossibleLeak: responses were served from the cache on a route whose
	// misses differ per client (3+ different responses among 3+ clients
	// for one URL in one 10-second window, in 2 windows or more).
	PossibleLeak = "possible leak"
)

// Options tune a verification.
type Options struct {
	// Since starts the after period (zero: the first request after the
	// advice's data that carries a recommended Cache-Control, else the
	// run's time when traffic was logged after it, else the end of the
	// advice's data).
	Since time.Time
	// Band is how close to the prediction "as predicted" is (default 0.03:
	// 3 points of hit ratio).
	Band float64
	// Tolerance is how far below the prediction a deployed route may land
	// before Result.Failed counts it (default 0.05).
	Tolerance float64
	// Series, when above 0, also returns the hit ratio over time of this
	// many of the busiest predicted GET routes (Result.Series).
	Series int
}

// Point is one time bucket of a route's series.
type Point struct {
	Start    time.Time `json:"start"`
	Requests int64     `json:"requests"`
	HitRatio *float64  `json:"hit_ratio"`
}

// Series is a route's hit ratio over time, before and after the change.
type Series struct {
	Method    string   `json:"method"`
	Route     string   `json:"route"`
	Predicted *float64 `json:"hit_ratio_predicted"`
	Points    []Point  `json:"points"`
}

// Row is one (method, route) of the advice, before and after.
type Row struct {
	Method       string `json:"method"`
	Route        string `json:"route"`
	Class        string `json:"class"`
	CacheControl string `json:"recommended_cache_control,omitempty"`

	RequestsBefore int64 `json:"requests_before"`
	RequestsAfter  int64 `json:"requests_after"`

	HitRatioBefore    *float64 `json:"hit_ratio_before"`
	HitRatioPredicted *float64 `json:"hit_ratio_predicted"`
	HitRatioAfter     *float64 `json:"hit_ratio_after"`

	OriginPerMinBefore    *float64 `json:"origin_requests_per_minute_before"`
	OriginPerMinPredicted *float64 `json:"origin_requests_per_minute_predicted"`
	OriginPerMinAfter     *float64 `json:"origin_requests_per_minute_after"`

	LatencyP50Before *float64 `json:"edge_latency_p50_ms_before"`
	LatencyP95Before *float64 `json:"edge_latency_p95_ms_before"`
	LatencyP50After  *float64 `json:"edge_latency_p50_ms_after"`
	LatencyP95After  *float64 `json:"edge_latency_p95_ms_after"`

	// HeaderLogged: the logs of the after period record Cache-Control;
	// HeaderShare is the share of its responses that carry the
	// recommended one, HeaderSeen the most frequent value logged.
	HeaderLogged bool     `json:"header_logged"`
	HeaderShare  *float64 `json:"recommended_header_share,omitempty"`
	HeaderSeen   string   `json:"header_seen,omitempty"`

	Verdict string `json:"verdict"`
	Why     string `json:"why"`
	// ErrorShareBefore and ErrorShareAfter are the shares of 4xx/5xx
	// responses; ClientWindowsDiffer counts, after the change, the URL
	// windows where misses differed between 3+ clients.
	ErrorShareBefore    *float64 `json:"error_share_before"`
	ErrorShareAfter     *float64 `json:"error_share_after"`
	ClientWindowsDiffer int64    `json:"windows_differing_per_client_after"`
	// Failed: broke, a possible leak, or deployed and below the prediction
	// by more than the tolerance.
	Failed bool `json:"failed,omitempty"`
}

// Result is a verification.
type Result struct {
	RunID int64 `json:"run_id,omitempty"`
	// RunWhy says why this run is the one compared (--run, applied, the
	// latest recorded, an advice file); the caller sets it.
	RunWhy     string    `json:"run_is,omitempty"`
	Tier       string    `json:"tier"`
	BeforeFrom time.Time `json:"before_from"`
	BeforeTo   time.Time `json:"before_to"`
	Since      time.Time `json:"after_from"`
	AfterTo    time.Time `json:"after_to"`
	SinceWhy   string    `json:"after_from_is"`
	Rows       []Row     `json:"rows"`
	Failed     int       `json:"failed"`
	// Verdicts counts the rows per verdict.
	Verdicts map[string]int `json:"verdicts"`
	Notes    []string       `json:"notes,omitempty"`
	// Series (with Options.Series) share one time step.
	Series []Series      `json:"series,omitempty"`
	Step   time.Duration `json:"step_ns,omitempty"`
}

// Run verifies the recorded advice against the store's traffic.
func Run(ctx context.Context, st *store.Store, ra *runs.RecordedAdvice, o Options) (*Result, error) {
	if o.Band <= 0 {
		o.Band = 0.03
	}
	if o.Tolerance <= 0 {
		o.Tolerance = 0.05
	}
	conn, err := st.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	res := &Result{RunID: ra.Run.ID, Tier: "edge"}
	var edgeRows int64
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM requests_raw r JOIN files f USING (file_id) WHERE f.tier = 'edge'`).Scan(&edgeRows); err != nil {
		return nil, err
	}
	if edgeRows == 0 {
		res.Tier = "origin"
		res.Notes = append(res.Notes, "no edge logs: hit ratios are unknown, requests and origin load are the origin's")
	}
	var first, last sql.NullTime
	if err := conn.QueryRowContext(ctx, `SELECT min(r.ts), max(r.ts) FROM requests_raw r JOIN files f USING (file_id) WHERE f.tier = ?`, res.Tier).Scan(&first, &last); err != nil {
		return nil, err
	}
	if !first.Valid {
		return nil, fmt.Errorf("the store has no %s requests with a time", res.Tier)
	}
	res.BeforeFrom, res.BeforeTo, res.AfterTo = first.Time.UTC(), last.Time.UTC(), last.Time.UTC()
	if ra.Run.DataFrom != nil {
		res.BeforeFrom = *ra.Run.DataFrom
	}
	if ra.Run.DataTo != nil {
		res.BeforeTo = *ra.Run.DataTo
	}
	if err := since(ctx, conn, ra, res, o.Since); err != nil {
		return nil, err
	}
	if !res.AfterTo.After(res.Since) {
		res.Notes = append(res.Notes, fmt.Sprintf("no traffic after %s: ingest the logs written since the change was deployed", res.Since.Format(time.RFC3339)))
	}

	// Paths onto the advice's routes.
	router, err := ra.Router()
	if err != nil {
		return nil, err
	}
	if err := mapPaths(ctx, conn, router, res.Tier); err != nil {
		return nil, err
	}
	stats, err := aggregate(ctx, conn, res)
	if err != nil {
		return nil, err
	}
	differ, err := differingWindows(ctx, conn, res.Since)
	if err != nil {
		return nil, err
	}
	minutesBefore := math.Max(res.BeforeTo.Sub(res.BeforeFrom).Minutes(), 1.0/60)
	minutesAfter := math.Max(res.AfterTo.Sub(res.Since).Minutes(), 1.0/60)
	for _, r := range ra.Rows {
		row := Row{Method: r.Method, Route: r.Endpoint, Class: r.Class, CacheControl: r.CacheControl,
			HitRatioPredicted: r.PredictedHitRatio, OriginPerMinPredicted: r.OriginPerMinAt}
		b, a := stats[key{r.Endpoint, r.Method, "before"}], stats[key{r.Endpoint, r.Method, "after"}]
		row.RequestsBefore, row.RequestsAfter = b.n, a.n
		row.HitRatioBefore, row.HitRatioAfter = b.hitRatio(), a.hitRatio()
		row.OriginPerMinBefore, row.OriginPerMinAfter = b.originPerMin(minutesBefore), a.originPerMin(minutesAfter)
		row.LatencyP50Before, row.LatencyP95Before, row.LatencyP50After, row.LatencyP95After = b.p50, b.p95, a.p50, a.p95
		row.ErrorShareBefore, row.ErrorShareAfter = b.errorShare(), a.errorShare()
		if framework.SafeMethod(r.Method) {
			row.ClientWindowsDiffer = differ[r.Endpoint]
		}
		row.HeaderLogged = a.ccLogged > 0
		if row.HeaderLogged {
			share := a.ccShare(r.CacheControl)
			row.HeaderShare = &share
			row.HeaderSeen = a.ccMode()
		}
		judge(&row, r, o, a.hits)
		if row.Failed {
			res.Failed++
		}
		if res.Verdicts == nil {
			res.Verdicts = map[string]int{}
		}
		res.Verdicts[row.Verdict]++
		res.Rows = append(res.Rows, row)
	}
	sort.SliceStable(res.Rows, func(i, j int) bool {
		if res.Rows[i].RequestsAfter != res.Rows[j].RequestsAfter {
			return res.Rows[i].RequestsAfter > res.Rows[j].RequestsAfter
		}
		if res.Rows[i].Route != res.Rows[j].Route {
			return res.Rows[i].Route < res.Rows[j].Route
		}
		return res.Rows[i].Method < res.Rows[j].Method
	})
	if o.Series > 0 {
		if err := series(ctx, conn, res, o.Series); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// series fills res.Series: the hit ratio per time bucket (about 100 over
// the before and after periods) of the busiest GET routes with a
// prediction.
func series(ctx context.Context, conn *sql.Conn, res *Result, n int) error {
	want := map[string]*Series{}
	for _, r := range res.Rows {
		if len(want) == n {
			break
		}
		if r.Method == "GET" && r.HitRatioPredicted != nil && r.RequestsAfter > 0 {
			want[r.Route] = &Series{Method: r.Method, Route: r.Route, Predicted: r.HitRatioPredicted}
		}
	}
	if len(want) == 0 {
		return nil
	}
	span := res.AfterTo.Sub(res.BeforeFrom)
	res.Step = time.Second
	for _, s := range []time.Duration{time.Second, 5 * time.Second, 15 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour} {
		res.Step = s
		if span/s <= 120 {
			break
		}
	}
	rows, err := conn.QueryContext(ctx, `SELECT vp.route, time_bucket(to_microseconds(?), r.ts) AS b, count(*), count(r.cache_status),
			count(*) FILTER (WHERE r.cache_status IN ('HIT', 'STALE', 'UPDATING', 'REVALIDATED'))
		FROM requests_raw r JOIN files f USING (file_id) JOIN vp ON vp.path_id = r.path_id LEFT JOIN d_misc m ON m.id = r.method_id
		WHERE f.tier = ? AND ((r.ts >= ? AND r.ts <= ?) OR r.ts >= ?) AND (m.value IS NULL OR m.value IN ('GET', 'HEAD'))
		GROUP BY ALL ORDER BY 1, 2`, res.Step.Microseconds(), res.Tier, res.BeforeFrom, res.BeforeTo, res.Since)
	if err != nil {
		return fmt.Errorf("hit ratio over time: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var route string
		var p Point
		var with, hits int64
		if err := rows.Scan(&route, &p.Start, &p.Requests, &with, &hits); err != nil {
			return err
		}
		s := want[route]
		if s == nil {
			continue
		}
		p.Start = p.Start.UTC()
		if with > 0 {
			v := float64(hits) / float64(with)
			p.HitRatio = &v
		}
		s.Points = append(s.Points, p)
	}
	for _, r := range res.Rows {
		if s := want[r.Route]; s != nil && r.Method == "GET" {
			res.Series = append(res.Series, *s)
		}
	}
	return rows.Err()
}

// since sets the start of the after period.
func since(ctx context.Context, conn *sql.Conn, ra *runs.RecordedAdvice, res *Result, given time.Time) error {
	if !given.IsZero() {
		res.Since, res.SinceWhy = given.UTC(), "--since"
		return nil
	}
	var headers []string
	for _, r := range ra.Rows {
		if r.CacheControl != "" {
			headers = append(headers, r.CacheControl)
		}
	}
	if len(headers) > 0 {
		// The logged values are few (a dictionary): each one's first
		// request, then the earliest of those that mean a recommended
		// header.
		rows, err := conn.QueryContext(ctx, `SELECT cc.value, min(r.ts) FROM requests_raw r JOIN files f USING (file_id) JOIN d_misc cc ON cc.id = r.cc_id
			WHERE f.tier = ? AND r.ts > ? GROUP BY cc.value`, res.Tier, res.BeforeTo)
		if err != nil {
			return fmt.Errorf("first recommended header: %w", err)
		}
		var first time.Time
		for rows.Next() {
			var v string
			var t time.Time
			if err := rows.Scan(&v, &t); err != nil {
				rows.Close()
				return fmt.Errorf("first recommended header: %w", err)
			}
			for _, h := range headers {
				if httpheader.SameMeaning(v, h) && (first.IsZero() || t.Before(first)) {
					first = t
				}
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("first recommended header: %w", err)
		}
		if !first.IsZero() {
			res.Since, res.SinceWhy = first.UTC(), "the first request after the advice's data that carries a recommended Cache-Control"
			return nil
		}
	}
	if !ra.Run.CreatedAt.IsZero() && res.AfterTo.After(ra.Run.CreatedAt) && ra.Run.CreatedAt.After(res.BeforeTo) {
		res.Since, res.SinceWhy = ra.Run.CreatedAt.UTC(), "the time of the advice run (no logged request carries a recommended Cache-Control)"
		return nil
	}
	res.Since, res.SinceWhy = res.BeforeTo.Add(time.Microsecond), "the end of the traffic the advice was drawn from (no logged request carries a recommended Cache-Control)"
	return nil
}

// mapPaths makes the temporary table vp(path_id, route) of the tier's
// paths that a route matches.
func mapPaths(ctx context.Context, conn *sql.Conn, router interface {
	Route(string) (string, bool)
}, tier string) error {
	rows, err := conn.QueryContext(ctx, `SELECT DISTINCT r.path_id, p.value FROM requests_raw r JOIN files f USING (file_id) JOIN d_path p ON p.id = r.path_id WHERE f.tier = ?`, tier)
	if err != nil {
		return fmt.Errorf("paths: %w", err)
	}
	type pr struct {
		id    int32
		route string
	}
	var out []pr
	for rows.Next() {
		var id int32
		var path string
		if err := rows.Scan(&id, &path); err != nil {
			rows.Close()
			return err
		}
		if route, ok := router.Route(path); ok {
			out = append(out, pr{id, route})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE vp (path_id INTEGER, route VARCHAR)`); err != nil {
		return err
	}
	return conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "vp")
		if err != nil {
			return err
		}
		for _, p := range out {
			if err := app.AppendRow(p.id, p.route); err != nil {
				app.Close()
				return err
			}
		}
		return app.Close()
	})
}

type key struct{ route, method, period string }

type periodStats struct {
	n, withStatus, hits, origin int64
	errors                      int64 // 4xx and 5xx responses
	p50, p95                    *float64
	ccLogged                    int64
	cc                          map[string]int64 // Cache-Control values logged, as logged
}

func (s periodStats) hitRatio() *float64 {
	if s.withStatus == 0 {
		return nil
	}
	v := float64(s.hits) / float64(s.withStatus)
	return &v
}

func (s periodStats) errorShare() *float64 {
	if s.n == 0 {
		return nil
	}
	v := float64(s.errors) / float64(s.n)
	return &v
}

func (s periodStats) originPerMin(minutes float64) *float64 {
	if s.n == 0 {
		return nil
	}
	v := float64(s.origin) / minutes
	return &v
}

// ccShare is the share of logged responses whose Cache-Control means to
// a cache what want means (httpheader.SameMeaning: WhiteNoise's ten-year
// immutable header is the advised one-year one, never_cache's set is
// no-store).
func (s periodStats) ccShare(want string) float64 {
	var n int64
	for v, c := range s.cc {
		if httpheader.SameMeaning(v, want) {
			n += c
		}
	}
	return float64(n) / float64(s.ccLogged)
}

// ccMode is the Cache-Control value logged most often.
func (s periodStats) ccMode() string {
	best, n := "", int64(-1)
	for v, c := range s.cc {
		if c > n || c == n && v < best {
			best, n = v, c
		}
	}
	return best
}

// aggregate counts per (route, method group, period): requests, hits among
// requests with a cache status, requests that reached the origin (a miss
// of any kind; with origin logs only, every request), edge latency
// percentiles, and the Cache-Control values logged.
func aggregate(ctx context.Context, conn *sql.Conn, res *Result) (map[key]periodStats, error) {
	const group = `vp.route, CASE WHEN m.value IS NULL OR m.value IN ('GET', 'HEAD') THEN 'GET' ELSE m.value END, CASE WHEN r.ts < ? THEN 'before' ELSE 'after' END`
	where := `f.tier = ? AND ((r.ts >= ? AND r.ts <= ?) OR r.ts >= ?)`
	args := []any{res.Since, res.Tier, res.BeforeFrom, res.BeforeTo, res.Since}
	origin := `count(*) FILTER (WHERE r.cache_status IS NULL OR r.cache_status NOT IN ('HIT', 'STALE', 'UPDATING'))`
	if res.Tier == "origin" {
		origin = `count(*)`
	}
	rows, err := conn.QueryContext(ctx, `SELECT `+group+`, count(*), count(r.cache_status),
			count(*) FILTER (WHERE r.cache_status IN ('HIT', 'STALE', 'UPDATING', 'REVALIDATED')), `+origin+`,
			quantile_cont(r.duration_ms, 0.5), quantile_cont(r.duration_ms, 0.95), count(*) FILTER (WHERE r.status >= 400)
		FROM requests_raw r JOIN files f USING (file_id) JOIN vp ON vp.path_id = r.path_id LEFT JOIN d_misc m ON m.id = r.method_id
		WHERE `+where+` GROUP BY ALL`, args...)
	if err != nil {
		return nil, fmt.Errorf("before and after: %w", err)
	}
	out := map[key]periodStats{}
	for rows.Next() {
		var k key
		var s periodStats
		var p50, p95 sql.NullFloat64
		if err := rows.Scan(&k.route, &k.method, &k.period, &s.n, &s.withStatus, &s.hits, &s.origin, &p50, &p95, &s.errors); err != nil {
			rows.Close()
			return nil, err
		}
		if p50.Valid {
			s.p50, s.p95 = &p50.Float64, &p95.Float64
		}
		out[k] = s
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The Cache-Control values of the after period.
	rows, err = conn.QueryContext(ctx, `SELECT `+group+`, cc.value, count(*)
		FROM requests_raw r JOIN files f USING (file_id) JOIN vp ON vp.path_id = r.path_id LEFT JOIN d_misc m ON m.id = r.method_id
		JOIN d_misc cc ON cc.id = r.cc_id
		WHERE f.tier = ? AND r.ts >= ? GROUP BY ALL`, res.Since, res.Tier, res.Since)
	if err != nil {
		return nil, fmt.Errorf("headers after: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k key
		var v string
		var n int64
		if err := rows.Scan(&k.route, &k.method, &k.period, &v, &n); err != nil {
			return nil, err
		}
		s := out[k]
		if s.cc == nil {
			s.cc = map[string]int64{}
		}
		s.ccLogged += n
		s.cc[v] += n
		out[k] = s
	}
	return out, rows.Err()
}

// judge gives a row its verdict.
// share is an optional share, 0 when unknown.
func share(v *float64) float64 {
	if v == nil {
		return 0
	}
	return *v
}

// judge gives a row its verdict; hitsAfter are its responses served from
// the cache after the change.
func judge(row *Row, r *advisor.Recommendation, o Options, hitsAfter int64) {
	pts := func(v float64) string { return fmt.Sprintf("%.1f points", 100*math.Abs(v)) }
	switch {
	case row.RequestsAfter == 0:
		row.Verdict, row.Why = NoTrafficAfter, "no request for it after the change"
		return
	case row.ClientWindowsDiffer >= advisor.PerUserMinWindows && hitsAfter > 0:
		row.Verdict, row.Failed = PossibleLeak, true
		row.Why = fmt.Sprintf("%d responses were served from the cache, and its misses differ per client (%d URL windows where 3+ clients got 3+ different responses): one user's response may reach another", hitsAfter, row.ClientWindowsDiffer)
		return
	case row.ErrorShareAfter != nil && *row.ErrorShareAfter-share(row.ErrorShareBefore) > o.Tolerance:
		row.Verdict, row.Failed = Broke, true
		row.Why = fmt.Sprintf("4xx/5xx responses rose from %.1f%% to %.1f%% after the change (a form's cookies stripped, a CSRF failure, a login loop?)", 100*share(row.ErrorShareBefore), 100**row.ErrorShareAfter)
		return
	case r.Class == advisor.ClassUnsafe:
		// Never stored: a hit would be the surprise.
		if row.HitRatioAfter != nil && *row.HitRatioAfter > 0 {
			row.Verdict, row.Why, row.Failed = Worse, fmt.Sprintf("%s responses were served from the cache (%.1f%%)", r.Method, 100**row.HitRatioAfter), true
			return
		}
		row.Verdict, row.Why = AsPredicted, "not cached, as an unsafe method must not be"
		return
	}
	predicted := row.HitRatioPredicted
	if strings.Contains(r.CacheControl, "private") || strings.Contains(r.CacheControl, "no-store") {
		zero := 0.0
		predicted = &zero
	}
	if predicted == nil {
		row.Verdict, row.Why = NoPrediction, "the advice predicted no hit ratio for it ("+r.Class+")"
		return
	}
	if row.HitRatioAfter == nil {
		row.Verdict, row.Why = NoPrediction, "the logs after the change record no cache status"
		return
	}
	after := *row.HitRatioAfter
	if row.HeaderLogged && r.CacheControl != "" && (row.HeaderShare == nil || *row.HeaderShare < 0.5) {
		row.Verdict = NotDeployed
		row.Why = fmt.Sprintf("the logs show Cache-Control %q, which a cache does not treat as the recommended %q", row.HeaderSeen, r.CacheControl)
		return
	}
	if !row.HeaderLogged && row.HitRatioBefore != nil && math.Abs(*predicted-*row.HitRatioBefore) > o.Band && math.Abs(after-*row.HitRatioBefore) <= o.Band {
		row.Verdict = NotDeployed
		row.Why = fmt.Sprintf("the hit ratio did not move (%.1f%% before, %.1f%% after) and the logs do not record Cache-Control", 100**row.HitRatioBefore, 100*after)
		return
	}
	d := after - *predicted
	switch {
	case math.Abs(d) <= o.Band:
		row.Verdict, row.Why = AsPredicted, fmt.Sprintf("within %s of the prediction", pts(d))
	case d > 0:
		row.Verdict, row.Why = Better, fmt.Sprintf("%s above the prediction", pts(d))
	default:
		row.Verdict, row.Why = Worse, fmt.Sprintf("%s below the prediction", pts(d))
		row.Failed = -d > o.Tolerance
	}
}

// ParseSince reads the start of the after period: RFC 3339 or a date
// (the --since of cdnadvise verify).
func ParseSince(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("--since %q: want RFC 3339 (2026-11-30T09:00:00Z) or a date (2026-11-30)", s)
}

// differingWindows counts per route, from since on, the URL windows the
// advice weighs (analyze.ResponseWindows) where 3+ clients got 3+
// different responses (more than a gzip and an identity copy explain).
func differingWindows(ctx context.Context, conn *sql.Conn, since time.Time) (map[string]int64, error) {
	rows, err := conn.QueryContext(ctx, `WITH w AS (`+analyze.ResponseWindows("vp.route", "JOIN vp ON vp.path_id = r.path_id", " AND r.ts >= ?")+`)
		SELECT k, count(*) FROM w WHERE clients >= 3 AND answers >= 3 GROUP BY k`, since)
	if err != nil {
		return nil, fmt.Errorf("responses per client after the change: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var route string
		var n int64
		if err := rows.Scan(&route, &n); err != nil {
			return nil, err
		}
		out[route] = n
	}
	return out, rows.Err()
}
