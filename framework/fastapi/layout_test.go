package fastapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/routes"
	"github.com/cdnadvise/cdnadvise/routes/routestest"
)

// layoutProject has the shapes of real FastAPI projects that the static
// pass used to miss whole: the app made by a factory in another module,
// routers reached through packages that re-export their modules (from
// .shop import shop, over a folder without __init__.py of the same name),
// fastapi-utils' InferringRouter with @cbv controllers, include_router
// with router= as a keyword, an app built and configured in methods of a
// class (routes declared on a function inside a method, stacked), a router
// built and returned by a function, and a route path read from a config
// class's confi.str default.
func layoutProject(t *testing.T) string {
	return lab.WriteFiles(t, map[string]string{
		"fastapi_utils/__init__.py":         "",
		"fastapi_utils/inferring_router.py": "from fastapi import APIRouter\n\n\nclass InferringRouter(APIRouter):\n    \"\"\"Stands for fastapi-utils' router (response models from annotations).\"\"\"\n",
		"fastapi_utils/cbv.py":              "def cbv(router):\n    \"\"\"Stands for fastapi-utils' cbv: the routes are those declared on the methods.\"\"\"\n    def decorator(cls):\n        return cls\n    return decorator\n",
		"confi/__init__.py":                 "import os\n\n\ndef str(key, default, description=\"\"):\n    \"\"\"Stands for confi's str(): the environment's value, else the default.\"\"\"\n    return os.environ.get(key, default)\n",
		"shop/__init__.py":                  "",
		"shop/factory.py":                   "from fastapi import FastAPI\n\n\ndef create_application() -> FastAPI:\n    app = FastAPI(openapi_url=None)\n    return app\n",
		"shop/main.py": "from .factory import create_application\nfrom .modules import admin, catalog\n\napp = create_application()\n" +
			"app.include_router(router=catalog.router, prefix=\"/catalog\")\napp.include_router(router=admin.router, prefix=\"/admin\")\n",
		"shop/modules/__init__.py":               "from .public import catalog\nfrom .admin import admin\n",
		"shop/modules/public/__init__.py":        "from .catalog import catalog\n",
		"shop/modules/public/catalog/catalog.py": "from fastapi_utils.cbv import cbv\nfrom fastapi_utils.inferring_router import InferringRouter\n\nrouter = InferringRouter()\n\n\n@cbv(router)\nclass CatalogController:\n    @router.get(\"/items\")\n    def items(self):\n        return []\n\n    @router.get(\"/items/{item_id}\")\n    def item(self, item_id: int):\n        return {}\n",
		"shop/modules/admin/__init__.py":         "from .reports import reports\n",
		"shop/modules/admin/admin.py":            "from fastapi import APIRouter\n\nfrom . import reports\n\nrouter = APIRouter()\nrouter.include_router(router=reports.router, prefix=\"/reports\")\n\n\n@router.get(\"/panel\")\ndef panel():\n    return {}\n",
		"shop/modules/admin/reports/reports.py":  "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get(\"/daily\")\ndef daily():\n    return []\n",
	})
}

func TestFastAPIRealLayouts(t *testing.T) {
	dir := layoutProject(t)
	st := routestest.Static(t, dir)
	routestest.SameList(t, "routes", routestest.Briefs(st), []string{
		"GET /admin/panel GET shop.modules.admin.admin.panel",
		"GET /admin/reports/daily GET shop.modules.admin.reports.reports.daily",
		"GET /catalog/items GET shop.modules.public.catalog.catalog.CatalogController.items",
		"GET /catalog/items/{item_id} GET shop.modules.public.catalog.catalog.CatalogController.item",
	})
}

// TestExactFastAPIRealLayouts: FastAPI (Debian's) builds the same rows.
func TestExactFastAPIRealLayouts(t *testing.T) {
	lab.Need(t, nil, []string{"fastapi"})
	st, rt, _ := routestest.ExactOf(t, layoutProject(t), time.Minute)
	routestest.SameList(t, "exact routes", routestest.Briefs(rt), routestest.Briefs(st))
}

// serverProject builds its app in methods of a class, as servers that
// embed FastAPI do: the app made in one method, configured in another
// (include_router of a router a function builds and returns, routes on a
// function inside the method), a path from a config class.
func serverProject(t *testing.T) string {
	return lab.WriteFiles(t, map[string]string{
		"confi/__init__.py": "import os\n\n\ndef str(key, default, description=\"\"):\n    \"\"\"Stands for confi's str(): the environment's value, else the default.\"\"\"\n    return os.environ.get(key, default)\n",
		"srv/__init__.py":   "",
		"srv/config.py":     "import confi\n\n\nclass ServerConfig:\n    STATUS_ROUTE = confi.str(\"STATUS_ROUTE\", \"/status\")\n\n\nconfig = ServerConfig()\n",
		"srv/status.py": "from fastapi import APIRouter\n\nfrom srv.config import config\n\n\ndef init_status_router(version):\n    router = APIRouter()\n\n" +
			"    @router.get(config.STATUS_ROUTE)\n    def status():\n        return {\"version\": version}\n\n    return router\n",
		"srv/server.py": "from fastapi import FastAPI\n\nfrom srv.status import init_status_router\n\n\nclass Server:\n    def __init__(self):\n        self.app = self._init_app()\n\n" +
			"    def _init_app(self):\n        app = FastAPI(openapi_url=None)\n        self._configure_routes(app)\n        return app\n\n" +
			"    def _configure_routes(self, app: FastAPI):\n        r = init_status_router(\"1.0\")\n        app.include_router(r, tags=[\"status\"])\n\n" +
			"        @app.get(\"/healthcheck\")\n        @app.get(\"/\")\n        def healthcheck():\n            return {\"status\": \"ok\"}\n\n\n" +
			"app = Server().app\n",
	})
}

func TestFastAPIAppBuiltInMethods(t *testing.T) {
	dir := serverProject(t)
	st := routestest.Static(t, dir)
	want := []string{
		"GET / GET srv.server.healthcheck",
		"GET /healthcheck GET srv.server.healthcheck",
		"GET /status GET srv.status.status",
	}
	routestest.SameList(t, "routes", routestest.Briefs(st), want)
	lab.Need(t, nil, []string{"fastapi"})
	rt, d, err := routes.ExactRoutesWith(context.Background(), framework.ExactOptions{Python: lab.TestPython, Src: dir, Static: st, Timeout: time.Minute, App: "srv.server:app"})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	routestest.NoDiff(t, d)
}

// classyStandIn stands for classy-fastapi (not packaged by Debian),
// written here after its documented behaviour: @get(path) and @post(path)
// mark methods; Routable.__init__ makes an APIRouter from its keyword
// arguments and adds each marked method, bound to the instance, as a
// route of it.
const classyStandIn = `import functools
import inspect

from fastapi import APIRouter


def _route(method, path, **kw):
    def deco(fn):
        fn._classy = getattr(fn, "_classy", []) + [(method, path, kw)]
        return fn
    return deco


def get(path, **kw):
    return _route("GET", path, **kw)


def post(path, **kw):
    return _route("POST", path, **kw)


class Routable:
    def __init__(self, *args, **kwargs):
        self.router = APIRouter(*args, **kwargs)
        for _, fn in inspect.getmembers(type(self), inspect.isfunction):
            for method, path, kw in getattr(fn, "_classy", []):
                self.router.add_api_route(path, functools.partial(fn, self), methods=[method], **kw)
`

// classyProject: classy-fastapi controllers, one made and included by a
// class decorator of the project (it instantiates the class with the
// decorator's prefix and includes its router in a root router), one an
// instance at module level whose .router the app includes; an add_api_route
// whose methods are enum members; a controller whose __init__ gives
// Routable its prefix and a security dependency.
func classyProject(t *testing.T) string {
	return lab.WriteFiles(t, map[string]string{
		"classy_fastapi/__init__.py": classyStandIn,
		"shop/__init__.py":           "",
		"shop/routing.py": "from http import HTTPStatus\n\nfrom fastapi import APIRouter\n\nroot = APIRouter(prefix=\"/api/v1\")\n\n\n" +
			"class HTTPMethods:\n    GET = \"GET\"\n    DELETE = \"DELETE\"\n\n\ndef purge():\n    return {}\n\n\n" +
			"root.add_api_route(\"/cache\", purge, methods=[HTTPMethods.DELETE])\n\n\n" +
			"def router(*args, **kwargs):\n    def decorator(cls):\n        result = cls(*args, **kwargs)\n        root.include_router(result.router)\n        return result\n\n    return decorator\n",
		"shop/controllers/__init__.py": "",
		"shop/controllers/coupons.py": "from classy_fastapi import Routable, get, post\n\nfrom shop.routing import router\n\n\n" +
			"@router(prefix=\"/coupons\", tags=[\"coupons\"])\nclass Coupons(Routable):\n    @get(\"\")\n    async def all(self):\n        return []\n\n    @post(\"/redeem/{code}\")\n    async def redeem(self, code: str):\n        return {}\n",
		"shop/security.py": "from fastapi import Depends\nfrom fastapi.security import OAuth2PasswordBearer\n\noauth2 = OAuth2PasswordBearer(tokenUrl=\"token\")\n\n\ndef current_user(token: str = Depends(oauth2)):\n    return token\n",
		"shop/controllers/users.py": "from classy_fastapi import Routable, get\nfrom fastapi import Depends\n\nfrom shop.routing import router\nfrom shop.security import current_user\n\n\n" +
			"@router()\nclass Users(Routable):\n    def __init__(self, *args, **kwargs):\n        super().__init__(*args, prefix=\"/users\", dependencies=[Depends(current_user)], **kwargs)\n\n    @get(\"/me\")\n    def me(self):\n        return {}\n",
		"shop/controllers/plain.py": "from classy_fastapi import Routable, get\n\n\nclass Health(Routable):\n    @get(\"/health\")\n    def health(self):\n        return {}\n\n\nhealth = Health()\n",
		"shop/main.py": "from fastapi import FastAPI\n\nfrom shop.controllers import coupons, plain, users  # noqa: F401 (the decorators register the controllers)\nfrom shop.routing import root\n\n" +
			"app = FastAPI(openapi_url=None)\napp.include_router(root)\napp.include_router(plain.health.router)\n",
	})
}

func TestFastAPIClassyControllers(t *testing.T) {
	st := routestest.Static(t, classyProject(t))
	routestest.SameList(t, "routes", routestest.Briefs(st), []string{
		"DELETE /api/v1/cache DELETE shop.routing.purge",
		"GET /api/v1/coupons GET shop.controllers.coupons.Coupons.all",
		"POST /api/v1/coupons/redeem/{code} POST shop.controllers.coupons.Coupons.redeem",
		"GET /health GET shop.controllers.plain.Health.health",
		"GET /api/v1/users/me GET shop.controllers.users.Users.me [per-user]",
	})
}

// TestExactFastAPIClassyControllers: FastAPI (Debian's) builds the same
// rows; the endpoints, partials of the methods, are named by the method.
func TestExactFastAPIClassyControllers(t *testing.T) {
	lab.Need(t, nil, []string{"fastapi"})
	st, rt, _ := routestest.ExactOf(t, classyProject(t), time.Minute)
	routestest.SameList(t, "exact routes", routestest.Briefs(rt), routestest.Briefs(st))
}

// TestFastAPIParameterDefaultOnlyWhenNotPassed: a parameter's default
// stands for it only when no call passes it; a call that passes another
// value leaves the prefix unresolved rather than wrong.
func TestFastAPIParameterDefaultOnlyWhenNotPassed(t *testing.T) {
	for _, tc := range []struct{ call, want string }{
		{"register(app)", "GET /v1/items GET svc.api.items"},
		{"register(app, prefix=\"/api/v2\")", "GET /items GET svc.api.items [unresolved]"},
	} {
		st := routestest.Static(t, lab.WriteFiles(t, map[string]string{
			"svc/__init__.py": "",
			"svc/api.py":      "from fastapi import APIRouter\n\nr = APIRouter()\n\n\n@r.get(\"/items\")\ndef items():\n    return []\n",
			"svc/setup.py":    "from svc.api import r\n\n\ndef register(app, prefix=\"/v1\"):\n    app.include_router(r, prefix=prefix)\n",
			"svc/main.py":     "from fastapi import FastAPI\n\nfrom svc.setup import register\n\napp = FastAPI(openapi_url=None)\n" + tc.call + "\n",
		}))
		routestest.SameList(t, tc.call, routestest.Briefs(st), []string{tc.want})
	}
}
