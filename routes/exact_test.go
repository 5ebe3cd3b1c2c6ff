package routes_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/routes"
	"github.com/cdnadvise/cdnadvise/routes/routestest"

	"github.com/cdnadvise/cdnadvise/lab"
)

// TestExactTimeout: settings that hang are killed at the timeout, and what
// they started too.
func TestExactTimeout(t *testing.T) {
	lab.Need(t, nil, []string{"django"})
	dir := lab.WriteFiles(t, map[string]string{
		"manage.py":        "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"slow.settings\")\n",
		"slow/__init__.py": "",
		"slow/settings.py": "import subprocess, time\nSECRET_KEY = \"x\"\nROOT_URLCONF = \"slow.urls\"\n" +
			"open(\"child.pid\", \"w\").write(str(subprocess.Popen([\"sleep\", \"60\"]).pid))\ntime.sleep(60)\n",
		"slow/urls.py": "urlpatterns = []\n",
	})
	st, err := routes.ExtractRoutes(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	_, _, err = routes.ExactRoutes(context.Background(), lab.TestPython, dir, st, 2*time.Second)
	if err == nil || !strings.Contains(err.Error(), "timed out after 2s") {
		t.Fatalf("error %v, want a timeout", err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("returned after %s", el)
	}
	b, err := os.ReadFile(filepath.Join(dir, "child.pid"))
	if err != nil {
		t.Fatalf("the settings did not start their child: %v", err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	for i := 0; ; i++ {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil || syscall.Kill(pid, 0) != nil || strings.Contains(string(stat), ") Z ") {
			break // gone (or a zombie waiting for its new parent)
		}
		if i == 40 {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the settings' child %d survived the timeout", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A cancelled context stops it too.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	if _, _, err := routes.ExactRoutes(ctx, lab.TestPython, dir, st, time.Minute); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("error %v, want context canceled", err)
	}
}

// TestExactImportError: a dependency the interpreter lacks is reported with
// the exception, a hint and the end of the traceback.
func TestExactImportError(t *testing.T) {
	lab.Need(t, nil, []string{"django"})
	dir := lab.WriteFiles(t, map[string]string{
		"manage.py":         "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"proj.settings\")\n",
		"proj/__init__.py":  "",
		"proj/settings.py":  "SECRET_KEY = \"x\"\nROOT_URLCONF = \"proj.urls\"\n",
		"proj/urls.py":      "from django.urls import path\n\nfrom proj import views\n\nurlpatterns = [path(\"\", views.home)]\n",
		"proj/views.py":     "import cdnadvise_missing_dependency\n\n\ndef home(request):\n    pass\n",
		"other/__init__.py": "",
		"other/settings.py": "raise RuntimeError(\"settings need SECRET_ENV\")\n",
		"other/urls.py":     "urlpatterns = []\n",
	})
	_, _, err := routes.ExactRoutes(context.Background(), lab.TestPython, dir, nil, time.Minute)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"could not read the Django routes", "No module named 'cdnadvise_missing_dependency'", "the project's interpreter", "last lines of its stderr", "proj/views.py"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	// Settings that fail: the exception is the message.
	_, _, err = routes.ExactRoutesWith(context.Background(), framework.ExactOptions{Python: lab.TestPython, Src: dir, Settings: "other.settings"})
	if err == nil || !strings.Contains(err.Error(), "RuntimeError: settings need SECRET_ENV") {
		t.Errorf("error %v, want the settings' RuntimeError", err)
	}
	// No interpreter.
	_, _, err = routes.ExactRoutes(context.Background(), filepath.Join(dir, "no-python"), dir, nil, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "cannot run") {
		t.Errorf("error %v, want cannot run", err)
	}
}

func TestCanonPattern(t *testing.T) {
	for in, want := range map[string]string{
		"/api/products/<slug>/":                       "/api/products/{}/",
		`^/api/products/(?P<slug>[^/.]+)/$`:           "/api/products/{}/",
		`^/archive/(?P<year>[0-9]{4})/$`:              "/archive/{}/",
		"/items/{item_id}/reviews/{review_id}":        "/items/{}/reviews/{}",
		"/static/{path:path}":                         "/static/{}",
		`^/api/products\.(?P<format>[a-z0-9]+)/?$`:    "/api/products.{}/?",
		`^/v1\.0/(\d+)/(?:(?P<x>a(b)c))/$`:            "/v1.0/{}/{}/",
		"/<lang>/about/":                              "/{}/about/",
		"/by-year/<yyyy:year>/":                       "/by-year/{}/",
		"/":                                           "/",
		`^/api/products/featured\.(?P<format>[a-z]+)`: "/api/products/featured.{}",
	} {
		if got := framework.CanonPattern(in); got != want {
			t.Errorf("canonPattern(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestExactSameCanonicalPattern: two routes that differ only by converter
// keep their own patterns and views, and each pairs with its static row.
func TestExactSameCanonicalPattern(t *testing.T) {
	lab.Need(t, nil, []string{"django"})
	dir := lab.WriteFiles(t, map[string]string{
		"manage.py":        "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"proj.settings\")\n",
		"proj/__init__.py": "",
		"proj/settings.py": "SECRET_KEY = \"x\"\nROOT_URLCONF = \"proj.urls\"\n",
		"proj/urls.py":     "from django.urls import path\n\nfrom proj import views\n\nurlpatterns = [path(\"a/<slug:x>/\", views.word), path(\"a/<int:x>/\", views.num)]\n",
		"proj/views.py":    "def num(request, x):\n    pass\n\n\ndef word(request, x):\n    pass\n",
	})
	st, rt, d := routestest.ExactOf(t, dir, time.Minute)
	routestest.SameList(t, "exact routes", routestest.Briefs(rt), []string{"GET /a/<int:x>/  proj.views.num", "GET /a/<slug:x>/  proj.views.word"})
	routestest.SameAsStatic(t, st, rt, nil)
	if d.Matched != 2 || d.Recall != 1 || len(d.FrameworkOnly)+len(d.StaticOnly) != 0 {
		t.Errorf("diff %+v", d)
	}
}
