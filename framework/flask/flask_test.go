package flask_test

import (
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/routes/routestest"
)

// TestExactFlask: --python reads the Flask fixture's app.url_map (the app
// from wsgi.py's create_app()): every rule, per method, is one the static
// pass found, and the table maps paths as Werkzeug does.
func TestExactFlask(t *testing.T) {
	lab.Need(t, nil, []string{"flask"})
	dir := lab.CopyTree(t, "testdata/flaskproj")
	st, rt, d := routestest.ExactOf(t, dir, time.Minute)
	if rt.Framework != "flask" || d.FrameworkRows != len(st.Routes) || d.Matched != d.FrameworkRows || d.Recall != 1 || len(d.StaticOnly) != 0 {
		t.Errorf("framework %s, diff %+v", rt.Framework, d)
	}
	for path, want := range map[string]string{"/api/items/7": "/api/items/<int:item_id>", "/search": "/search/", "/tags/a-b": "/tags/<slug:tag>", "/assets/x/y.js": "/assets/<path:filename>"} {
		if got, ok := rt.Route(path); !ok || got != want {
			t.Errorf("%s -> %q, want %s", path, got, want)
		}
	}
}
