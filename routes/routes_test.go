package routes

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/lab"
)

// brief is a route as the tests compare it.
func brief(r *framework.Route) string {
	m := append([]string(nil), r.Methods...)
	sort.Strings(m)
	s := fmt.Sprintf("%s %s %s %s", r.Method, r.Pattern, strings.Join(m, ","), r.View)
	if r.HasCacheControl {
		s += " [cache-control]"
	}
	if r.PerUser {
		s += " [per-user]"
	}
	if r.Unresolved != "" {
		s += " [unresolved]"
	}
	return s
}

func TestDjangoRoutes(t *testing.T) {
	rt, err := ExtractRoutes("testdata/djangoproj")
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	if rt.Framework != "django" {
		t.Fatalf("framework %s", rt.Framework)
	}
	var got []string
	for _, r := range rt.Routes {
		got = append(got, brief(r))
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

func TestFastAPIRoutes(t *testing.T) {
	rt, err := ExtractRoutes("testdata/fastapiproj")
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	if rt.Framework != "fastapi" {
		t.Fatalf("framework %s", rt.Framework)
	}
	var got []string
	for _, r := range rt.Routes {
		got = append(got, brief(r))
	}
	want := []string{
		"GET / GET app.main.root",
		"GET /api/items/ GET app.routers.items.list_items",
		"GET /api/items/{item_id} GET app.routers.items.get_item",
		"GET /api/items/{item_id}/raw GET app.routers.items.get_raw",
		"GET /api/items/{item_id}/reviews/{review_id} GET app.routers.items.get_review",
		"GET /health GET app.main.health",
		"GET /docs GET,HEAD FastAPI (built in)",
		"GET /docs/oauth2-redirect GET,HEAD FastAPI (built in)",
		"GET /openapi.json GET,HEAD FastAPI (built in)",
		"GET /redoc GET,HEAD FastAPI (built in)",
		"GET /leaderboard GET app.routers.users.leaderboard [cache-control]",
		"GET /static/{path:path} GET,HEAD StaticFiles(directory=Path(__file__).parent / \"static\")",
		"GET /users/me GET app.routers.users.me [per-user]",
		"POST /api/items/ POST app.routers.items.create_item",
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("routes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for path, pattern := range map[string]string{
		"/api/items/7":            "/api/items/{item_id}",
		"/api/items/7/reviews/3":  "/api/items/{item_id}/reviews/{review_id}",
		"/static/app.3f2a9c1b.js": "/static/{path:path}",
		"/static/css/site.css":    "/static/{path:path}",
	} {
		if got, ok := rt.Route(path); !ok || got != pattern {
			t.Errorf("%s -> %q %v, want %s", path, got, ok, pattern)
		}
	}
}

// TestFastAPIFactoryAndSettingsPrefix: an app made in create_app() and a
// prefix taken from a settings class, as project templates do.
func TestFastAPIFactoryAndSettingsPrefix(t *testing.T) {
	dir := lab.WriteFiles(t, map[string]string{
		"app/__init__.py":    "",
		"app/core/config.py": "from pydantic import BaseSettings\n\n\nclass Settings(BaseSettings):\n    API_V1_STR: str = \"/api/v1\"\n\n\nsettings = Settings()\n",
		"app/api/routes.py":  "from fastapi import APIRouter\n\napi_router = APIRouter()\n\n\n@api_router.get(\"/users/{user_id}\")\ndef user(user_id: int):\n    return {}\n",
		"app/main.py": "from fastapi import FastAPI\n\nfrom app.api.routes import api_router\nfrom app.core.config import settings\n\n\ndef create_app():\n" +
			"    application = FastAPI()\n    application.include_router(api_router, prefix=settings.API_V1_STR)\n    application.include_router(api_router, prefix=get_prefix())\n    return application\n\n\napp = create_app()\n",
	})
	rt, err := ExtractRoutes(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	var got []string
	for _, r := range rt.Routes {
		got = append(got, brief(r))
	}
	sort.Strings(got)
	want := []string{"GET /api/v1/users/{user_id} GET app.api.routes.user",
		"GET /docs GET,HEAD FastAPI (built in)", "GET /docs/oauth2-redirect GET,HEAD FastAPI (built in)", "GET /openapi.json GET,HEAD FastAPI (built in)", "GET /redoc GET,HEAD FastAPI (built in)",
		"GET /users/{user_id} GET app.api.routes.user [unresolved]"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
