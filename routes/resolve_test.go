package routes_test

import (
	"strings"
	"testing"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/routes"
	"github.com/cdnadvise/cdnadvise/routes/routestest"
)

// TestStaticResolution compares the full route table of fixture projects
// that compute their prefixes (module names reassigned under a condition,
// f-strings, settings with os.getenv defaults, pydantic settings, routers
// included in loops, mounted sub-applications) and the assumptions made.
func TestStaticResolution(t *testing.T) {
	const prefixAssumed = `assumed prefix = "" (site_cfg/urls.py:9; reassigned under a condition at site_cfg/urls.py:11)`
	const apiV1 = `assumed settings.API_V1_STR = "/api/v1", the default of Settings.API_V1_STR (app/core/config.py:9; the environment may override it)`
	for _, tc := range []struct {
		dir       string
		framework string
		want      []string
		// assumptions of the rows with this method and pattern.
		assume map[string][]string
		// paths and the pattern they match.
		match map[string]string
	}{
		{
			dir:       "../framework/django/testdata/djangocomputed",
			framework: "django",
			want: []string{
				"GET /__debug__/ping/  accounts.views.ping [debug]",
				"GET /accounts/login/  accounts.views.login",
				"GET /admin/login/  accounts.views.login",
				"GET /api/v2/checks/ GET api.views.CheckViewSet.list",
				"POST /api/v2/checks/ POST api.views.CheckViewSet.create",
				"GET /health/ GET,HEAD accounts.views.health",
				"GET /integrations/email/add/  integrations.email.views.add",
				"GET /integrations/slack/add/  integrations.slack.views.add",
				"GET /media/<path:path> GET,HEAD django.views.static.serve [debug]",
				"GET /projects/<uuid:code>/ GET,POST accounts.views.ProjectView",
				"POST /projects/<uuid:code>/ GET,POST accounts.views.ProjectView",
				"GET /robots.txt  accounts.views.robots",
				"GET /signup/  accounts.views.signup",
			},
			assume: map[string][]string{
				"GET /admin/login/":            {prefixAssumed},
				"GET /integrations/slack/add/": {prefixAssumed},
				"POST /projects/<uuid:code>/":  {prefixAssumed},
				"GET /robots.txt":              nil,
				"GET /api/v2/checks/":          {`assumed settings.API_PREFIX = "api/v2", the default of env("API_PREFIX") (site_cfg/settings.py:10)`},
				"GET /__debug__/ping/":         {"assumed settings.DEBUG is true (site_cfg/urls.py:29; development only)"},
				"GET /media/<path:path>":       {"assumed settings.DEBUG is true (site_cfg/urls.py:29; development only)"},
				"GET /signup/":                 {"assumed `settings.ENABLE_SIGNUP` holds (site_cfg/urls.py:33)", prefixAssumed},
				"GET /integrations/email/add/": {prefixAssumed},
				"GET /health/":                 {prefixAssumed},
				"GET /accounts/login/":         {prefixAssumed},
				"POST /api/v2/checks/":         {`assumed settings.API_PREFIX = "api/v2", the default of env("API_PREFIX") (site_cfg/settings.py:10)`},
				"GET /projects/<uuid:code>/":   {prefixAssumed},
			},
			match: map[string]string{
				"/media/avatars/a.png":     "/media/<path:path>",
				"/integrations/slack/add/": "/integrations/slack/add/",
				"/api/v2/checks/":          "/api/v2/checks/",
			},
		},
		{
			dir:       "../framework/fastapi/testdata/fastapiloop",
			framework: "fastapi",
			want: []string{
				"GET /api/v1/admin/stats GET app.api.admin.stats [per-user]",
				"GET /api/v1/items/ GET app.api.items.list_items",
				"POST /api/v1/items/ POST app.api.items.create_item",
				"GET /api/v1/items/{item_id} GET app.api.items.get_item",
				"GET /api/v1/users/me GET app.api.users.me [per-user]",
				"GET /docs GET,HEAD FastAPI (built in)",
				"GET /docs/oauth2-redirect GET,HEAD FastAPI (built in)",
				"GET /healthz GET app.main.health",
				"GET /openapi.json GET,HEAD FastAPI (built in)",
				"GET /redoc GET,HEAD FastAPI (built in)",
			},
			assume: map[string][]string{
				"GET /api/v1/admin/stats": {apiV1},
				"GET /api/v1/users/me":    {apiV1},
				"GET /healthz":            {`assumed config.HEALTH_PATH = "/healthz", the default of os.getenv("HEALTH_PATH") (app/core/config.py:5)`},
			},
			match: map[string]string{"/api/v1/items/7": "/api/v1/items/{item_id}"},
		},
		{
			dir:       "../framework/fastapi/testdata/fastapimount",
			framework: "fastapi",
			want: []string{
				"GET / GET app.main.root",
				"GET /docs GET,HEAD FastAPI (built in)",
				"GET /docs/oauth2-redirect GET,HEAD FastAPI (built in)",
				"GET /openapi.json GET,HEAD FastAPI (built in)",
				"GET /redoc GET,HEAD FastAPI (built in)",
				`GET /static/{path:path} GET,HEAD StaticFiles(directory="static")`,
				"GET /v2/docs GET,HEAD FastAPI (built in)",
				"GET /v2/docs/oauth2-redirect GET,HEAD FastAPI (built in)",
				"GET /v2/openapi.json GET,HEAD FastAPI (built in)",
				"GET /v2/redoc GET,HEAD FastAPI (built in)",
				"GET /v2/status GET app.v2.status",
				"GET /v2/x/things/{thing_id} GET app.v2.thing",
			},
			assume: map[string][]string{"GET /v2/status": nil},
			match:  map[string]string{"/v2/x/things/3": "/v2/x/things/{thing_id}", "/static/a.css": "/static/{path:path}"},
		},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			rt, err := routes.ExtractRoutes(tc.dir)
			if err != nil {
				t.Fatal(err)
			}
			defer rt.Close()
			if rt.Framework != tc.framework {
				t.Errorf("framework %s, want %s", rt.Framework, tc.framework)
			}
			var got []string
			rows := map[string]*framework.Route{}
			for _, r := range rt.Routes {
				got = append(got, routestest.BriefD(r))
				rows[r.Method+" "+r.Pattern] = r
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("routes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			for key, want := range tc.assume {
				r := rows[key]
				if r == nil {
					t.Errorf("no row %s", key)
					continue
				}
				if strings.Join(r.Assumptions, "\n") != strings.Join(want, "\n") {
					t.Errorf("%s assumptions:\n%s\nwant:\n%s", key, strings.Join(r.Assumptions, "\n"), strings.Join(want, "\n"))
				}
			}
			for path, pattern := range tc.match {
				if got, ok := rt.Route(path); !ok || got != pattern {
					t.Errorf("%s -> %q %v, want %s", path, got, ok, pattern)
				}
			}
			// The table does not depend on map order.
			rt2, err := routes.ExtractRoutes(tc.dir)
			if err != nil {
				t.Fatal(err)
			}
			defer rt2.Close()
			for i := range rt2.Routes {
				if i >= len(rt.Routes) || routestest.BriefD(rt2.Routes[i]) != routestest.BriefD(rt.Routes[i]) || strings.Join(rt2.Routes[i].Assumptions, ";") != strings.Join(rt.Routes[i].Assumptions, ";") {
					t.Fatalf("second extraction differs at row %d", i)
				}
			}
		})
	}
}
