package flask_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/routes"
	"github.com/cdnadvise/cdnadvise/routes/routestest"
)

// restfulProject writes a Flask-RESTful project whose requirements of a
// user are set away from the handlers: a base Resource's method_decorators
// (a project decorator in another module), method_decorators per method
// (POST only: GET stays public), a Resource's decorators with
// Flask-Login's login_required, an Api bound later with init_app whose
// decorators= wrap every resource, and a handler decorated itself.
func restfulProject(t *testing.T) string {
	return lab.WriteFiles(t, map[string]string{
		"famapi/__init__.py": "",
		"famapi/auth.py": "from functools import wraps\n\nfrom flask import abort, request\n\n\n" +
			"def token_auth(fn):\n    @wraps(fn)\n    def wrapper(*a, **kw):\n        if not request.headers.get(\"Authorization\"):\n            abort(401)\n        return fn(*a, **kw)\n    return wrapper\n\n\n" +
			"def audit(fn):\n    @wraps(fn)\n    def wrapper(*a, **kw):\n        return fn(*a, **kw)\n    return wrapper\n",
		"famapi/base.py": "from flask_restful import Resource\n\nfrom famapi.auth import token_auth\n\n\nclass FamilyResource(Resource):\n    method_decorators = [token_auth]\n",
		"famapi/resources.py": "from flask_login import login_required\nfrom flask_restful import Resource\n\nfrom famapi.auth import audit, token_auth\nfrom famapi.base import FamilyResource\n\n\n" +
			"class Chores(FamilyResource):\n    def get(self):\n        return []\n\n\n" +
			"class Recipes(Resource):\n    method_decorators = {\"post\": [token_auth]}\n\n    def get(self):\n        return []\n\n    def post(self):\n        return {}, 201\n\n\n" +
			"class Profile(Resource):\n    decorators = [login_required]\n\n    def get(self):\n        return {}\n\n\n" +
			"class Album(Resource):\n    @audit\n    @token_auth\n    def get(self, album_id):\n        return {}\n\n\n" +
			"class Holidays(Resource):\n    @audit\n    def get(self):\n        return []\n",
		"famapi/app.py": "from flask import Blueprint, Flask\nfrom flask_login import LoginManager\nfrom flask_restful import Api\n\nfrom famapi import resources\nfrom famapi.auth import token_auth\n\n" +
			"app = Flask(__name__)\napp.secret_key = \"test\"\nLoginManager(app)\n\n" +
			"bp = Blueprint(\"api\", __name__, url_prefix=\"/api\")\napi = Api(bp, prefix=\"/v1\")\napi.add_resource(resources.Chores, \"/chores\", \"/chores/\")\n" +
			"api.add_resource(resources.Recipes, \"/recipes\")\napi.add_resource(resources.Profile, \"/me\")\napi.add_resource(resources.Album, \"/albums/<int:album_id>\")\n" +
			"api.add_resource(resources.Holidays, \"/holidays\")\napp.register_blueprint(bp)\n\n" +
			"admin = Api(decorators=[token_auth])\nadmin.add_resource(resources.Holidays, \"/admin/holidays\", endpoint=\"admin_holidays\")\nadmin.init_app(app)\n",
	})
}

// TestFlaskRESTful: the routes of Flask-RESTful resources (an Api on a
// blueprint with its own prefix, an Api bound with init_app) with their
// methods, and where each requirement of a user comes from.
func TestFlaskRESTful(t *testing.T) {
	rt, err := routes.ExtractRoutes(restfulProject(t))
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	routestest.SameList(t, "routes", routestest.Briefs(rt), []string{
		"GET /api/v1/albums/<int:album_id> GET famapi.resources.Album [per-user]",
		"GET /api/v1/chores GET famapi.resources.Chores [per-user]",
		"GET /api/v1/chores/ GET famapi.resources.Chores [per-user]",
		"GET /api/v1/holidays GET famapi.resources.Holidays",
		"GET /api/v1/me GET famapi.resources.Profile [per-user]",
		"GET /api/v1/recipes GET,POST famapi.resources.Recipes",
		"POST /api/v1/recipes GET,POST famapi.resources.Recipes",
		"GET /admin/holidays GET famapi.resources.Holidays [per-user]",
		"GET /static/<path:filename> GET Flask (static folder)",
	})
	routestest.CheckPerUser(t, rt, map[string]string{
		"/api/v1/chores":                "method_decorators of FamilyResource (famapi/base.py:7): token_auth (famapi/auth.py:6) checks for a user",
		"/api/v1/recipes":               "",
		"/api/v1/me":                    "decorators of Profile (famapi/resources.py:24): login_required",
		"/api/v1/albums/<int:album_id>": "@token_auth (famapi/auth.py:6) checks for a user",
		"/api/v1/holidays":              "",
		"/admin/holidays":               "decorators= of api admin (famapi/app.py:21): token_auth (famapi/auth.py:6)",
	})
}

// TestExactFlaskRESTful: exact mode (Debian's Flask-RESTful and
// Flask-Login) builds the same rules, and reads the same requirements
// from the live objects: the Resource's method_decorators (for GET), its
// decorators and the Api's around the view, the GET handler's wrappers.
func TestExactFlaskRESTful(t *testing.T) {
	lab.Need(t, nil, []string{"flask", "flask_restful", "flask_login"})
	st, rt, _ := routestest.ExactOf(t, restfulProject(t), time.Minute)
	// The same rows (the static folder's view is named differently).
	noStatic := func(b []string) (out []string) {
		for _, s := range b {
			if !strings.HasPrefix(s, "GET /static/") {
				out = append(out, s)
			}
		}
		return out
	}
	routestest.SameList(t, "exact routes", noStatic(routestest.Briefs(rt)), noStatic(routestest.Briefs(st)))
	routestest.CheckPerUser(t, rt, map[string]string{
		"/api/v1/chores":                "(exact mode): method_decorators of Chores: token_auth (famapi/auth.py:6), which checks for a user",
		"/api/v1/recipes":               "",
		"/api/v1/me":                    "(exact mode): wrapped by flask_login's login_required",
		"/api/v1/albums/<int:album_id>": "(exact mode): Album.get: wrapped by token_auth.<locals>.wrapper, which checks for a user",
		"/api/v1/holidays":              "",
		"/admin/holidays":               "(exact mode): wrapped by token_auth.<locals>.wrapper, which checks for a user",
	})
}

// TestFlaskRESTX: Flask-RESTX namespaces (Namespace(...) added with a path
// of its own, api.namespace(...) with the path taken from its name),
// @ns.route and @api.route on Resource classes, an Api on a blueprint with
// a prefix, and the routes Flask-RESTX adds by itself; the namespace's
// decorators= make its resources per-user. (Flask-RESTX is not packaged by
// Debian: the expected rules follow flask_restx/api.py and namespace.py.)
func TestFlaskRESTX(t *testing.T) {
	dir := lab.WriteFiles(t, map[string]string{
		"pets/__init__.py": "",
		"pets/auth.py":     "from functools import wraps\n\nfrom flask import abort, request\n\n\ndef token_required(f):\n    @wraps(f)\n    def inner(*a, **kw):\n        if \"X-API-KEY\" not in request.headers:\n            abort(401)\n        return f(*a, **kw)\n    return inner\n",
		"pets/cats.py": "from flask_restx import Namespace, Resource\n\nfrom pets.auth import token_required\n\nns = Namespace(\"cats\", description=\"Cats\", decorators=[token_required])\n\n\n" +
			"@ns.route(\"/<int:cat_id>\")\n@ns.route(\"/<int:cat_id>/profile\")\nclass Cat(Resource):\n    def get(self, cat_id):\n        return {}\n",
		"pets/app.py": "from flask import Blueprint, Flask\nfrom flask_restx import Api, Resource\n\nfrom pets.cats import ns as cats\n\napp = Flask(__name__)\nbp = Blueprint(\"api\", __name__, url_prefix=\"/api\")\n" +
			"api = Api(bp, prefix=\"/v2\", doc=\"/docs\")\napi.add_namespace(cats, path=\"/felines\")\ndogs = api.namespace(\"dogs\", description=\"Dogs\")\n\n\n" +
			"@dogs.route(\"/\")\nclass DogList(Resource):\n    def get(self):\n        return []\n\n    def post(self):\n        return {}, 201\n\n\n" +
			"@api.route(\"/ping\")\nclass Ping(Resource):\n    def get(self):\n        return \"pong\"\n\n\napp.register_blueprint(bp)\n",
	})
	rt := routestest.Static(t, dir)
	routestest.SameList(t, "routes", routestest.Briefs(rt), []string{
		"GET /api/docs GET Flask-RESTX documentation page (built in)",
		"GET /api/v2 GET Flask-RESTX API root (answers 404) (built in)",
		"GET /api/v2/dogs/ GET,POST pets.app.DogList",
		"GET /api/v2/felines/<int:cat_id> GET pets.cats.Cat [per-user]",
		"GET /api/v2/felines/<int:cat_id>/profile GET pets.cats.Cat [per-user]",
		"GET /api/v2/ping GET pets.app.Ping",
		"GET /api/v2/swagger.json GET Flask-RESTX Swagger document (built in)",
		"GET /static/<path:filename> GET Flask (static folder)",
		"GET /swaggerui/<path:filename> GET Flask-RESTX Swagger UI files (built in)",
		"POST /api/v2/dogs/ GET,POST pets.app.DogList",
	})
	routestest.CheckPerUser(t, rt, map[string]string{
		"/api/v2/felines/<int:cat_id>": "decorators= of namespace ns (pets/cats.py:5): token_required (pets/auth.py:6) checks for a user",
		"/api/v2/dogs/":                "",
		"/api/v2/ping":                 "",
	})
	for path, want := range map[string]string{"/api/v2/felines/7/profile": "/api/v2/felines/<int:cat_id>/profile", "/api/v2/dogs/": "/api/v2/dogs/"} {
		if got, ok := rt.Route(path); !ok || got != want {
			t.Errorf("%s -> %q, want %s", path, got, want)
		}
	}
}
