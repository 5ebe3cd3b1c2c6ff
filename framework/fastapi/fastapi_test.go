package fastapi_test

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/routes"
	"github.com/cdnadvise/cdnadvise/routes/routestest"
)

func TestFastAPIRoutes(t *testing.T) {
	rt := routestest.Static(t, "testdata/fastapiproj")
	if rt.Framework != "fastapi" {
		t.Fatalf("framework %s", rt.Framework)
	}
	var got []string
	for _, r := range rt.Routes {
		got = append(got, routestest.Brief(r))
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
	rt := routestest.Static(t, dir)
	var got []string
	for _, r := range rt.Routes {
		got = append(got, routestest.Brief(r))
	}
	sort.Strings(got)
	want := []string{"GET /api/v1/users/{user_id} GET app.api.routes.user",
		"GET /docs GET,HEAD FastAPI (built in)", "GET /docs/oauth2-redirect GET,HEAD FastAPI (built in)", "GET /openapi.json GET,HEAD FastAPI (built in)", "GET /redoc GET,HEAD FastAPI (built in)",
		"GET /users/{user_id} GET app.api.routes.user [unresolved]"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestExactFastAPI(t *testing.T) {
	lab.Need(t, nil, []string{"fastapi"})
	st, rt, d := routestest.ExactOf(t, "testdata/fastapiproj", time.Minute)
	if rt.Framework != "fastapi" {
		t.Errorf("framework %s", rt.Framework)
	}
	routestest.SameList(t, "exact routes", routestest.Briefs(rt), []string{
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
	routestest.SameAsStatic(t, st, rt, map[string]string{`StaticFiles(directory=Path(__file__).parent / "static")`: "starlette.staticfiles.StaticFiles",
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
	_, rt, d := routestest.ExactOf(t, dir, time.Minute)
	var got []string
	for _, r := range rt.Routes {
		if !rt.BuiltinView(r) {
			got = append(got, routestest.Brief(r))
		}
	}
	sort.Strings(got)
	routestest.SameList(t, "exact routes", got, []string{"GET /hello/{name} GET svc.main.create_app.<locals>.hello", "GET /sub/ping GET svc.main.ping"})
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
	routestest.SameList(t, "framework only", only, nil)
	var static []string
	for _, r := range d.StaticOnly {
		static = append(static, r.Method+" "+r.Pattern)
	}
	routestest.SameList(t, "static only", static, nil)
}

// TestFastAPIAuthentication: a requirement of a user set away from the
// view is read as FastAPI applies it: a router's dependencies declared in
// another module, followed through a chain of Depends() to a security
// scheme; include_router(dependencies=...); a view parameter whose
// dependency reads an API key. A public router stays public. The reason
// names the chain.
func TestFastAPIAuthentication(t *testing.T) {
	dir := authProject(t)
	rt := routestest.Static(t, dir)
	want := map[string]string{
		"/api/chores/":  "APIRouter(dependencies=...) (app/routers/chores.py:5): Depends(family)",
		"/admin/stats":  "include_router(dependencies=...) (app/main.py:",
		"/partner/feed": "Depends(partner)",
		"/holidays":     "",
	}
	routestest.CheckPerUser(t, rt, want)
	for _, r := range rt.Routes {
		if r.PerUser && !strings.Contains(r.PerUserWhy, "OAuth2PasswordBearer") && !strings.Contains(r.PerUserWhy, "APIKeyHeader") {
			t.Errorf("%s: the reason does not reach the security scheme: %s", r.Pattern, r.PerUserWhy)
		}
	}
}

// authProject writes a FastAPI project whose requirements of a user are
// set away from the views (see TestFastAPIAuthentication).
func authProject(t *testing.T) string {
	return lab.WriteFiles(t, map[string]string{
		"app/__init__.py": "",
		"app/security.py": "from fastapi import Depends\nfrom fastapi.security import OAuth2PasswordBearer, APIKeyHeader\n\n" +
			"oauth2_scheme = OAuth2PasswordBearer(tokenUrl=\"token\")\napi_key = APIKeyHeader(name=\"X-Key\")\n\n\n" +
			"def decode(token: str = Depends(oauth2_scheme)):\n    return token\n\n\n" +
			"def family(claims=Depends(decode)):\n    return claims\n\n\n" +
			"def partner(key=Depends(api_key)):\n    return key\n",
		"app/deps.py":             "from fastapi import Depends\n\nfrom app.security import family\n\nFAMILY = [Depends(family)]\n",
		"app/routers/__init__.py": "",
		"app/routers/chores.py": "from fastapi import APIRouter, Depends\n\nfrom app.security import family\n\nrouter = APIRouter(prefix=\"/chores\", dependencies=[Depends(family)])\n\n\n" +
			"@router.get(\"/\")\ndef chores():\n    return []\n",
		"app/routers/admin.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get(\"/stats\")\ndef stats():\n    return {}\n",
		"app/routers/public.py": "from fastapi import APIRouter, Depends\n\nfrom app.security import partner\n\nrouter = APIRouter()\n\n\n" +
			"@router.get(\"/holidays\")\ndef holidays():\n    return []\n\n\n@router.get(\"/partner/feed\")\ndef feed(key=Depends(partner)):\n    return []\n",
		"app/main.py": "from fastapi import FastAPI\n\nfrom app.deps import FAMILY\nfrom app.routers import admin, chores, public\nfrom app.security import family\nfrom fastapi import Depends\n\n" +
			"app = FastAPI()\napp.include_router(chores.router, prefix=\"/api\")\napp.include_router(admin.router, prefix=\"/admin\", dependencies=[Depends(family)])\napp.include_router(public.router)\n",
	})
}

// TestExactFastAPIAuthentication: exact mode reads the same requirements
// from the app's own route.dependant trees, down to the security scheme.
func TestExactFastAPIAuthentication(t *testing.T) {
	lab.Need(t, nil, []string{"fastapi"})
	_, rt, _ := routestest.ExactOf(t, authProject(t), time.Minute)
	scheme := "(exact mode): security dependency "
	routestest.CheckPerUser(t, rt, map[string]string{"/api/chores/": scheme, "/admin/stats": scheme, "/partner/feed": scheme, "/holidays": ""})
}

// TestFastAPIAppAndRouteDependencies: dependencies declared on the app
// itself make every route need a user; on a route decorator, that route.
func TestFastAPIAppAndRouteDependencies(t *testing.T) {
	for _, tc := range []struct {
		app  string
		want map[string]string
	}{
		{"app = FastAPI(dependencies=[Depends(member)])\n", map[string]string{"/open": "FastAPI(dependencies=...) (svc/main.py:", "/mine": "Depends(member)"}},
		{"app = FastAPI()\n", map[string]string{"/open": "", "/mine": "the route's dependencies=... : Depends(member)"}},
	} {
		dir := lab.WriteFiles(t, map[string]string{
			"svc/__init__.py": "",
			"svc/main.py": "from fastapi import Depends, FastAPI\nfrom fastapi.security import APIKeyCookie\n\nsession = APIKeyCookie(name=\"sid\")\n\n\n" +
				"def member(sid: str = Depends(session)):\n    return sid\n\n\n" + tc.app + "\n\n" +
				"@app.get(\"/open\")\ndef open_():\n    return {}\n\n\n@app.get(\"/mine\", dependencies=[Depends(member)])\ndef mine():\n    return {}\n",
		})
		rt, err := routes.ExtractRoutes(dir)
		if err != nil {
			t.Fatal(err)
		}
		routestest.CheckPerUser(t, rt, tc.want)
		rt.Close()
	}
}

// cbvProject writes a FastAPI project with class-based controllers: the
// project's own @cbv(router) (the shape of fastapi-utils' cbv, which
// projects often copy) makes the class attributes given Depends() shared
// dependencies of every route method; one controller inherits a
// dependency on the current user from a base class in another module.
func cbvProject(t *testing.T) string {
	return lab.WriteFiles(t, map[string]string{
		"app/__init__.py": "",
		"app/security.py": "from fastapi import Depends\nfrom fastapi.security import OAuth2PasswordBearer\n\noauth2_scheme = OAuth2PasswordBearer(tokenUrl=\"token\")\n\n\n" +
			"def current_member(token: str = Depends(oauth2_scheme)):\n    return {\"token\": token}\n\n\nclass FamilyView:\n    member: dict = Depends(current_member)\n",
		"app/cbv.py": `"""Class-based views: the class's Depends() attributes become dependencies
shared by its route methods."""
import inspect

from fastapi import APIRouter, params


def cbv(router: APIRouter):
    def decorator(cls):
        shared = {}
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, params.Depends):
                    shared[name] = inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=value,
                                                     annotation=klass.__dict__.get("__annotations__", {}).get(name, inspect.Parameter.empty))

        def __init__(self, **values):
            for name, value in values.items():
                setattr(self, name, value)

        cls.__init__ = __init__
        cls.__signature__ = inspect.Signature(list(shared.values()))
        functions = {f for f in vars(cls).values() if inspect.isfunction(f)}
        for route in list(router.routes):
            endpoint = getattr(route, "endpoint", None)
            if endpoint not in functions:
                continue
            sig = inspect.signature(endpoint)
            first, *rest = sig.parameters.values()
            endpoint.__signature__ = sig.replace(parameters=[first.replace(default=params.Depends(cls), kind=inspect.Parameter.KEYWORD_ONLY)] +
                                                 [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in rest])
            router.routes.remove(route)
            router.add_api_route(route.path[len(router.prefix):], endpoint, methods=list(route.methods), name=route.name)
        return cls

    return decorator
`,
		"app/family.py": "from fastapi import APIRouter\n\nfrom app.cbv import cbv\nfrom app.security import FamilyView\n\nrouter = APIRouter(prefix=\"/family\")\n\n\n" +
			"@cbv(router)\nclass Chores(FamilyView):\n    @router.get(\"/chores/{chore_id}\")\n    def chore(self, chore_id: int):\n        return {\"id\": chore_id, \"member\": self.member}\n\n" +
			"    @router.post(\"/chores\")\n    def add(self):\n        return {}\n\n\n" +
			"@cbv(router)\nclass Recipes:\n    @router.get(\"/recipes\")\n    def recipes(self):\n        return []\n",
		"app/main.py": "from fastapi import FastAPI\n\nfrom app import family\n\napp = FastAPI(openapi_url=None)\napp.include_router(family.router, prefix=\"/api\")\n",
	})
}

// TestFastAPIClassBasedViews: routes declared on the methods of
// class-based controllers are found, and the dependencies the class
// shares (inherited here) make them per-user; a controller without any
// stays public.
func TestFastAPIClassBasedViews(t *testing.T) {
	rt, err := routes.ExtractRoutes(cbvProject(t))
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	routestest.SameList(t, "routes", routestest.Briefs(rt), []string{
		"GET /api/family/chores/{chore_id} GET app.family.Chores.chore [per-user]",
		"GET /api/family/recipes GET app.family.Recipes.recipes",
		"POST /api/family/chores POST app.family.Chores.add [per-user]",
	})
	routestest.CheckPerUser(t, rt, map[string]string{
		"/api/family/chores/{chore_id}": "the dependencies shared by class Chores: Depends(current_member) (app/security.py:12) -> Depends(oauth2_scheme) (app/security.py:7) -> OAuth2PasswordBearer",
		"/api/family/recipes":           "",
	})
}

// TestExactFastAPIClassBasedViews: exact mode finds the same routes and
// reads the requirement from the route's dependant tree (the controller
// class, its shared dependency, the security scheme).
func TestExactFastAPIClassBasedViews(t *testing.T) {
	lab.Need(t, nil, []string{"fastapi"})
	st, rt, _ := routestest.ExactOf(t, cbvProject(t), time.Minute)
	routestest.SameList(t, "exact routes", routestest.Briefs(rt), routestest.Briefs(st))
	routestest.CheckPerUser(t, rt, map[string]string{
		"/api/family/chores/{chore_id}": "(exact mode): security dependency Chores -> current_member -> OAuth2PasswordBearer",
		"/api/family/recipes":           "",
	})
}
