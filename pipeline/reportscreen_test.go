package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/charts"
	"github.com/cdnadvise/cdnadvise/ingest"
	"github.com/cdnadvise/cdnadvise/internal/store"
)

// maxReportHeight is the height the report stays under, in CSS pixels at a
// 1400-pixel-wide window, with its groups collapsed (the README states it).
const maxReportHeight = 9000

// routeProject writes a FastAPI project of n routes (a third public item
// pages, a third per user, a third POST) and a day's edge log of traffic
// to them, with bots, tools, referrers and errors, and returns both paths.
func routeProject(t *testing.T, n int) (src, log string) {
	t.Helper()
	dir := t.TempDir()
	src = filepath.Join(dir, "proj")
	os.MkdirAll(filepath.Join(src, "app"), 0o755)
	var py strings.Builder
	py.WriteString("from fastapi import Depends, FastAPI\n\napp = FastAPI()\n\n\ndef current_user():\n    return {\"id\": 1}\n\n")
	for i := 0; i < n/3; i++ {
		fmt.Fprintf(&py, "\n@app.get(\"/api/catalog%d/{item_id}\")\ndef catalog%d(item_id: int):\n    return {\"id\": item_id}\n", i, i)
		fmt.Fprintf(&py, "\n@app.get(\"/api/account%d\")\ndef account%d(user=Depends(current_user)):\n    return user\n", i, i)
		fmt.Fprintf(&py, "\n@app.post(\"/api/catalog%d\")\ndef create%d():\n    return {}\n", i, i)
	}
	os.WriteFile(filepath.Join(src, "app", "__init__.py"), nil, 0o644)
	os.WriteFile(filepath.Join(src, "app", "main.py"), []byte(py.String()), 0o644)
	uas := []string{
		"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		"curl/8.5.0",
	}
	refs := []string{"-", "https://www.google.com/", "https://news.example/item?id=3", "-"}
	t0 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	var b strings.Builder
	line := func(k int, method, path string, status int) {
		ts := t0.Add(time.Duration(k) * 4 * time.Second).Format("02/Jan/2006:15:04:05 -0700")
		cache := "MISS"
		if path == "/api/account1" {
			// Today's cache serves one per-user route from the cache: a
			// safety finding, shown above the changes.
			cache = "HIT"
		}
		fmt.Fprintf(&b, "10.1.%d.%d - - [%s] \"%s %s HTTP/1.1\" %d %d \"%s\" \"%s\" 0.012 0.011 %s pop=FRA\n",
			k%13, k%97, ts, method, path, status, 500+k%7, refs[k%len(refs)], uas[k%len(uas)], cache)
	}
	k := 0
	for round := 0; round < 20; round++ {
		for i := 0; i < n/3; i++ {
			// Busier routes first: route i gets fewer requests as i grows.
			if round > 2 && i%(round) != 0 {
				continue
			}
			line(k, "GET", fmt.Sprintf("/api/catalog%d/%d", i, k%5), 200)
			k++
			line(k, "GET", fmt.Sprintf("/api/account%d", i), 200)
			k++
			if round%4 == 0 {
				line(k, "POST", fmt.Sprintf("/api/catalog%d", i), 201)
				k++
			}
		}
		line(k, "GET", "/wp-login.php", 404)
		k++
		line(k, "GET", "/api/catalog3/x", 422)
		k++
		line(k, "GET", "/api/account7", 500)
		k++
	}
	log = filepath.Join(dir, "edge.log")
	os.WriteFile(log, []byte(b.String()), 0o644)
	return src, log
}

// TestReportFirstScreen renders the report of the bundled examples and of
// a generated 300-route project in headless Chromium at 1400×900: the
// first screen shows the ranked changes, the page stays under
// maxReportHeight with its groups collapsed, and the status and clients
// panels are there. CDNADVISE_SCREENSHOT=DIR keeps the screenshots (the
// README's is made so).
func TestReportFirstScreen(t *testing.T) {
	chromium := needChromium(t)
	for _, c := range []struct {
		name string
		make func(t *testing.T) (src string, logs []string)
	}{
		{"examples", func(t *testing.T) (string, []string) {
			logs, _ := filepath.Glob("../examples/logs/*")
			return "../examples/fastapi_app", logs
		}},
		{"generated-300-routes", func(t *testing.T) (string, []string) {
			src, log := routeProject(t, 300)
			return src, []string{log}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			src, logs := c.make(t)
			st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "s.duckdb"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			var in []ingest.Input
			for _, l := range logs {
				in = append(in, ingest.Input{Path: l})
			}
			if _, err := ingest.Run(context.Background(), st, ingest.Options{Inputs: in, MaxRejectRatio: 0.01}); err != nil {
				t.Fatal(err)
			}
			d, err := Report(context.Background(), st, ReportOptions{Src: src})
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Summary.Changes) == 0 {
				t.Fatal("no ranked change to show")
			}
			html := render(t, st, ReportOptions{Src: src})
			page := filepath.Join(t.TempDir(), "report.html")
			os.WriteFile(page, []byte(html), 0o644)
			shot := filepath.Join(t.TempDir(), "first-screen.png")
			if dir := os.Getenv("CDNADVISE_SCREENSHOT"); dir != "" {
				shot = filepath.Join(dir, "report-"+c.name+".png")
			}
			dom, sc := openInChromium(t, chromium, page, 1400, 900, shot)
			t.Logf("%d recommendations, %d changes; page %d px high, ranked changes end at %d px; %s",
				len(d.Advice.Recommendations), len(d.Summary.Changes), sc.Height, sc.ChangesBottom, sc.Text)
			if sc.Errors != 0 || sc.Blocked != 0 || sc.Charts != sc.Drawn {
				t.Errorf("self-check: %s", sc.Text)
			}
			if sc.ChangesBottom <= 0 || sc.ChangesBottom > 900 {
				t.Errorf("the ranked changes end at %d px: not on the first screen (900 px)", sc.ChangesBottom)
			}
			if sc.Height > maxReportHeight {
				t.Errorf("the page is %d px high with its groups collapsed, over %d", sc.Height, maxReportHeight)
			}
			// The changes are in the order of origin requests saved.
			first := d.Summary.Changes[0].Rec
			want := first.Method + " " + first.Endpoint
			m := regexp.MustCompile(`<span class="rank">1\.</span><code class="one" title="([^"]*)"`).FindStringSubmatch(dom)
			if m == nil || m[1] != want {
				t.Errorf("first ranked change: %v, want %q", m, want)
			}
			for i := 1; i < len(d.Summary.Changes); i++ {
				if d.Summary.Changes[i].SavedPerDay > d.Summary.Changes[i-1].SavedPerDay {
					t.Fatalf("changes not ranked by origin requests saved: %d after %d", i, i-1)
				}
			}
			if n := strings.Count(dom, `<details class="group"`); n != 5 || strings.Contains(dom, `<details class="group" open`) {
				t.Errorf("%d groups (want 4 and the full table), or one open", n)
			}
			if c.name == "generated-300-routes" {
				// The panels' data: the error lists, kinds of client, referrers.
				has := func(list []charts.PathCount, path string, status int) bool {
					for _, p := range list {
						if p.Path == path && p.Status == status && p.Requests == 20 {
							return true
						}
					}
					return false
				}
				if !has(d.Errors4xx, "/wp-login.php", 404) || !has(d.Errors4xx, "/api/catalog3/x", 422) || !has(d.Errors5xx, "/api/account7", 500) {
					t.Errorf("4xx %v, 5xx %v", d.Errors4xx, d.Errors5xx)
				}
				kinds := map[string]int64{}
				for _, k := range d.Clients {
					kinds[k.Kind] = k.Requests
				}
				if kinds["browser"] == 0 || kinds["bot"] == 0 || kinds["tool"] == 0 || kinds["browser"] != 2*kinds["bot"] {
					t.Errorf("clients %v: want browsers, bots and tools, twice as many browsers as bots", kinds)
				}
				if len(d.Referrers) < 3 || d.Referrers[0].Name != "(none)" || !strings.Contains(fmt.Sprint(d.Referrers), "https://news.example") {
					t.Errorf("referrers %v", d.Referrers)
				}
				i, j := strings.Index(dom, `id="safety"`), strings.Index(dom, `id="changes"`)
				if i < 0 || j < i || !strings.Contains(dom, "GET /api/account1</code>") {
					t.Errorf("no safety finding for GET /api/account1 above the changes (%d, %d)", i, j)
				}
			}
			for _, want := range []string{`id="status"`, `id="clients"`, `id="statustime"`, `id="statusroutes"`, `id="clientkinds"`} {
				if !strings.Contains(dom, want) {
					t.Errorf("the page lacks %s", want)
				}
			}
		})
	}
}
