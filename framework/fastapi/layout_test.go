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
	if len(d.FrameworkOnly) > 0 || len(d.StaticOnly) > 0 {
		t.Errorf("static and framework differ: only framework %+v, only static %+v", d.FrameworkOnly, d.StaticOnly)
	}
}
