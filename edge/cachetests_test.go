package edge_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/edge"
	"github.com/cdnadvise/cdnadvise/lab"
)

// A claim is one thing an edge profile says, with the cache-tests
// (http-tests/cache-tests, the suite behind cache-tests.fyi) test that
// shows it and the result that test gives when the claim holds: "pass"
// (true in the suite's results), or the failure message.
type claim struct {
	what, id, want string
}

// Results of the suite's tests when a response is or is not reused.
const (
	pass         = "pass"
	fromCache    = "Response 2 comes from cache"
	notFromCache = "Response 2 does not come from cache"
)

// claims lists what profile p says that the suite tests, with the result
// each test must give. BENCHMARKS.md lists them per profile.
func claims(p edge.Profile) []claim {
	var out []claim
	add := func(what, id, want string) { out = append(out, claim{what, id, want}) }
	if p.HonorsSMaxAge {
		add("s-maxage sets the shared TTL", "freshness-s-maxage-shared", pass)
	}
	if !p.MinTTLOverridesPrivate {
		add("private is never stored", "cc-resp-private-shared", pass)
		add("no-store is never stored", "cc-resp-no-store", pass)
	}
	add("Expires gives a TTL (no Cache-Control)", "freshness-expires-future", pass)
	add("max-age gives a TTL", "freshness-max-age", pass)
	if p.DefaultTTL == 0 {
		add("default_ttl 0: a response without freshness is not stored", "freshness-none", pass)
	} else {
		add("default_ttl above 0: a response without freshness is stored", "freshness-none", fromCache)
	}
	switch p.Authorization {
	case "pass":
		add("authorization: pass (a request with Authorization is not answered from the cache)", "other-authorization", pass)
		add("authorization: pass, even when the response says s-maxage", "other-authorization-smaxage", notFromCache)
	case "ignore":
		add("authorization: ignore (a response to a request with Authorization is stored and reused)", "other-authorization", fromCache)
		add("authorization: ignore, and s-maxage is reused", "other-authorization-smaxage", pass)
	}
	switch p.SetCookie {
	case "pass":
		add("set_cookie: pass (a response with Set-Cookie is not stored)", "other-set-cookie", notFromCache)
	case "strip", "store":
		add("set_cookie: "+p.SetCookie+" (a response with Set-Cookie is stored)", "other-set-cookie", pass)
	}
	switch p.RequestCookie {
	case "pass":
		add("request_cookie: pass (a request with Cookie is not answered from the cache)", "other-cookie", notFromCache)
	case "ignore":
		add("request_cookie: ignore (a request with Cookie is answered from the cache)", "other-cookie", pass)
	}
	switch {
	case p.HonorsSIE:
		add("stale-if-error serves stale on a 503", "stale-sie-503", pass)
	case p.DefaultGrace > 0:
		add("stale-if-error is not read, but the default grace serves the stale copy", "stale-sie-503", pass)
	default:
		add("stale-if-error is not honoured", "stale-sie-503", notFromCache)
	}
	if p.Vary == "split" {
		add("vary: split (a matching request is answered from the cache)", "vary-match", pass)
		add("vary: split (a request that does not match is not)", "vary-no-match", pass)
	}
	// The replay stores these statuses (RFC 9111 4.2.2) when the response
	// gives a TTL: the edge must too.
	for _, s := range []int{200, 203, 204, 301, 308, 404, 410} {
		if slices.Contains(p.UncachedStatuses, s) {
			add(fmt.Sprintf("uncached_statuses: a %d is not stored, even with a TTL", s), fmt.Sprintf("status-%d-fresh", s), notFromCache)
		} else {
			add(fmt.Sprintf("a %d with a TTL is stored", s), fmt.Sprintf("status-%d-fresh", s), pass)
		}
	}
	return out
}

// result is a test's result as the suite reports it: "pass", or its
// failure message.
func result(v json.RawMessage) string {
	var ok bool
	if json.Unmarshal(v, &ok) == nil {
		if ok {
			return pass
		}
		return "false"
	}
	var parts []string
	if json.Unmarshal(v, &parts) == nil && len(parts) > 1 {
		return parts[1]
	}
	return string(v)
}

// cacheTests is the installed suite (tools/cachetests after npm ci, which
// .ci/run runs; $CDNADVISE_CACHETESTS overrides): skips without it, fails in CI.
func cacheTests(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CDNADVISE_CACHETESTS")
	if dir == "" {
		dir = filepath.Join("..", "tools", "cachetests")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(abs, "node_modules", "http-cache-tests", "cli.mjs")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("this test needs the cache-tests suite (cd tools/cachetests && npm ci; .ci/run does it)")
		}
		t.Skip("skipped: the cache-tests suite is missing (cd tools/cachetests && npm ci)")
	}
	return abs
}

// TestProfilesAgainstCacheTests: every claim an edge profile makes that the
// HTTP caching test suite tests holds on the real cache: nginx and Varnish
// run live (the suite's origin behind each, as it comes), Fastly from the
// suite's published results.
func TestProfilesAgainstCacheTests(t *testing.T) {
	lab.Need(t, []string{"node", "nginx", "varnishd", "varnishncsa"}, nil)
	dir := cacheTests(t)
	suite := filepath.Join(dir, "node_modules", "http-cache-tests")
	ports := lab.NewPorts()
	originPort, err := ports.Next()
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	env := []string{fmt.Sprint("npm_config_port=", originPort), "npm_config_protocol=http", "npm_config_pidfile=" + filepath.Join(work, "server.pid")}
	lab.Serve(t, suite, env, originPort, "node", "--import", filepath.Join(dir, "listen-loopback.mjs"), "server/server.mjs")
	run := func(base string) (map[string]json.RawMessage, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "node", "--no-warnings", "cli.mjs")
		cmd.Dir = suite
		cmd.Env = append(os.Environ(), "npm_config_base="+base, "npm_package_config_id=", "npm_config_id=")
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("cache-tests against %s: %v\n%s", base, err, errOut.String())
		}
		var res map[string]json.RawMessage
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			return nil, fmt.Errorf("cache-tests against %s: %v\n%.2000s", base, err, out.String())
		}
		return res, nil
	}
	// The two caches, as they come, each in front of the suite's origin;
	// the suite runs against both at once.
	results := map[string]map[string]json.RawMessage{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var errs []error
	for _, name := range []string{"nginx", "varnish"} {
		port, err := ports.Next()
		if err != nil {
			t.Fatal(err)
		}
		d := filepath.Join(work, name)
		os.MkdirAll(d, 0o755)
		switch name {
		case "nginx":
			conf, err := lab.NginxConfig(d, port, originPort, filepath.Join(d, "edge.log"))
			if err != nil {
				t.Fatal(err)
			}
			lab.Serve(t, d, nil, port, "nginx", "-p", d, "-c", conf)
		case "varnish":
			v, ncsa, err := lab.StartVarnish(d, port, originPort, "", filepath.Join(d, "edge.log"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ncsa.Stop(); v.Stop() })
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := run(fmt.Sprintf("http://127.0.0.1:%d", port))
			mu.Lock()
			defer mu.Unlock()
			results[name], errs = res, append(errs, err)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(filepath.Join(suite, "results", "fastly.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fastly map[string]json.RawMessage
	if err := json.Unmarshal(b, &fastly); err != nil {
		t.Fatal(err)
	}
	results["fastly"] = fastly
	profiles := edge.Profiles()
	var names []string
	for n := range results {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		res := results[name]
		how := "live"
		if name == "fastly" {
			how = "published"
		}
		for _, c := range claims(profiles[name]) {
			v, ok := res[c.id]
			if !ok {
				t.Errorf("%s: the suite has no test %s (for: %s)", name, c.id, c.what)
				continue
			}
			got := result(v)
			t.Logf("%-8s %-9s %-30s %-40s %s", name, how, c.id, got, c.what)
			if got != c.want {
				t.Errorf("%s (%s): the profile says %s, but cache-tests %s gives %q (want %q)", name, how, c.what, c.id, got, c.want)
			}
		}
	}
}
