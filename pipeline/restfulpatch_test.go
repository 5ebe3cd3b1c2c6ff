package pipeline

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/cdnadvise/cdnadvise/advisor"
	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/routes/routestest"
)

// TestFlaskClassPatchKeepsDecorators: the header is added to a View
// class's decorators without dropping the login checks already there (the
// class's own decorators, and those a base class of the project sets), on
// Flask-RESTful resources run with Debian's Flask-RESTful and Flask-Login:
// anonymous requests are still turned away, signed-in ones get the private
// header, the public resource its shared one; a second patch changes
// nothing.
func TestFlaskClassPatchKeepsDecorators(t *testing.T) {
	lab.Need(t, []string{"git"}, []string{"flask", "flask_restful", "flask_login"})
	dir := lab.WriteFiles(t, map[string]string{
		"fam/__init__.py": "",
		"fam/auth.py": "from functools import wraps\n\nfrom flask import abort, request\n\n\ndef token_auth(fn):\n    @wraps(fn)\n    def wrapper(*a, **kw):\n" +
			"        if request.headers.get(\"Authorization\") != \"Token family-1\":\n            abort(401)\n        return fn(*a, **kw)\n    return wrapper\n",
		"fam/resources.py": "from flask_login import login_required\nfrom flask_restful import Resource\n\nfrom fam.auth import token_auth\n\n\n" +
			"class FamilyBase(Resource):\n    decorators = [token_auth]\n\n\nclass Chores(FamilyBase):\n    def get(self):\n        return [\"dishes\"]\n\n\n" +
			"class Profile(Resource):\n    decorators = [login_required]\n\n    def get(self):\n        return {\"name\": \"x\"}\n\n\n" +
			"class Holidays(Resource):\n    def get(self):\n        return [\"2026-12-25\"]\n",
		"fam/app.py": "from flask import Flask\nfrom flask_login import LoginManager\nfrom flask_restful import Api\n\nfrom fam import resources\n\napp = Flask(__name__)\napp.secret_key = \"test\"\nlogin = LoginManager(app)\n\n\n@login.user_loader\ndef load_user(uid):\n    return None\n\n\n" +
			"api = Api(app)\napi.add_resource(resources.Chores, \"/chores\")\napi.add_resource(resources.Profile, \"/me\")\napi.add_resource(resources.Holidays, \"/holidays\")\n",
	})
	rt := routestest.Static(t, dir)
	var recs []*advisor.Recommendation
	for _, r := range rt.Routes {
		if r.Kind == "static" || !framework.SafeMethod(r.Method) {
			continue
		}
		rec := &advisor.Recommendation{Method: r.Method, Endpoint: r.Pattern, Route: r, Class: advisor.ClassCacheable, CacheControl: "public, max-age=60, s-maxage=300"}
		if r.PerUser {
			rec.Class, rec.CacheControl = advisor.ClassPrivate, "private, no-store"
		}
		recs = append(recs, rec)
	}
	res, err := Patch(dir, rt, recs, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"decorators = [cache_control_header(\"private, no-store\"), *FamilyBase.decorators]", "decorators = [cache_control_header(\"private, no-store\"), *decorators]",
		"decorators = [cache_control_header(\"public, max-age=60, s-maxage=300\")]"} {
		if !strings.Contains(res.Diff, want) {
			t.Errorf("the patch has no %s:\n%s", want, res.Diff)
		}
	}
	if err := os.WriteFile(dir+"/cache.patch", []byte(res.Diff), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q"}, {"apply", "cache.patch"}} {
		c := exec.Command("git", args...)
		c.Dir = dir
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s\n%s", args, err, out, res.Diff)
		}
	}
	script := `import json, sys
sys.path.insert(0, ".")
from fam.app import app
c = app.test_client()
out = {}
for name, path, headers in [("chores anonymous", "/chores", {}), ("chores family", "/chores", {"Authorization": "Token family-1"}),
                            ("me anonymous", "/me", {}), ("holidays", "/holidays", {})]:
    r = c.get(path, headers=headers)
    out[name] = [r.status_code, r.headers.get("Cache-Control", "")]
print(json.dumps(out))
`
	var got map[string][2]any
	runPatched(t, dir, script, res, &got)
	for k, w := range map[string][2]any{"chores anonymous": {401.0, ""}, "chores family": {200.0, "private, no-store"}, "me anonymous": {401.0, ""},
		"holidays": {200.0, "public, max-age=60, s-maxage=300"}} {
		if got[k] != w {
			t.Errorf("%s: %v, want %v", k, got[k], w)
		}
	}
	patchAgainChangesNothing(t, dir, recs)
}
