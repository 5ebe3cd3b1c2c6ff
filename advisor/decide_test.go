package advisor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/analyze"
	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/pysrc"
	"github.com/cdnadvise/cdnadvise/replay"
)

// curve is a replay curve of one endpoint over the grid 10s, 1m, 10m with
// these hit ratios.
func curve(endpoint string, hits ...float64) []replay.Outcome {
	var out []replay.Outcome
	for i, d := range []time.Duration{10 * time.Second, time.Minute, 10 * time.Minute} {
		out = append(out, replay.Outcome{Endpoint: endpoint, TTL: d, TTLText: replay.FormatTTL(d), Requests: 1000, HitRatio: hits[i], OriginPerMin: 10})
	}
	return out
}

func share(v float64) *float64 { return &v }

// readable gives a route the view definition of a one-file project, as the
// static pass would (a view cdnadvise can read).
func readable(t *testing.T, r *framework.Route) *framework.Route {
	return readableAs(t, r, "def view(request):\n    return None\n")
}

// readableAs is readable with the view's source (a function named view).
func readableAs(t *testing.T, r *framework.Route, source string) *framework.Route {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "views.py"), []byte(source), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := pysrc.LoadProject(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	m := p.Modules["views"]
	r.ViewMod, r.ViewNode = m, m.Defs["view"]
	return r
}

// TestDecide feeds the advisor evidence made by hand (no store, no source)
// and checks the class and header of each row: the decision alone.
func TestDecide(t *testing.T) {
	grid := []time.Duration{10 * time.Second, time.Minute, 10 * time.Minute}
	cases := []struct {
		name     string
		route    *framework.Route // nil: an endpoint inferred from the logs
		readable bool             // the route's view is read from a source
		endpoint string           // the logs' endpoint, when not the route's
		method   string
		row      analyze.Row
		same     *analyze.SameResponse
		class    string
		header   string // the Cache-Control, "" none; a prefix is enough
		reasonIn string
	}{
		{name: "a shared route takes the shortest TTL reaching 90% of the best",
			route: &framework.Route{Framework: "django", Method: "GET", Pattern: "/api/items/", View: "shop.views.items"}, readable: true,
			row: analyze.Row{Requests: 5000}, class: ClassCacheable, header: "public, max-age=60, s-maxage=60, stale-while-revalidate=60"},
		{name: "a per-user view is private whatever the logs say",
			route: &framework.Route{Framework: "django", Method: "GET", Pattern: "/api/me/", PerUser: true, PerUserWhy: "uses login_required"},
			row:   analyze.Row{Requests: 5000}, same: &analyze.SameResponse{Windows: 100, Same: 100}, class: ClassPrivate, header: "private, no-store", reasonIn: "login_required"},
		{name: "an unsafe method never gets a shared-cache header",
			route: &framework.Route{Framework: "fastapi", Method: "POST", Pattern: "/api/items"}, method: "POST",
			row: analyze.Row{Requests: 5000}, class: ClassUnsafe, header: ""},
		{name: "responses that already say private stay no-store",
			route: &framework.Route{Framework: "flask", Method: "GET", Pattern: "/cart"},
			row:   analyze.Row{Requests: 5000, Private: share(0.8)}, class: ClassNoStore, header: "no-store"},
		{name: "Set-Cookie on the responses makes the row private",
			route: &framework.Route{Framework: "flask", Method: "GET", Pattern: "/login"},
			row:   analyze.Row{Requests: 5000, SetCookie: share(0.2)}, class: ClassPrivate, header: "private, no-store", reasonIn: "set a cookie"},
		{name: "without the source and without shared evidence nothing is guessed",
			row: analyze.Row{Requests: 5000}, class: ClassUnverified, header: ""},
		{name: "without the source, clients seen getting the same response make it cacheable",
			row: analyze.Row{Requests: 5000}, same: &analyze.SameResponse{Windows: 10, Same: 9}, class: ClassCacheable, header: "public, max-age=60, s-maxage=60"},
		{name: "clients seen getting different responses make it private",
			row: analyze.Row{Requests: 5000}, same: &analyze.SameResponse{Windows: 50, Same: 1, Wide: 20, Differ: 20}, class: ClassPrivate, header: "private, no-store", reasonIn: "different responses"},
		{name: "a route nobody requested gets no header",
			route: &framework.Route{Framework: "django", Method: "GET", Pattern: "/about/"}, readable: true,
			class: ClassNoTraffic, header: ""},
		{name: "a route whose view cannot be read gets no header",
			route: &framework.Route{Framework: "django", Method: "GET", Pattern: "/admin/", Unresolved: "outside --src"},
			row:   analyze.Row{Requests: 5000}, same: &analyze.SameResponse{Windows: 100, Same: 100}, class: ClassUnverified, header: "", reasonIn: "no header is advised"},
		{name: "a path no route matches gets no header",
			route: &framework.Route{Framework: "django", Method: "GET", Pattern: "/other/"}, readable: true, endpoint: "/wp-json/",
			row: analyze.Row{Requests: 5000}, same: &analyze.SameResponse{Windows: 100, Same: 100}, class: ClassUnverified, header: "", reasonIn: "no route of the source"},
		{name: "a per-user view that sends a shared header of its own is advised private",
			route: &framework.Route{Framework: "django", Method: "GET", Pattern: "/dashboard/", PerUser: true, PerUserWhy: "@login_required", HasCacheControl: true}, readable: true,
			row: analyze.Row{Requests: 5000}, class: ClassPrivate, header: "private, no-store", reasonIn: "login_required"},
		{name: "no change that does worse than today's cache",
			route: &framework.Route{Framework: "django", Method: "GET", Pattern: "/cached/"}, readable: true,
			row: analyze.Row{Requests: 5000, HitRatio: share(0.99)}, class: ClassKeep, header: "", reasonIn: "keep the current configuration"},
		{name: "a path that only answered errors gets no header",
			row: analyze.Row{Requests: 5000, StatusClasses: map[string]int64{"4xx": 5000}}, same: &analyze.SameResponse{Windows: 100, Same: 100}, class: ClassErrors, header: "", reasonIn: "4xx/5xx"},
		{name: "logs-only: one agreeing window is not enough",
			row: analyze.Row{Requests: 5000}, same: &analyze.SameResponse{Windows: 2, Same: 1}, class: ClassUnverified, header: ""},
		{name: "logs-only: windows that disagree count against",
			row: analyze.Row{Requests: 5000}, same: &analyze.SameResponse{Windows: 40, Same: 20}, class: ClassUnverified, header: ""},
		{name: "logs-only: any Authorization is per-user evidence",
			row: analyze.Row{Requests: 5000, Auth: share(0.001)}, same: &analyze.SameResponse{Windows: 10, Same: 10}, class: ClassPrivate, header: "private, no-store", reasonIn: "Authorization"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = "GET"
			}
			endpoint := "/api/things/{id}"
			o := Options{TTLs: grid, Sweep: replay.SweepOptions{Profile: replay.Profiles()["generic"]}}
			if tc.route != nil {
				if tc.readable {
					readable(t, tc.route)
				}
				endpoint = tc.route.Pattern
				o.Routes = &framework.Routes{Framework: tc.route.Framework, Routes: []*framework.Route{tc.route}}
			}
			if tc.endpoint != "" {
				endpoint = tc.endpoint
			}
			p := NewPlan(o)
			p.SetLoggedVary(nil)
			ev := Evidence{Analysis: &analyze.Report{Mode: "edge"}, Sweep: &replay.SweepResult{Minutes: 10}, Requests: int(tc.row.Requests)}
			if tc.row.Requests > 0 {
				row := tc.row
				row.Endpoint, row.Keys = endpoint, map[string]string{"method_group": method, "endpoint": endpoint}
				ev.Analysis.Rows = []analyze.Row{row}
				key := endpoint
				if !framework.SafeMethod(method) {
					key = replay.UnsafeEndpoint(endpoint)
				}
				ev.Sweep.Endpoints = [][]replay.Outcome{curve(key, 0.5, 0.9, 0.95)}
			}
			if tc.same != nil {
				ev.SameResponse = map[string]analyze.SameResponse{endpoint: *tc.same}
			}
			adv := p.Decide(ev)
			var rec *Recommendation
			for _, r := range adv.Recommendations {
				if r.Method == method && r.Endpoint == endpoint {
					rec = r
				}
			}
			if rec == nil {
				t.Fatalf("no row for %s %s in %d rows", method, endpoint, len(adv.Recommendations))
			}
			if rec.Class != tc.class {
				t.Errorf("class %q, want %q (reasons: %s)", rec.Class, tc.class, strings.Join(rec.Reasons, "; "))
			}
			if tc.header == "" && rec.CacheControl != "" || !strings.HasPrefix(rec.CacheControl, tc.header) {
				t.Errorf("Cache-Control %q, want %q", rec.CacheControl, tc.header)
			}
			if tc.reasonIn != "" && !strings.Contains(strings.Join(rec.Reasons, "; "), tc.reasonIn) {
				t.Errorf("reasons %q do not say %q", rec.Reasons, tc.reasonIn)
			}
			if strings.Contains(rec.CacheControl, "public") && (tc.route != nil && tc.route.PerUser) {
				t.Errorf("a per-user route was advised %q", rec.CacheControl)
			}
		})
	}
}

// TestPlanReplay: the replay the plan asks for tries the grid and the TTL of
// a header a view keeps, each grid TTL with the stale-while-revalidate the
// advice would send (within --max-stale).
func TestPlanReplay(t *testing.T) {
	grid := []time.Duration{10 * time.Second, time.Minute}
	p := NewPlan(Options{TTLs: grid, MaxStale: 90 * time.Second, Sweep: replay.SweepOptions{Profile: replay.Profiles()["varnish"]}})
	p.SetLoggedVary(map[string][]string{"/a": {"Accept-Language"}})
	lo, so := p.Replay()
	want := []time.Duration{10 * time.Second, time.Minute, immutableTTL}
	if len(so.TTLs) != len(want) {
		t.Fatalf("TTLs %v, want %v", so.TTLs, want)
	}
	for i := range want {
		if so.TTLs[i] != want[i] {
			t.Errorf("TTL %d: %v, want %v", i, so.TTLs[i], want[i])
		}
	}
	if so.SWRByTTL[0] != 10*time.Second || so.SWRByTTL[1] != 30*time.Second || so.SWRByTTL[2] != 0 {
		t.Errorf("stale-while-revalidate by TTL %v, want [10s 30s 0] (TTL + SWR within 90s; none for the immutable TTL)", so.SWRByTTL)
	}
	if !lo.SplitMethods {
		t.Error("the replay does not split methods")
	}
	if _, _, ok := p.StockReplay(); !ok {
		t.Error("Varnish as it comes passes cookies: a stock replay is needed")
	}
	if g := NewPlan(Options{Sweep: replay.SweepOptions{Profile: replay.Profiles()["generic"]}}); len(g.o.TTLs) != 13 || g.o.Target != 0.9 {
		t.Errorf("defaults: %d TTLs, target %v; want 13 and 0.9", len(g.o.TTLs), g.o.Target)
	}
}

// TestPerUserViewKeepsItsStrictHeader: a per-user view that sends a
// header as strict as the advice's (never_cache) keeps it, stays private,
// and the edge is told to pass it.
func TestPerUserViewKeepsItsStrictHeader(t *testing.T) {
	r := readableAs(t, &framework.Route{Framework: "django", Method: "GET", Pattern: "/account/", PerUser: true, PerUserWhy: "@login_required", HasCacheControl: true},
		"@never_cache\n@login_required\ndef view(request):\n    return None\n")
	p := NewPlan(Options{TTLs: []time.Duration{time.Minute}, Routes: &framework.Routes{Framework: "django", Routes: []*framework.Route{r}},
		Sweep: replay.SweepOptions{Profile: replay.Profiles()["generic"]}})
	p.SetLoggedVary(nil)
	row := analyze.Row{Endpoint: "/account/", Keys: map[string]string{"method_group": "GET", "endpoint": "/account/"}, Requests: 100}
	adv := p.Decide(Evidence{Analysis: &analyze.Report{Mode: "edge", Rows: []analyze.Row{row}}, Sweep: &replay.SweepResult{Minutes: 1}, Requests: 100})
	var rec *Recommendation
	for _, x := range adv.Recommendations {
		if x.Endpoint == "/account/" && x.Method == "GET" {
			rec = x
		}
	}
	if rec == nil || rec.Class != ClassPrivate || !rec.Kept || !strings.Contains(rec.CacheControl, "no-store") {
		t.Fatalf("per-user view with never_cache: %+v", rec)
	}
	rules := EdgeRules(adv, replay.KeyRaw)
	if len(rules) != 1 || !rules[0].PerUser || rules[0].Shared {
		t.Errorf("edge rules %+v: want one per-user rule for /account/", rules)
	}
}
