package charts

import (
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/advisor"
	"github.com/cdnadvise/cdnadvise/analyze"
	"github.com/cdnadvise/cdnadvise/replay"
)

func chartByID(cs []chart, id string) *chart {
	for i := range cs {
		if cs[i].ID == id {
			return &cs[i]
		}
	}
	return nil
}

// TestStatusColoursAreFixed: a cache status has one colour whatever
// other statuses the report shows (MISS was green in one report, yellow in
// another).
func TestStatusColoursAreFixed(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	colourOfMiss := func(statuses ...string) string {
		b := Bucket{Start: t0, ByStatus: map[string]int64{}}
		for _, s := range statuses {
			b.ByStatus[s] = 10
		}
		d := &Data{Analysis: &analyze.Report{}, Timeline: []Bucket{b}, StepDur: time.Minute}
		opt := string(chartByID(d.charts(), "timeline").Option)
		i := strings.Index(opt, `"name":"MISS"`)
		if i < 0 {
			t.Fatalf("no MISS series: %s", opt)
		}
		return opt[i : i+200]
	}
	a, b := colourOfMiss("MISS"), colourOfMiss("HIT", "MISS", "BYPASS")
	if !strings.Contains(a, statusColor["MISS"]) || !strings.Contains(b, statusColor["MISS"]) {
		t.Errorf("MISS series: %s / %s, want colour %s in both", a, b, statusColor["MISS"])
	}
}

// TestWhatIfOnlyForShareableRoutes: what-if curves are drawn for routes a
// shared cache may store, not for routes advised private; staleness
// without origin logs is said to be unknown.
func TestWhatIfOnlyForShareableRoutes(t *testing.T) {
	row := func(ep string) []replay.Outcome {
		return []replay.Outcome{{Endpoint: ep, TTLText: "0s", Requests: 100}, {Endpoint: ep, TTLText: "1m", Requests: 100, HitRatio: 0.9}}
	}
	d := &Data{
		Analysis: &analyze.Report{Totals: analyze.Row{EdgeRequests: 200}},
		Sweep:    &replay.SweepResult{Totals: row("all"), Endpoints: [][]replay.Outcome{row("/items/{id}"), row("/me")}},
		Advice: &advisor.Advice{Recommendations: []*advisor.Recommendation{
			{Method: "GET", Endpoint: "/items/{id}", CacheControl: "public, max-age=0, s-maxage=60", TTL: "1m"},
			{Method: "GET", Endpoint: "/me", CacheControl: "private, no-store"},
		}},
	}
	cs := d.charts()
	w := chartByID(cs, "whatif")
	if w == nil || w.Empty != "" || !strings.Contains(string(w.Option), "/items/{id}") || strings.Contains(string(w.Option), `"/me"`) {
		t.Errorf("what-if: %+v", w)
	}
	if s := chartByID(cs, "staleness"); s == nil || !strings.Contains(s.Empty, "Staleness unknown (no origin logs)") {
		t.Errorf("staleness: %+v", s)
	}
}
