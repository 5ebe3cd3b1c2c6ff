package verify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/advisor"
	"github.com/cdnadvise/cdnadvise/analyze"
	"github.com/cdnadvise/cdnadvise/ingest"
	"github.com/cdnadvise/cdnadvise/internal/store"
	"github.com/cdnadvise/cdnadvise/runs"
)

// TestVerifyCatchesBreakageAndLeaks: after the change, a form route turns
// 403 (its cookies stripped by the cache) and a dashboard whose misses
// differ per client is served from the cache: verify says broke and
// possible leak, counts both as failed, and the healthy route stays as
// predicted. Each client's dashboard has its own size, so three clients
// in one 10 seconds show three different responses.
func TestVerifyCatchesBreakageAndLeaks(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	const fmtLine = `10.0.0.%d - - [%s] "%s %s HTTP/1.1" %d %d "-" "ua-%d" 0.050 %s "%s"` + "\n"
	var before, after strings.Builder
	for i := 0; i < 600; i++ { // before: 10 minutes, no caching, all 200
		ts := t0.Add(time.Duration(i) * time.Second).Format("02/Jan/2006:15:04:05 -0700")
		c := (i / 3) % 6
		switch i % 3 {
		case 0:
			fmt.Fprintf(&before, fmtLine, c, ts, "GET", "/news", 200, 900, c, "MISS", "-")
		case 1:
			fmt.Fprintf(&before, fmtLine, c, ts, "POST", "/contact", 200, 300, c, "MISS", "-")
		default:
			fmt.Fprintf(&before, fmtLine, c, ts, "GET", "/dashboard", 200, 1000+11*c, c, "MISS", "private")
		}
	}
	t1 := t0.Add(20 * time.Minute)
	for i := 0; i < 1200; i++ { // after: the broken cache in front
		ts := t1.Add(time.Duration(i) * 500 * time.Millisecond).Format("02/Jan/2006:15:04:05 -0700")
		c := (i / 3) % 6
		switch i % 3 {
		case 0:
			fmt.Fprintf(&after, fmtLine, c, ts, "GET", "/news", 200, 900, c, map[bool]string{true: "HIT", false: "MISS"}[i%30 != 0], "public, max-age=0, s-maxage=60")
		case 1:
			fmt.Fprintf(&after, fmtLine, c, ts, "POST", "/contact", 403, 120, c, "MISS", "-")
		default:
			cache := map[bool]string{true: "HIT", false: "MISS"}[i%4 == 0]
			fmt.Fprintf(&after, fmtLine, c, ts, "GET", "/dashboard", 200, 1000+11*c, c, cache, "public, max-age=60")
		}
	}
	dir := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "s.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ingestText := func(name, text string) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ingest.Run(context.Background(), st, ingest.Options{Inputs: []ingest.Input{{Path: p, Tier: ingest.TierEdge}}, LogFormat: format, MaxRejectRatio: 0.001}); err != nil {
			t.Fatal(err)
		}
	}
	ingestText("before.log", before.String())
	from, to := t0, t0.Add(599*time.Second)
	p, o := 0.90, 1.0
	adv := &advisor.Advice{Analysis: &analyze.Report{From: &from, To: &to}, Recommendations: []*advisor.Recommendation{
		{Method: "GET", Endpoint: "/news", Match: `^/news$`, Class: advisor.ClassCacheable, CacheControl: "public, max-age=0, s-maxage=60", PredictedHitRatio: &p, OriginPerMinAt: &o},
		{Method: "POST", Endpoint: "/contact", Match: `^/contact$`, Class: advisor.ClassUnsafe},
		{Method: "GET", Endpoint: "/dashboard", Match: `^/dashboard$`, Class: advisor.ClassPrivate, CacheControl: "private, no-store"},
	}}
	if _, err := runs.Record(context.Background(), st, adv, runs.RunInfo{Command: "advise"}); err != nil {
		t.Fatal(err)
	}
	ingestText("after.log", after.String())
	ra, err := runs.LoadRun(context.Background(), st, 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), st, ra, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"GET /news": AsPredicted, "POST /contact": Broke, "GET /dashboard": PossibleLeak}
	for _, r := range res.Rows {
		k := r.Method + " " + r.Route
		if r.Verdict != want[k] {
			t.Errorf("%s: verdict %q (%s), want %q", k, r.Verdict, r.Why, want[k])
		}
		if (r.Verdict == Broke || r.Verdict == PossibleLeak) != r.Failed {
			t.Errorf("%s: %s, failed %v", k, r.Verdict, r.Failed)
		}
	}
	if res.Failed != 2 || res.Verdicts[Broke] != 1 || res.Verdicts[PossibleLeak] != 1 || res.Verdicts[AsPredicted] != 1 {
		t.Errorf("failed %d, verdicts %v; want 2 failed: one broke, one possible leak, one as predicted", res.Failed, res.Verdicts)
	}
}
