package edge_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/edge"
	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/routes/routestest"
)

// sessionSite is a Django + DRF project with, on one path, a GET that is
// the same for everyone and a POST that needs the session and Django's
// CSRF token (DRF's SessionAuthentication), a public blog whose slug
// pattern overlaps a per-user drafts page, and a page that signs a test
// user in.
var sessionSite = map[string]string{
	"manage.py": "import os\nimport sys\n\nif __name__ == \"__main__\":\n    os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"site_cfg.settings\")\n" +
		"    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n",
	"site_cfg/__init__.py": "",
	"site_cfg/settings.py": `import os
BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET_KEY = "test-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions", "rest_framework"]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "site_cfg.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(BASE_DIR, "db.sqlite3")}}
USE_TZ = True
REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"]}
`,
	"site_cfg/views.py": `from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

ITEMS = ["kettle", "lamp"]
SHARED = "public, max-age=0, s-maxage=60"


class Items(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    def get(self, request):
        return Response(ITEMS, headers={"Cache-Control": SHARED})

    def post(self, request):
        ITEMS.append(request.data.get("name", "?"))
        return Response({"by": request.user.username}, status=201, headers={"Cache-Control": "private, no-store"})


def post(request, slug):
    response = HttpResponse("post " + slug)
    response["Cache-Control"] = SHARED
    return response


@login_required
def drafts(request):
    response = HttpResponse("drafts of " + request.user.username)
    response["Cache-Control"] = "private, no-store"
    return response


def cafe(request):
    response = HttpResponse("menu")
    response["Cache-Control"] = SHARED
    return response


@ensure_csrf_cookie
def sign_in(request):
    user, _ = User.objects.get_or_create(username="ana")
    login(request, user)
    response = HttpResponse("signed in")
    response["Cache-Control"] = "private, no-store"
    return response
`,
	"site_cfg/urls.py": `from django.urls import path

from site_cfg import views

urlpatterns = [
    path("api/items/", views.Items.as_view()),
    path("blog/drafts/", views.drafts),
    path("blog/<slug:slug>/", views.post),
    path("sign-in/", views.sign_in),
    path("menu/caf\u00e9/", views.cafe),
]
`,
}

// TestEdgeKeepsSessions: through the nginx and Varnish files cdnadvise
// writes, in front of a real Django + DRF app, a signed-in browser's POST
// to a path whose GET is shared reaches the app with its session and CSRF
// cookies (201, not 403), while the GET with the same cookies is a hit on
// the second request; a per-user page inside a shared pattern keeps its
// session; a request with Authorization is never served from the cache; a
// route with a non-ASCII character (written as a Python escape) matches
// the percent-encoded path browsers send.
func TestEdgeKeepsSessions(t *testing.T) {
	lab.Need(t, []string{"nginx", "varnishd"}, []string{"django", "rest_framework"})
	dir := lab.WriteFiles(t, sessionSite)
	if out, err := exec.Command(lab.TestPython, filepath.Join(dir, "manage.py"), "migrate", "-v", "0").CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	rt := routestest.Static(t, dir)
	var rules []edge.Rule
	for _, r := range rt.Routes {
		if r.Method != "GET" || r.Regex == nil {
			continue
		}
		rule := edge.Rule{Method: "GET", Pattern: r.Pattern, Regex: r.Regex.String(), Prefix: strings.SplitN(r.Pattern, "<", 2)[0], Query: "all"}
		switch r.Pattern {
		case "/api/items/", "/blog/<slug:slug>/", "/menu/café/":
			rule.Shared, rule.TTL = true, time.Minute
		case "/blog/drafts/", "/sign-in/":
			rule.PerUser = true
		}
		rules = append(rules, rule)
	}
	edge.SortRules(rules)
	appPort := lab.ServeApp(t, dir, []string{"django", "rest_framework"}, func(port int) []string {
		return []string{"manage.py", "runserver", "--noreload", fmt.Sprintf("127.0.0.1:%d", port)}
	})
	for _, name := range []string{"nginx", "nginx-include", "varnish"} {
		t.Run(name, func(t *testing.T) {
			work := t.TempDir()
			port, err := lab.FreePort()
			if err != nil {
				t.Fatal(err)
			}
			c := edge.Config{Upstream: fmt.Sprintf("http://127.0.0.1:%d", appPort), Listen: fmt.Sprintf("127.0.0.1:%d", port),
				CacheDir: filepath.Join(work, "cache"), Rules: rules, Source: "TestEdgeKeepsSessions"}
			switch name {
			case "nginx":
				conf := filepath.Join(work, "cdnadvise.conf")
				os.WriteFile(conf, []byte(write(t, edge.Nginx{}, ".conf", c)), 0o644)
				main, err := lab.NginxMain(work, conf)
				if err != nil {
					t.Fatal(err)
				}
				lab.Serve(t, work, nil, port, "nginx", "-p", work, "-c", main)
			case "nginx-include":
				// The parts inside a server of the user's own; the cache
				// status comes from the server's add_header.
				hp, lp := filepath.Join(work, "cdnadvise.http.conf"), filepath.Join(work, "cdnadvise.location.conf")
				os.WriteFile(hp, []byte(write(t, edge.NginxInclude{}, ".http.conf", c)), 0o644)
				os.WriteFile(lp, []byte(write(t, edge.NginxInclude{}, ".location.conf", c)), 0o644)
				site := filepath.Join(work, "site.conf")
				os.WriteFile(site, []byte(fmt.Sprintf("include %s;\nserver {\n  listen 127.0.0.1:%d;\n  add_header X-Cache-Status $upstream_cache_status always;\n"+
					"  location / {\n    proxy_pass http://127.0.0.1:%d;\n    proxy_set_header Host $host;\n    include %s;\n  }\n}\n", hp, port, appPort, lp)), 0o644)
				main, err := lab.NginxMain(work, site)
				if err != nil {
					t.Fatal(err)
				}
				lab.Serve(t, work, nil, port, "nginx", "-p", work, "-c", main)
			case "varnish":
				vcl := filepath.Join(work, "cdnadvise.vcl")
				os.WriteFile(vcl, []byte(write(t, edge.Varnish{}, ".vcl", c)), 0o644)
				v, ncsa, err := lab.StartVarnish(work, port, appPort, vcl, filepath.Join(work, "edge.log"))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { ncsa.Stop(); v.Stop() })
			}
			base := fmt.Sprintf("http://127.0.0.1:%d", port)
			checkSessions(t, name, base)
		})
	}
}

// checkSessions plays the signed-in browser and the token client.
func checkSessions(t *testing.T, edgeName, base string) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string, body string, h map[string]string) (int, string, http.Header) {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		return resp.StatusCode, string(b), resp.Header
	}
	hit := func(h http.Header) bool {
		if strings.HasPrefix(edgeName, "nginx") {
			return h.Get("X-Cache-Status") == "HIT"
		}
		return len(strings.Fields(h.Get("X-Varnish"))) == 2 // the request's id and the stored object's
	}
	if code, body, _ := do("GET", "/sign-in/", "", nil); code != 200 {
		t.Fatalf("sign-in: %d %s", code, body)
	}
	u, _ := url.Parse(base)
	csrf := ""
	for _, ck := range client.Jar.Cookies(u) {
		if ck.Name == "csrftoken" {
			csrf = ck.Value
		}
	}
	if csrf == "" {
		t.Fatal("no csrftoken cookie after signing in")
	}
	// The shared GET with the browser's cookies: a hit on the second request.
	do("GET", "/api/items/", "", nil)
	if _, _, h := do("GET", "/api/items/", "", nil); !hit(h) {
		t.Errorf("GET /api/items/ with cookies: not a hit the second time (%v)", h)
	}
	// The POST on the same path reaches the app with its session and CSRF cookies.
	if code, body, _ := do("POST", "/api/items/", `{"name":"rug"}`, map[string]string{"Content-Type": "application/json", "X-CSRFToken": csrf, "Referer": base + "/"}); code != 201 || !strings.Contains(body, "ana") {
		t.Errorf("POST /api/items/ with session and CSRF: %d %s, want 201 by ana", code, body)
	}
	// The per-user page inside the shared /blog/<slug>/ keeps its session.
	for i := 0; i < 2; i++ {
		if code, body, h := do("GET", "/blog/drafts/", "", nil); code != 200 || body != "drafts of ana" || hit(h) {
			t.Errorf("GET /blog/drafts/ signed in: %d %q hit=%v, want 200 \"drafts of ana\" from the app", code, body, hit(h))
		}
	}
	do("GET", "/blog/hello/", "", nil)
	if _, _, h := do("GET", "/blog/hello/", "", nil); !hit(h) {
		t.Errorf("GET /blog/hello/: not a hit the second time")
	}
	// A route written with a Python escape (caf\u00e9), requested as
	// browsers send it (percent-encoded), with cookies: a hit.
	do("GET", "/menu/caf%C3%A9/", "", nil)
	if code, body, h := do("GET", "/menu/caf%C3%A9/", "", nil); code != 200 || body != "menu" || !hit(h) {
		t.Errorf("GET /menu/caf%%C3%%A9/: %d %q, not a hit the second time", code, body)
	}
	// A request with Authorization is never served from the cache.
	if _, _, h := do("GET", "/api/items/", "", map[string]string{"Authorization": "Token abc"}); hit(h) {
		t.Errorf("GET /api/items/ with Authorization was served from the cache")
	}
}
