package pipeline

import (
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/cdnadvise/cdnadvise/advisor"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/routes/routestest"

	"github.com/cdnadvise/cdnadvise/lab"
)

// TestFlaskPatch: the patch applies with git apply, compiles, and the
// patched app (Debian's Flask, through its test client) sends the
// recommended header on every patched GET route (function views, a view
// registered with add_url_rule, a MethodView) and none on POST or PUT; a
// second patch on the patched source changes nothing; under the static
// route, the fingerprinted file is immutable and the others keep Flask's
// own header.
func TestFlaskPatch(t *testing.T) {
	lab.Need(t, []string{"git"}, []string{"flask"})
	dir := lab.CopyTree(t, "../framework/flask/testdata/flaskproj")
	rt := routestest.Static(t, dir)
	headers := map[string]string{}
	var recs []*advisor.Recommendation
	for i, r := range rt.Routes {
		rec := &advisor.Recommendation{Method: r.Method, Endpoint: r.Pattern, Route: r, Class: advisor.ClassUnsafe}
		if r.Kind == "static" {
			rec.Class, rec.CacheControl = advisor.ClassImmutable, "public, max-age=31536000, immutable"
		} else if framework.SafeMethod(r.Method) && !r.PerUser {
			rec.Class, rec.CacheControl = advisor.ClassCacheable, fmt.Sprintf("public, max-age=10, s-maxage=%d", 60+i)
			headers[r.Pattern] = rec.CacheControl
		}
		recs = append(recs, rec)
	}
	res, err := Patch(dir, rt, recs, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/cache.patch", []byte(res.Diff), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q"}, {"apply", "--check", "cache.patch"}, {"apply", "cache.patch"}} {
		c := exec.Command("git", args...)
		c.Dir = dir
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s\n%s", args, err, out, res.Diff)
		}
	}
	script := `import json, py_compile, sys, glob
for f in glob.glob("shop/*.py"):
    py_compile.compile(f, doraise=True)
sys.path.insert(0, ".")
from shop import create_app
app = create_app()
c = app.test_client()
out = {}
for method, path in [("GET", "/"), ("GET", "/search/?q=a"), ("GET", "/tags/red"), ("GET", "/healthz"), ("GET", "/api/items"),
                     ("POST", "/api/items"), ("GET", "/api/items/4"), ("POST", "/api/items/4/reviews"), ("GET", "/api/leaderboard"),
                     ("GET", "/api/things/0f8fad5b-d9cb-469f-a165-70867728950e"), ("PUT", "/api/things/0f8fad5b-d9cb-469f-a165-70867728950e"),
                     ("GET", "/api/v2/files/a/b"), ("HEAD", "/api/items"), ("GET", "/assets/app.3f2a9c1b.js"), ("GET", "/assets/plain.js")]:
    r = c.open(path, method=method)
    out[method + " " + path] = [r.status_code, r.headers.get("Cache-Control", "")]
print(json.dumps(out))
`
	var got map[string][2]any
	runPatched(t, dir, script, res, &got)
	want := map[string]string{"GET /": headers["/"], "GET /search/?q=a": headers["/search/"], "GET /tags/red": headers["/tags/<slug:tag>"],
		"GET /healthz": headers["/healthz"], "GET /api/items": headers["/api/items"], "POST /api/items": "", "GET /api/items/4": headers["/api/items/<int:item_id>"],
		"POST /api/items/4/reviews": "", "GET /api/leaderboard": headers["/api/leaderboard"],
		"GET /api/things/0f8fad5b-d9cb-469f-a165-70867728950e": headers["/api/things/<uuid:thing_id>"], "PUT /api/things/0f8fad5b-d9cb-469f-a165-70867728950e": "",
		"GET /api/v2/files/a/b": headers["/api/v2/files/<path:name>"], "HEAD /api/items": headers["/api/items"],
		"GET /assets/app.3f2a9c1b.js": "public, max-age=31536000, immutable", "GET /assets/plain.js": "no-cache"}
	for k, w := range want {
		g := got[k]
		if status, _ := g[0].(float64); status >= 400 || g[1] != w {
			t.Errorf("%s: %v %q, want %q", k, g[0], g[1], w)
		}
	}
	// Patching the patched source again changes nothing.
	patchAgainChangesNothing(t, dir, recs)
}
