package pipeline

import (
	"os"
	"strings"
	"testing"

	"github.com/cdnadvise/cdnadvise/advisor"
	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/routes/routestest"
)

const sharedCC = "public, max-age=0, s-maxage=60"

// crlf turns a file's line endings into CRLF.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// TestPatchNeverBreaksTheApp: projects shaped to trip a patch (a module
// that defines its own cache_control or cache_control_header, an unrelated
// cdnadvise_cache.py next to the views, a file without a final newline, a
// CRLF file): the patch applies with git apply, every file keeps its line
// endings and final-newline state, the patched project imports (Debian's
// Django, Flask and FastAPI) and each patched route sends its header.
func TestPatchNeverBreaksTheApp(t *testing.T) {
	lab.Need(t, []string{"git"}, []string{"django", "flask", "fastapi"})
	for _, tc := range []struct {
		name   string
		files  map[string]string
		script string // imports the project and prints {path: Cache-Control}
		want   map[string]string
	}{
		{
			name: "django",
			files: map[string]string{
				"site_cfg/__init__.py":    "",
				"site_cfg/settings.py":    "SECRET_KEY = \"x\"\nDEBUG = False\nALLOWED_HOSTS = [\"*\"]\nROOT_URLCONF = \"site_cfg.urls\"\nINSTALLED_APPS = []\nMIDDLEWARE = []\nDATABASES = {}\n",
				"site_cfg/urls.py":        "from django.urls import path\n\nfrom shop import api, views\n\nurlpatterns = [\n    path(\"\", views.home),\n    path(\"items/\", views.items),\n    path(\"about/\", views.About.as_view()),\n    path(\"api/ping/\", api.ping),\n]\n",
				"shop/__init__.py":        "",
				"shop/cdnadvise_cache.py": "\"\"\"The shop's own cache helpers (not cdnadvise's).\"\"\"\nTTL = 5\n",
				"shop/views.py": crlf("from django.http import HttpResponse\nfrom django.views import View\n\n\ndef cache_control(response):\n    \"\"\"The shop's own helper, unrelated to Django's.\"\"\"\n    return response\n\n\n" +
					"def home(request):\n    return HttpResponse(\"home\")\n\n\ndef items(request):\n    if request.method == \"POST\":\n        return HttpResponse(\"created\", status=201)\n    return HttpResponse(\"items\")\n\n\n" +
					"class About(View):\n    def get(self, request):\n        return HttpResponse(\"about\")\n"),
				"shop/api.py": "from django.http import JsonResponse\n\n\ndef ping(request):\n    return JsonResponse({\"ok\": True})",
			},
			script: `import json, os, sys
sys.path.insert(0, ".")
os.environ["DJANGO_SETTINGS_MODULE"] = "site_cfg.settings"
import django
django.setup()
import shop.views, shop.api, site_cfg.urls
from django.test import Client
c = Client()
print(json.dumps({p: c.get(p).headers.get("Cache-Control", "") for p in ["/", "/items/", "/about/", "/api/ping/"]}))
`,
			want: map[string]string{"/": sharedCC, "/items/": sharedCC, "/about/": sharedCC, "/api/ping/": sharedCC},
		},
		{
			name: "flask",
			files: map[string]string{
				"shop/__init__.py":        "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n    from shop import api, views\n    app.register_blueprint(views.bp)\n    app.register_blueprint(api.bp)\n    return app\n",
				"shop/cdnadvise_cache.py": "\"\"\"The shop's own cache helpers (not cdnadvise's).\"\"\"\nTTL = 5\n",
				"shop/views.py": crlf("from flask import Blueprint\n\nbp = Blueprint(\"views\", __name__)\n\n\ndef cache_control_header(response):\n    \"\"\"The shop's own helper.\"\"\"\n    return response\n\n\n" +
					"@bp.get(\"/\")\ndef home():\n    return \"home\"\n"),
				"shop/api.py": "from flask import Blueprint\n\nbp = Blueprint(\"api\", __name__, url_prefix=\"/api\")\n\n\n@bp.get(\"/ping\")\ndef ping():\n    return {\"ok\": True}",
			},
			script: `import json, sys
sys.path.insert(0, ".")
from shop import create_app
import shop.views, shop.api
c = create_app().test_client()
print(json.dumps({p: c.get(p).headers.get("Cache-Control", "") for p in ["/", "/api/ping"]}))
`,
			want: map[string]string{"/": sharedCC, "/api/ping": sharedCC},
		},
		{
			name: "fastapi",
			files: map[string]string{
				"app/__init__.py":        "",
				"app/cdnadvise_cache.py": "\"\"\"The app's own cache helpers (not cdnadvise's).\"\"\"\nTTL = 5\n",
				"app/main.py":            crlf("from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get(\"/items\")\ndef items():\n    return []\n\n\n@app.get(\"/ping\")\ndef ping():\n    return {\"ok\": True}"),
			},
			script: `import json, sys
sys.path.insert(0, ".")
import asyncio
import app.cdnadvise_cache
from app.main import app


async def get(path):
    sent, asked = [], []

    async def receive():
        if not asked:
            asked.append(1)
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(30)  # no disconnect while the response is sent
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http", "path": path,
             "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": [(b"host", b"test")],
             "client": ("127.0.0.1", 1), "server": ("test", 80)}
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return {k.decode().lower(): v.decode() for k, v in start["headers"]}.get("cache-control", "")


print(json.dumps({p: asyncio.run(get(p)) for p in ["/items", "/ping"]}))
`,
			want: map[string]string{"/items": sharedCC, "/ping": sharedCC},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := lab.WriteFiles(t, tc.files)
			lab.Git(t, dir, "init", "-q")
			rt := routestest.Static(t, dir)
			var recs []*advisor.Recommendation
			for _, r := range rt.Routes {
				if !framework.SafeMethod(r.Method) || r.Kind == "static" || r.Kind == "builtin" || rt.BuiltinView(r) {
					continue
				}
				recs = append(recs, &advisor.Recommendation{Method: r.Method, Endpoint: r.Pattern, Route: r, Class: advisor.ClassCacheable, CacheControl: sharedCC, TTLSeconds: 60})
			}
			res, err := Patch(dir, rt, recs, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Skipped) > 0 {
				t.Errorf("rows left alone: %+v", res.Skipped)
			}
			applyAndCompile(t, dir, res)
			// Line endings and final newlines as they were.
			for f, before := range tc.files {
				b, err := os.ReadFile(dir + "/" + f)
				if err != nil {
					t.Fatal(err)
				}
				after := string(b)
				if strings.Contains(before, "\r\n") != strings.Contains(after, "\r\n") || (strings.Contains(after, "\r\n") && strings.Count(after, "\r\n") != strings.Count(after, "\n")) {
					t.Errorf("%s: line endings changed:\n%q", f, after)
				}
				if strings.HasSuffix(before, "\n") != strings.HasSuffix(after, "\n") {
					t.Errorf("%s: final newline changed", f)
				}
				if strings.HasSuffix(f, "cdnadvise_cache.py") && after != before {
					t.Errorf("%s, the project's own file, was changed:\n%s", f, after)
				}
			}
			var got map[string]string
			runPatched(t, dir, tc.script, res, &got)
			for p, w := range tc.want {
				if got[p] != w {
					t.Errorf("%s: Cache-Control %q, want %q\n%s", p, got[p], w, res.Diff)
				}
			}
		})
	}
}
