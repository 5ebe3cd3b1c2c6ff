package django_test

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/routes"
	"github.com/cdnadvise/cdnadvise/routes/routestest"
)

func TestDjangoRoutes(t *testing.T) {
	rt := routestest.Static(t, "testdata/djangoproj")
	if rt.Framework != "django" {
		t.Fatalf("framework %s", rt.Framework)
	}
	var got []string
	for _, r := range rt.Routes {
		got = append(got, routestest.Brief(r))
	}
	want := []string{
		"GET / GET,HEAD shop.views.home",
		"GET /<lang>/about/  shop.views.about",
		"GET /api/ GET router (api root)",
		"GET /api/dynamic/  views.make_view() [unresolved]",
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
		// DefaultRouter's format-suffix variants (.json, .api).
		`GET ^/api/\.(?P<format>[a-z0-9]+)/?$ GET router (api root)`,
		`GET ^/api/products/(?P<slug>[^/.]+)/reviews\.(?P<format>[a-z0-9]+)/?$ GET shop.api.ProductViewSet.reviews`,
		`GET ^/api/products/(?P<slug>[^/.]+)\.(?P<format>[a-z0-9]+)/?$ GET shop.api.ProductViewSet.retrieve`,
		`GET ^/api/products/featured\.(?P<format>[a-z0-9]+)/?$ GET shop.api.ProductViewSet.featured`,
		`GET ^/api/products\.(?P<format>[a-z0-9]+)/?$ GET shop.api.ProductViewSet.list`,
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("routes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for path, pattern := range map[string]string{
		"/":                         "/",
		"/items/42/":                "/items/<int:pk>/",
		"/api/products/blue-shirt/": "/api/products/<slug>/",
		"/api/products/featured/":   "/api/products/featured/",
		"/api/products/x/reviews/":  "/api/products/<slug>/reviews/",
		"/archive/2024/":            "^/archive/(?P<year>[0-9]{4})/$",
		"/blog/hello-world/":        "/blog/<slug:slug>/",
		"/fr/about/":                "/<lang>/about/",
		"/by-year/2024/":            "/by-year/<yyyy:year>/",
		"/api/products.json":        `^/api/products\.(?P<format>[a-z0-9]+)/?$`,
	} {
		if got, ok := rt.Route(path); !ok || got != pattern {
			t.Errorf("%s -> %q %v, want %s", path, got, ok, pattern)
		}
	}
	for _, p := range []string{"/items/abc/", "/nope", "/archive/24/", "/by-year/24/"} {
		if got, ok := rt.Route(p); ok {
			t.Errorf("%s matched %s", p, got)
		}
	}
}

func TestExactDjango(t *testing.T) {
	lab.Need(t, nil, []string{"django", "rest_framework"})
	st, rt, d := routestest.ExactOf(t, "testdata/djangoproj", time.Minute)
	if rt.Framework != "django" || len(rt.Notes) == 0 || !strings.Contains(rt.Notes[0], "routes read from the framework with "+lab.TestPython) {
		t.Errorf("framework %s, notes %q", rt.Framework, rt.Notes)
	}
	routestest.SameList(t, "exact routes", routestest.Briefs(rt), []string{
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
	routestest.SameAsStatic(t, st, rt, map[string]string{"router (api root)": "rest_framework.routers.APIRootView"})
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

// TestDjangoAuthentication: on the login-only fixture (DRF permissions set
// once in settings, viewsets that declare none, a project mixin over
// LoginRequiredMixin, a project decorator, the admin and the auth views),
// every route that needs a user is read as per-user with the place of the
// requirement, and only the public ones are not.
func TestDjangoAuthentication(t *testing.T) {
	rt := routestest.Static(t, "testdata/djangologin")
	want := map[string]string{
		"/":                   "@login_required (family/views.py:9)",
		"/calendar/":          "FamilyMemberMixin inherits Django's LoginRequiredMixin (core/mixins.py:4), inherited by CalendarView (family/views.py:14)",
		"/photos/":            "@family_required (core/decorators.py:6)",
		"/api/":               "DEFAULT_PERMISSION_CLASSES",
		"/api/members/":       "DEFAULT_PERMISSION_CLASSES = [\"core.permissions.FamilyModelPermissions\"] (homeapp/settings.py:23)",
		"/api/chores/<pk>/":   "DEFAULT_PERMISSION_CLASSES",
		"/api/allowances/":    "DEFAULT_PERMISSION_CLASSES",
		"/api/stats/":         "DEFAULT_PERMISSION_CLASSES",
		"/admin/…":            "django.contrib.admin",
		"/accounts/…":         "django.contrib.auth",
		"/about/":             "",
		"/api/holidays/":      "",
		"/api/holidays/<pk>/": "",
		"/api/open-days/":     "",
	}
	routestest.CheckPerUser(t, rt, want)
}

// TestDjangoLoginMiddleware: Django 5.1's LoginRequiredMiddleware makes
// every view need a login but those marked @login_not_required; a project
// middleware that redirects anonymous users does the same.
func TestDjangoLoginMiddleware(t *testing.T) {
	for _, mw := range []string{"django.contrib.auth.middleware.LoginRequiredMiddleware", "site.middleware.MembersOnly"} {
		dir := lab.WriteFiles(t, map[string]string{
			"manage.py":        "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"site.settings\")\n",
			"site/__init__.py": "",
			"site/settings.py": "ROOT_URLCONF = \"site.urls\"\nMIDDLEWARE = [\n    \"django.contrib.sessions.middleware.SessionMiddleware\",\n    \"" + mw + "\",\n]\n",
			"site/middleware.py": "from django.shortcuts import redirect\n\n\nclass MembersOnly:\n    def __init__(self, get_response):\n        self.get_response = get_response\n\n" +
				"    def __call__(self, request):\n        if not request.user.is_authenticated:\n            return redirect(\"/login/\")\n        return self.get_response(request)\n",
			"site/urls.py": "from django.urls import path\n\nfrom site import views\n\nurlpatterns = [path(\"home/\", views.home), path(\"login/\", views.login)]\n",
			"site/views.py": "from django.contrib.auth.decorators import login_not_required\nfrom django.http import HttpResponse\n\n\ndef home(request):\n    return HttpResponse(\"\")\n\n\n" +
				"@login_not_required\ndef login(request):\n    return HttpResponse(\"\")\n",
		})
		rt, err := routes.ExtractRoutes(dir)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, r := range rt.Routes {
			switch r.Pattern {
			case "/home/", "/login/":
				found++
			}
			switch r.Pattern {
			case "/home/":
				if !r.PerUser || !strings.Contains(r.PerUserWhy, "site/settings.py:4") {
					t.Errorf("%s: /home/ under the login middleware: per-user %v (%s)", mw, r.PerUser, r.PerUserWhy)
				}
			case "/login/":
				if r.PerUser {
					t.Errorf("%s: /login/ is @login_not_required, read as per-user: %s", mw, r.PerUserWhy)
				}
			}
		}
		if found != 2 {
			t.Errorf("%s: %d of the 2 routes found", mw, found)
		}
		rt.Close()
	}
}

// TestExactDjangoAuthentication: exact mode reads the requirements from
// Django's own objects: DRF's permission_classes as resolved after the
// settings, the login wrappers and mixins; the public routes stay public.
func TestExactDjangoAuthentication(t *testing.T) {
	lab.Need(t, nil, []string{"django", "rest_framework"})
	_, rt, _ := routestest.ExactOf(t, "testdata/djangologin", time.Minute)
	want := map[string]string{
		"/":                "wrapped by user_passes_test",
		"/calendar/":       "CalendarView inherits LoginRequiredMixin",
		"/api/members/":    "DRF permission_classes resolved to [core.permissions.FamilyModelPermissions]",
		"/api/stats/":      "DRF permission_classes resolved to [core.permissions.FamilyModelPermissions]",
		"/api/":            "DRF permission_classes resolved",
		"/admin/":          "django.contrib.admin",
		"/accounts/login/": "django.contrib.auth",
		"/about/":          "",
		"/api/holidays/":   "",
		"/api/open-days/":  "",
	}
	routestest.CheckPerUser(t, rt, want)
}

// TestDjangoAPIKeyAndDispatch: shapes met in a real project not tuned on:
// an API whose views are decorated with a project decorator that reads an
// API key (beside a CORS decorator that only names the header), a view
// that hands the request to a decorated handler per method, and a
// catch-all view wrapped in login_required() in the URLconf.
func TestDjangoAPIKeyAndDispatch(t *testing.T) {
	dir := lab.WriteFiles(t, map[string]string{
		"manage.py":        "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"site.settings\")\n",
		"site/__init__.py": "",
		"site/settings.py": "ROOT_URLCONF = \"site.urls\"\n",
		"site/decorators.py": "def cors(*methods):\n    def decorator(f):\n        def wrapper(request, *a, **kw):\n            response = f(request, *a, **kw)\n" +
			"            response[\"Access-Control-Allow-Headers\"] = \"X-Api-Key\"\n            return response\n        return wrapper\n    return decorator\n\n\n" +
			"def authorize(f):\n    def wrapper(request, *a, **kw):\n        api_key = request.headers.get(\"X-Api-Key\", \"\")\n        request.project = api_key\n        return f(request, *a, **kw)\n    return wrapper\n",
		"site/views.py": "from django.http import JsonResponse\nfrom django.views.generic import TemplateView\n\nfrom site.decorators import authorize, cors\n\n\n" +
			"@authorize\ndef get_checks(request):\n    return JsonResponse({})\n\n\n@cors(\"GET\")\ndef checks(request):\n    return get_checks(request)\n\n\n" +
			"@cors(\"GET\")\n@authorize\ndef channels(request):\n    return JsonResponse({})\n\n\n@cors(\"GET\")\ndef status(request):\n    return JsonResponse({\"status\": \"up\"})\n\n\nclass App(TemplateView):\n    template_name = \"app.html\"\n",
		"site/urls.py": "from django.contrib.auth.decorators import login_required\nfrom django.urls import path, re_path\n\nfrom site import views\n\nurlpatterns = [\n" +
			"    path(\"api/checks/\", views.checks),\n    path(\"api/channels/\", views.channels),\n    path(\"api/status/\", views.status),\n" +
			"    re_path(r\"^.*$\", login_required(views.App.as_view())),\n]\n",
	})
	rt := routestest.Static(t, dir)
	want := map[string]string{
		"/api/checks/":   "it hands the request to get_checks",
		"/api/channels/": "@authorize (site/decorators.py:11) reads the request's credentials",
		"/api/status/":   "",
		"^/.*$":          "wrapped in login_required() in the URLconf",
	}
	routestest.CheckPerUser(t, rt, want)
}

// TestExactDjangoIndescribableCallback: a URL callback the exact script
// cannot describe (a callable object whose cls is a functools.partial,
// with no __qualname__) is listed with the reason, and the other routes
// are read as usual: the run does not abort.
func TestExactDjangoIndescribableCallback(t *testing.T) {
	lab.Need(t, nil, []string{"django"})
	dir := lab.WriteFiles(t, map[string]string{
		"manage.py":       "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"odd.settings\")\n",
		"odd/__init__.py": "",
		"odd/settings.py": "SECRET_KEY = \"x\"\nROOT_URLCONF = \"odd.urls\"\nINSTALLED_APPS = []\nDATABASES = {}\n",
		"odd/views.py": "import functools\n\nfrom django.http import HttpResponse\n\n\ndef about(request):\n    return HttpResponse(\"about\")\n\n\n" +
			"class Odd:\n    \"\"\"A callback as some libraries make them: its cls is not a class.\"\"\"\n\n    cls = functools.partial(print)\n\n    def __call__(self, request):\n        return HttpResponse(\"odd\")\n\n\nodd = Odd()\n",
		"odd/urls.py": "from django.urls import path\n\nfrom odd import views\n\nurlpatterns = [\n    path(\"about/\", views.about),\n    path(\"odd/\", views.odd),\n]\n",
	})
	_, rt, _ := routestest.ExactOf(t, dir, time.Minute)
	found := map[string]string{}
	for _, r := range rt.Routes {
		found[r.Pattern] = r.Unresolved
	}
	if why, ok := found["/odd/"]; !ok || !strings.Contains(why, "could not be described") {
		t.Errorf("/odd/: listed %v, reason %q", ok, why)
	}
	if why, ok := found["/about/"]; !ok || why != "" {
		t.Errorf("/about/: listed %v, reason %q", ok, why)
	}
}
