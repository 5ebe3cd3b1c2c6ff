package edge_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/edge"
	"github.com/cdnadvise/cdnadvise/lab"
)

// TestFastlySimulated: the Fastly snippets, at the #FASTLY macros of the
// boilerplate, pass falco's lint and behave in falco's simulator in front
// of a local origin that records what it receives: a shared route is a
// hit on the second request and reaches the origin without the browser's
// cookies; two campaign URLs (utm_source=a, =b) and a gclid share one key
// under no-tracking; a per-user route reaches the origin every time with
// its cookie; a POST on the shared path keeps its cookie; a route with a
// non-ASCII character matches the percent-encoded path; a request with
// Authorization is never a hit.
func TestFastlySimulated(t *testing.T) {
	falco := lab.Falco(t)
	// The origin: every request is recorded (path and Cookie).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []string
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.RequestURI()+" cookie="+r.Header.Get("Cookie"))
		mu.Unlock()
		w.Header().Set("Cache-Control", "public, s-maxage=60")
		if strings.HasPrefix(r.URL.Path, "/api/me") {
			w.Header().Set("Cache-Control", "private, no-store")
		}
		fmt.Fprintf(w, "%s %s", r.Method, r.URL.Path)
	}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	_, originPort, _ := net.SplitHostPort(ln.Addr().String())

	snippets := write(t, edge.Fastly{}, ".vcl", edge.Config{TrackingParams: []string{"utm_*", "gclid"}, Rules: []edge.Rule{
		{Method: "GET", Pattern: "/api/items/{id}", Regex: `^/api/items/[^/]+$`, Prefix: "/api/items/", Shared: true, TTL: time.Minute, Query: "no-tracking", Writes: []string{"POST"}},
		{Method: "GET", Pattern: "/api/me", Regex: `^/api/me$`, Prefix: "/api/me", PerUser: true},
		{Method: "GET", Pattern: "/menu/café/", Regex: `^/menu/café/$`, Prefix: "/menu/café/", Shared: true, TTL: time.Minute, Query: "all"},
	}})
	main, err := edge.FastlyMainVCL(snippets, "127.0.0.1", originPort)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "main.vcl")
	os.WriteFile(f, []byte(main), 0o644)
	if out, err := exec.Command(falco, "lint", f).CombinedOutput(); err != nil {
		t.Fatalf("falco lint: %v\n%s\n%s", err, out, main)
	}
	port, err := lab.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	// The simulator's port comes from its configuration file (the -p flag
	// is not read in falco 1.11.0).
	os.WriteFile(filepath.Join(dir, ".falco.yml"), []byte(fmt.Sprintf("simulator:\n  port: %d\n", port)), 0o644)
	lab.Serve(t, dir, nil, port, falco, "simulate", "--proxy", f)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	client := &http.Client{Timeout: 10 * time.Second}
	get := func(method, path string, h map[string]string) (string, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.Header.Get("X-Cache"), string(b)
	}
	ck := map[string]string{"Cookie": "sessionid=s1; csrftoken=c1"}
	mu.Lock()
	seen = nil
	mu.Unlock()
	for i, p := range []string{"/api/items/7?utm_source=a&q=1", "/api/items/7?q=1&utm_source=b", "/api/items/7?gclid=x&q=1"} {
		if cache, _ := get("GET", p, ck); (i == 0) == (cache == "HIT") {
			t.Errorf("GET %s: X-Cache %s (the first is a miss, the others hits)", p, cache)
		}
	}
	for i := 0; i < 2; i++ {
		if cache, _ := get("GET", "/api/me", ck); cache == "HIT" {
			t.Errorf("GET /api/me: a hit")
		}
	}
	get("POST", "/api/items/7", ck)
	// A route with a non-ASCII character, requested percent-encoded as
	// browsers send it: its cookies dropped, a hit the second time.
	for i := 0; i < 2; i++ {
		if cache, _ := get("GET", "/menu/caf%C3%A9/", ck); (i == 0) == (cache == "HIT") {
			t.Errorf("GET /menu/caf%%C3%%A9/ #%d: X-Cache %s", i+1, cache)
		}
	}
	if cache, _ := get("GET", "/api/items/7?q=1", map[string]string{"Authorization": "Token t"}); cache == "HIT" {
		t.Errorf("GET with Authorization: a hit")
	}
	mu.Lock()
	got := strings.Join(seen, "\n")
	mu.Unlock()
	want := strings.Join([]string{
		"GET /api/items/7?q=1 cookie=",
		"GET /api/me cookie=sessionid=s1; csrftoken=c1",
		"GET /api/me cookie=sessionid=s1; csrftoken=c1",
		"POST /api/items/7 cookie=sessionid=s1; csrftoken=c1",
		"GET /menu/caf%C3%A9/ cookie=",
		"GET /api/items/7?q=1 cookie=",
	}, "\n")
	if got != want {
		t.Errorf("the origin received:\n%s\nwant:\n%s", got, want)
	}
}
