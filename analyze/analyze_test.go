package analyze

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/ingest"
	"github.com/cdnadvise/cdnadvise/internal/loggen"
	"github.com/cdnadvise/cdnadvise/internal/store"
)

func newStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "s.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func ingestFiles(t testing.TB, st *store.Store, opts ingest.Options, files map[string]string) {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		opts.Inputs = append(opts.Inputs, ingest.Input{Path: p})
	}
	opts.MaxRejectRatio = 0.01
	if _, err := ingest.Run(context.Background(), st, opts); err != nil {
		t.Fatal(err)
	}
}

func rowFor(t *testing.T, rep *Report, endpoint string) Row {
	t.Helper()
	for _, r := range rep.Rows {
		if r.Endpoint == endpoint {
			return r
		}
	}
	t.Fatalf("no row for %s in %+v", endpoint, rep.Rows)
	return Row{}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestHandComputed: ten edge requests whose figures are computed by hand.
func TestHandComputed(t *testing.T) {
	st := newStore(t)
	l := func(path, status, size, dur, cache string) string {
		return `1.2.3.4 - - [25/Nov/2026:08:25:31 +0000] "GET ` + path + ` HTTP/1.1" ` + status + ` ` + size + ` "-" "ua" ` + dur + ` ` + cache + "\n"
	}
	log := l("/a/1", "200", "100", "0.001", "HIT") + l("/a/2", "200", "100", "0.002", "HIT") + l("/a/3", "200", "100", "0.003", "HIT") +
		l("/a/4", "200", "100", "0.004", "HIT") + l("/a/5", "200", "100", "0.005", "STALE") + l("/a/6", "200", "100", "0.006", "REVALIDATED") +
		l("/a/7", "200", "1000", "0.100", "MISS") + l("/a/8", "404", "1000", "0.200", "EXPIRED") +
		l("/b", "200", "10", "0.050", "BYPASS") + l("/b", "503", "10", "0.300", "MISS")
	ingestFiles(t, st, ingest.Options{}, map[string]string{"edge.log": log})
	rep, err := Run(context.Background(), st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := rowFor(t, rep, "/a/{int}")
	// Hits: HIT x4, STALE, REVALIDATED = 6 of 8; bytes 600 of 2600.
	if a.Requests != 8 || !near(*a.HitRatio, 6.0/8) || !near(*a.Offload, 5.0/8) || !near(*a.ByteHitRatio, 600.0/2600) {
		t.Errorf("/a: %+v hit %v offload %v bytes %v", a, *a.HitRatio, *a.Offload, *a.ByteHitRatio)
	}
	// Hit latencies 1..6 ms: p50 = 3.5, p95 = 5.75 (linear interpolation); misses 100, 200: p50 150.
	if a.EdgeHit == nil || !near(a.EdgeHit.P50, 3.5) || !near(a.EdgeHit.P95, 5.75) || !near(a.EdgeMiss.P50, 150) {
		t.Errorf("/a latency: hit %+v miss %+v", a.EdgeHit, a.EdgeMiss)
	}
	// Saveable: REVALIDATED 200 (a conditional request), MISS 200 and EXPIRED 404
	// reached the origin with statuses cacheable by default.
	if a.Saveable != 3 || a.CacheKeys != 8 || a.StatusClasses["4xx"] != 1 {
		t.Errorf("/a saveable %d keys %d classes %v", a.Saveable, a.CacheKeys, a.StatusClasses)
	}
	b := rowFor(t, rep, "/b")
	// BYPASS 200 is saveable; MISS 503 is not cacheable by default.
	if *b.HitRatio != 0 || b.Saveable != 1 || b.CacheKeys != 1 || b.RequestsPerKey != 2 {
		t.Errorf("/b: %+v", b)
	}
	if rep.Totals.Requests != 10 || !near(*rep.Totals.HitRatio, 0.6) || rep.Mode != "edge" || rep.Join != nil {
		t.Errorf("totals %+v mode %s", rep.Totals, rep.Mode)
	}
	// Sorted by saveable: /a (2) before /b (1).
	if rep.Rows[0].Endpoint != "/a/{int}" {
		t.Errorf("order: %s first", rep.Rows[0].Endpoint)
	}
}

// quantile is DuckDB's quantile_cont: linear interpolation between order statistics.
func quantile(xs []float64, q float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	pos := q * float64(len(s)-1)
	lo := math.Floor(pos)
	if int(lo) == len(s)-1 {
		return s[len(s)-1]
	}
	return s[int(lo)] + (pos-lo)*(s[int(lo)+1]-s[int(lo)])
}

// TestGeneratedEdgeAndOrigin checks every figure of a generated store
// against a count made here from the log lines themselves.
func TestGeneratedEdgeAndOrigin(t *testing.T) {
	var edge, origin bytes.Buffer
	if err := loggen.EdgeAndOrigin(&edge, &origin, loggen.Options{Lines: 6000, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	st := newStore(t)
	ingestFiles(t, st, ingest.Options{}, map[string]string{"edge/e.log": edge.String(), "origin/o.log": origin.String()})
	rep, err := Run(context.Background(), st, Options{Top: 0})
	if err != nil {
		t.Fatal(err)
	}
	type agg struct {
		n, hits, bytes, hitBytes int64
		hitLat, missLat          []float64
	}
	want := map[string]*agg{}
	template := func(p string) string {
		switch {
		case strings.HasPrefix(p, "/api/items/"):
			return "/api/items/{int}"
		case strings.HasPrefix(p, "/static/"):
			return "/static/app.{fp}.js"
		case strings.HasPrefix(p, "/items/"):
			return "/items/{int}/"
		case strings.HasPrefix(p, "/search/"):
			return "/search/"
		}
		return p
	}
	for _, line := range strings.Split(strings.TrimSpace(edge.String()), "\n") {
		q1 := strings.Index(line, `"GET `)
		rest := line[q1+5:]
		path := rest[:strings.Index(rest, " ")]
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		f := strings.Fields(line)
		if strings.HasPrefix(f[len(f)-1], "pop=") {
			f = f[:len(f)-1]
		}
		// ... "200 SIZE "-" "UA..." DUR UP CACHE [pop=X]: read from the end.
		cache := f[len(f)-1]
		dur, _ := strconv.ParseFloat(f[len(f)-3], 64)
		afterReq := line[strings.Index(line, `HTTP/1.1" `)+10:]
		sf := strings.Fields(afterReq)
		sz, _ := strconv.ParseInt(sf[1], 10, 64)
		ep := template(path)
		a := want[ep]
		if a == nil {
			a = &agg{}
			want[ep] = a
		}
		a.n++
		a.bytes += sz
		if cache == "HIT" {
			a.hits++
			a.hitBytes += sz
			a.hitLat = append(a.hitLat, dur*1000)
		} else {
			a.missLat = append(a.missLat, dur*1000)
		}
	}
	if len(rep.Rows) != len(want) {
		t.Fatalf("%d rows, want %d endpoints", len(rep.Rows), len(want))
	}
	for ep, w := range want {
		r := rowFor(t, rep, ep)
		if r.EdgeRequests != w.n || r.Bytes != w.bytes {
			t.Errorf("%s: %d requests %d bytes, want %d %d", ep, r.EdgeRequests, r.Bytes, w.n, w.bytes)
		}
		if !near(*r.HitRatio, float64(w.hits)/float64(w.n)) || !near(*r.ByteHitRatio, float64(w.hitBytes)/float64(w.bytes)) {
			t.Errorf("%s: hit ratio %v bytes %v, want %v %v", ep, *r.HitRatio, *r.ByteHitRatio, float64(w.hits)/float64(w.n), float64(w.hitBytes)/float64(w.bytes))
		}
		if len(w.hitLat) > 0 {
			for _, q := range []struct {
				got  float64
				want float64
			}{{r.EdgeHit.P50, quantile(w.hitLat, 0.5)}, {r.EdgeHit.P95, quantile(w.hitLat, 0.95)}, {r.EdgeHit.P99, quantile(w.hitLat, 0.99)}} {
				if math.Abs(q.got-q.want) > 1e-6 {
					t.Errorf("%s hit percentile %v, want %v", ep, q.got, q.want)
				}
			}
		}
		if math.Abs(r.EdgeMiss.P95-quantile(w.missLat, 0.95)) > 1e-6 {
			t.Errorf("%s miss p95 %v, want %v", ep, r.EdgeMiss.P95, quantile(w.missLat, 0.95))
		}
	}
	// Every origin line is the miss of an edge line logged in the same second.
	if rep.Join == nil || rep.Join.Matched != rep.Join.OriginRows || rep.Join.OriginRows != int64(strings.Count(origin.String(), "\n")) {
		t.Errorf("join %+v", rep.Join)
	}
	search := rowFor(t, rep, "/search/")
	if len(search.Params) == 0 || search.Params[0].Name != "q" && search.Params[1].Name != "q" {
		t.Errorf("search params %+v", search.Params)
	}
	var utm *Param
	for i := range search.Params {
		if search.Params[i].Name == "utm_source" {
			utm = &search.Params[i]
		}
	}
	if utm == nil || !utm.Tracking || utm.Requests != search.EdgeRequests {
		t.Errorf("utm_source: %+v", utm)
	}
	static := rowFor(t, rep, "/static/app.{fp}.js")
	if !static.Fingerprinted || !static.Static {
		t.Errorf("static: %+v", static)
	}
}

func TestOriginOnlyAndRequestIDJoin(t *testing.T) {
	st := newStore(t)
	origin := `127.0.0.1 - - [25/Nov/2026:08:25:31 +0000] "GET /a HTTP/1.1" 200 10 "-" "ua" 1000
127.0.0.1 - - [25/Nov/2026:08:25:32 +0000] "GET /a HTTP/1.1" 200 10 "-" "ua" 3000
127.0.0.1 - - [25/Nov/2026:08:25:33 +0000] "POST /a HTTP/1.1" 200 10 "-" "ua" 5000
`
	ingestFiles(t, st, ingest.Options{}, map[string]string{"o.log": origin})
	rep, err := Run(context.Background(), st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := rowFor(t, rep, "/a")
	if rep.Mode != "origin" || len(rep.Notes) == 0 || a.HitRatio != nil || a.Requests != 3 || a.Saveable != 2 || !near(a.Origin.P50, 3) {
		t.Fatalf("origin only: %s %v %+v", rep.Mode, rep.Notes, a)
	}

	// Edge and origin both log a request id: joined by it.
	st = newStore(t)
	edge := `1.1.1.1 - - [25/Nov/2026:08:25:31 +0000] "GET /x HTTP/1.1" 200 5 "-" "ua" 0.050 0.049 MISS 00000000000000000000000000000001
1.1.1.1 - - [25/Nov/2026:08:25:31 +0000] "GET /x HTTP/1.1" 200 5 "-" "ua" 0.001 - HIT 00000000000000000000000000000002
1.1.1.1 - - [25/Nov/2026:08:25:35 +0000] "GET /y HTTP/1.1" 200 5 "-" "ua" 0.050 0.049 MISS 00000000000000000000000000000003
`
	orig := `127.0.0.1 [25/Nov/2026:08:25:31 +0000] "GET /x HTTP/1.1" 200 5 00000000000000000000000000000001
127.0.0.1 [25/Nov/2026:08:25:40 +0000] "GET /y HTTP/1.1" 200 5 00000000000000000000000000000009
`
	ingestFiles(t, st, ingest.Options{}, map[string]string{"e.log": edge})
	ingestFiles(t, st, ingest.Options{LogFormat: `$remote_addr [$time_local] "$request" $status $body_bytes_sent $request_id`}, map[string]string{"o.log": orig})
	rep, err = Run(context.Background(), st, Options{By: []string{"endpoint", "tier"}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Join == nil || rep.Join.Method != "request_id" || rep.Join.Matched != 1 || rep.Join.OriginRows != 2 || rep.Join.EdgeToOrig != 2 {
		t.Fatalf("join: %+v", rep.Join)
	}
	if len(rep.Rows) != 4 {
		t.Errorf("endpoint x tier rows: %+v", rep.Rows)
	}
}

func TestFiltersAndDimensions(t *testing.T) {
	var edge, origin bytes.Buffer
	loggen.EdgeAndOrigin(&edge, &origin, loggen.Options{Lines: 2000, Seed: 5, Start: time.Date(2026, 11, 1, 23, 50, 0, 0, time.UTC), PerSec: 1})
	st := newStore(t)
	ingestFiles(t, st, ingest.Options{}, map[string]string{"e.log": edge.String()})
	all, err := Run(context.Background(), st, Options{By: []string{"day"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Rows) != 2 || all.Rows[0].Keys["day"] != "2026-11-01" || all.Rows[0].Requests != 600 || all.Rows[1].Requests != 1400 {
		t.Fatalf("by day: %+v", all.Rows)
	}
	since, _ := time.Parse(time.RFC3339, "2026-11-02T00:00:00Z")
	rep, err := Run(context.Background(), st, Options{By: []string{"hour"}, Since: since})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, r := range rep.Rows {
		n += r.Requests
	}
	if n != 1400 || rep.Totals.Requests != 1400 {
		t.Fatalf("since: %d", n)
	}
	if _, err := Run(context.Background(), st, Options{By: []string{"nope"}}); err == nil {
		t.Fatal("unknown dimension accepted")
	}
	rep, err = Run(context.Background(), st, Options{Host: "nonexistent.example"})
	if err != nil || rep.Mode != "empty" {
		t.Fatalf("host filter: %v %+v", err, rep)
	}
}

func TestRealApacheSample(t *testing.T) {
	p := "../../shared/samples/apache-combined/apache_logs"
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip("../shared/samples not present")
	}
	st := newStore(t)
	if _, err := ingest.Run(context.Background(), st, ingest.Options{Inputs: []ingest.Input{{Path: p}}, MaxRejectRatio: 0.01}); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), st, Options{By: []string{"endpoint"}, Top: 0})
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, r := range rep.Rows {
		sum += r.Requests
	}
	if rep.Mode != "origin" || sum != 10000 || rep.Totals.Requests != 10000 {
		t.Fatalf("mode %s, %d requests over rows", rep.Mode, sum)
	}
	// The blog's posts are slugs under /blog/...: collapsed well below the distinct paths.
	var distinct int64
	st.DB.QueryRow("SELECT count(DISTINCT path) FROM requests").Scan(&distinct)
	if int64(len(rep.Rows)) >= distinct/2 {
		t.Errorf("%d endpoints for %d distinct paths: templates do not group", len(rep.Rows), distinct)
	}
	t.Logf("%d distinct paths -> %d endpoints; top: %s (%d saveable)", distinct, len(rep.Rows), rep.Rows[0].Endpoint, rep.Rows[0].Saveable)
}

// TestApproximatePercentiles: above ExactPercentiles rows the report says
// percentiles are sampled; with fewer values than the sample they stay close.
func TestApproximatePercentiles(t *testing.T) {
	var edge, origin bytes.Buffer
	loggen.EdgeAndOrigin(&edge, &origin, loggen.Options{Lines: 3000, Seed: 2})
	st := newStore(t)
	ingestFiles(t, st, ingest.Options{}, map[string]string{"e.log": edge.String()})
	exact, err := Run(context.Background(), st, Options{})
	if err != nil || exact.Percentiles != "exact" {
		t.Fatalf("%v %q", err, exact.Percentiles)
	}
	approx, err := Run(context.Background(), st, Options{ExactPercentiles: 100})
	if err != nil || !strings.HasPrefix(approx.Percentiles, "approximate") {
		t.Fatalf("%v %q", err, approx.Percentiles)
	}
	e, a := exact.Totals.EdgeMiss, approx.Totals.EdgeMiss
	if math.Abs(e.P50-a.P50) > 0.05*e.P50 || math.Abs(e.P95-a.P95) > 0.05*e.P95 {
		t.Errorf("exact %+v, sampled %+v", e, a)
	}
}

func TestRealCloudFrontSample(t *testing.T) {
	p := "../../shared/samples/cloudfront/test-cloudfront.log"
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip("../shared/samples not present")
	}
	st := newStore(t)
	if _, err := ingest.Run(context.Background(), st, ingest.Options{Inputs: []ingest.Input{{Path: p}}, MaxRejectRatio: 0.1}); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), st, Options{By: []string{"pop"}})
	if err != nil {
		t.Fatal(err)
	}
	// 12 requests: Hit x3, Miss x5, Error x4 (all with a cache status).
	if rep.Mode != "edge" || rep.Totals.EdgeRequests != 12 || !near(*rep.Totals.HitRatio, 3.0/12) {
		t.Fatalf("mode %s totals %+v hit %v", rep.Mode, rep.Totals, *rep.Totals.HitRatio)
	}
}

// TestSampledPercentilesAreDeterministic: above the exact threshold the
// percentiles come from a sample, the same on every run over the same
// store (a reservoir sample was not).
func TestSampledPercentilesAreDeterministic(t *testing.T) {
	var edge, origin bytes.Buffer
	loggen.EdgeAndOrigin(&edge, &origin, loggen.Options{Lines: 30000, Seed: 3})
	st := newStore(t)
	ingestFiles(t, st, ingest.Options{}, map[string]string{"e.log": edge.String()})
	var outs []string
	for i := 0; i < 3; i++ {
		rep, err := Run(context.Background(), st, Options{ExactPercentiles: 100})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(rep.Percentiles, "deterministic sample of about 8192 rows") {
			t.Fatalf("percentiles %q: want the sampled path", rep.Percentiles)
		}
		b, _ := json.Marshal(rep)
		outs = append(outs, string(b))
	}
	if outs[0] != outs[1] || outs[1] != outs[2] {
		t.Error("two runs over the same store print different reports")
	}
}
