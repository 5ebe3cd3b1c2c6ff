package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/advisor"
	"github.com/cdnadvise/cdnadvise/charts"
	"github.com/cdnadvise/cdnadvise/ingest"
	"github.com/cdnadvise/cdnadvise/internal/loggen"
	"github.com/cdnadvise/cdnadvise/internal/store"
	"github.com/cdnadvise/cdnadvise/replay"
	"github.com/cdnadvise/cdnadvise/routes"
	"github.com/cdnadvise/cdnadvise/runs"
)

// hostile lines: paths, queries and user agents that try to run script in
// the report.
var hostile = []string{
	`203.0.113.66 - - [01/Nov/2026:00:00:30 +0000] "GET /x"><img src=x onerror="document.body.setAttribute('data-pwned','img')"> HTTP/1.1" 200 10 "-" "<script>document.body.setAttribute('data-pwned','ua')</script>" 0.001 - MISS pop=FRA`,
	`203.0.113.66 - - [01/Nov/2026:00:00:31 +0000] "GET /<script>document.body.setAttribute('data-pwned','path')</script> HTTP/1.1" 200 10 "-" "ua" 0.001 - MISS pop=</script><script>document.body.setAttribute('data-pwned','pop')</script>`,
	`203.0.113.66 - - [01/Nov/2026:00:00:32 +0000] "GET /search/?q=</script><script>document.body.setAttribute('data-pwned','query')</script>&utm_source=x HTTP/1.1" 200 10 "-" "ua" 0.001 - MISS pop=IAD`,
}

func reportStore(t *testing.T) *store.Store {
	t.Helper()
	var edge, origin bytes.Buffer
	if err := loggen.EdgeAndOrigin(&edge, &origin, loggen.Options{Lines: 5000, Seed: 9}); err != nil {
		t.Fatal(err)
	}
	for _, h := range hostile {
		edge.WriteString(h + "\n")
	}
	dir := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "s.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	os.WriteFile(filepath.Join(dir, "edge.log"), edge.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "origin.log"), origin.Bytes(), 0o644)
	_, err = ingest.Run(context.Background(), st, ingest.Options{Inputs: []ingest.Input{{Path: filepath.Join(dir, "edge.log")}, {Path: filepath.Join(dir, "origin.log")}}, MaxRejectRatio: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// withAfter records the advice on the store as advise does, then ingests a
// day of traffic after it: the report gets its before/after section.
func withAfter(t *testing.T, st *store.Store, src string) {
	t.Helper()
	rt, err := routes.ExtractRoutes(src)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	prof, _ := replay.LookupProfile("generic", "")
	adv, err := Advise(context.Background(), st, advisor.Options{Routes: rt, Sweep: replay.SweepOptions{Profile: prof}, Load: replay.LoadOptions{PerPoP: true}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runs.Record(context.Background(), st, adv, runs.RunInfo{Command: "advise"}); err != nil {
		t.Fatal(err)
	}
	var edge, origin bytes.Buffer
	if err := loggen.EdgeAndOrigin(&edge, &origin, loggen.Options{Lines: 3000, Seed: 10, Start: adv.Analysis.To.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "edge2.log"), edge.Bytes(), 0o644)
	if _, err := ingest.Run(context.Background(), st, ingest.Options{Inputs: []ingest.Input{{Path: filepath.Join(dir, "edge2.log")}}, MaxRejectRatio: 0.01}); err != nil {
		t.Fatal(err)
	}
}

func render(t *testing.T, st *store.Store, o ReportOptions) string {
	t.Helper()
	d, err := Report(context.Background(), st, o)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := charts.Render(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestReportIsSelfContainedAndEscaped(t *testing.T) {
	st := reportStore(t)
	html := render(t, st, ReportOptions{Src: "../framework/fastapi/testdata/fastapiproj"})
	for _, bad := range []string{`src="http`, `src='http`, `href="http`, `<script src`, `data-pwned','img')">`} {
		if strings.Contains(html, bad) {
			t.Errorf("report contains %q", bad)
		}
	}
	for _, raw := range []string{`<img src=x onerror`, `<script>document.body.setAttribute`} {
		if strings.Contains(html, raw) {
			t.Errorf("log string %q reached the page unescaped", raw)
		}
	}
	if !strings.Contains(html, "Apache License") || !strings.Contains(html, "echarts") {
		t.Error("echarts or its license missing")
	}
	if !strings.Contains(html, "cdnadvise_cache.py") {
		t.Error("the patch is not in the report")
	}
}

// needChromium returns Debian's chromium, or skips (fails in CI).
func needChromium(t *testing.T) string {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI needs Debian's chromium (apt-get install chromium)")
		}
		t.Skip("chromium not installed (apt-get install chromium)")
	}
	return chromium
}

// selfCheck is what the page's self-check says once its scripts ran.
type selfCheck struct {
	Charts, Drawn, Errors, Blocked int
	Height, ChangesBottom          int
	Text                           string
}

// openInChromium loads the page in headless Chromium with a window of w×h
// pixels, with the network refused, and returns the DOM after its scripts
// ran and the page's self-check; with shot set, it also saves a screenshot
// of the first screen there.
func openInChromium(t *testing.T, chromium, page string, w, h int, shot string) (string, selfCheck) {
	t.Helper()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--user-data-dir=" + t.TempDir(),
		"--host-resolver-rules=MAP * ~NOTFOUND", "--hide-scrollbars", fmt.Sprintf("--window-size=%d,%d", w, h), "--virtual-time-budget=5000"}
	run := func(extra ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, chromium, append(append(append([]string(nil), args...), extra...), "file://"+page)...)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium: %v\n%s", err, errOut.String())
		}
		return out.String()
	}
	dom := run("--dump-dom")
	if shot != "" {
		run("--screenshot=" + shot)
		if st, err := os.Stat(shot); err != nil || st.Size() == 0 {
			t.Fatalf("no screenshot at %s: %v", shot, err)
		}
	}
	tag := regexp.MustCompile(`<p class="muted" id="selfcheck"([^>]*)>([^<]*)`).FindStringSubmatch(dom)
	if tag == nil {
		t.Fatalf("no self-check in the rendered page (did the scripts run?)\n%s", tail(dom, 2000))
	}
	var sc selfCheck
	sc.Text = tag[2]
	for _, f := range []struct {
		name string
		v    *int
	}{{"charts", &sc.Charts}, {"drawn", &sc.Drawn}, {"errors", &sc.Errors}, {"blocked", &sc.Blocked}, {"height", &sc.Height}, {"changes-bottom", &sc.ChangesBottom}} {
		m := regexp.MustCompile(`data-` + f.name + `="(-?\d+)"`).FindStringSubmatch(tag[1])
		if m == nil {
			t.Fatalf("self-check lacks data-%s: %s", f.name, tag[0])
		}
		fmt.Sscan(m[1], f.v)
	}
	return dom, sc
}

func TestReportInHeadlessChromium(t *testing.T) {
	chromium := needChromium(t)
	st := reportStore(t)
	withAfter(t, st, "../framework/fastapi/testdata/fastapiproj")
	page := filepath.Join(t.TempDir(), "report.html")
	html := render(t, st, ReportOptions{Src: "../framework/fastapi/testdata/fastapiproj"})
	if !strings.Contains(html, "Before and after advice run 1") || !strings.Contains(html, `id="beforeafter"`) {
		t.Error("no before/after section for a recorded run with traffic after it")
	}
	os.WriteFile(page, []byte(html), 0o644)
	dom, sc := openInChromium(t, chromium, page, 1400, 900, "")
	t.Logf("%s", sc.Text)
	if sc.Charts == 0 || sc.Charts != sc.Drawn {
		t.Errorf("%d of %d charts drew", sc.Drawn, sc.Charts)
	}
	if sc.Errors != 0 {
		t.Errorf("script errors: %s", sc.Text)
	}
	if sc.Blocked != 0 {
		t.Errorf("external requests were attempted: %s", sc.Text)
	}
	if ran := regexp.MustCompile(`\sdata-pwned="[^"]*"`).FindString(dom); ran != "" {
		t.Errorf("an injected payload ran: %s", ran)
	}
	if !strings.Contains(dom, "&lt;script&gt;document.body.setAttribute") && !strings.Contains(dom, "&lt;img src=x onerror") {
		t.Error("the hostile paths are not shown (escaped) in the page")
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// TestReportSizeWithManyEndpoints: 100,000 distinct endpoints go to the
// paged table (compact rows), the charts show the top ones.
func TestReportSizeWithManyEndpoints(t *testing.T) {
	st := reportStore(t)
	d, err := Report(context.Background(), st, ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	base := d.Analysis.Rows[0]
	d.Analysis.Rows = nil
	for i := 0; i < 100_000; i++ {
		r := base
		r.Endpoint = fmt.Sprintf("/generated/%d/<b>", i)
		r.Requests = int64(100_000 - i)
		d.Analysis.Rows = append(d.Analysis.Rows, r)
	}
	var b bytes.Buffer
	if err := charts.Render(&b, d); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	if len(html) > 16<<20 {
		t.Errorf("report is %d bytes", len(html))
	}
	if !strings.Contains(html, `/generated/99999/\u003cb\u003e`) {
		t.Error("the last endpoint is not in the paged table (or not escaped)")
	}
	if strings.Count(html, "/generated/") > 100_000+5*15 {
		t.Error("endpoints repeated beyond the table and the top-N charts")
	}
	t.Logf("report with 100,000 endpoints: %d bytes", len(html))
}
