package lab

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNginxConfigValid checks the generated configuration with nginx -t.
func TestNginxConfigValid(t *testing.T) {
	Need(t, []string{"nginx"}, nil)
	dir := t.TempDir()
	conf, err := NginxConfig(dir, 18081, 18080, filepath.Join(dir, "edge.log"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("nginx", "-t", "-p", dir, "-c", conf).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
}

// TestKeepLogs: CDNADVISE_LAB_KEEP's copy takes the logs and the patch,
// with their folders, and nothing else; a second run replaces the first.
func TestKeepLogs(t *testing.T) {
	work, dst := t.TempDir(), filepath.Join(t.TempDir(), "nginx-django")
	for name, body := range map[string]string{
		"stock-edge.log": "edge", "cache.patch": "patch", "stock-nginx/logs/error.log": "error",
		"baseline.duckdb": "store", "stock-nginx/cache/0/ab/123": "entry",
	} {
		p := filepath.Join(work, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dst, "old.log"), []byte("an earlier run"), 0o644)
	if err := keepLogs(work, dst); err != nil {
		t.Fatal(err)
	}
	var got []string
	filepath.WalkDir(dst, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dst, p)
			got = append(got, rel)
		}
		return nil
	})
	want := []string{"cache.patch", "stock-edge.log", "stock-nginx/logs/error.log"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("kept %v, want %v", got, want)
	}
}

// TestOriginProxyTrace: the origin proxy traces an answered request with
// the response's Cache-Control, Vary and Set-Cookie, and one the app did
// not answer (nothing listens) as a 502 with the error.
func TestOriginProxyTrace(t *testing.T) {
	app := Origin(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, s-maxage=10")
		io.WriteString(w, "ok")
	}))
	dead, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		appPort int
		want    string
	}{
		{app, `GET "/static/a.js?v=1" 200 "public, s-maxage=10" "-" "-"`},
		{dead, `GET "/static/a.js?v=1" 502 "`},
	} {
		port, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		var trace bytes.Buffer
		srv, err := OriginProxy(port, c.appPort, 1, &trace)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/static/a.js?v=1", port))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		srv.Close()
		if !strings.Contains(trace.String(), c.want) {
			t.Errorf("app port %d: trace %q, want it to contain %q", c.appPort, trace.String(), c.want)
		}
	}
}
