package routes

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/framework"

	"github.com/cdnadvise/cdnadvise/lab"
)

// exactOf runs the static pass and exact mode on dir.
func exactOf(t *testing.T, dir string, timeout time.Duration) (*framework.Routes, *framework.Routes, *framework.ExactDiff) {
	t.Helper()
	st, err := ExtractRoutes(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	rt, d, err := ExactRoutes(context.Background(), lab.TestPython, dir, st, timeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	var b bytes.Buffer
	d.Write(&b)
	t.Logf("%s", b.String())
	return st, rt, d
}

func briefs(rt *framework.Routes) []string {
	var out []string
	for _, r := range rt.Routes {
		out = append(out, brief(r))
	}
	sort.Strings(out)
	return out
}

func sameList(t *testing.T, what string, got, want []string) {
	t.Helper()
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n%s\nwant:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// sameAsStatic checks that every row the static pass resolved is in the
// exact table with the same method, pattern, view, flags and view
// definition (so that the patcher edits the same line), except for the
// differences listed in views (static view -> framework view).
func sameAsStatic(t *testing.T, st, rt *framework.Routes, views map[string]string) {
	t.Helper()
	for _, s := range st.Routes {
		if s.Unresolved != "" {
			continue
		}
		var e *framework.Route
		for _, r := range rt.Routes {
			if r.Method == s.Method && r.Pattern == s.Pattern {
				e = r
			}
		}
		if e == nil {
			t.Errorf("static row %s missing from the exact table", brief(s))
			continue
		}
		view := s.View
		if v, ok := views[view]; ok {
			view = v
			if v == "*" { // any view name the framework gives
				view = e.View
			}
		}
		if e.View != view || e.HasCacheControl != s.HasCacheControl || e.PerUser != s.PerUser || e.File != s.File || e.Line != s.Line {
			t.Errorf("exact row %s (%s:%d), static %s (%s:%d)", brief(e), e.File, e.Line, brief(s), s.File, s.Line)
		}
		if e.ViewFile() != s.ViewFile() || e.ViewLine() != s.ViewLine() {
			t.Errorf("%s: exact view definition %s:%d, static %s:%d", s.Pattern, e.ViewFile(), e.ViewLine(), s.ViewFile(), s.ViewLine())
		}
	}
}

func TestExactDjango(t *testing.T) {
	lab.Need(t, nil, []string{"django", "rest_framework"})
	st, rt, d := exactOf(t, "testdata/djangoproj", time.Minute)
	if rt.Framework != "django" || len(rt.Notes) == 0 || !strings.Contains(rt.Notes[0], "routes read from the framework with "+lab.TestPython) {
		t.Errorf("framework %s, notes %q", rt.Framework, rt.Notes)
	}
	sameList(t, "exact routes", briefs(rt), []string{
		// require_GET answers GET only (the static pass says GET,HEAD).
		"GET / GET shop.views.home",
		"GET /<lang>/about/  shop.views.about",
		"GET /api/ GET rest_framework.routers.APIRootView",
		// Built by a call: resolved by running it.
		"GET /api/dynamic/  shop.views.make_view.<locals>.dynamic",
		"GET /api/leaderboard/  shop.views.leaderboard [cache-control]",
		"GET /api/me/  shop.views.profile [per-user]",
		"GET /api/orders/  shop.views.orders",
		"GET /api/products/ GET shop.api.ProductViewSet.list",
		"GET /api/products/<slug>/ GET shop.api.ProductViewSet.retrieve",
		"GET /api/products/<slug>/reviews/ GET shop.api.ProductViewSet.reviews",
		"GET /api/products/featured/ GET shop.api.ProductViewSet.featured",
		"GET /api/search/ GET shop.api.search",
		"GET /api/tags/ GET,POST shop.api.tags",
		"GET /blog/  blog.views.index",
		"GET /blog/<slug:slug>/  blog.views.post",
		"GET /blog/contact/  blog.views.contact",
		"GET /by-year/<yyyy:year>/  shop.views.archive",
		"GET /comments/ GET,POST shop.views.CommentList",
		"GET /items/<int:pk>/ GET shop.views.ItemDetail",
		"GET ^/archive/(?P<year>[0-9]{4})/$  shop.views.archive",
		"POST /api/products/ POST shop.api.ProductViewSet.create",
		"POST /api/tags/ GET,POST shop.api.tags",
		"POST /comments/ GET,POST shop.views.CommentList",
		`POST ^/api/products\.(?P<format>[a-z0-9]+)/?$ POST shop.api.ProductViewSet.create`,
		// DefaultRouter's format suffixes (.json, .api).
		`GET ^/api/\.(?P<format>[a-z0-9]+)/?$ GET rest_framework.routers.APIRootView`,
		`GET ^/api/products/(?P<slug>[^/.]+)/reviews\.(?P<format>[a-z0-9]+)/?$ GET shop.api.ProductViewSet.reviews`,
		`GET ^/api/products/(?P<slug>[^/.]+)\.(?P<format>[a-z0-9]+)/?$ GET shop.api.ProductViewSet.retrieve`,
		`GET ^/api/products/featured\.(?P<format>[a-z0-9]+)/?$ GET shop.api.ProductViewSet.featured`,
		`GET ^/api/products\.(?P<format>[a-z0-9]+)/?$ GET shop.api.ProductViewSet.list`,
	})
	sameAsStatic(t, st, rt, map[string]string{"router (api root)": "rest_framework.routers.APIRootView"})
	for _, r := range rt.Routes {
		if r.Pattern == "/api/dynamic/" && (r.ViewFile() != "shop/views.py" || r.ViewLine() != 54) {
			t.Errorf("/api/dynamic/: view definition %s:%d, want the nested def at shop/views.py:54", r.ViewFile(), r.ViewLine())
		}
		if r.Action != "" && r.Kind != "viewset" {
			t.Errorf("%s: action %s, kind %s", r.Pattern, r.Action, r.Kind)
		}
	}
	for path, pattern := range map[string]string{
		"/api/dynamic/":             "/api/dynamic/",
		"/api/products/blue-shirt/": "/api/products/<slug>/",
		"/api/products.json":        `^/api/products\.(?P<format>[a-z0-9]+)/?$`,
		"/by-year/2024/":            "/by-year/<yyyy:year>/",
		"/fr/about/":                "/<lang>/about/",
	} {
		if got, ok := rt.Route(path); !ok || got != pattern {
			t.Errorf("%s -> %q %v, want %s", path, got, ok, pattern)
		}
	}
	if d.FrameworkRows != 29 || d.StaticRows != 29 || d.Matched != 28 || d.Builtin != 0 || len(d.StaticOnly) != 0 || len(d.FrameworkOnly) != 1 {
		t.Errorf("diff: %+v", d)
	}
	if want := 28.0 / 29; d.Recall != want {
		t.Errorf("recall %.3f, want %.3f", d.Recall, want)
	}
	found := false
	for _, r := range d.FrameworkOnly {
		if r.Pattern == "/api/dynamic/" {
			found = true
			if len(r.Nearby) != 1 || !strings.Contains(r.Nearby[0], "shop/api_urls.py:15") || !strings.Contains(r.Nearby[0], "view built by views.make_view()") {
				t.Errorf("/api/dynamic/ nearby: %q", r.Nearby)
			}
		}
	}
	if !found {
		t.Errorf("/api/dynamic/ not reported as framework-only: %+v", d.FrameworkOnly)
	}
}

func TestExactFastAPI(t *testing.T) {
	lab.Need(t, nil, []string{"fastapi"})
	st, rt, d := exactOf(t, "testdata/fastapiproj", time.Minute)
	if rt.Framework != "fastapi" {
		t.Errorf("framework %s", rt.Framework)
	}
	sameList(t, "exact routes", briefs(rt), []string{
		"GET / GET app.main.root",
		"GET /api/items/ GET app.routers.items.list_items",
		"GET /api/items/{item_id} GET app.routers.items.get_item",
		"GET /api/items/{item_id}/raw GET app.routers.items.get_raw",
		"GET /api/items/{item_id}/reviews/{review_id} GET app.routers.items.get_review",
		"GET /health GET app.main.health",
		"GET /leaderboard GET app.routers.users.leaderboard [cache-control]",
		"GET /static/{path:path} GET,HEAD starlette.staticfiles.StaticFiles",
		"GET /users/me GET app.routers.users.me [per-user]",
		"POST /api/items/ POST app.routers.items.create_item",
		// FastAPI's own documentation routes.
		"GET /docs GET,HEAD fastapi.applications.FastAPI.setup.<locals>.swagger_ui_html",
		"GET /docs/oauth2-redirect GET,HEAD fastapi.applications.FastAPI.setup.<locals>.swagger_ui_redirect",
		"GET /openapi.json GET,HEAD fastapi.applications.FastAPI.setup.<locals>.openapi",
		"GET /redoc GET,HEAD fastapi.applications.FastAPI.setup.<locals>.redoc_html",
	})
	sameAsStatic(t, st, rt, map[string]string{`StaticFiles(directory=Path(__file__).parent / "static")`: "starlette.staticfiles.StaticFiles",
		"FastAPI (built in)": "*"})
	for _, r := range rt.Routes {
		if r.Kind == "static" && r.RouteName != "/static" {
			t.Errorf("static mount route name %q, want /static (what the middleware matches)", r.RouteName)
		}
	}
	// The static pass lists FastAPI's own routes too: all matched.
	if d.FrameworkRows != 14 || d.Builtin != 0 || d.Matched != 14 || d.Recall != 1 || len(d.StaticOnly) != 0 || len(d.FrameworkOnly) != 0 {
		t.Errorf("diff: %+v", d)
	}
	for _, r := range d.FrameworkOnly {
		if !r.Builtin {
			t.Errorf("framework-only row %+v is not built in", r)
		}
	}
}

// TestExactFastAPIFactory: an app made by create_app() next to a mounted
// sub-app and a uvicorn.run() guarded by __main__ (not run: the module is
// imported under its name); the sub-app's routes are served under its
// mount, and the static pass finds both the same.
func TestExactFastAPIFactory(t *testing.T) {
	lab.Need(t, nil, []string{"fastapi"})
	dir := lab.WriteFiles(t, map[string]string{
		"svc/__init__.py": "",
		"svc/main.py": "import uvicorn\nfrom fastapi import FastAPI\n\nsub = FastAPI()\n\n\n@sub.get(\"/ping\")\ndef ping():\n    return {}\n\n\n" +
			"def create_app():\n    application = FastAPI()\n    application.mount(\"/sub\", sub)\n\n    @application.get(\"/hello/{name}\")\n    def hello(name: str):\n        return {}\n\n    return application\n\n\n" +
			"app = create_app()\n\nif __name__ == \"__main__\":\n    uvicorn.run(app, port=1)\n",
	})
	_, rt, d := exactOf(t, dir, time.Minute)
	var got []string
	for _, r := range rt.Routes {
		if !rt.BuiltinView(r) {
			got = append(got, brief(r))
		}
	}
	sort.Strings(got)
	sameList(t, "exact routes", got, []string{"GET /hello/{name} GET svc.main.create_app.<locals>.hello", "GET /sub/ping GET svc.main.ping"})
	for _, r := range rt.Routes {
		if r.Pattern == "/hello/{name}" && r.ViewLine() != 16 {
			t.Errorf("hello: view definition at line %d, want 16 (the decorator of the nested def)", r.ViewLine())
		}
	}
	var only []string
	for _, r := range d.FrameworkOnly {
		if !r.Builtin {
			only = append(only, r.Method+" "+r.Pattern)
		}
	}
	sameList(t, "framework only", only, nil)
	var static []string
	for _, r := range d.StaticOnly {
		static = append(static, r.Method+" "+r.Pattern)
	}
	sameList(t, "static only", static, nil)
}

// TestExactTimeout: settings that hang are killed at the timeout, and what
// they started too.
func TestExactTimeout(t *testing.T) {
	lab.Need(t, nil, []string{"django"})
	dir := lab.WriteFiles(t, map[string]string{
		"manage.py":        "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"slow.settings\")\n",
		"slow/__init__.py": "",
		"slow/settings.py": "import subprocess, time\nSECRET_KEY = \"x\"\nROOT_URLCONF = \"slow.urls\"\n" +
			"open(\"child.pid\", \"w\").write(str(subprocess.Popen([\"sleep\", \"60\"]).pid))\ntime.sleep(60)\n",
		"slow/urls.py": "urlpatterns = []\n",
	})
	st, err := ExtractRoutes(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	_, _, err = ExactRoutes(context.Background(), lab.TestPython, dir, st, 2*time.Second)
	if err == nil || !strings.Contains(err.Error(), "timed out after 2s") {
		t.Fatalf("error %v, want a timeout", err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("returned after %s", el)
	}
	b, err := os.ReadFile(filepath.Join(dir, "child.pid"))
	if err != nil {
		t.Fatalf("the settings did not start their child: %v", err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	for i := 0; ; i++ {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil || syscall.Kill(pid, 0) != nil || strings.Contains(string(stat), ") Z ") {
			break // gone (or a zombie waiting for its new parent)
		}
		if i == 40 {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the settings' child %d survived the timeout", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A cancelled context stops it too.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	if _, _, err := ExactRoutes(ctx, lab.TestPython, dir, st, time.Minute); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("error %v, want context canceled", err)
	}
}

// TestExactImportError: a dependency the interpreter lacks is reported with
// the exception, a hint and the end of the traceback.
func TestExactImportError(t *testing.T) {
	lab.Need(t, nil, []string{"django"})
	dir := lab.WriteFiles(t, map[string]string{
		"manage.py":         "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"proj.settings\")\n",
		"proj/__init__.py":  "",
		"proj/settings.py":  "SECRET_KEY = \"x\"\nROOT_URLCONF = \"proj.urls\"\n",
		"proj/urls.py":      "from django.urls import path\n\nfrom proj import views\n\nurlpatterns = [path(\"\", views.home)]\n",
		"proj/views.py":     "import cdnadvise_missing_dependency\n\n\ndef home(request):\n    pass\n",
		"other/__init__.py": "",
		"other/settings.py": "raise RuntimeError(\"settings need SECRET_ENV\")\n",
		"other/urls.py":     "urlpatterns = []\n",
	})
	_, _, err := ExactRoutes(context.Background(), lab.TestPython, dir, nil, time.Minute)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"could not read the Django routes", "No module named 'cdnadvise_missing_dependency'", "the project's interpreter", "last lines of its stderr", "proj/views.py"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	// Settings that fail: the exception is the message.
	_, _, err = ExactRoutesWith(context.Background(), framework.ExactOptions{Python: lab.TestPython, Src: dir, Settings: "other.settings"})
	if err == nil || !strings.Contains(err.Error(), "RuntimeError: settings need SECRET_ENV") {
		t.Errorf("error %v, want the settings' RuntimeError", err)
	}
	// No interpreter.
	_, _, err = ExactRoutes(context.Background(), filepath.Join(dir, "no-python"), dir, nil, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "cannot run") {
		t.Errorf("error %v, want cannot run", err)
	}
}

func TestCanonPattern(t *testing.T) {
	for in, want := range map[string]string{
		"/api/products/<slug>/":                       "/api/products/{}/",
		`^/api/products/(?P<slug>[^/.]+)/$`:           "/api/products/{}/",
		`^/archive/(?P<year>[0-9]{4})/$`:              "/archive/{}/",
		"/items/{item_id}/reviews/{review_id}":        "/items/{}/reviews/{}",
		"/static/{path:path}":                         "/static/{}",
		`^/api/products\.(?P<format>[a-z0-9]+)/?$`:    "/api/products.{}/?",
		`^/v1\.0/(\d+)/(?:(?P<x>a(b)c))/$`:            "/v1.0/{}/{}/",
		"/<lang>/about/":                              "/{}/about/",
		"/by-year/<yyyy:year>/":                       "/by-year/{}/",
		"/":                                           "/",
		`^/api/products/featured\.(?P<format>[a-z]+)`: "/api/products/featured.{}",
	} {
		if got := framework.CanonPattern(in); got != want {
			t.Errorf("canonPattern(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestExactSameCanonicalPattern: two routes that differ only by converter
// keep their own patterns and views, and each pairs with its static row.
func TestExactSameCanonicalPattern(t *testing.T) {
	lab.Need(t, nil, []string{"django"})
	dir := lab.WriteFiles(t, map[string]string{
		"manage.py":        "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"proj.settings\")\n",
		"proj/__init__.py": "",
		"proj/settings.py": "SECRET_KEY = \"x\"\nROOT_URLCONF = \"proj.urls\"\n",
		"proj/urls.py":     "from django.urls import path\n\nfrom proj import views\n\nurlpatterns = [path(\"a/<slug:x>/\", views.word), path(\"a/<int:x>/\", views.num)]\n",
		"proj/views.py":    "def num(request, x):\n    pass\n\n\ndef word(request, x):\n    pass\n",
	})
	st, rt, d := exactOf(t, dir, time.Minute)
	sameList(t, "exact routes", briefs(rt), []string{"GET /a/<int:x>/  proj.views.num", "GET /a/<slug:x>/  proj.views.word"})
	sameAsStatic(t, st, rt, nil)
	if d.Matched != 2 || d.Recall != 1 || len(d.FrameworkOnly)+len(d.StaticOnly) != 0 {
		t.Errorf("diff %+v", d)
	}
}

// TestExactFlask: --python reads the Flask fixture's app.url_map (the app
// from wsgi.py's create_app()): every rule, per method, is one the static
// pass found, and the table maps paths as Werkzeug does.
func TestExactFlask(t *testing.T) {
	lab.Need(t, nil, []string{"flask"})
	dir := lab.CopyTree(t, "testdata/flaskproj")
	st, rt, d := exactOf(t, dir, time.Minute)
	if rt.Framework != "flask" || d.FrameworkRows != len(st.Routes) || d.Matched != d.FrameworkRows || d.Recall != 1 || len(d.StaticOnly) != 0 {
		t.Errorf("framework %s, diff %+v", rt.Framework, d)
	}
	for path, want := range map[string]string{"/api/items/7": "/api/items/<int:item_id>", "/search": "/search/", "/tags/a-b": "/tags/<slug:tag>", "/assets/x/y.js": "/assets/<path:filename>"} {
		if got, ok := rt.Route(path); !ok || got != want {
			t.Errorf("%s -> %q, want %s", path, got, want)
		}
	}
}
