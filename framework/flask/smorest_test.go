package flask_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/routes/routestest"
)

// smorestStandIn stands for flask-smorest (not packaged by Debian),
// written here after its documented behaviour: Blueprint.route on a
// MethodView class adds the class's as_view() at the rule (on a function,
// Flask's own route); Api(app) or Api() + init_app(app) binds an app, and
// Api.register_blueprint passes its options (url_prefix=) to the app's.
const smorestStandIn = `import flask
from flask.views import MethodView


class Blueprint(flask.Blueprint):
    def route(self, rule, *, parameters=None, **options):
        def decorator(func):
            if isinstance(func, type) and issubclass(func, MethodView):
                self.add_url_rule(rule, options.pop("endpoint", func.__name__), func.as_view(func.__name__.lower()), **options)
                return func
            return flask.Blueprint.route(self, rule, **options)(func)
        return decorator


class Api:
    def __init__(self, app=None, *, spec_kwargs=None):
        self._app = None
        if app is not None:
            self.init_app(app)

    def init_app(self, app, *, spec_kwargs=None):
        self._app = app

    def register_blueprint(self, blp, *, parameters=None, **options):
        self._app.register_blueprint(blp, **options)
`

func smorestProject(t *testing.T) string {
	return lab.WriteFiles(t, map[string]string{
		"flask_smorest/__init__.py": smorestStandIn,
		"pets/extensions.py":        "from flask_smorest import Api\n\napi = Api()\n",
		"pets/__init__.py": "from flask import Flask\n\nfrom pets import users\nfrom pets.extensions import api\nfrom pets.resources import blp as pets_blp\n\n\n" +
			"def create_app():\n    app = Flask(__name__)\n    api.init_app(app)\n    api.register_blueprint(pets_blp)\n" +
			"    for bp in (users.blp,):\n        api.register_blueprint(bp, url_prefix=\"/u\")\n    return app\n",
		"pets/resources.py": "from flask.views import MethodView\nfrom flask_smorest import Blueprint\n\nblp = Blueprint(\"pets\", \"pets\", url_prefix=\"/pets\")\n\n\n" +
			"@blp.route(\"/\")\nclass Pets(MethodView):\n    def get(self):\n        return []\n\n    def post(self):\n        return {}\n\n\n" +
			"@blp.route(\"/<int:pet_id>\")\nclass PetsById(MethodView):\n    def get(self, pet_id):\n        return {}\n\n    def delete(self, pet_id):\n        return \"\"\n\n\n" +
			"@blp.route(\"/count\", methods=[\"GET\"])\ndef count():\n    return {\"n\": 1}\n",
		"pets/users.py": "from flask.views import MethodView\nfrom flask_smorest import Blueprint\n\nblp = Blueprint(\"users\", __name__, url_prefix=\"/users\")\n\n\n" +
			"@blp.route(\"/me\")\nclass Me(MethodView):\n    def get(self):\n        return {}\n",
	})
}

// TestFlaskSmorest: flask-smorest Blueprints with routes on MethodView
// classes, registered through the Api (made in extensions.py, bound by
// init_app in the factory) in an app
// factory, one in a loop with a url_prefix that replaces the blueprint's.
func TestFlaskSmorest(t *testing.T) {
	st := routestest.Static(t, smorestProject(t))
	routestest.SameList(t, "static routes", routestest.Briefs(st), []string{
		"GET /pets/ GET,POST pets.resources.Pets",
		"POST /pets/ GET,POST pets.resources.Pets",
		"GET /pets/<int:pet_id> DELETE,GET pets.resources.PetsById",
		"DELETE /pets/<int:pet_id> DELETE,GET pets.resources.PetsById",
		"GET /pets/count GET pets.resources.count",
		"GET /static/<path:filename> GET Flask (static folder)",
		"GET /u/me GET pets.users.Me",
	})
}

// TestExactFlaskSmorest: Flask builds the same rows.
func TestExactFlaskSmorest(t *testing.T) {
	lab.Need(t, nil, []string{"flask"})
	_, _, d := routestest.ExactOf(t, smorestProject(t), time.Minute)
	routestest.NoDiff(t, d)
}

// TestFlaskPrefixFromDynaconf: a url_prefix built from a Dynaconf
// setting takes the default of the project's Validator for it, stated as
// an assumption on each row (the settings file may set another).
func TestFlaskPrefixFromDynaconf(t *testing.T) {
	dir := lab.WriteFiles(t, map[string]string{
		"app/__init__.py": "",
		"app/config.py": "from dynaconf import Dynaconf, Validator\n\nvalidators = [\n    Validator(\"general.base_url\", must_exist=True, default=\"/media-center/\"),\n    Validator(\"general.port\", default=6767),\n]\n\n" +
			"settings = Dynaconf(settings_file=\"config.yaml\")\nsettings.validators.register(*validators)\n\nbase_url = settings.general.base_url.rstrip(\"/\")\n",
		"app/ui.py":     "from flask import Blueprint\n\nui_bp = Blueprint(\"ui\", __name__)\n\n\n@ui_bp.route(\"/status\")\ndef status():\n    return \"ok\"\n",
		"app/server.py": "from flask import Flask\n\nfrom .config import base_url\nfrom .ui import ui_bp\n\napp = Flask(__name__)\napp.register_blueprint(ui_bp, url_prefix=base_url.rstrip(\"/\") + \"/ui\")\n",
	})
	st := routestest.Static(t, dir)
	found := false
	for _, r := range st.Routes {
		if r.View != "app.ui.status" {
			continue
		}
		found = true
		if r.Pattern != "/media-center/ui/status" || r.Unresolved != "" {
			t.Errorf("row %s (unresolved %q), want /media-center/ui/status", r.Pattern, r.Unresolved)
		}
		if len(r.Assumptions) == 0 || !strings.Contains(strings.Join(r.Assumptions, "; "), `the default of Validator("general.base_url") (app/config.py:4)`) {
			t.Errorf("assumptions %q do not say where the value comes from", r.Assumptions)
		}
	}
	if !found {
		t.Fatalf("no row for app.ui.status: %v", routestest.Briefs(st))
	}
}
