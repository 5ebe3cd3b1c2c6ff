package edge_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/edge"
	"github.com/cdnadvise/cdnadvise/lab"
)

// rules covers each kind of row, and a hostile pattern whose regex carries
// quotes, a backslash, braces and a newline.
func rules() []edge.Rule {
	return []edge.Rule{
		{Method: "GET", Pattern: "/api/items/{item_id}", Regex: `^/api/items/[^/]+$`, Prefix: "/api/items/", Shared: true, TTL: 30 * time.Second, Query: "all"},
		{Method: "GET", Pattern: "/static/{path:path}", Regex: `^/static/.*$`, Prefix: "/static/", Shared: true, TTL: 365 * 24 * time.Hour},
		{Method: "GET", Pattern: "/api/me", Regex: `^/api/me$`, Prefix: "/api/me", PerUser: true},
		{Method: "GET", Pattern: "^/archive/(?P<year>[0-9]{4})/$", Regex: `^/archive/(?P<year>[0-9]{4})/$`, Prefix: "/archive/", Shared: true, TTL: time.Minute},
		{Method: "GET", Pattern: "/x\"y\\z{}\nw", Regex: "^/x\"y\\\\z\\{\\}$", Prefix: "/x", Shared: true, TTL: time.Minute},
		{Method: "GET", Pattern: "/bad", Regex: "^/a\nb$", Prefix: "/bad", Shared: true, TTL: time.Minute},
	}
}

func write(t *testing.T, w edge.Writer, suffix string, c edge.Config) string {
	t.Helper()
	var a, b bytes.Buffer
	if err := w.Write(&a, suffix, c); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&b, suffix, c); err != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatalf("%s: two writes differ (%v)", w.Name(), err)
	}
	return a.String()
}

// TestVarnishVCLCompiles: the VCL is complete and varnishd -C compiles it.
func TestVarnishVCLCompiles(t *testing.T) {
	vcl := write(t, edge.Varnish{}, ".vcl", edge.Config{Upstream: "http://127.0.0.1:9001", Rules: rules(), TrackingParams: []string{"utm_*", "fbclid"}})
	for _, want := range []string{"vcl 4.1;", `.host = "127.0.0.1";`, `.port = "9001";`, "unset req.http.Cookie;", "return (pass);",
		`req.url ~ "^/api/me(\?.*)?$"`, `req.url ~ {"^/x(?:"|%22)y(?:\\|%5[Cc])z(?:\{|%7[Bb])(?:\}|%7[Dd])(\?.*)?$"}`, "utm_[^=&]*|fbclid", "no regex"} {
		if want == "no regex" {
			if !strings.Contains(vcl, "cannot be written as a VCL string") {
				t.Errorf("the rule with a newline in its regex is not left out:\n%s", vcl)
			}
			continue
		}
		if !strings.Contains(vcl, want) {
			t.Errorf("VCL lacks %q:\n%s", want, vcl)
		}
	}
	if strings.Contains(vcl, "w\n    ") && strings.Contains(vcl, "# GET /x\"y\\z{}\nw") {
		t.Errorf("a pattern's newline broke out of its comment:\n%s", vcl)
	}
	lab.Need(t, []string{"varnishd"}, nil)
	dir := t.TempDir()
	f := filepath.Join(dir, "cdnadvise.vcl")
	os.WriteFile(f, []byte(vcl), 0o644)
	cmd := exec.Command("varnishd", "-C", "-j", "none", "-f", f, "-n", filepath.Join(dir, "n"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("varnishd -C: %v\n%s\n%s", err, lastLines(string(out), 20), vcl)
	}
}

// TestNginxConfAccepted: the file goes inside http {} of a minimal
// nginx.conf and nginx -t accepts it.
func TestNginxConfAccepted(t *testing.T) {
	dir := t.TempDir()
	conf := write(t, edge.Nginx{}, ".conf", edge.Config{Upstream: "http://127.0.0.1:9001", Listen: "127.0.0.1:9002", CacheDir: filepath.Join(dir, "cache"),
		AccessLog: filepath.Join(dir, "edge.log"), Rules: rules()})
	for _, want := range []string{"proxy_cache_path " + filepath.Join(dir, "cache"), "proxy_cache_key $scheme$host$request_uri;", "listen 127.0.0.1:9002;",
		"proxy_pass http://127.0.0.1:9001;", `"~^/api/me$" 1;`, `"~^/x\"y\\\\z\\{\\}$" 1;`, "proxy_no_cache $cdnadvise_per_user $cdnadvise_auth;", "proxy_set_header Cookie $cdnadvise_cookie;"} {
		if !strings.Contains(conf, want) {
			t.Errorf("nginx conf lacks %q:\n%s", want, conf)
		}
	}
	if err := (edge.Nginx{}).Write(&bytes.Buffer{}, ".conf", edge.Config{Listen: "1.2.3.4:80; evil"}); err == nil {
		t.Error("a listen address with ; accepted")
	}
	lab.Need(t, []string{"nginx"}, nil)
	main, err := lab.NginxMain(dir, filepath.Join(dir, "cdnadvise.conf"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "cdnadvise.conf"), []byte(conf), 0o644)
	out, err := exec.Command("nginx", "-t", "-p", dir, "-c", main).CombinedOutput()
	if err != nil {
		t.Fatalf("nginx -t: %v\n%s\n%s", err, out, conf)
	}
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

// TestSelfHostedAsWritten: the nginx file (both forms) and the VCL are
// accepted by nginx -t and varnishd -C as written, for upstreams given as
// IPv4, IPv6 and unix sockets, with a route whose named group is called
// like an nginx variable (host); bad upstreams are refused with a message.
func TestSelfHostedAsWritten(t *testing.T) {
	hostRule := edge.Rule{Method: "GET", Pattern: "/sites/<host>/", Regex: `^/sites/(?P<host>[^/]+)/$`, Prefix: "/sites/", Shared: true, TTL: time.Minute, Query: "all"}
	rs := append(rules(), hostRule)
	for _, bad := range []string{"http://exa mple.com", "unix:relative.sock", "unix:/run/a;b.sock", "http://127.0.0.1:99999", "http://{x}:80"} {
		for _, w := range []edge.Writer{edge.Nginx{}, edge.Varnish{}} {
			if err := w.Write(&bytes.Buffer{}, w.Files()[0], edge.Config{Upstream: bad, Rules: rs}); err == nil {
				t.Errorf("%s accepted the upstream %q", w.Name(), bad)
			}
		}
	}
	for _, up := range []struct{ upstream, proxyPass, backend string }{
		{"http://127.0.0.1:9001", "proxy_pass http://127.0.0.1:9001;", `.host = "127.0.0.1";`},
		{"http://[::1]:9001", "proxy_pass http://[::1]:9001;", `.host = "::1";`},
		{"unix:/run/app/gunicorn.sock", "proxy_pass http://unix:/run/app/gunicorn.sock:;", `.path = "/run/app/gunicorn.sock";`},
	} {
		dir := t.TempDir()
		c := edge.Config{Upstream: up.upstream, Listen: "127.0.0.1:9002", CacheDir: filepath.Join(dir, "cache"), Rules: rs}
		conf := write(t, edge.Nginx{}, ".conf", c)
		if !strings.Contains(conf, up.proxyPass) || strings.Contains(conf, "?P<host>") {
			t.Errorf("%s: nginx file lacks %q or keeps the named group:\n%s", up.upstream, up.proxyPass, conf)
		}
		vcl := write(t, edge.Varnish{}, ".vcl", c)
		if !strings.Contains(vcl, up.backend) {
			t.Errorf("%s: VCL lacks %q", up.upstream, up.backend)
		}
		if _, err := exec.LookPath("nginx"); err == nil {
			nginxCheck(t, dir, conf)
		}
		if _, err := exec.LookPath("varnishd"); err == nil {
			f := filepath.Join(dir, "cdnadvise.vcl")
			os.WriteFile(f, []byte(vcl), 0o644)
			if out, err := exec.Command("varnishd", "-C", "-j", "none", "-f", f, "-n", filepath.Join(dir, "n")).CombinedOutput(); err != nil {
				t.Errorf("%s: varnishd -C: %v\n%s", up.upstream, err, lastLines(string(out), 10))
			}
		}
	}
	// The include form inside a server of the user's own, with its own
	// add_header (which the location part must not cut off).
	lab.Need(t, []string{"nginx"}, nil)
	dir := t.TempDir()
	c := edge.Config{Upstream: "http://127.0.0.1:9001", CacheDir: filepath.Join(dir, "cache"), Rules: rs}
	httpPart, locPart := write(t, edge.NginxInclude{}, ".http.conf", c), write(t, edge.NginxInclude{}, ".location.conf", c)
	if strings.Contains(locPart, "add_header") && !strings.Contains(locPart, "# add $upstream_cache_status") {
		t.Errorf("the location part sets add_header:\n%s", locPart)
	}
	os.WriteFile(filepath.Join(dir, "cdnadvise.http.conf"), []byte(httpPart), 0o644)
	os.WriteFile(filepath.Join(dir, "cdnadvise.location.conf"), []byte(locPart), 0o644)
	site := "include " + filepath.Join(dir, "cdnadvise.http.conf") + ";\nserver {\n  listen 127.0.0.1:9003;\n  add_header Strict-Transport-Security max-age=60 always;\n" +
		"  location / {\n    proxy_pass http://127.0.0.1:9001;\n    include " + filepath.Join(dir, "cdnadvise.location.conf") + ";\n  }\n}\n"
	nginxCheck(t, dir, site)
	// The default cache folder passes nginx -t as written (its parent is
	// there on Debian's layout and nginx.org's): checked as root only, as
	// nginx creates the folder.
	if os.Geteuid() == 0 {
		if _, err := os.Stat(edge.DefaultNginxCacheDir); os.IsNotExist(err) {
			defer os.RemoveAll(edge.DefaultNginxCacheDir)
		}
		d2 := t.TempDir()
		nginxCheck(t, d2, write(t, edge.Nginx{}, ".conf", edge.Config{Upstream: "http://127.0.0.1:9001", Listen: "127.0.0.1:9004", Rules: rs}))
	}
}

// nginxCheck runs nginx -t on a file included inside http {}.
func nginxCheck(t *testing.T, dir, conf string) {
	t.Helper()
	f := filepath.Join(dir, "site.conf")
	os.WriteFile(f, []byte(conf), 0o644)
	main, err := lab.NginxMain(dir, f)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("nginx", "-t", "-p", dir, "-c", main).CombinedOutput(); err != nil {
		t.Errorf("nginx -t: %v\n%s\n%s", err, out, conf)
	}
}

// TestOverLongRoutes: a shared route whose regex is longer than nginx and
// Cloudflare take is left out with a message in the file (not cached);
// a per-user one is refused with a message (leaving it out could put it
// under a broader shared pattern); the files written stay valid.
func TestOverLongRoutes(t *testing.T) {
	long := "^/" + strings.Repeat("a", 5000) + "/$"
	shared := edge.Rule{Method: "GET", Pattern: "/" + strings.Repeat("a", 5000) + "/", Regex: long, Prefix: "/a", Shared: true, TTL: time.Minute, Query: "all"}
	perUser := shared
	perUser.Shared, perUser.PerUser = false, true
	for _, w := range []edge.Writer{edge.Nginx{}, edge.Cloudflare{}} {
		var b bytes.Buffer
		if err := w.Write(&b, w.Files()[0], edge.Config{Upstream: "http://127.0.0.1:9001", Rules: append(rules()[:1], shared)}); err != nil {
			t.Errorf("%s: a long shared route: %v", w.Name(), err)
		} else if !strings.Contains(b.String(), "left out (not cached)") || strings.Contains(b.String(), strings.Repeat("a", 5000)+"/$") {
			t.Errorf("%s: the long shared route is not left out with a message", w.Name())
		}
		err := w.Write(&bytes.Buffer{}, w.Files()[0], edge.Config{Upstream: "http://127.0.0.1:9001", Rules: append(rules()[:1], perUser)})
		if err == nil || !strings.Contains(err.Error(), "per-user route") {
			t.Errorf("%s: a long per-user route: %v, want a refusal", w.Name(), err)
		}
	}
	lab.Need(t, []string{"nginx"}, nil)
	dir := t.TempDir()
	nginxCheck(t, dir, write(t, edge.Nginx{}, ".conf", edge.Config{Upstream: "http://127.0.0.1:9001", Listen: "127.0.0.1:9005", CacheDir: filepath.Join(dir, "c"), Rules: append(rules()[:1], shared)}))
}

// TestPerUserRouteNeverLeftOut: a per-user route whose regex an edge
// cannot hold (a newline) refuses the file at nginx and Varnish with a
// message; the same route shared is left out with a comment.
func TestPerUserRouteNeverLeftOut(t *testing.T) {
	bad := edge.Rule{Method: "GET", Pattern: "/bad", Regex: "^/a\nb$", Prefix: "/bad", PerUser: true}
	for _, w := range []edge.Writer{edge.Nginx{}, edge.Varnish{}} {
		err := w.Write(&bytes.Buffer{}, w.Files()[0], edge.Config{Rules: []edge.Rule{bad}})
		if err == nil || !strings.Contains(err.Error(), "per-user route") {
			t.Errorf("%s: %v, want a refusal", w.Name(), err)
		}
		shared := bad
		shared.PerUser, shared.Shared = false, true
		if err := w.Write(&bytes.Buffer{}, w.Files()[0], edge.Config{Rules: []edge.Rule{shared}}); err != nil {
			t.Errorf("%s, shared: %v", w.Name(), err)
		}
	}
}
