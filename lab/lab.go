// Package lab closes the loop on this machine with real software from
// Debian: an example app (FastAPI under uvicorn) behind a real cache (nginx
// proxy_cache or Varnish), deterministic traffic, cdnadvise's advice and
// patch, the same traffic again, and the measured hit ratios compared with
// the predicted ones. Everything listens on 127.0.0.1 and is stopped by PID.
package lab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Proc is a started server process.
type Proc struct {
	cmd  *exec.Cmd
	logs *bytes.Buffer
	mu   *sync.Mutex
	name string
}

// Stop kills the process and its children (by process group: nginx's
// workers, Varnish's child) and waits for it.
func (p *Proc) Stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	p.cmd.Process.Kill()
	p.cmd.Wait()
}

// Logs returns what the process printed.
func (p *Proc) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(b)
}

// Start runs a command and waits until 127.0.0.1:port accepts connections.
func Start(dir string, env []string, port int, name string, args ...string) (*Proc, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	p := &Proc{cmd: cmd, logs: &bytes.Buffer{}, mu: &sync.Mutex{}, name: name}
	cmd.Stdout, cmd.Stderr = lockedWriter{p.mu, p.logs}, lockedWriter{p.mu, p.logs}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 2 * time.Second // children still holding the output pipes do not block Wait
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return p, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.Stop()
	return nil, fmt.Errorf("%s did not listen on %d: %s", name, port, p.Logs())
}

// Ports hands out loopback ports for servers that run side by side, each
// port once, from below Linux's ephemeral range (32768-60999 by default).
// A port the kernel picks for :0 comes from that range, where it also
// picks the local ports of outgoing connections (the driver's, nginx's to
// its upstream) and the ports of the other servers asking at the same
// moment: between its choice and the server's bind, it may be taken, and
// the server that then answers on it is not the one started.
type Ports struct {
	mu   sync.Mutex
	next int
}

// NewPorts starts at a random port in 20000-27999, so that two test
// processes rarely walk the same ports.
func NewPorts() *Ports { return &Ports{next: 20000 + rand.IntN(8000)} }

// Next returns a port no earlier call returned and that nothing listens on now.
func (p *Ports) Next() (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range 4000 {
		port := p.next
		p.next++
		if p.next >= 32768 {
			p.next = 20000
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			l.Close()
			return port, nil
		}
	}
	return 0, fmt.Errorf("no free loopback port among 4,000 tried in 20000-32767")
}

// FreePort asks the kernel for a free loopback port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Traffic is a deterministic request schedule: URL i is sent at Start +
// i*Gap by browser Clients[i].
type Traffic struct {
	URLs    []string
	Clients []int
	Gap     time.Duration
}

// LabClients is the number of browsers the lab's traffic comes from.
const LabClients = 40

// ShopTraffic builds n requests over the example shop's URLs with Zipf
// popularity, from LabClients browsers (seeded, so every run sends the same
// sequence).
func ShopTraffic(n int, seed uint64) Traffic {
	rng := rand.New(rand.NewPCG(seed, 99))
	// Many item pages and search terms with a long tail: their hit ratio
	// keeps growing with the TTL, so TTLs of minutes are advised (single
	// popular URLs reach their best at 10 s); the search terms' tail is the
	// longest (2,000 terms, Zipf 1.05): over ten minutes, five minutes.
	items := rand.NewZipf(rng, 1.1, 1, 1499)
	queries := rand.NewZipf(rng, 1.05, 1, 1999)
	var t Traffic
	t.Gap = 20 * time.Millisecond
	for i := 0; i < n; i++ {
		var u string
		switch r := rng.IntN(100); {
		case r < 35:
			u = fmt.Sprintf("/api/items/%d", items.Uint64()+1)
		case r < 50:
			u = "/api/leaderboard"
		case r < 65:
			u = "/api/items" // the collection's list
		case r < 68:
			u = "POST /api/items" // and its create, on the same path
		case r < 77:
			u = fmt.Sprintf("/search?q=term%d", queries.Uint64())
		case r < 83:
			u = "/static/app.3f2a9c1b.js"
		case r < 89:
			u = "/api/me"
		case r < 93:
			u = "/api/family/chores" // the family API: its requirement of a user is set away from the view
			if i%5 == 0 {
				// A family adds a chore: a write with the session and the
				// CSRF token (browsers) or the API token (apps).
				u = "POST /api/family/chores"
			}
		default:
			u = "/" // the front page, HTML
		}
		t.URLs = append(t.URLs, u)
		t.Clients = append(t.Clients, rng.IntN(LabClients))
	}
	return t
}

// CSRFToken is browser c's CSRF token (32 letters and digits, a secret
// Django accepts): its csrftoken cookie, and its X-CSRFToken header on
// writes.
func CSRFToken(c int) string { return fmt.Sprintf("lab%029d", c) }

// Browser returns the headers browser c sends with a request for path:
// its own User-Agent and Accept-Encoding, the site's analytics cookie on
// every request, a csrftoken on HTML pages, and the session of a logged-in
// user on the per-user routes (or, for every fourth client of the family
// API, its API token in Authorization) (user names of different lengths, so that
// per-user responses differ in size as real ones do).
func Browser(c int, path string) http.Header {
	h := http.Header{}
	h.Set("User-Agent", fmt.Sprintf("Mozilla/5.0 (X11; Linux x86_64; rv:128.0; lab client %d) Gecko/20100101 Firefox/128.0", c))
	switch {
	case c%10 < 6:
		h.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	case c%10 < 9:
		h.Set("Accept-Encoding", "gzip, deflate")
	}
	cookie := fmt.Sprintf("_ga=GA1.1.%d.1764400000", 100000+c)
	if path == "/" {
		cookie += "; csrftoken=" + CSRFToken(c)
	}
	if strings.HasPrefix(path, "/api/me") {
		cookie += "; sessionid=" + UserName(c)
	}
	if strings.HasPrefix(path, "/api/family") {
		// Browsers send the family's session; every fourth client is the
		// family's app, with its API token instead.
		if c%4 == 0 {
			h.Set("Authorization", "Bearer family"+UserName(c))
		} else {
			cookie += "; sessionid=" + UserName(c)
		}
	}
	h.Set("Cookie", cookie)
	return h
}

// UserName is the logged-in user of browser c.
func UserName(c int) string { return "user" + strings.Repeat("x", c%9) + fmt.Sprint(c) }

// Drive sends the traffic to base (http://127.0.0.1:port) on schedule, one
// request at a time, each with its browser's headers ("POST /path" is a
// POST with a small JSON body and, from a browser, the CSRF token as a
// cookie and a header; others are GETs); it returns the number of failed
// requests (errors, 5xx, a write not answered 201) and the first three
// failures, with their times.
func (t Traffic) Drive(base string) (int, string) {
	// Open loop: each request leaves at its time whatever the earlier ones
	// take (an origin that takes 100 ms must not slow the browsers down).
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	start := time.Now()
	var mu sync.Mutex
	failed := 0
	first := ""
	fail := func(what string) {
		mu.Lock()
		defer mu.Unlock()
		failed++
		if failed <= 3 {
			first += "\n  " + what
		}
	}
	var wg sync.WaitGroup
	for i, u := range t.URLs {
		if d := time.Until(start.Add(time.Duration(i) * t.Gap)); d > 0 {
			time.Sleep(d)
		}
		method, path := "GET", u
		var body io.Reader
		if p, ok := strings.CutPrefix(u, "POST "); ok {
			method, path, body = "POST", p, strings.NewReader(`{"name": "new item"}`)
		}
		req, _ := http.NewRequest(method, base+path, body)
		c := 0
		if i < len(t.Clients) {
			c = t.Clients[i]
		}
		pathOnly, _, _ := strings.Cut(path, "?")
		req.Header = Browser(c, pathOnly)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
			if req.Header.Get("Authorization") == "" {
				// A browser's write: the CSRF token as a cookie and a header.
				if !strings.Contains(req.Header.Get("Cookie"), "csrftoken=") {
					req.Header.Set("Cookie", req.Header.Get("Cookie")+"; csrftoken="+CSRFToken(c))
				}
				req.Header.Set("X-CSRFToken", CSRFToken(c))
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := client.Do(req)
			if err != nil {
				fail(fmt.Sprintf("request %d at +%s: %v", i, time.Since(start).Round(time.Millisecond), err))
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			// Every write is valid: the app answers it 201 without a cache,
			// and must through one (a 403 is a write that lost its cookies).
			if resp.StatusCode >= 500 || (method == "POST" && resp.StatusCode != http.StatusCreated) {
				fail(fmt.Sprintf("request %d at +%s: %s %s", i, time.Since(start).Round(time.Millisecond), u, resp.Status))
			}
		}()
	}
	wg.Wait()
	return failed, first
}

// OriginTime is the time the lab's origin takes per route, as a database
// behind the app would: a path's base time (the longest matching prefix of
// OriginBase) within ±25%, drawn per request.
var OriginBase = map[string]time.Duration{
	"/":                40 * time.Millisecond,  // the front page
	"/api/items":       60 * time.Millisecond,  // the collection, and its POST
	"/api/items/":      80 * time.Millisecond,  // an item
	"/search":          150 * time.Millisecond, // a full-text query
	"/api/leaderboard": 120 * time.Millisecond, // an aggregation
	"/api/me":          50 * time.Millisecond,
	"/api/family":      30 * time.Millisecond,
	"/static/":         20 * time.Millisecond,
}

// OriginProxy is a reverse proxy on 127.0.0.1:port in front of the app on
// appPort that holds each request for its origin time first: the cache in
// front sees an origin that takes 20-200 ms a miss. Close it to stop.
// When trace is not nil, each request is written to it as one line: its
// arrival and end (Unix ms), method, URI, status and the response's
// Cache-Control, Vary and Set-Cookie ("-" when absent): what the cache was
// sent, to explain a measured figure that disagrees with the prediction.
func OriginProxy(port, appPort int, seed uint64, trace io.Writer) (*http.Server, error) {
	target, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", appPort))
	rp := httputil.NewSingleHostReverseProxy(target)
	// A fresh connection per request: gunicorn's sync workers close theirs,
	// and a POST sent on a connection the app is closing fails. A refused
	// connection is tried again for up to two seconds: once in a lab run,
	// the first three requests of a phase found gunicorn's port refusing
	// although it had accepted Start's probe and logged "Listening".
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	rp.Transport = &http.Transport{DisableKeepAlives: true, DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		for try := 0; ; try++ {
			c, err := dialer.DialContext(ctx, network, addr)
			if err == nil || !errors.Is(err, syscall.ECONNREFUSED) || try == 20 {
				return c, err
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}}
	var mu sync.Mutex
	if trace != nil {
		// One line per request: arrival, end, method, URI, status, then
		// the quoted fields.
		traceLine := func(r *http.Request, status int, fields ...string) {
			arrived, _ := r.Context().Value(arrivalKey{}).(time.Time)
			line := fmt.Sprintf("%d %d %s %q %d", arrived.UnixMilli(), time.Now().UnixMilli(), r.Method, r.URL.RequestURI(), status)
			for _, f := range fields {
				line += fmt.Sprintf(" %q", f)
			}
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintln(trace, line)
		}
		// A request the app did not answer is traced too, with status 502
		// and the error in place of the headers.
		rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
			traceLine(r, http.StatusBadGateway, err.Error())
			w.WriteHeader(http.StatusBadGateway)
		}
		rp.ModifyResponse = func(resp *http.Response) error {
			field := func(name string) string {
				if v := resp.Header.Values(name); len(v) > 0 {
					return strings.Join(v, ", ")
				}
				return "-"
			}
			traceLine(resp.Request, resp.StatusCode, field("Cache-Control"), field("Vary"), field("Set-Cookie"))
			return nil
		}
	}
	rng := rand.New(rand.NewPCG(seed, 25))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(context.WithValue(r.Context(), arrivalKey{}, time.Now()))
		base, best := time.Duration(0), -1
		for p, d := range OriginBase {
			if strings.HasPrefix(r.URL.Path, p) && len(p) > best {
				base, best = d, len(p)
			}
		}
		mu.Lock()
		f := 0.75 + 0.5*rng.Float64()
		mu.Unlock()
		// The request's body is read whole first (a POST's JSON): streaming
		// it while the app answers and closes raced, once per run, into a
		// 503 from the cache.
		if r.Body != nil {
			b, err := io.ReadAll(r.Body)
			r.Body.Close()
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		}
		time.Sleep(time.Duration(float64(base) * f))
		rp.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	return srv, nil
}

// arrivalKey keys a request's arrival time at the OriginProxy.
type arrivalKey struct{}

// NginxConfig writes an nginx configuration caching in front of the app on
// appPort, logging combined + $request_time $upstream_response_time
// $upstream_cache_status to edgeLog, into dir: proxy_cache as it comes (an
// operator's first proxy_cache: no proxy_cache_use_stale, no
// proxy_cache_background_update, no lock).
func NginxConfig(dir string, port, appPort int, edgeLog string) (string, error) {
	return NginxConfigWith(dir, port, appPort, edgeLog)
}

// NginxBackgroundUpdate are the directives that make nginx serve stale while
// one request refreshes the entry in the background.
var NginxBackgroundUpdate = []string{"proxy_cache_use_stale updating error timeout;", "proxy_cache_background_update on;"}

// NginxConfigWith is NginxConfig with more directives in its location.
func NginxConfigWith(dir string, port, appPort int, edgeLog string, directives ...string) (string, error) {
	for _, d := range []string{"cache", "tmp", "logs"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return "", err
		}
	}
	user := ""
	if os.Geteuid() == 0 {
		// Workers would run as nobody, who cannot enter the test's private
		// temporary folders.
		user = "user root;\n"
	}
	extra := ""
	for _, d := range directives {
		extra += "      " + d + "\n"
	}
	conf := user + fmt.Sprintf(`worker_processes 1;
daemon off;
pid %[1]s/nginx.pid;
error_log %[1]s/logs/error.log warn;
events { worker_connections 256; }
http {
  client_body_temp_path %[1]s/tmp/body;
  proxy_temp_path %[1]s/tmp/proxy;
  fastcgi_temp_path %[1]s/tmp/fastcgi;
  uwsgi_temp_path %[1]s/tmp/uwsgi;
  scgi_temp_path %[1]s/tmp/scgi;
  log_format cache '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
                   '"$http_referer" "$http_user_agent" $request_time $upstream_response_time $upstream_cache_status';
  access_log %[4]s cache;
  proxy_cache_path %[1]s/cache levels=1:2 keys_zone=lab:10m max_size=200m inactive=1h use_temp_path=off;
  server {
    listen 127.0.0.1:%[2]d;
    location / {
      proxy_pass http://127.0.0.1:%[3]d;
      proxy_http_version 1.1;
      proxy_cache lab;
      proxy_cache_key $scheme$proxy_host$request_uri;
%[5]s    }
  }
}
`, dir, port, appPort, edgeLog, extra)
	p := filepath.Join(dir, "nginx.conf")
	return p, os.WriteFile(p, []byte(conf), 0o644)
}

// NginxMain writes a minimal nginx.conf into dir that includes file inside
// http {} (as a user's nginx.conf includes cdnadvise edge's output), with
// nginx's own files in dir, in the foreground; it returns its path.
func NginxMain(dir, file string) (string, error) {
	for _, d := range []string{"tmp", "logs"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return "", err
		}
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;\n" // workers as nobody could not enter the test's folders
	}
	conf := user + fmt.Sprintf(`worker_processes 1;
daemon off;
pid %[1]s/nginx.pid;
error_log %[1]s/logs/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path %[1]s/tmp/body;
  proxy_temp_path %[1]s/tmp/proxy;
  fastcgi_temp_path %[1]s/tmp/fastcgi;
  uwsgi_temp_path %[1]s/tmp/uwsgi;
  scgi_temp_path %[1]s/tmp/scgi;
  include %[2]s;
}
`, dir, file)
	p := filepath.Join(dir, "nginx.conf")
	return p, os.WriteFile(p, []byte(conf), 0o644)
}

// StartVarnish starts varnishd in the foreground in front of appPort (with
// its builtin VCL, or with the VCL file vcl when given), with
// its work folder in dir and no jail (the test's private folders stay
// readable), and varnishncsa writing the access log (default format plus
// %{Varnish:hitmiss}x %{Varnish:handling}x %D) to edgeLog.
func StartVarnish(dir string, port, appPort int, vcl, edgeLog string) (varnish, ncsa *Proc, err error) {
	work := filepath.Join(dir, "varnish")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, nil, err
	}
	backend := []string{"-b", fmt.Sprintf("127.0.0.1:%d", appPort)}
	if vcl != "" {
		backend = []string{"-f", vcl}
	}
	varnish, err = Start(dir, nil, port, "varnishd", append(append([]string{"-F", "-j", "none", "-n", work, "-a", fmt.Sprintf("127.0.0.1:%d", port)},
		backend...), "-s", "malloc,64m")...)
	if err != nil {
		return nil, nil, err
	}
	ncsa, err = StartNoPort(dir, "varnishncsa", "-n", work, "-w", edgeLog,
		"-F", `%h %l %u %t "%r" %s %b "%{Referer}i" "%{User-agent}i" %{Varnish:hitmiss}x %{Varnish:handling}x %D`)
	if err != nil {
		varnish.Stop()
		return nil, nil, err
	}
	return varnish, ncsa, nil
}

// StartNoPort starts a process that does not listen (a log writer) and gives
// it a moment to attach.
func StartNoPort(dir, name string, args ...string) (*Proc, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	p := &Proc{cmd: cmd, logs: &bytes.Buffer{}, mu: &sync.Mutex{}, name: name}
	cmd.Stdout, cmd.Stderr = lockedWriter{p.mu, p.logs}, lockedWriter{p.mu, p.logs}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	time.Sleep(time.Second)
	return p, nil
}

// StopGently asks the process to end (SIGTERM, so that log writers flush),
// then kills it if it has not ended after a few seconds.
func (p *Proc) StopGently() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// Django maps the shop traffic onto the Django example's URLs (trailing
// slashes: /api/items/3/, /search/?q=...).
func (t Traffic) Django() Traffic {
	out := Traffic{Gap: t.Gap, Clients: t.Clients}
	for _, u := range t.URLs {
		method := ""
		if p, ok := strings.CutPrefix(u, "POST "); ok {
			method, u = "POST ", p
		}
		path, query, _ := strings.Cut(u, "?")
		if path != "/" && !strings.HasPrefix(path, "/static/") {
			path += "/"
		}
		if query != "" {
			path += "?" + query
		}
		out.URLs = append(out.URLs, method+path)
	}
	return out
}

// GunicornAccessFormat is the access log format of the Django example:
// combined plus the time in microseconds.
const GunicornAccessFormat = `%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s`

// tail returns the last n lines of a file, headed by its name ("" when it
// is missing or empty): a server's own log, for a failure's message.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil || len(bytes.TrimSpace(b)) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "\n" + path + ":\n" + strings.Join(lines, "\n")
}
