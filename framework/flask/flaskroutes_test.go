package flask_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/routes"
	"github.com/cdnadvise/cdnadvise/routes/routestest"
)

// TestFlaskRoutes: the routes read from the Flask fixture's source (an app
// factory, blueprints with url_prefix at creation and at registration, a
// nested blueprint, @route with methods, @get/@post, add_url_rule with a
// function and with MethodView.as_view, a custom converter, the static
// route) are, per method, the rules Flask itself builds (app.url_map, read
// with Debian's Flask); and request paths map to the rule Werkzeug matches
// (a rule ending in a slash takes the path without it too: Werkzeug
// redirects there).
func TestFlaskRoutes(t *testing.T) {
	rt := routestest.Static(t, "testdata/flaskproj")
	if rt.Framework != "flask" {
		t.Fatalf("framework %s, notes %v", rt.Framework, rt.Notes)
	}
	var got []string
	for _, r := range rt.Routes {
		if r.Unresolved != "" {
			t.Errorf("%s %s: %s", r.Method, r.Pattern, r.Unresolved)
		}
		got = append(got, r.Method+" "+r.Pattern)
	}
	sort.Strings(got)

	lab.Need(t, nil, []string{"flask"})
	paths := []string{"/", "/api/items", "/api/items/42", "/api/items/x", "/api/items/42/reviews", "/api/leaderboard",
		"/api/things/0f8fad5b-d9cb-469f-a165-70867728950e", "/api/things/nope", "/api/v2/files/a/b/c.txt", "/assets/app.js",
		"/healthz", "/me", "/search/", "/search", "/tags/red-shoes", "/tags/Red", "/admin/stats", "/nowhere"}
	script := `import json, sys
sys.path.insert(0, ".")
from shop import create_app
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect
app = create_app()
rows = []
for r in app.url_map.iter_rules():
    for m in sorted(r.methods - {"HEAD", "OPTIONS"}):
        rows.append(m + " " + r.rule)
adapter = app.url_map.bind("shop.example")
matches = {}
for p in sys.argv[1:]:
    try:
        rule, _ = adapter.match(p, return_rule=True)
        matches[p] = rule.rule
    except RequestRedirect as e:
        matches[p] = adapter.match(e.new_url.split("shop.example", 1)[1], return_rule=True)[0].rule
    except MethodNotAllowed as e:
        matches[p] = adapter.match(p, method=sorted(e.valid_methods)[0], return_rule=True)[0].rule
    except NotFound:
        matches[p] = ""
print(json.dumps({"rows": sorted(rows), "matches": matches}))
`
	cmd := exec.Command("/usr/bin/python3", append([]string{"-c", script}, paths...)...)
	cmd.Dir = "testdata/flaskproj"
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("flask: %v %s %s", err, out, stderr.String())
	}
	var want struct {
		Rows    []string
		Matches map[string]string
	}
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if strings.Join(got, "\n") != strings.Join(want.Rows, "\n") {
		t.Errorf("routes:\n%s\nFlask's url_map:\n%s", strings.Join(got, "\n"), strings.Join(want.Rows, "\n"))
	}
	for _, p := range paths {
		pattern, _ := rt.Route(p)
		if pattern != want.Matches[p] {
			t.Errorf("%s -> %q, Werkzeug matches %q", p, pattern, want.Matches[p])
		}
	}
}

// TestFlaskAuthentication: a requirement of a user set away from the view
// is read as Flask applies it: a blueprint's before_request hook (declared
// in another module, and applying to a blueprint nested in it), a
// blueprint's before_app_request hook in another app, and a project
// decorator that checks the user. A public blueprint stays public.
func TestFlaskAuthentication(t *testing.T) {
	dir := flaskAuthProject(t)
	rt := routestest.Static(t, dir)
	want := map[string]string{
		"/family/dashboard":   "the before_request hook require_family (famsite/guard.py:4) of blueprint bp",
		"/family/chores/list": "the before_request hook require_family (famsite/guard.py:4) of blueprint bp",
		"/photos":             "@family_only (famsite/guard.py:9)",
		"/holidays":           "",
	}
	routestest.CheckPerUser(t, rt, want)
}

// flaskAuthProject writes a Flask project whose requirements of a user are
// set away from the views (see TestFlaskAuthentication).
func flaskAuthProject(t *testing.T) string {
	return lab.WriteFiles(t, map[string]string{
		"famsite/__init__.py": "",
		"famsite/guard.py": "from flask import g, redirect, url_for\n\n\ndef require_family():\n    if g.user is None:\n        return redirect(url_for(\"auth.login\"))\n\n\n" +
			"def family_only(view):\n    def wrapper(*a, **kw):\n        if not g.user:\n            return redirect(\"/login\")\n        return view(*a, **kw)\n    return wrapper\n",
		"famsite/family.py": "from flask import Blueprint\n\nfrom famsite.guard import require_family\n\nbp = Blueprint(\"family\", __name__)\nchores = Blueprint(\"chores\", __name__)\nbp.before_request(require_family)\n\n\n" +
			"@bp.get(\"/dashboard\")\ndef dashboard():\n    return \"\"\n\n\n@chores.get(\"/list\")\ndef chore_list():\n    return \"\"\n\n\nbp.register_blueprint(chores, url_prefix=\"/chores\")\n",
		"famsite/public.py": "from flask import Blueprint\n\nfrom famsite.guard import family_only\n\nbp = Blueprint(\"public\", __name__)\n\n\n@bp.get(\"/holidays\")\ndef holidays():\n    return \"\"\n\n\n" +
			"@bp.get(\"/photos\")\n@family_only\ndef photos():\n    return \"\"\n",
		"famsite/app.py": "from flask import Flask\n\nfrom famsite import family, public\n\napp = Flask(__name__)\napp.register_blueprint(family.bp, url_prefix=\"/family\")\napp.register_blueprint(public.bp)\n",
	})
}

// TestExactFlaskAuthentication: exact mode reads the same requirements
// from the app's own objects: the before_request functions that run for a
// rule's blueprints, and the wrappers around the view.
func TestExactFlaskAuthentication(t *testing.T) {
	lab.Need(t, nil, []string{"flask"})
	_, rt, _ := routestest.ExactOf(t, flaskAuthProject(t), time.Minute)
	want := map[string]string{
		"/family/dashboard":   "(exact mode): before_request hook require_family (famsite/guard.py:4)",
		"/family/chores/list": "(exact mode): before_request hook require_family (famsite/guard.py:4)",
		"/photos":             "(exact mode): wrapped by family_only.<locals>.wrapper, which checks for a user",
		"/holidays":           "",
	}
	routestest.CheckPerUser(t, rt, want)
}

// TestFlaskHookOnAppParameter: a before_request hook registered on the
// app a setup function is given (def init_app(app): @app.before_request
// ..., called by the factory: the parameter stands for the app it is
// given) applies to every route of the app; the same
// shape with a hook that checks nothing leaves the routes public.
func TestFlaskHookOnAppParameter(t *testing.T) {
	for _, tc := range []struct{ hook, want string }{
		{"        if not current_user.is_authenticated:\n            abort(401)\n", "the before_request hook require_login (site/setup.py:6) of app app turns anonymous users away"},
		{"        g.start = 1\n", ""},
	} {
		dir := lab.WriteFiles(t, map[string]string{
			"site/__init__.py": "",
			"site/setup.py":    "from flask import abort, g\nfrom flask_login import current_user\n\n\ndef init_app(app):\n    @app.before_request\n    def require_login():\n" + tc.hook,
			"site/app.py": "from flask import Flask\n\nfrom site.setup import init_app\n\n\nclass SiteFlask(Flask):\n    pass\n\n\n" +
				"def create_app():\n    app = SiteFlask(__name__)\n    init_app(app)\n\n    @app.get(\"/chores\")\n    def chores():\n        return \"\"\n\n    return app\n",
		})
		rt, err := routes.ExtractRoutes(dir)
		if err != nil {
			t.Fatal(err)
		}
		routestest.CheckPerUser(t, rt, map[string]string{"/chores": tc.want})
		rt.Close()
	}
}
