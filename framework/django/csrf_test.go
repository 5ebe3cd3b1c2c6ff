package django_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/routes"
)

// TestDjangoCSRF: a view whose template writes {% csrf_token %} (through
// {% extends %} and {% include %}) is per-user when CsrfViewMiddleware runs,
// and Django itself then answers it with Set-Cookie: csrftoken and Vary:
// Cookie, while the list page that extends the same base answers without
// them. Without the middleware no cookie is set, and the route is not
// per-user.
func TestDjangoCSRF(t *testing.T) {
	dir := lab.CopyTree(t, "testdata/djangoproj")
	settings := filepath.Join(dir, "mysite", "settings.py")
	routeOf := func(pattern string) *framework.Route {
		t.Helper()
		rt, err := routes.ExtractRoutes(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer rt.Close()
		for _, r := range rt.Routes {
			if r.Pattern == pattern && r.Method == "GET" {
				return r
			}
		}
		t.Fatalf("no route %s", pattern)
		return nil
	}
	if r := routeOf("/blog/contact/"); r.PerUser {
		t.Errorf("without CsrfViewMiddleware: %+v", r)
	}
	b, err := os.ReadFile(settings)
	if err != nil {
		t.Fatal(err)
	}
	with := strings.Replace(string(b), `    "django.contrib.sessions.middleware.SessionMiddleware",`,
		`    "django.contrib.sessions.middleware.SessionMiddleware",`+"\n"+`    "django.middleware.csrf.CsrfViewMiddleware",`, 1)
	if err := os.WriteFile(settings, []byte(with), 0o644); err != nil {
		t.Fatal(err)
	}
	contact, index := routeOf("/blog/contact/"), routeOf("/blog/")
	if !contact.PerUser || !strings.Contains(contact.PerUserWhy, "blog/contact.html → blog/form.html ({% csrf_token %})") || !strings.Contains(strings.Join(contact.Vary, ","), "Cookie") {
		t.Errorf("contact: per-user %v, %q, vary %v", contact.PerUser, contact.PerUserWhy, contact.Vary)
	}
	if index.PerUser {
		t.Errorf("index: %+v", index)
	}

	// Django itself.
	port := lab.ServeApp(t, dir, []string{"django", "rest_framework"}, func(port int) []string {
		return []string{"manage.py", "runserver", fmt.Sprintf("127.0.0.1:%d", port), "--noreload"}
	})
	client := &http.Client{Timeout: 5 * time.Second}
	for path, want := range map[string]bool{"/blog/contact/": true, "/blog/": false} {
		resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cookie := strings.Contains(resp.Header.Get("Set-Cookie"), "csrftoken=")
		vary := strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Cookie")
		if resp.StatusCode != 200 || cookie != want || vary != want {
			t.Errorf("GET %s: %d, Set-Cookie %q, Vary %q; the route is per-user: %v", path, resp.StatusCode, resp.Header.Get("Set-Cookie"), resp.Header.Values("Vary"), want)
		}
	}
}
