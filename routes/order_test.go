package routes_test

import (
	"encoding/json"
	"os/exec"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/routes/routestest"
)

// orderPaths are requests that two overlapping routes both match.
var orderPaths = []string{"/blog/drafts/", "/blog/hello/", "/shop/featured/", "/shop/blue-shirt/"}

// TestMatchAsTheFrameworkDispatches: a request path is credited to the
// route the framework itself dispatches it to, asked of the framework
// (Debian's Django and Flask): Django tries urlpatterns in order, so a
// literal pattern declared after a parameter one never gets its paths;
// Werkzeug prefers the literal whatever the order. Both orders are tried,
// static and exact.
func TestMatchAsTheFrameworkDispatches(t *testing.T) {
	for _, tc := range []struct {
		name, urls string
	}{
		{"literal first", "    path(\"blog/drafts/\", views.drafts),\n    path(\"blog/<slug:slug>/\", views.post),\n    path(\"shop/<slug:slug>/\", views.product),\n    path(\"shop/featured/\", views.featured),\n"},
		{"parameter first", "    path(\"blog/<slug:slug>/\", views.post),\n    path(\"blog/drafts/\", views.drafts),\n    path(\"shop/featured/\", views.featured),\n    path(\"shop/<slug:slug>/\", views.product),\n"},
	} {
		t.Run("django "+tc.name, func(t *testing.T) {
			lab.Need(t, nil, []string{"django"})
			dir := lab.WriteFiles(t, map[string]string{
				"manage.py":       "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"ord.settings\")\n",
				"ord/__init__.py": "",
				"ord/settings.py": "SECRET_KEY = \"x\"\nROOT_URLCONF = \"ord.urls\"\nINSTALLED_APPS = []\nDATABASES = {}\n",
				"ord/views.py":    "from django.http import HttpResponse\n\n\ndef drafts(r):\n    return HttpResponse()\n\n\ndef post(r, slug):\n    return HttpResponse()\n\n\ndef product(r, slug):\n    return HttpResponse()\n\n\ndef featured(r):\n    return HttpResponse()\n",
				"ord/urls.py":     "from django.urls import path\n\nfrom ord import views\n\nurlpatterns = [\n" + tc.urls + "]\n",
			})
			want := frameworkDispatch(t, dir, `import os, sys, json
sys.path.insert(0, ".")
os.environ["DJANGO_SETTINGS_MODULE"] = "ord.settings"
import django
django.setup()
from django.urls import resolve
print(json.dumps({p: resolve(p).route for p in sys.argv[1:]}))
`, func(s string) string { return "/" + s })
			st := routestest.Static(t, dir)
			checkDispatch(t, "static", st.Route, want)
			_, ex, _ := routestest.ExactOf(t, dir, time.Minute)
			checkDispatch(t, "exact", ex.Route, want)
		})
		t.Run("flask "+tc.name, func(t *testing.T) {
			lab.Need(t, nil, []string{"flask"})
			rules := map[string]string{"blog/drafts/": "/blog/drafts/", "blog/<slug:slug>/": "/blog/<slug>/", "shop/<slug:slug>/": "/shop/<slug>/", "shop/featured/": "/shop/featured/"}
			src := "from flask import Flask\n\napp = Flask(__name__)\n\n"
			n := 0
			for _, line := range splitLines(tc.urls) {
				for pat, rule := range rules {
					if contains(line, "\""+pat+"\"") {
						n++
						src += "\n@app.get(\"" + rule + "\")\ndef v" + string(rune('a'+n)) + "(**kw):\n    return \"\"\n\n"
					}
				}
			}
			dir := lab.WriteFiles(t, map[string]string{"ordf/__init__.py": "", "ordf/app.py": src})
			want := frameworkDispatch(t, dir, `import sys, json
sys.path.insert(0, ".")
from ordf.app import app
a = app.url_map.bind("x")
out = {}
for p in sys.argv[1:]:
    rule, _ = a.match(p, return_rule=True)
    out[p] = rule.rule
print(json.dumps(out))
`, func(s string) string { return s })
			st := routestest.Static(t, dir)
			checkDispatch(t, "static", st.Route, want)
		})
	}
}

// frameworkDispatch asks the framework which route each of orderPaths
// goes to (the script prints {path: route}); norm writes the framework's
// route as cdnadvise shows it.
func frameworkDispatch(t *testing.T, dir, script string, norm func(string) string) map[string]string {
	t.Helper()
	cmd := exec.Command(lab.TestPython, append([]string{"-c", script}, orderPaths...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var got map[string]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for k, v := range got {
		got[k] = norm(v)
	}
	return got
}

func checkDispatch(t *testing.T, what string, route func(string) (string, bool), want map[string]string) {
	t.Helper()
	for _, p := range orderPaths {
		got, _ := route(p)
		if got != want[p] {
			t.Errorf("%s: %s credited to %q, the framework dispatches it to %q", what, p, got, want[p])
		}
	}
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		out = append(out, s[:i])
		if i < len(s) {
			i++
		}
		s = s[i:]
	}
	return out
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
