package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/advisor"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/framework/django"
	"github.com/cdnadvise/cdnadvise/routes"

	"github.com/cdnadvise/cdnadvise/ingest"
	"github.com/cdnadvise/cdnadvise/internal/store"
	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/replay"
)

// trafficStore makes a store of edge traffic over the given paths (Zipf-like,
// over ten minutes, two PoPs), all MISS: no CDN caching today.
func trafficStore(t *testing.T, paths []string, n int) *store.Store {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		k := int(float64(len(paths)) * rng.Float64() * rng.Float64())
		p := paths[k]
		ts := start.Add(time.Duration(i) * 600 * time.Second / time.Duration(n))
		method := "GET"
		if strings.HasPrefix(p, "POST ") {
			method, p = "POST", p[5:]
		}
		fmt.Fprintf(&b, "10.0.0.%d - - [%s] \"%s %s HTTP/1.1\" 200 %d \"-\" \"ua\" 0.050 0.049 MISS pop=%s\n",
			i%250, ts.Format("02/Jan/2006:15:04:05 -0700"), method, p, 500+k, []string{"FRA", "IAD"}[i%2])
	}
	dir := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "s.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := filepath.Join(dir, "edge.log")
	os.WriteFile(p, b.Bytes(), 0o644)
	if _, err := ingest.Run(context.Background(), st, ingest.Options{Inputs: []ingest.Input{{Path: p}}, MaxRejectRatio: 0.01}); err != nil {
		t.Fatal(err)
	}
	return st
}

// recFor returns the GET row of an endpoint.
func recFor(t *testing.T, adv *advisor.Advice, endpoint string) *advisor.Recommendation {
	t.Helper()
	return recForMethod(t, adv, "GET", endpoint)
}

func recForMethod(t *testing.T, adv *advisor.Advice, method, endpoint string) *advisor.Recommendation {
	t.Helper()
	for _, r := range adv.Recommendations {
		if r.Endpoint == endpoint && r.Method == method {
			return r
		}
	}
	t.Fatalf("no recommendation for %s %s", method, endpoint)
	return nil
}

// checkAgreement fails when advise and patch disagree on a row: every row
// of a route advised a header is patched with exactly that header (or the
// patch says why not), no unsafe method is patched, and nothing is patched
// that was not advised.
func checkAgreement(t *testing.T, adv *advisor.Advice, res *framework.PatchResult) {
	t.Helper()
	applied := map[[2]string]framework.PatchRow{}
	for _, a := range res.Applied {
		k := [2]string{a.Method, a.Pattern}
		if _, dup := applied[k]; dup {
			t.Errorf("row %s %s patched twice", a.Method, a.Pattern)
		}
		applied[k] = a
		if !framework.SafeMethod(a.Method) {
			t.Errorf("unsafe row patched: %+v", a)
		}
	}
	skipped := map[[2]string]string{}
	for _, s := range res.Skipped {
		skipped[[2]string{s.Method, s.Pattern}] = s.Reason
	}
	advised := map[[2]string]bool{}
	for _, r := range adv.Recommendations {
		if r.Route == nil {
			continue
		}
		k := [2]string{r.Method, r.Route.Pattern}
		advised[k] = true
		a, ok := applied[k]
		switch {
		case ok && r.Kept:
			t.Errorf("%s %s keeps its own header but was patched: %+v", r.Method, r.Endpoint, a)
		case ok && a.CacheControl != r.CacheControl && a.Note == "":
			t.Errorf("%s %s advised %q, patched %q", r.Method, r.Endpoint, r.CacheControl, a.CacheControl)
		case !ok && framework.SafeMethod(r.Method) && r.CacheControl != "" && !r.Kept && skipped[k] == "":
			t.Errorf("%s %s advised %q (%s) but neither patched nor listed as skipped", r.Method, r.Endpoint, r.CacheControl, r.Class)
		}
	}
	for k := range applied {
		if !advised[k] {
			t.Errorf("%s %s patched without advice", k[0], k[1])
		}
	}
}

// checkUnsafe sends each unsafe request and fails when its response carries
// a header that lets a shared cache store it.
func checkUnsafe(t *testing.T, port int, reqs []string) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	for _, r := range reqs {
		method, path, _ := strings.Cut(r, " ")
		req, _ := http.NewRequest(method, fmt.Sprintf("http://127.0.0.1:%d%s", port, path), strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Errorf("%s: %v", r, err)
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		cc := resp.Header.Get("Cache-Control")
		t.Logf("%s: %d Cache-Control: %s", r, resp.StatusCode, cc)
		if resp.StatusCode >= 400 {
			t.Errorf("%s: status %d", r, resp.StatusCode)
		}
		if strings.Contains(cc, "public") || strings.Contains(cc, "s-maxage") || strings.Contains(cc, "max-age") && !strings.Contains(cc, "private") {
			t.Errorf("%s answered with a shared-cache header: %q", r, cc)
		}
	}
}

// applyAndCompile applies the diff with git apply (after patch -p1 --dry-run)
// and compiles every patched Python file with /usr/bin/python3.
func applyAndCompile(t *testing.T, dir string, res *framework.PatchResult) {
	t.Helper()
	pf := filepath.Join(t.TempDir(), "cache.patch")
	os.WriteFile(pf, []byte(res.Diff), 0o644)
	if _, err := exec.LookPath("patch"); err == nil {
		cmd := exec.Command("patch", "-p1", "--dry-run", "-i", pf)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("patch -p1 --dry-run: %v\n%s\n%s", err, out, res.Diff)
		}
	}
	if out, err := exec.Command("git", "-C", dir, "apply", "--check", pf).CombinedOutput(); err != nil {
		t.Fatalf("git apply --check: %v\n%s\n%s", err, out, res.Diff)
	}
	lab.Git(t, dir, "apply", pf)
	for _, f := range res.Files {
		if !strings.HasSuffix(f, ".py") {
			continue
		}
		if _, err := os.Stat("/usr/bin/python3"); err != nil {
			t.Skip("no /usr/bin/python3")
		}
		out, err := exec.Command("/usr/bin/python3", "-m", "py_compile", filepath.Join(dir, f)).CombinedOutput()
		if err != nil {
			t.Fatalf("py_compile %s: %v\n%s\n%s", f, err, out, res.Diff)
		}
	}
}

func TestFastAPIAdviseAndPatch(t *testing.T) {
	dir := lab.CopyTree(t, "../framework/fastapi/testdata/fastapiproj")
	rt, err := routes.ExtractRoutes(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	paths := []string{"/nowhere"}
	for i := 1; i <= 40; i++ {
		paths = append(paths, fmt.Sprintf("/api/items/%d", i), fmt.Sprintf("/api/items/%d/raw", i))
	}
	paths = append(paths, "/", "/static/app.3f2a9c1b.js", "/users/me", "/leaderboard", "POST /api/items/", "/api/items/", "/api/items/3/reviews/9", "/health")
	st := trafficStore(t, paths, 6000)
	adv, err := Advise(context.Background(), st, advisor.Options{Routes: rt, Sweep: sweepGeneric()})
	if err != nil {
		t.Fatal(err)
	}
	item := recFor(t, adv, "/api/items/{item_id}")
	if item.Class != advisor.ClassCacheable || item.TTLSeconds <= 0 || !strings.Contains(item.CacheControl, "s-maxage=") || item.PredictedHitRatio == nil || *item.PredictedHitRatio <= 0 {
		t.Errorf("item: %+v", item)
	}
	if r := recFor(t, adv, "/users/me"); r.Class != advisor.ClassPrivate || r.CacheControl != "private, no-store" {
		t.Errorf("per-user: %+v", r)
	}
	// The view keeps "public, max-age=5": predicted at 5 s, not at the TTL
	// cdnadvise would have chosen.
	if r := recFor(t, adv, "/leaderboard"); r.Class != advisor.ClassAlreadySet || !r.Kept || r.CacheControl != "public, max-age=5" || r.TTLSeconds != 5 ||
		r.PredictedHitRatio == nil || r.Replacement == "" || r.Replacement == r.CacheControl {
		t.Errorf("already set: %+v", r)
	} else if c := advisor.At(r.Curve, 5*time.Second); c == nil || c.HitRatio != *r.PredictedHitRatio {
		t.Errorf("kept header predicted %v, the curve at 5s says %+v", *r.PredictedHitRatio, c)
	}
	if r := recFor(t, adv, "/static/{path:path}"); r.Class != advisor.ClassImmutable || r.PredictedHitRatio == nil || *r.PredictedHitRatio <= 0 {
		t.Errorf("static: %+v", r)
	}
	if len(adv.Unmatched) != 1 || adv.Unmatched[0].Path != "/nowhere" {
		t.Errorf("unmatched: %+v", adv.Unmatched)
	}
	res, err := Patch(dir, rt, adv.Recommendations, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Diff, "app/cdnadvise_cache.py") || !strings.Contains(res.Diff, `app.middleware("http")(cdnadvise_cache.set_cache_control)`) {
		t.Fatalf("diff:\n%s", res.Diff)
	}
	if strings.Contains(res.Diff, `"/leaderboard"`) {
		t.Errorf("a route that sets Cache-Control itself was patched:\n%s", res.Diff)
	}
	checkAgreement(t, adv, res)
	if r := recForMethod(t, adv, "POST", "/api/items/"); r.Class != advisor.ClassUnsafe || r.CacheControl != "" {
		t.Errorf("POST of the collection: %+v", r)
	}
	list := recFor(t, adv, "/api/items/")
	if list.Class != advisor.ClassCacheable || list.PredictedHitRatio == nil {
		t.Errorf("GET of the collection (POST on the same path): %+v", list)
	}
	applyAndCompile(t, dir, res)
	port := runFastAPI(t, dir, map[string]string{
		"/api/items/":             list.CacheControl,
		"/api/items/7":            item.CacheControl,
		"/api/items/7/raw":        recFor(t, adv, "/api/items/{item_id}/raw").CacheControl,
		"/static/app.3f2a9c1b.js": "public, max-age=31536000, immutable",
		"/users/me":               "private, no-store",
		"/leaderboard":            "public, max-age=5",
	})
	checkUnsafe(t, port, []string{"POST /api/items/"})
}

func sweepGeneric() replay.SweepOptions {
	return replay.SweepOptions{Profile: replay.Profiles()["generic"]}
}

// checkHeaders requests each path and compares Cache-Control.
func checkHeaders(t *testing.T, port int, want map[string]string) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for path, cc := range want {
		resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
		if err != nil {
			t.Errorf("GET %s: %v", path, err)
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		t.Logf("GET %s: %d Cache-Control: %s", path, resp.StatusCode, resp.Header.Get("Cache-Control"))
		if got := resp.Header.Get("Cache-Control"); got != cc || resp.StatusCode >= 400 {
			t.Errorf("GET %s: %d, Cache-Control %q, want %q", path, resp.StatusCode, got, cc)
		}
	}
}

func runFastAPI(t *testing.T, dir string, want map[string]string) int {
	port := lab.ServeApp(t, dir, []string{"fastapi", "uvicorn"}, func(port int) []string {
		return []string{"-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--log-level", "warning"}
	})
	checkHeaders(t, port, want)
	return port
}

func TestDjangoAdviseAndPatch(t *testing.T) {
	dir := lab.CopyTree(t, "../framework/django/testdata/djangoproj")
	rt, err := routes.ExtractRoutes(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	paths := []string{"/api/search/?q=shirt", "/", "/api/products/", "/blog/hello-world/", "/api/me/", "/fr/about/", "/api/leaderboard/"}
	for i := 1; i <= 30; i++ {
		paths = append(paths, fmt.Sprintf("/items/%d/", i), fmt.Sprintf("/api/products/p%d/", i), fmt.Sprintf("/blog/post-%d/", i))
	}
	paths = append(paths, "/archive/2024/", "/api/products/p1/reviews/", "/api/orders/", "/comments/", "/api/tags/",
		"POST /api/orders/", "POST /comments/", "POST /api/products/", "POST /api/tags/")
	st := trafficStore(t, paths, 8000)
	adv, err := Advise(context.Background(), st, advisor.Options{Routes: rt, Sweep: sweepGeneric()})
	if err != nil {
		t.Fatal(err)
	}
	if r := recFor(t, adv, "/api/me/"); r.Class != advisor.ClassPrivate {
		t.Errorf("login_required view: %+v", r)
	}
	if r := recFor(t, adv, "/api/leaderboard/"); r.Class != advisor.ClassAlreadySet {
		t.Errorf("already set: %+v", r)
	}
	// Collections: the GET of each is advised on its own, the POST never.
	for _, p := range []string{"/api/orders/", "/comments/", "/api/products/", "/api/tags/"} {
		// (The fixture runs LocaleMiddleware: responses vary on
		// Accept-Language and are predicted per client, so a rarely
		// requested collection may be low-reuse; it still gets its header.)
		if r := recFor(t, adv, p); (r.Class != advisor.ClassCacheable && r.Class != advisor.ClassLowReuse) || !strings.Contains(r.CacheControl, "s-maxage=") || r.PredictedHitRatio == nil {
			t.Errorf("GET %s: %s %q", p, r.Class, r.CacheControl)
		}
		if r := recForMethod(t, adv, "POST", p); r.Class != advisor.ClassUnsafe || r.CacheControl != "" {
			t.Errorf("POST %s: %+v", p, r)
		}
	}
	res, err := Patch(dir, rt, adv.Recommendations, false)
	if err != nil {
		t.Fatal(err)
	}
	checkAgreement(t, adv, res)
	for _, want := range []string{
		"from django.views.decorators.cache import cache_control",
		`@method_decorator(cache_control(`,
		`name="list")`, `name="retrieve")`, `name="get")`,
		"from django.utils.decorators import method_decorator",
		"+@cache_control_safe(", "from .cdnadvise_cache import cache_control_safe", "shop/cdnadvise_cache.py",
	} {
		if !strings.Contains(res.Diff, want) {
			t.Errorf("diff lacks %q:\n%s", want, res.Diff)
		}
	}
	// @cache_control goes above @api_view, @require_GET and @login_required.
	for _, above := range []string{"@api_view", "@require_GET", "@login_required"} {
		i := strings.Index(res.Diff, "+@cache_control(")
		j := strings.Index(res.Diff, " "+above)
		if i < 0 || j < 0 {
			t.Errorf("diff lacks %s context", above)
		}
	}
	applyAndCompile(t, dir, res)
	// Never twice: patching the patched tree changes no view again.
	rt2, err := routes.ExtractRoutes(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rt2.Close()
	adv2, err := Advise(context.Background(), st, advisor.Options{Routes: rt2, Sweep: sweepGeneric()})
	if err != nil {
		t.Fatal(err)
	}
	res2, err := Patch(dir, rt2, adv2.Recommendations, false)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(res2.Diff, "@cache_control(") || strings.Contains(res2.Diff, "@method_decorator(") || strings.Contains(res2.Diff, "@cache_control_safe(") {
		t.Errorf("second patch adds headers again:\n%s", res2.Diff)
	}
	want := map[string]string{
		"/items/7/":         recFor(t, adv, "/items/<int:pk>/").CacheControl,
		"/api/search/?q=x":  recFor(t, adv, "/api/search/").CacheControl,
		"/blog/hello/":      recFor(t, adv, "/blog/<slug:slug>/").CacheControl,
		"/api/leaderboard/": "max-age=5",
		"/":                 recFor(t, adv, "/").CacheControl,
		"/api/products/":    recFor(t, adv, "/api/products/").CacheControl,
		"/api/products/p3/": recFor(t, adv, "/api/products/<slug>/").CacheControl,
		"/api/orders/":      recFor(t, adv, "/api/orders/").CacheControl,
		"/comments/":        recFor(t, adv, "/comments/").CacheControl,
		"/api/tags/":        recFor(t, adv, "/api/tags/").CacheControl,
		"/api/me/":          "private, no-store", // login_required's redirect too
	}
	port := runDjango(t, dir, want)
	checkUnsafe(t, port, []string{"POST /api/orders/", "POST /comments/", "POST /api/products/", "POST /api/tags/"})
}

func runDjango(t *testing.T, dir string, want map[string]string) int {
	port := lab.ServeApp(t, dir, []string{"django", "rest_framework"}, func(port int) []string {
		return []string{"manage.py", "runserver", fmt.Sprintf("127.0.0.1:%d", port), "--noreload"}
	})
	checkHeaders(t, port, want)
	return port
}

func TestPolicyMaxStaleAndReplace(t *testing.T) {
	dir := lab.CopyTree(t, "../framework/fastapi/testdata/fastapiproj")
	rt, err := routes.ExtractRoutes(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	var paths []string
	for i := 1; i <= 40; i++ {
		paths = append(paths, fmt.Sprintf("/api/items/%d", i))
	}
	paths = append(paths, "/", "/health", "/leaderboard")
	st := trafficStore(t, paths, 6000)
	base, err := Advise(context.Background(), st, advisor.Options{Routes: rt, Sweep: sweepGeneric()})
	if err != nil {
		t.Fatal(err)
	}
	// --max-stale 30s: TTL plus stale-while-revalidate within 30 s.
	capped, err := Advise(context.Background(), st, advisor.Options{Routes: rt, Sweep: sweepGeneric(), MaxStale: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	r := recFor(t, capped, "/api/items/{item_id}")
	if r.TTLSeconds > 30 || r.TTLSeconds+r.SWRSeconds > 30 || r.TTLSeconds <= 0 {
		t.Errorf("max-stale 30s: ttl %d swr %d (%s)", r.TTLSeconds, r.SWRSeconds, r.CacheControl)
	}
	if b := recFor(t, base, "/api/items/{item_id}"); b.TTLSeconds < r.TTLSeconds {
		t.Errorf("capped TTL %d above uncapped %d", r.TTLSeconds, b.TTLSeconds)
	}
	// A policy forces a TTL, a header, or skips a route.
	pol := map[string]advisor.Policy{"/api/items/{item_id}": {TTL: "5m"}, "/": {CacheControl: "public, max-age=10"}, "/health": {Skip: true}}
	p, err := Advise(context.Background(), st, advisor.Options{Routes: rt, Sweep: sweepGeneric(), Policies: pol})
	if err != nil {
		t.Fatal(err)
	}
	if r := recFor(t, p, "/api/items/{item_id}"); r.TTLSeconds != 300 {
		t.Errorf("policy ttl: %+v", r)
	}
	if r := recFor(t, p, "/"); r.CacheControl != "public, max-age=10" {
		t.Errorf("policy header: %+v", r)
	}
	if r := recFor(t, p, "/health"); r.CacheControl != "" {
		t.Errorf("policy skip: %+v", r)
	}
	// --replace: the middleware overrides headers routes set themselves.
	repl, err := Advise(context.Background(), st, advisor.Options{Routes: rt, Sweep: sweepGeneric(), Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := recFor(t, repl, "/leaderboard"); r.Kept || r.CacheControl == "" {
		t.Errorf("--replace: /leaderboard should get a new header: %+v", r)
	}
	if r := recFor(t, base, "/leaderboard"); !r.Kept || r.Replacement == "" {
		t.Errorf("without --replace: /leaderboard keeps its header: %+v", r)
	}
	res, err := Patch(dir, rt, repl.Recommendations, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Diff, "REPLACE = True") || !strings.Contains(res.Diff, `"/leaderboard"`) {
		t.Errorf("replace:\n%s", res.Diff)
	}
	applyAndCompile(t, dir, res)
}

func TestPatchStaysUnderSrc(t *testing.T) {
	if err := framework.UnderRoot("/tmp/x", "../etc/passwd"); err == nil {
		t.Error("../ accepted")
	}
	if err := framework.UnderRoot("/tmp/x", "/etc/passwd"); err == nil {
		t.Error("absolute path accepted")
	}
	dir := t.TempDir()
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "v.py"), []byte("x = 1\n"), 0o644)
	os.Symlink(filepath.Join(outside, "v.py"), filepath.Join(dir, "v.py"))
	if err := framework.UnderRoot(dir, "v.py"); err == nil {
		t.Error("symlink leaving --src accepted")
	}
}

func TestDjangoArgs(t *testing.T) {
	got := django.DjangoArgs("public, max-age=0, s-maxage=300, stale-while-revalidate=30, stale-if-error=86400")
	if got != "public=True, max_age=0, s_maxage=300, stale_while_revalidate=30, stale_if_error=86400" {
		t.Error(got)
	}
	if got := django.DjangoArgs("private, no-store"); got != "private=True, no_store=True" {
		t.Error(got)
	}
}
