package lab

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/advisor"
	"github.com/cdnadvise/cdnadvise/analyze"
	"github.com/cdnadvise/cdnadvise/edge"
	"github.com/cdnadvise/cdnadvise/ingest"
	"github.com/cdnadvise/cdnadvise/internal/store"
	"github.com/cdnadvise/cdnadvise/pipeline"
	"github.com/cdnadvise/cdnadvise/replay"
	"github.com/cdnadvise/cdnadvise/routes"
	"github.com/cdnadvise/cdnadvise/runs"
	"github.com/cdnadvise/cdnadvise/verify"
)

func openStore(t *testing.T, path string, files ...ingest.Input) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := ingest.Run(context.Background(), st, ingest.Options{Inputs: files, MaxRejectRatio: 0.01}); err != nil {
		t.Fatal(err)
	}
	return st
}

// logHitRatio counts, from a cache's own log, hits (HIT, STALE, UPDATING,
// REVALIDATED, hit) over lines with a cache status, independently of cdnadvise.
func logHitRatio(t *testing.T, path string) float64 {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var hits, all float64
	sc := bufio.NewScanner(f)
	cacheWords := map[string]bool{"HIT": true, "MISS": true, "EXPIRED": true, "STALE": true, "UPDATING": true, "REVALIDATED": true, "BYPASS": true,
		"hit": true, "miss": true, "pass": true, "synth": true, "pipe": true}
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		st := "-"
		for i := len(fields) - 1; i >= len(fields)-4 && i >= 0; i-- {
			if cacheWords[fields[i]] {
				st = fields[i] // the first cache field: nginx's status, varnishncsa's hitmiss
			}
		}
		if st == "-" {
			continue
		}
		all++
		switch st {
		case "HIT", "STALE", "UPDATING", "REVALIDATED", "hit":
			hits++
		}
	}
	return hits / all
}

// TestLab runs every combination of example app and cache: baseline (no
// Cache-Control) -> ingest -> advise -> patch -> the same traffic -> the
// measured hit ratio per route against the one predicted from the
// baseline. The combinations mostly wait on real time, each on its own
// ports and folders, so they run side by side (goroutines calling t.Run
// are not held back by -parallel, which is the number of cores).
func TestLab(t *testing.T) {
	combos := []struct{ edge, kind string }{
		{"nginx", "fastapi"},   // FastAPI behind nginx proxy_cache
		{"varnish", "fastapi"}, // the same behind Varnish (varnishncsa log)
		{"nginx", "django"},    // the Django example under gunicorn behind nginx
		{"varnish", "django"},  // and behind Varnish
		{"nginx", "flask"},     // the Flask example under gunicorn behind nginx
		{"varnish", "flask"},   // and behind Varnish
	}
	ports := NewPorts() // the combinations' servers never share a port
	var wg sync.WaitGroup
	for _, c := range combos {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(c.edge+"-"+c.kind, func(t *testing.T) { labRun(t, ports, c.edge, c.kind) })
		}()
	}
	wg.Wait()
}

// startApp starts the example app on port, logging to originLog.
func startApp(dir, kind string, port int, originLog string) (*Proc, error) {
	switch kind {
	case "django":
		return Start(dir, nil, port, "gunicorn", "shopsite.wsgi", "-b", fmt.Sprintf("127.0.0.1:%d", port), "--workers", "2",
			"--access-logfile", originLog, "--access-logformat", GunicornAccessFormat)
	case "flask":
		return Start(dir, nil, port, "gunicorn", "wsgi:app", "-b", fmt.Sprintf("127.0.0.1:%d", port), "--workers", "2",
			"--access-logfile", originLog, "--access-logformat", GunicornAccessFormat)
	}
	return Start(dir, []string{"ACCESS_LOG=" + originLog}, port, "/usr/bin/python3", "-m", "uvicorn", "app.main:app",
		"--host", "127.0.0.1", "--port", fmt.Sprint(port), "--log-level", "warning", "--no-access-log")
}

// labRequests is the traffic of one phase: 30,000 requests, 600 s, long
// enough that TTLs of five minutes are advised and checked (a 2-minute
// TTL with its stale-while-revalidate covers 4 minutes: only traffic
// longer than that tells it from 5 minutes).
const labRequests = 30000

// hitTolerance: each route's measured hit ratio in a patched phase is
// within 1 point of the prediction for that configuration (stock or
// generated), on routes with 500 requests or more.
const hitTolerance = 0.01

// originTolerance and originShare: the origin requests a minute the app
// logs in a patched phase are within 5% of the prediction, or (for routes
// the cache answers nearly always, where 5% is a fraction of a request a
// minute) differ from it by at most half a percent of the route's
// requests, half the hit-ratio tolerance; on routes with 500 requests or
// more. Django behind nginx fetches its 10 s routes 0.3-0.4% of their
// requests more than predicted (5.5 a minute predicted, 6.0-7.2 logged):
// nginx sends the requests that arrive during an entry's first fetch to
// the origin too, and a freshly started Django answers its first requests
// in 0.3-0.65 s (a burst at the start, traced in BENCHMARKS.md).
const (
	originTolerance = 0.05
	originShare     = 0.005
)

// latencyTolerance and latencyFloorMS: the edge's p50 and p95 per route in
// a patched phase (its own log) are within 15% of the prediction, or 5 ms
// (the larger) for p50 and 20 ms for p95, on routes with 500 requests or
// more. The p95's floor is wider because the prediction is drawn from the
// baseline, where every request of six combinations reaches the Python
// apps on two cores: their tail is up to 18.6 ms longer there (BENCHMARKS.md).
const (
	latencyTolerance  = 0.15
	latencyFloorMS    = 5.0
	latencyFloorP95MS = 20.0
)

// labTarget is the lab's --target (see labRun).
const labTarget = 0.97

// labRun: baseline (the app sends no Cache-Control, the cache as it comes)
// -> ingest -> advise -> patch; then the same browser traffic twice with
// the patched app: behind the cache as it comes ("stock"), where the
// measured hit ratio must match what cdnadvise predicts for that
// configuration (near 0 on Varnish: browsers send cookies), and behind the
// configuration cdnadvise edge writes ("generated"), where it must match
// the advice's own prediction. Per-user routes are never served from the
// cache, in any phase.
func labRun(t *testing.T, ports *Ports, edgeName, kind string) {
	if testing.Short() {
		t.Skip("the lab takes about twenty-two minutes")
	}
	bins := []string{"nginx", "git"}
	if edgeName == "varnish" {
		bins = []string{"varnishd", "varnishncsa", "git"}
	}
	modules := []string{"fastapi", "uvicorn"}
	switch kind {
	case "django":
		bins, modules = append(bins, "gunicorn"), []string{"django", "rest_framework"}
	case "flask":
		bins, modules = append(bins, "gunicorn"), []string{"flask"}
	}
	Need(t, bins, modules)
	work := t.TempDir()
	if keep := os.Getenv("CDNADVISE_LAB_KEEP"); keep != "" {
		// Every phase's logs (edge, app, the origin proxy's trace, the
		// caches' error logs) and the patch are copied to
		// $CDNADVISE_LAB_KEEP/<edge>-<app> when the run ends, replacing an
		// earlier run's.
		t.Cleanup(func() {
			if err := keepLogs(work, filepath.Join(keep, edgeName+"-"+kind)); err != nil {
				t.Logf("keeping the logs: %v", err)
			}
		})
	}
	app := filepath.Join(work, "app")
	CopyRepo(t, "../examples/"+kind+"_app", app)
	traffic := ShopTraffic(labRequests, 1)
	if kind == "django" {
		traffic = traffic.Django()
	}
	var generated func(dir string, appPort, edgePort int, edgeLog string) (string, error)

	// phase runs the traffic once through a fresh app and cache; it may run
	// on its own goroutine (errors, never t.Fatal, from inside).
	phase := func(name string) (edgeLog, originLog string, err error) {
		appPort, err := ports.Next()
		if err != nil {
			return "", "", err
		}
		edgePort, err := ports.Next()
		if err != nil {
			return "", "", err
		}
		edgeLog, originLog = filepath.Join(work, name+"-edge.log"), filepath.Join(work, name+"-origin.log")
		ap, err := startApp(app, kind, appPort, originLog)
		if err != nil {
			return "", "", fmt.Errorf("%s: %w", name, err)
		}
		defer ap.Stop()
		// The cache's upstream holds each request for a database-like
		// origin time (20-200 ms a route) before the app answers it.
		upPort, err := ports.Next()
		if err != nil {
			return "", "", err
		}
		trace, err := os.Create(filepath.Join(work, name+"-proxy.log"))
		if err != nil {
			return "", "", err
		}
		defer trace.Close()
		up, err := OriginProxy(upPort, appPort, uint64(len(name))*7+uint64(len(edgeName)), trace)
		if err != nil {
			return "", "", fmt.Errorf("%s: %w", name, err)
		}
		defer up.Close()
		appPort = upPort
		dir := filepath.Join(work, name+"-"+edgeName)
		os.MkdirAll(dir, 0o755)
		conf := ""
		if name == "generated" {
			if conf, err = generated(dir, appPort, edgePort, edgeLog); err != nil {
				return "", "", fmt.Errorf("%s: %w", name, err)
			}
		}
		var edgeProc *Proc
		switch edgeName {
		case "nginx":
			if conf == "" {
				conf, err = NginxConfig(dir, edgePort, appPort, edgeLog)
			} else {
				conf, err = NginxMain(dir, conf)
			}
			if err != nil {
				return "", "", fmt.Errorf("%s: %w", name, err)
			}
			if edgeProc, err = Start(dir, nil, edgePort, "nginx", "-p", dir, "-c", conf); err != nil {
				return "", "", fmt.Errorf("%s: %w", name, err)
			}
			defer edgeProc.Stop()
		case "varnish":
			v, ncsa, err := StartVarnish(dir, edgePort, appPort, conf, edgeLog)
			if err != nil {
				return "", "", fmt.Errorf("%s: %w", name, err)
			}
			edgeProc = v
			defer v.Stop()
			defer func() { time.Sleep(2 * time.Second); ncsa.StopGently() }()
		}
		if failed, first := traffic.Drive(fmt.Sprintf("http://127.0.0.1:%d", edgePort)); failed > 0 {
			t.Errorf("%s: %d requests failed:%s\n%s\n%s%s", name, failed, first, ap.Logs(), edgeProc.Logs(), tail(filepath.Join(dir, "logs", "error.log"), 40))
		}
		return edgeLog, originLog, nil
	}

	baseEdge, baseOrigin, err := phase("baseline")
	if err != nil {
		t.Fatal(err)
	}
	// scripts/lab.sh --examples keeps the baseline logs as the bundled examples.
	if dst := os.Getenv("CDNADVISE_LAB_EXAMPLES"); dst != "" && edgeName == "nginx" && kind == "fastapi" {
		for from, to := range map[string]string{baseEdge: "edge/nginx-cache.log", baseOrigin: "origin/fastapi-access.log"} {
			b, err := os.ReadFile(from)
			if err != nil {
				t.Fatal(err)
			}
			os.MkdirAll(filepath.Dir(filepath.Join(dst, to)), 0o755)
			if err := os.WriteFile(filepath.Join(dst, to), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	st := openStore(t, filepath.Join(work, "baseline.duckdb"), ingest.Input{Path: baseEdge, Tier: ingest.TierEdge}, ingest.Input{Path: baseOrigin, Tier: ingest.TierOrigin})
	// The simple direction: analyze reports exactly the hit ratio of the cache's own log.
	rep, err := analyze.Run(context.Background(), st, analyze.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := logHitRatio(t, baseEdge); rep.Totals.HitRatio == nil || math.Abs(*rep.Totals.HitRatio-want) > 1e-12 {
		t.Errorf("baseline: analyze says %v, the %s log %v", rep.Totals.HitRatio, edgeName, want)
	}

	rt, err := routes.ExtractRoutes(app)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	// The advice is for the edge configured as cdnadvise edge writes it,
	// with the edge's own profile.
	prof := replay.Profiles()[edgeName]
	// --target 0.97: the default 0.9 is reached at 10 to 60 s within a few
	// minutes of traffic; asking for more of the achievable hit ratio makes
	// the advice (and so this check) go to TTLs of two minutes on the
	// long-tailed routes, where Varnish's grace from stale-while-revalidate
	// matters most.
	adv, err := pipeline.Advise(context.Background(), st, advisor.Options{Routes: rt, Target: labTarget,
		Sweep: replay.SweepOptions{Profile: prof}, Load: replay.LoadOptions{PerPoP: false}})
	if err != nil {
		t.Fatal(err)
	}
	// The family API needs a user, set away from its views (a router
	// dependency, a blueprint hook, DRF's settings): never advised shared.
	family := 0
	for _, r := range adv.Recommendations {
		if strings.Contains(r.Endpoint, "/api/family") && r.Method == "GET" {
			family++
			if r.Class != advisor.ClassPrivate || r.CacheControl != "private, no-store" {
				t.Errorf("%s %s (the family API) advised %q (%s): %s", r.Method, r.Endpoint, r.CacheControl, r.Class, strings.Join(r.Reasons, "; "))
			}
		}
	}
	if family == 0 {
		t.Error("no advice for the family API")
	}
	// Nor served from the cache in the baseline (the cache as it comes, the
	// app sending no Cache-Control).
	if brep, err := analyze.Run(context.Background(), st, analyze.Options{Router: rt, By: []string{"endpoint"}}); err != nil {
		t.Error(err)
	} else {
		for _, r := range brep.Rows {
			if strings.Contains(r.Endpoint, "/api/family") && r.HitRatio != nil && *r.HitRatio > 0 {
				t.Errorf("baseline: %s (the family API) was served from the cache: %.1f%%", r.Endpoint, 100**r.HitRatio)
			}
		}
	}
	res, err := pipeline.Patch(app, rt, adv.Recommendations, false)
	if err != nil {
		t.Fatal(err)
	}
	pf := filepath.Join(work, "cache.patch")
	os.WriteFile(pf, []byte(res.Diff), 0o644)
	c := exec.Command("git", "apply", pf)
	c.Dir = app
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("git apply: %v %s\n%s", err, out, res.Diff)
	}
	rules := advisor.EdgeRules(adv, replay.KeyRaw)
	generated = func(dir string, appPort, edgePort int, edgeLog string) (string, error) {
		w, err := edge.Lookup(edgeName)
		if err != nil {
			return "", err
		}
		cfg := edge.Config{Upstream: fmt.Sprintf("http://127.0.0.1:%d", appPort), Listen: fmt.Sprintf("127.0.0.1:%d", edgePort),
			CacheDir: filepath.Join(dir, "cache"), AccessLog: edgeLog, Rules: rules, Source: "the lab's baseline"}
		f := filepath.Join(dir, "cdnadvise"+w.Files()[0])
		var b strings.Builder
		if err := w.Write(&b, w.Files()[0], cfg); err != nil {
			return "", err
		}
		return f, os.WriteFile(f, []byte(b.String()), 0o644)
	}

	// What cdnadvise predicts for the cache as it comes, at the TTLs the
	// patch wrote: the advice's stock prediction. Varnish: every request
	// carries cookies (passed). nginx as it comes (no background update):
	// the header's stale-while-revalidate serves only requests that arrive
	// while another one refreshes the entry.
	stockPred := map[[2]string]*float64{}
	for _, r := range adv.Recommendations {
		stockPred[[2]string{r.Method, r.Endpoint}] = r.StockPredictedHitRatio
	}

	collection := "/api/items"
	if kind == "django" {
		collection = "/api/items/"
	}
	check := func(phaseName, edgeLog, originLog string, predicted, predictedOrigin func(r *advisor.Recommendation) *float64,
		predictedLatency func(r *advisor.Recommendation) (p50, p95 *float64)) map[[2]string]analyze.Row {
		st2 := openStore(t, filepath.Join(work, phaseName+".duckdb"), ingest.Input{Path: edgeLog, Tier: ingest.TierEdge})
		rep2, err := analyze.Run(context.Background(), st2, analyze.Options{Router: rt, By: []string{"endpoint", "method_group"}})
		if err != nil {
			t.Fatal(err)
		}
		if want := logHitRatio(t, edgeLog); rep2.Totals.HitRatio == nil || math.Abs(*rep2.Totals.HitRatio-want) > 1e-12 {
			t.Errorf("%s: analyze says %v, the %s log %v", phaseName, rep2.Totals.HitRatio, edgeName, want)
		}
		measured := map[[2]string]analyze.Row{}
		for _, r := range rep2.Rows {
			measured[[2]string{r.Keys["method_group"], r.Endpoint}] = r
		}
		t.Logf("%s, %s: %-6s %-26s %6s  %-82s %9s %9s", edgeName, phaseName, "METHOD", "ROUTE", "REQS", "CACHE-CONTROL", "PREDICTED", "MEASURED")
		checked := false
		for _, r := range adv.Recommendations {
			m, ok := measured[[2]string{r.Method, r.Endpoint}]
			if !ok {
				continue
			}
			if r.Class == advisor.ClassPrivate || r.Class == advisor.ClassUnsafe {
				// Never served from the cache: 0 hits in its own log.
				if m.HitRatio != nil && *m.HitRatio > 0 {
					t.Errorf("%s: %s %s (%s) was served from the cache: %.1f%%", phaseName, r.Method, r.Endpoint, r.Class, 100**m.HitRatio)
				}
				t.Logf("%s, %s: %-6s %-26s %6d  %-82s %9s %8.1f%%", edgeName, phaseName, r.Method, r.Endpoint, m.Requests, r.CacheControl, "never", 100*deref(m.HitRatio))
				continue
			}
			p := predicted(r)
			if p == nil || m.HitRatio == nil {
				continue
			}
			t.Logf("%s, %s: %-6s %-26s %6d  %-82s %8.1f%% %8.1f%%", edgeName, phaseName, r.Method, r.Endpoint, m.Requests, r.CacheControl, 100**p, 100**m.HitRatio)
			if (m.Requests >= 500 || r.Endpoint == collection) && math.Abs(*p-*m.HitRatio) > hitTolerance {
				t.Errorf("%s: %s %s: predicted %.1f%%, %s measured %.1f%%", phaseName, r.Method, r.Endpoint, 100**p, edgeName, 100**m.HitRatio)
			}
			if r.Endpoint == collection && r.Method == "GET" {
				checked = r.Class == advisor.ClassCacheable
			}
		}
		if !checked {
			t.Errorf("%s: GET %s was not advised a shared TTL and measured", phaseName, collection)
		}
		// The origin's load: requests a minute that reached the app (its
		// own log) over the phase's traffic, against the prediction.
		ost := openStore(t, filepath.Join(work, phaseName+"-origin.duckdb"), ingest.Input{Path: originLog, Tier: ingest.TierOrigin})
		orep, err := analyze.Run(context.Background(), ost, analyze.Options{Router: rt, By: []string{"endpoint", "method_group"}})
		if err != nil {
			t.Fatal(err)
		}
		minutes := rep2.To.Sub(*rep2.From).Minutes()
		reached := map[[2]string]int64{}
		for _, r := range orep.Rows {
			reached[[2]string{r.Keys["method_group"], r.Endpoint}] = r.Requests
		}
		t.Logf("%s, %s: %-6s %-26s %6s %22s %22s %24s %24s", edgeName, phaseName, "METHOD", "ROUTE", "REQS", "ORIGIN/MIN PREDICTED", "ORIGIN/MIN MEASURED", "EDGE p50/p95 PREDICTED", "EDGE p50/p95 MEASURED")
		for _, r := range adv.Recommendations {
			m, ok := measured[[2]string{r.Method, r.Endpoint}]
			p := predictedOrigin(r)
			if !ok || p == nil || minutes <= 0 || !advisor.SharedHeader(r.CacheControl) {
				continue
			}
			got := float64(reached[[2]string{r.Method, r.Endpoint}]) / minutes
			p50, p95 := predictedLatency(r)
			var m50, m95 float64
			if m.Edge != nil {
				m50, m95 = m.Edge.P50, m.Edge.P95
			}
			t.Logf("%s, %s: %-6s %-26s %6d %22.1f %22.1f %11.2f/%-12.2f %11.2f/%-12.2f", edgeName, phaseName, r.Method, r.Endpoint, m.Requests, *p, got, deref(p50), deref(p95), m50, m95)
			if m.Requests >= 500 && math.Abs(*p-got) > max(originTolerance**p, originShare*float64(m.Requests)/minutes) {
				t.Errorf("%s: %s %s: predicted %.1f origin requests/min, the app logged %.1f", phaseName, r.Method, r.Endpoint, *p, got)
			}
			for _, l := range []struct {
				name       string
				pred       *float64
				measured   float64
				hasMeasure bool
				floor      float64
			}{{"p50", p50, m50, m.Edge != nil, latencyFloorMS}, {"p95", p95, m95, m.Edge != nil, latencyFloorP95MS}} {
				if m.Requests < 500 || !l.hasMeasure {
					continue
				}
				if l.pred == nil {
					t.Errorf("%s: %s %s: no %s latency predicted", phaseName, r.Method, r.Endpoint, l.name)
				} else if math.Abs(*l.pred-l.measured) > max(latencyTolerance**l.pred, l.floor) {
					t.Errorf("%s: %s %s: edge %s predicted %.1f ms, the %s log says %.1f ms", phaseName, r.Method, r.Endpoint, l.name, *l.pred, edgeName, l.measured)
				}
			}
		}
		return measured
	}
	// The stock and generated phases are independent (each its own app,
	// cache, ports and folder): they run side by side.
	var stockEdge, genEdge, stockOrigin, genOrigin string
	var stockErr, genErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); stockEdge, stockOrigin, stockErr = phase("stock") }()
	go func() { defer wg.Done(); genEdge, genOrigin, genErr = phase("generated") }()
	wg.Wait()
	if err := errors.Join(stockErr, genErr); err != nil {
		t.Fatal(err)
	}
	check("stock", stockEdge, stockOrigin, func(r *advisor.Recommendation) *float64 { return stockPred[[2]string{r.Method, r.Endpoint}] },
		func(r *advisor.Recommendation) *float64 { return r.StockOriginPerMinAt },
		func(r *advisor.Recommendation) (*float64, *float64) {
			return r.StockLatencyP50AtMS, r.StockLatencyP95AtMS
		})
	genMeasured := check("generated", genEdge, genOrigin, func(r *advisor.Recommendation) *float64 { return r.PredictedHitRatio },
		func(r *advisor.Recommendation) *float64 { return r.OriginPerMinAt },
		func(r *advisor.Recommendation) (*float64, *float64) { return r.LatencyP50AtMS, r.LatencyP95AtMS })

	// cdnadvise verify on the same change: the baseline and the generated
	// phase in one store, the advice recorded as advise records it; its
	// numbers are the lab's own count and its verdicts "as predicted".
	vst := openStore(t, filepath.Join(work, "verify.duckdb"), ingest.Input{Path: baseEdge, Tier: ingest.TierEdge}, ingest.Input{Path: genEdge, Tier: ingest.TierEdge})
	if _, err := runs.Record(context.Background(), vst, adv, runs.RunInfo{Command: "lab", Settings: map[string]string{"edge": edgeName}}); err != nil {
		t.Fatal(err)
	}
	ra, err := runs.LoadRun(context.Background(), vst, 0)
	if err != nil {
		t.Fatal(err)
	}
	vres, err := verify.Run(context.Background(), vst, ra, verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s, verify: after from %s (%s)", edgeName, vres.Since.Format(time.RFC3339), vres.SinceWhy)
	for _, r := range vres.Rows {
		t.Logf("%s, verify: %-6s %-26s %6d→%-6d %6.1f%%→%6.1f%%→%6.1f%%  %s", edgeName, r.Method, r.Route, r.RequestsBefore, r.RequestsAfter,
			100*deref(r.HitRatioBefore), 100*deref(r.HitRatioPredicted), 100*deref(r.HitRatioAfter), r.Verdict)
		m, ok := genMeasured[[2]string{r.Method, r.Route}]
		if !ok {
			continue
		}
		if r.RequestsAfter != m.Requests || (m.HitRatio != nil) != (r.HitRatioAfter != nil) || (m.HitRatio != nil && math.Abs(*m.HitRatio-*r.HitRatioAfter) > 1e-12) {
			t.Errorf("verify %s %s: %d requests at %v, the lab counted %d at %v", r.Method, r.Route, r.RequestsAfter, deref(r.HitRatioAfter), m.Requests, deref(m.HitRatio))
		}
		if r.RequestsAfter >= 500 && r.HitRatioPredicted != nil && r.Verdict != verify.AsPredicted {
			t.Errorf("verify %s %s: %s (%s), the lab measured %.1f%% for a prediction of %.1f%%", r.Method, r.Route, r.Verdict, r.Why, 100*deref(m.HitRatio), 100*deref(r.HitRatioPredicted))
		}
	}
	if vres.Failed > 0 {
		t.Errorf("verify: %d routes below their prediction", vres.Failed)
	}
	// Long enough traffic that the long-tailed routes are advised minutes:
	// TTLs from 10 s to 5 min were chosen and checked above.
	var short, long bool
	for _, r := range adv.Recommendations {
		if r.Class == advisor.ClassCacheable && r.Requests >= 500 {
			short = short || (r.TTLSeconds > 0 && r.TTLSeconds <= 30)
			long = long || r.TTLSeconds >= 300
		}
	}
	if !short || !long {
		t.Errorf("the advice does not span 30 s to 5 min on routes with 500 requests or more (short %v, long %v)", short, long)
	}

	// The patched app sends the recommended header on each patched route.
	appPort, err := ports.Next()
	if err != nil {
		t.Fatal(err)
	}
	ap, err := startApp(app, kind, appPort, filepath.Join(work, "check.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer ap.Stop()
	checks := map[string]string{"/api/items/3": "/api/items/{item_id}", "/api/leaderboard": "/api/leaderboard", "/search?q=a": "/search", "/api/me": "/api/me",
		"/api/items": "/api/items", "/": "/"}
	if kind == "flask" {
		checks = map[string]string{"/api/items/3": "/api/items/<int:item_id>", "/api/leaderboard": "/api/leaderboard", "/search?q=a": "/search",
			"/api/me": "/api/me", "/static/app.3f2a9c1b.js": "/static/<path:filename>", "/api/items": "/api/items", "/": "/"}
	}
	if kind == "django" {
		checks = map[string]string{"/api/items/3/": "/api/items/<int:item_id>/", "/api/leaderboard/": "/api/leaderboard/", "/search/?q=a": "/search/",
			"/api/me/": "/api/me/", "/static/app.3f2a9c1b.js": "/static/<path:name>", "/api/items/": "/api/items/", "/": "/"}
	}
	for path, route := range checks {
		var want string
		for _, r := range adv.Recommendations {
			if r.Endpoint == route && r.Method == "GET" {
				want = r.CacheControl
			}
		}
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d%s", appPort, path))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Cache-Control"); want != "" && got != want {
			t.Errorf("%s: Cache-Control %q, recommended %q", path, got, want)
		}
	}
	// The collection's POST (with its CSRF token) answers without a
	// shared-cache header; without the token the app turns it away.
	for _, withToken := range []bool{true, false} {
		req, _ := http.NewRequest("POST", fmt.Sprintf("http://127.0.0.1:%d%s", appPort, collection), strings.NewReader(`{"name": "x"}`))
		req.Header.Set("Content-Type", "application/json")
		if withToken {
			req.Header.Set("Cookie", "csrftoken="+CSRFToken(1))
			req.Header.Set("X-CSRFToken", CSRFToken(1))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cc := resp.Header.Get("Cache-Control")
		if want := map[bool]int{true: 201, false: 403}[withToken]; resp.StatusCode != want || strings.Contains(cc, "public") || strings.Contains(cc, "s-maxage") || strings.Contains(cc, "max-age") {
			t.Errorf("POST %s (CSRF token %v): %d, Cache-Control %q, want %d", collection, withToken, resp.StatusCode, cc, want)
		}
	}
}

func deref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// keepLogs copies the .log and .patch files under work to dst (emptied
// first), keeping their paths.
func keepLogs(work, dst string) error {
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	return filepath.WalkDir(work, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".log") || strings.HasSuffix(p, ".patch")) {
			return err
		}
		rel, err := filepath.Rel(work, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
}
