package ingest

import (
	"strings"
	"testing"
)

const ts1 = "2026-11-25T08:25:31Z"

func TestCLFFamilyGolden(t *testing.T) {
	cases := []struct {
		name    string
		format  string // family expected from detection
		extras  string // Describe() must mention this
		line    string
		want    view
		headAlt []string // more head lines (same layout) for inference
	}{
		{
			name: "combined", format: "combined",
			line: `198.51.100.7 - - [25/Nov/2026:09:25:31 +0100] "GET /items/42/?a=1&b=2 HTTP/1.1" 200 2326 "https://shop.example/" "Mozilla/5.0 (X11)"`,
			want: view{TS: ts1, Method: "GET", Path: "/items/42/", Query: "a=1&b=2", Status: 200, Bytes: 2326, Dur: -1, TTFB: -1, Origin: -1, Referer: "https://shop.example/", UA: "Mozilla/5.0 (X11)", Client: "198.51.100.7"},
		},
		{
			name: "common with dash bytes", format: "common",
			line: `198.51.100.7 - frank [25/Nov/2026:08:25:31 +0000] "HEAD /a HTTP/1.0" 304 -`,
			want: view{TS: ts1, Method: "HEAD", Path: "/a", Status: 304, Bytes: 0, Dur: -1, TTFB: -1, Origin: -1, Client: "198.51.100.7"},
		},
		{
			name: "apache combined with %D", format: "combined", extras: "duration(us)",
			line: `10.0.0.1 - - [25/Nov/2026:08:25:31 +0000] "GET /x HTTP/1.1" 200 10 "-" "curl/8" 15320`,
			want: view{TS: ts1, Method: "GET", Path: "/x", Status: 200, Bytes: 10, Dur: 15.32, TTFB: -1, Origin: -1, UA: "curl/8", Client: "10.0.0.1"},
		},
		{
			name: "gunicorn with %(L)s", format: "combined", extras: "duration(s)",
			line: `127.0.0.1 - - [25/Nov/2026:08:25:31 +0000] "GET /api/ HTTP/1.1" 200 2 "-" "python-requests/2.31" 0.012345`,
			want: view{TS: ts1, Method: "GET", Path: "/api/", Status: 200, Bytes: 2, Dur: 12.345, TTFB: -1, Origin: -1, UA: "python-requests/2.31", Client: "127.0.0.1"},
		},
		{
			name: "nginx cache: request_time upstream_time status", format: "nginx-cache",
			line: `203.0.113.9 - - [25/Nov/2026:08:25:31 +0000] "GET /api/items/42 HTTP/1.1" 200 512 "-" "curl/8.0" 0.004 0.003 MISS`,
			want: view{TS: ts1, Method: "GET", Path: "/api/items/42", Status: 200, Bytes: 512, Cache: "MISS", CacheRaw: "MISS", Dur: 4, TTFB: -1, Origin: 3, UA: "curl/8.0", Client: "203.0.113.9"},
		},
		{
			name: "nginx cache: hit has no upstream time", format: "nginx-cache",
			line:    `203.0.113.9 - - [25/Nov/2026:08:25:31 +0000] "GET /a HTTP/1.1" 200 512 "-" "curl/8.0" 0.000 - HIT`,
			headAlt: []string{`203.0.113.9 - - [25/Nov/2026:08:25:31 +0000] "GET /b HTTP/1.1" 200 512 "-" "curl/8.0" 0.050 0.049 MISS`},
			want:    view{TS: ts1, Method: "GET", Path: "/a", Status: 200, Bytes: 512, Cache: "HIT", CacheRaw: "HIT", Dur: 0, TTFB: -1, Origin: -1, UA: "curl/8.0", Client: "203.0.113.9"},
		},
		{
			name: "nginx cache: two upstreams, host and request id", format: "nginx-cache",
			line: `203.0.113.9 - - [25/Nov/2026:08:25:31 +0000] "GET /a HTTP/1.1" 502 10 "-" "ua" 1.500 0.500, 0.900 EXPIRED "shop.example" 0123456789abcdef0123456789abcdef`,
			want: view{TS: ts1, Method: "GET", Host: "shop.example", Path: "/a", Status: 502, Bytes: 10, Cache: "EXPIRED", CacheRaw: "EXPIRED", Dur: 1500, TTFB: -1, Origin: 1400, UA: "ua", RequestID: "0123456789abcdef0123456789abcdef", Client: "203.0.113.9"},
		},
		{
			name: "nginx cache: key=value", format: "nginx-cache",
			line: `203.0.113.9 - - [25/Nov/2026:08:25:31 +0000] "GET /a HTTP/1.1" 200 10 "-" "ua" rt=0.010 uct="0.001" urt=0.008 cs=STALE`,
			want: view{TS: ts1, Method: "GET", Path: "/a", Status: 200, Bytes: 10, Cache: "STALE", CacheRaw: "STALE", Dur: 10, TTFB: -1, Origin: 8, UA: "ua", Client: "203.0.113.9"},
		},
		{
			name: "varnishncsa default", format: "varnishncsa",
			line: `127.0.0.1 - - [25/Nov/2026:08:25:31 +0000] "GET http://shop.example/items/42?x=1 HTTP/1.1" 200 512 "-" "curl/8.0"`,
			want: view{TS: ts1, Method: "GET", Host: "shop.example", Path: "/items/42", Query: "x=1", Status: 200, Bytes: 512, Dur: -1, TTFB: -1, Origin: -1, UA: "curl/8.0", Client: "127.0.0.1"},
		},
		{
			name: "varnishncsa hitmiss handling %D", format: "varnishncsa",
			line: `127.0.0.1 - - [25/Nov/2026:08:25:31 +0000] "GET http://shop.example/ HTTP/1.1" 200 512 "-" "curl/8.0" hit hit 153`,
			want: view{TS: ts1, Method: "GET", Host: "shop.example", Path: "/", Status: 200, Bytes: 512, Cache: "HIT", CacheRaw: "hit", Dur: 0.153, TTFB: -1, Origin: -1, UA: "curl/8.0", Client: "127.0.0.1"},
		},
		{
			name: "varnishncsa pass", format: "varnishncsa",
			line: `127.0.0.1 - - [25/Nov/2026:08:25:31 +0000] "POST http://shop.example/cart HTTP/1.1" 200 5 "-" "curl/8.0" miss pass 5300`,
			want: view{TS: ts1, Method: "POST", Host: "shop.example", Path: "/cart", Status: 200, Bytes: 5, Cache: "MISS", CacheRaw: "miss", Dur: 5.3, TTFB: -1, Origin: -1, UA: "curl/8.0", Client: "127.0.0.1"},
		},
		{
			name: "user agent cut short without closing quote", format: "combined",
			line:    `46.118.127.106 - - [25/Nov/2026:08:25:31 +0000] "GET /a HTTP/1.1" 200 235 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html`,
			headAlt: []string{`46.118.127.106 - - [25/Nov/2026:08:25:31 +0000] "GET /b HTTP/1.1" 200 235 "-" "x"`},
			want:    view{TS: ts1, Method: "GET", Path: "/a", Status: 200, Bytes: 235, Dur: -1, TTFB: -1, Origin: -1, UA: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html", Client: "46.118.127.106"},
		},
		{
			name: "escaped quote in user agent", format: "combined",
			line: `1.2.3.4 - - [25/Nov/2026:08:25:31 +0000] "GET /a HTTP/1.1" 200 1 "-" "say \"hi\""`,
			want: view{TS: ts1, Method: "GET", Path: "/a", Status: 200, Bytes: 1, Dur: -1, TTFB: -1, Origin: -1, UA: `say \"hi\"`, Client: "1.2.3.4"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			head := lines(append(c.headAlt, c.line)...)
			f, p, err := Detect(head)
			if err != nil {
				t.Fatal(err)
			}
			if f.Name != c.format {
				t.Errorf("detected %s, want %s (%s)", f.Name, c.format, f.Describe(p))
			}
			if c.extras != "" && !strings.Contains(f.Describe(p), c.extras) {
				t.Errorf("layout %q does not read %s", f.Describe(p), c.extras)
			}
			checkView(t, parseOne(t, p, c.line), c.want)
		})
	}
}

func TestCustomLayouts(t *testing.T) {
	cases := []struct {
		name   string
		layout string
		line   string
		want   view
	}{
		{
			name:   "nginx log_format directive verbatim",
			layout: `log_format cache '$remote_addr - $upstream_cache_status [$time_local] "$request" $status $body_bytes_sent ' '"$http_referer" "$http_user_agent" rt=$request_time uct="$upstream_connect_time" urt="$upstream_response_time" $host $request_id';`,
			line:   `10.1.2.3 - HIT [25/Nov/2026:08:25:31 +0000] "GET /p?q=1 HTTP/2.0" 200 99 "-" "ua x" rt=0.002 uct="-" urt="-" example.org 7f3a`,
			want:   view{TS: ts1, Method: "GET", Host: "example.org", Path: "/p", Query: "q=1", Status: 200, Bytes: 99, Cache: "HIT", CacheRaw: "HIT", Dur: 2, TTFB: -1, Origin: -1, UA: "ua x", RequestID: "7f3a", Client: "10.1.2.3"},
		},
		{
			name:   "nginx ISO time and msec",
			layout: `$time_iso8601 $request_method $uri $args $status $bytes_sent $request_time $upstream_header_time`,
			line:   `2026-11-25T09:25:31+01:00 GET /a b=1 404 10 0.100 0.050`,
			want:   view{TS: ts1, Method: "GET", Path: "/a", Query: "b=1", Status: 404, Bytes: 10, Dur: 100, TTFB: 50, Origin: -1},
		},
		{
			name:   "apache LogFormat with %T and response headers",
			layout: `LogFormat "%h %l %u %t \"%r\" %>s %b %T \"%{Cache-Control}o\" %v" timed`,
			line:   `10.0.0.1 - - [25/Nov/2026:08:25:31 +0000] "GET /a HTTP/1.1" 200 5 2 "max-age=60" www.example.com`,
			want:   view{TS: ts1, Method: "GET", Host: "www.example.com", Path: "/a", Status: 200, Bytes: 5, Dur: 2000, TTFB: -1, Origin: -1, Client: "10.0.0.1"},
		},
		{
			name:   "varnishncsa -F",
			layout: `%h %l %u %t "%r" %s %b "%{Referer}i" "%{User-agent}i" %{Varnish:handling}x %D %{Varnish:time_firstbyte}x`,
			line:   `127.0.0.1 - - [25/Nov/2026:08:25:31 +0000] "GET http://a.example/x HTTP/1.1" 200 5 "-" "ua" pass 1200 0.001100`,
			want:   view{TS: ts1, Method: "GET", Host: "a.example", Path: "/x", Status: 200, Bytes: 5, Cache: "PASS", CacheRaw: "pass", Dur: 1.2, TTFB: 1.1, Origin: -1, UA: "ua", Client: "127.0.0.1"},
		},
		{
			name:   "gunicorn access_log_format with %(M)s",
			layout: `%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)s`,
			line:   `127.0.0.1 - - [25/Nov/2026:08:25:31 +0000] "GET /a HTTP/1.1" 200 5 "-" "ua" 12`,
			want:   view{TS: ts1, Method: "GET", Path: "/a", Status: 200, Bytes: 5, Dur: 12, TTFB: -1, Origin: -1, UA: "ua", Client: "127.0.0.1"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := CompileLayout(c.layout)
			if err != nil {
				t.Fatal(err)
			}
			checkView(t, parseOne(t, l, c.line), c.want)
		})
	}
}

func TestLayoutErrors(t *testing.T) {
	for _, bad := range []string{``, `no variables here`, `$remote_addr$status "$request"`, `$status $body_bytes_sent`, `%h %{Referer`} {
		if _, err := CompileLayout(bad); err == nil {
			t.Errorf("CompileLayout(%q) accepted", bad)
		}
	}
	l, err := CompileLayout(`$remote_addr [$time_local] "$request" $status`)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		`1.2.3.4 [25/Nov/2026:08:25:31 +0000] "GET /a HTTP/1.1" abc`,
		`1.2.3.4 [99/Nov/2026:08:25:31 +0000] "GET /a HTTP/1.1" 200`,
		`1.2.3.4 [25/Nov/2026:08:25:31 +0000] "GET /a HTTP/1.1" 200 trailing`,
		`garbage`,
	} {
		var r Record
		r.Reset()
		if err := l.Parse([]byte(line), &r); err == nil || err == ErrNoRequest {
			t.Errorf("Parse(%q) = %v, want a reason", line, err)
		}
	}
}

func TestTimeParsing(t *testing.T) {
	want := int64(1795595131) * 1_000_000 // 2026-11-25T08:25:31Z
	cases := map[string]int64{
		"25/Nov/2026:08:25:31 +0000":     want,
		"25/Nov/2026:03:25:31 -0500":     want,
		"2026-11-25T08:25:31Z":           want,
		"2026-11-25 08:25:31":            want,
		"2026-11-25T10:25:31.5+02:00":    want + 500_000,
		"2026-11-25T08:25:31.123456789Z": want + 123456,
		"1795595131":                     want,
		"1795595131.25":                  want + 250_000,
		"1795595131000":                  want,
		"1795595131000000":               want,
		"1795595131000000000":            want,
	}
	for in, w := range cases {
		got, err := parseAnyTime([]byte(in))
		if err != nil || got != w {
			t.Errorf("parseAnyTime(%q) = %d, %v; want %d", in, got, err, w)
		}
	}
	for _, bad := range []string{"", "25/Foo/2026:08:25:31 +0000", "2026-13-25T08:25:31Z", "2026-11-25T08:25:31+2", "abc", "-5"} {
		if _, err := parseAnyTime([]byte(bad)); err == nil {
			t.Errorf("parseAnyTime(%q) accepted", bad)
		}
	}
}

func TestNormalizeCacheStatus(t *testing.T) {
	cases := map[string]CacheStatus{
		"Hit": CacheHit, "RefreshHit": CacheRevalidated, "Miss": CacheMiss, "Error": CacheError, "LimitExceeded": CacheError,
		"Redirect": CacheNone, "hit": CacheHit, "expired": CacheExpired, "revalidated": CacheRevalidated, "dynamic": CacheDynamic,
		"HIT": CacheHit, "STALE": CacheStale, "UPDATING": CacheUpdating, "BYPASS": CacheBypass, "pass": CachePass,
		"HIT-STALE": CacheStale, "HITPASS": CachePass, "MISS-CLUSTER": CacheMiss, "TCP_HIT": CacheHit, "TCP_REFRESH_HIT": CacheRevalidated,
		"1": CacheHit, "0": CacheMiss, "-": CacheNone, "": CacheNone, "weird": CacheNone,
	}
	for in, want := range cases {
		if got := NormalizeCacheStatus([]byte(in)); got != want {
			t.Errorf("NormalizeCacheStatus(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestExamplesDetected: the example line `cdnadvise formats` shows for each
// format is detected as that format.
func TestExamplesDetected(t *testing.T) {
	for _, f := range Formats() {
		if f.NoDetect {
			continue
		}
		got, _, err := Detect(lines(f.Example))
		if err != nil || got.Name != f.Name {
			t.Errorf("example of %s detected as %q (%v)", f.Name, got.Name, err)
		}
	}
}
