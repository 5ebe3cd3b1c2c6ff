package routes_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/routes"
)

// TestKeptHeader reads the header a view sets in each of the usual ways.
func TestKeptHeader(t *testing.T) {
	dir := t.TempDir()
	src := `from django.views.decorators.cache import cache_control, cache_page, never_cache
from django.http import JsonResponse


@cache_control(public=True, max_age=30)
def a(request):
    return JsonResponse({})


@cache_page(60 * 15)
def b(request):
    return JsonResponse({})


@never_cache
def c(request):
    return JsonResponse({})


def d(request):
    response = JsonResponse({})
    response["Cache-Control"] = "public, s-maxage=120"
    return response


def e(request):
    response = JsonResponse({})
    patch_cache_control(response, max_age=TTL)
    return response
`
	os.MkdirAll(filepath.Join(dir, "app"), 0o755)
	os.WriteFile(filepath.Join(dir, "app", "views.py"), []byte(src), 0o644)
	os.WriteFile(filepath.Join(dir, "app", "urls.py"), []byte(`from django.urls import path
from app import views

urlpatterns = [path("a/", views.a), path("b/", views.b), path("c/", views.c), path("d/", views.d), path("e/", views.e)]
`), 0o644)
	rt, err := routes.ExtractRoutes(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	want := map[string]struct {
		value string
		ttl   time.Duration
		line  int
		ok    bool
	}{
		"/a/": {"public, max-age=30", 30 * time.Second, 5, true},
		"/b/": {"max-age=900", 900 * time.Second, 10, true},
		"/c/": {"max-age=0, no-cache, no-store, must-revalidate, private", 0, 15, true},
		"/d/": {"public, s-maxage=120", 120 * time.Second, 22, true},
		"/e/": {"", 0, 0, false},
	}
	for _, r := range rt.Routes {
		w, found := want[r.Pattern]
		if !found {
			t.Errorf("unexpected route %s", r.Pattern)
			continue
		}
		if !r.HasCacheControl {
			t.Errorf("%s: not seen setting Cache-Control", r.Pattern)
		}
		k, ok := r.KeptHeader()
		if ok != w.ok || k.Value != w.value || k.TTL != w.ttl || (ok && (k.Line != w.line || k.File != "app/views.py")) {
			t.Errorf("%s: %+v %v, want %+v", r.Pattern, k, ok, w)
		}
	}
}

// TestPerUserMarkers: what makes a view per-user in the source.
func TestPerUserMarkers(t *testing.T) {
	for src, want := range map[string]bool{
		"def v(request):\n    return request.COOKIES.get('sessionid')\n":                true,
		"async def v(request: Request):\n    return request.cookies.get('sessionid')\n": true,
		"def v(session: str = Cookie(None)):\n    return session\n":                     true,
		"def v(request):\n    return request.session.get('visits')\n":                   true,
		"def v(request):\n    return request.headers.get('authorization')\n":            true,
		"def v(request, pk):\n    return {'pk': pk}\n":                                  false,
		"def v(request):\n    return request.GET.get('cookie_policy')\n":                false,
	} {
		if got := framework.PerUserRe.MatchString(src); got != want {
			t.Errorf("%q: per-user %v, want %v", src, got, want)
		}
	}
}
