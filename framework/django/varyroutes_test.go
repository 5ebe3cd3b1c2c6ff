package django_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/cdnadvise/cdnadvise/internal/httpheader"
	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/routes"
)

// TestDRFVary: the Vary headers the source reading gives each Django route
// of the fixture are those Django and DRF themselves send (Debian's
// python3-django and python3-djangorestframework, through Django's test
// client): DRF views vary on Accept (two renderers by default) and on
// Cookie (session authentication reads the session), LocaleMiddleware
// adds Accept-Language outside i18n_patterns.
func TestDRFVary(t *testing.T) {
	lab.Need(t, nil, []string{"django", "rest_framework"})
	dir := lab.CopyTree(t, "testdata/djangoproj")
	rt, err := routes.ExtractRoutes(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	paths := []string{"/", "/items/3/", "/api/products/", "/api/products/p1/", "/api/products/featured/", "/api/search/?q=x", "/api/tags/",
		"/blog/", "/blog/hello/", "/fr/about/", "/api/orders/", "/comments/", "/archive/2024/"}
	script := `import json, sys, django
django.setup()
from django.test import Client
c = Client(HTTP_HOST="127.0.0.1")
out = {}
for p in sys.argv[1:]:
    r = c.get(p)
    out[p] = [r.status_code, r.get("Vary", "")]
print(json.dumps(out))
`
	cmd := exec.Command("/usr/bin/python3", append([]string{"-c", script}, paths...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DJANGO_SETTINGS_MODULE=mysite.settings", "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("django: %v\n%s", err, out)
	}
	var got map[string][2]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	drf := 0
	for _, p := range paths {
		status, _ := got[p][0].(float64)
		header, _ := got[p][1].(string)
		if status != 200 {
			t.Errorf("GET %s: %v", p, got[p])
			continue
		}
		var sent []string
		for _, h := range strings.Split(header, ",") {
			if h = httpheader.Canonical(h); h != "" && h != "Accept-Encoding" {
				sent = append(sent, h)
			}
		}
		sort.Strings(sent)
		path, _, _ := strings.Cut(p, "?")
		r := rt.Match(path)
		if r == nil {
			t.Errorf("%s: no route", p)
			continue
		}
		t.Logf("GET %-24s %-28s Django: %-40q source: %v", p, r.Pattern, header, r.Vary)
		if strings.Join(sent, ",") != strings.Join(r.Vary, ",") {
			t.Errorf("GET %s (%s): Django sends Vary %q, the source reading says %v", p, r.Pattern, header, r.Vary)
		}
		if slices.Contains(sent, "Accept") {
			drf++
		}
	}
	if drf < 4 {
		t.Errorf("only %d DRF responses vary on Accept", drf)
	}
}
