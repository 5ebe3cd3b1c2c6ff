package pipeline

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cdnadvise/cdnadvise/advisor"
	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/replay"
	"github.com/cdnadvise/cdnadvise/routes"
)

// TestPatchedSourceReadsTheSame: on each example app, advise, patch and
// apply; then advise on the patched source (same logs) reads every header
// the patch wrote back as the literal header it sends (Flask's
// cache_control_header, Django's cache_control_safe, FastAPI's middleware
// table): the same routes with the same header, kept, the same
// predictions, and edge writes the same rules; a second patch changes
// nothing.
func TestPatchedSourceReadsTheSame(t *testing.T) {
	lab.Need(t, []string{"git"}, nil)
	for _, tc := range []struct {
		app   string
		paths []string
	}{
		{"django_app", []string{"/", "/api/items/", "/api/leaderboard/", "/search/?q=a", "/search/?q=b", "/api/me/", "/api/family/chores/", "/static/app.3f2a9c1b.js"}},
		{"fastapi_app", []string{"/", "/api/items", "POST /api/items", "/api/leaderboard", "/search?q=a", "/api/me", "/api/family/chores", "/static/app.3f2a9c1b.js"}},
		{"flask_app", []string{"/", "/api/items", "POST /api/items", "/api/leaderboard", "/search?q=a", "/api/me", "/api/family/chores", "/static/app.3f2a9c1b.js"}},
	} {
		t.Run(tc.app, func(t *testing.T) {
			dir := lab.CopyTree(t, "../examples/"+tc.app)
			lab.Git(t, dir, "init", "-q")
			paths := tc.paths
			for i := 1; i <= 30; i++ {
				if tc.app == "django_app" {
					paths = append(paths, fmt.Sprintf("/api/items/%d/", i))
				} else {
					paths = append(paths, fmt.Sprintf("/api/items/%d", i))
				}
			}
			st := trafficStore(t, paths, 6000)
			var rtBefore = (*framework.Routes)(nil)
			advise := func() (*advisor.Advice, []string) {
				rt, err := routes.ExtractRoutes(dir)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(rt.Close)
				if rtBefore == nil {
					rtBefore = rt
				}
				adv, err := Advise(context.Background(), st, advisor.Options{Routes: rt, Sweep: sweepGeneric()})
				if err != nil {
					t.Fatal(err)
				}
				var rules []string
				for _, r := range advisor.EdgeRules(adv, replay.KeyRaw) {
					rules = append(rules, fmt.Sprintf("%s %s shared=%v per-user=%v ttl=%s %s", r.Method, r.Pattern, r.Shared, r.PerUser, r.TTL, r.Regex))
				}
				return adv, rules
			}
			// What the report shows of the advice: route, header, prediction
			// (the report gathers its own advice; a patched row's class is
			// already-set, checked below).
			reportRows := func() []string {
				d, err := Report(context.Background(), st, ReportOptions{Src: dir, Advise: advisor.Options{Sweep: sweepGeneric()}})
				if err != nil {
					t.Fatal(err)
				}
				var rows []string
				for _, r := range d.Advice.Recommendations {
					rows = append(rows, fmt.Sprintf("%s %s %q %s", r.Method, r.Endpoint, r.CacheControl, fmtP(r.PredictedHitRatio)))
				}
				return rows
			}
			reportBefore := reportRows()
			before, rulesBefore := advise()
			res, err := Patch(dir, rtBefore, before.Recommendations, false)
			if err != nil {
				t.Fatal(err)
			}
			if res.Diff == "" {
				t.Fatal("the patch changes nothing")
			}
			applyAndCompile(t, dir, res)
			after, rulesAfter := advise()
			routestestSame(t, "edge rules", rulesAfter, rulesBefore)
			routestestSame(t, "the report's advice", reportRows(), reportBefore)
			// A second patch on the patched source changes nothing.
			patchAgainChangesNothing(t, dir, after.Recommendations)
			patched := map[string]bool{}
			for _, a := range res.Applied {
				patched[a.Method+" "+a.Pattern] = true
			}
			for _, b := range before.Recommendations {
				var a *advisor.Recommendation
				for _, x := range after.Recommendations {
					if x.Method == b.Method && x.Endpoint == b.Endpoint {
						a = x
					}
				}
				if a == nil {
					t.Errorf("%s %s: gone after the patch", b.Method, b.Endpoint)
					continue
				}
				if a.CacheControl != b.CacheControl || !samePrediction(a.PredictedHitRatio, b.PredictedHitRatio) {
					t.Errorf("%s %s: after the patch %s %q predicted %v (%v), before %s %q predicted %v", b.Method, b.Endpoint, a.Class, a.CacheControl, fmtP(a.PredictedHitRatio), a.Reasons, b.Class, b.CacheControl, fmtP(b.PredictedHitRatio))
				}
				// Static routes: the helpers set the header on fingerprinted
				// files only, read back as the same static-immutable row.
				if patched[b.Method+" "+b.Endpoint] && !a.Kept && b.Class != advisor.ClassImmutable {
					t.Errorf("%s %s: patched, but not read back as kept (%s: %v)", b.Method, b.Endpoint, a.Class, a.Reasons)
				}
			}
		})
	}
}

func samePrediction(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func fmtP(p *float64) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprintf("%.4f", *p)
}

// routestestSame compares two lists line by line.
func routestestSame(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n%s\nwant:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
