package advisor

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/cdnadvise/cdnadvise/lab"
)

// TestFlaskRoutes: the routes read from the Flask fixture's source (an app
// factory, blueprints with url_prefix at creation and at registration, a
// nested blueprint, @route with methods, @get/@post, add_url_rule with a
// function and with MethodView.as_view, a custom converter, the static
// route) are, per method, the rules Flask itself builds (app.url_map, read
// with Debian's Flask); and request paths map to the rule Werkzeug matches
// (a rule ending in a slash takes the path without it too: Werkzeug
// redirects there).
func TestFlaskRoutes(t *testing.T) {
	rt, err := ExtractRoutes("testdata/flaskproj")
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	if rt.Framework != "flask" {
		t.Fatalf("framework %s, notes %v", rt.Framework, rt.Notes)
	}
	var got []string
	for _, r := range rt.Routes {
		if r.Unresolved != "" {
			t.Errorf("%s %s: %s", r.Method, r.Pattern, r.Unresolved)
		}
		got = append(got, r.Method+" "+r.Pattern)
	}
	sort.Strings(got)

	lab.Need(t, nil, []string{"flask"})
	paths := []string{"/", "/api/items", "/api/items/42", "/api/items/x", "/api/items/42/reviews", "/api/leaderboard",
		"/api/things/0f8fad5b-d9cb-469f-a165-70867728950e", "/api/things/nope", "/api/v2/files/a/b/c.txt", "/assets/app.js",
		"/healthz", "/me", "/search/", "/search", "/tags/red-shoes", "/tags/Red", "/admin/stats", "/nowhere"}
	script := `import json, sys
sys.path.insert(0, ".")
from shop import create_app
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect
app = create_app()
rows = []
for r in app.url_map.iter_rules():
    for m in sorted(r.methods - {"HEAD", "OPTIONS"}):
        rows.append(m + " " + r.rule)
adapter = app.url_map.bind("shop.example")
matches = {}
for p in sys.argv[1:]:
    try:
        rule, _ = adapter.match(p, return_rule=True)
        matches[p] = rule.rule
    except RequestRedirect as e:
        matches[p] = adapter.match(e.new_url.split("shop.example", 1)[1], return_rule=True)[0].rule
    except MethodNotAllowed as e:
        matches[p] = adapter.match(p, method=sorted(e.valid_methods)[0], return_rule=True)[0].rule
    except NotFound:
        matches[p] = ""
print(json.dumps({"rows": sorted(rows), "matches": matches}))
`
	cmd := exec.Command("/usr/bin/python3", append([]string{"-c", script}, paths...)...)
	cmd.Dir = "testdata/flaskproj"
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("flask: %v %s %s", err, out, stderr.String())
	}
	var want struct {
		Rows    []string
		Matches map[string]string
	}
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if strings.Join(got, "\n") != strings.Join(want.Rows, "\n") {
		t.Errorf("routes:\n%s\nFlask's url_map:\n%s", strings.Join(got, "\n"), strings.Join(want.Rows, "\n"))
	}
	for _, p := range paths {
		pattern, _ := rt.Route(p)
		if pattern != want.Matches[p] {
			t.Errorf("%s -> %q, Werkzeug matches %q", p, pattern, want.Matches[p])
		}
	}
}

// TestFlaskPatch: the patch applies with git apply, compiles, and the
// patched app (Debian's Flask, through its test client) sends the
// recommended header on every patched GET route (function views, a view
// registered with add_url_rule, a MethodView) and none on POST or PUT; a
// second patch on the patched source changes nothing; under the static
// route, the fingerprinted file is immutable and the others keep Flask's
// own header.
func TestFlaskPatch(t *testing.T) {
	lab.Need(t, []string{"git"}, []string{"flask"})
	dir := copyTree(t, "testdata/flaskproj")
	rt, err := ExtractRoutes(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	headers := map[string]string{}
	var recs []*Recommendation
	for i, r := range rt.Routes {
		rec := &Recommendation{Method: r.Method, Endpoint: r.Pattern, route: r, Class: ClassUnsafe}
		if r.Kind == "static" {
			rec.Class, rec.CacheControl = ClassImmutable, "public, max-age=31536000, immutable"
		} else if SafeMethod(r.Method) && !r.PerUser {
			rec.Class, rec.CacheControl = ClassCacheable, fmt.Sprintf("public, max-age=10, s-maxage=%d", 60+i)
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
	cmd := exec.Command("/usr/bin/python3", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("patched app: %v %s\n%s", err, stderr.String(), res.Diff)
	}
	var got map[string][2]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
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
	rt2, err := ExtractRoutes(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rt2.Close()
	for _, rec := range recs {
		for _, r := range rt2.Routes {
			if r.Method == rec.Method && r.Pattern == rec.Endpoint {
				rec.route = r
			}
		}
	}
	res2, err := Patch(dir, rt2, recs, false)
	if err != nil {
		t.Fatal(err)
	}
	if res2.Diff != "" {
		t.Errorf("a second patch changes the source again:\n%s", res2.Diff)
	}
}
