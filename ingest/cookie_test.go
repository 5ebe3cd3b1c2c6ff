package ingest

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRequestCookies: a log format that records the request's Cookie
// header (nginx "$http_cookie", Apache %{Cookie}i, --json-map cookie=...)
// stores whether the request had cookies and their names, never a value;
// the response's Vary ($sent_http_vary, %{Vary}o, vary=...) is kept.
func TestRequestCookies(t *testing.T) {
	cases := []struct {
		name, format, jsonMap, lines string
	}{
		{"nginx", `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_cookie" "$sent_http_vary" $upstream_cache_status`, "",
			`10.0.0.1 - - [01/Nov/2026:00:00:01 +0000] "GET /a HTTP/1.1" 200 10 "_ga=GA1.1.1.2; sessionid=SECRET1; csrftoken=SECRET2" "Accept-Language" MISS
10.0.0.2 - - [01/Nov/2026:00:00:02 +0000] "GET /a HTTP/1.1" 200 10 "-" "Accept-Language" HIT
10.0.0.3 - - [01/Nov/2026:00:00:03 +0000] "GET /b HTTP/1.1" 200 10 "_ga=x; _ga=y" "Accept-Language" MISS
`},
		{"apache", `%h %l %u %t "%r" %>s %b "%{Cookie}i" "%{Vary}o"`, "",
			`10.0.0.1 - - [01/Nov/2026:00:00:01 +0000] "GET /a HTTP/1.1" 200 10 "_ga=GA1.1.1.2; sessionid=SECRET1; csrftoken=SECRET2" "Accept-Language"
10.0.0.2 - - [01/Nov/2026:00:00:02 +0000] "GET /a HTTP/1.1" 200 10 "-" "Accept-Language"
10.0.0.3 - - [01/Nov/2026:00:00:03 +0000] "GET /b HTTP/1.1" 200 10 "_ga=x; _ga=y" "Accept-Language"
`},
		{"json", "", "ts=time,url=uri,status=status,cookie=headers.cookie,vary=vary",
			`{"time": "2026-11-01T00:00:01Z", "uri": "/a", "status": 200, "headers": {"cookie": "_ga=GA1.1.1.2; sessionid=SECRET1; csrftoken=SECRET2"}, "vary": "Accept-Language"}
{"time": "2026-11-01T00:00:02Z", "uri": "/a", "status": 200, "headers": {}, "vary": "Accept-Language"}
{"time": "2026-11-01T00:00:03Z", "uri": "/b", "status": 200, "headers": {"cookie": "_ga=x; _ga=y"}, "vary": "Accept-Language"}
`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "access.log")
			os.WriteFile(p, []byte(c.lines), 0o644)
			st := openStore(t, filepath.Join(dir, "s.duckdb"))
			run(t, st, Options{Inputs: []Input{{Path: p}}, LogFormat: c.format, JSONMap: c.jsonMap})
			if n := queryInt(t, st, `SELECT count(*) FROM requests WHERE has_cookie AND cookie_names = '_ga,csrftoken,sessionid'`); n != 1 {
				t.Errorf("cookie names: %d rows", n)
			}
			if n := queryInt(t, st, `SELECT count(*) FROM requests WHERE has_cookie = false AND cookie_names IS NULL`); n != 1 {
				t.Errorf("no cookie: %d rows", n)
			}
			if n := queryInt(t, st, `SELECT count(*) FROM requests WHERE cookie_names = '_ga'`); n != 1 {
				t.Errorf("a name given twice: %d rows", n)
			}
			if n := queryInt(t, st, `SELECT count(*) FROM requests WHERE vary = 'Accept-Language'`); n != 3 {
				t.Errorf("vary: %d rows", n)
			}
			if n := queryInt(t, st, `SELECT count(*) FROM d_misc WHERE value LIKE '%SECRET%' OR value LIKE '%GA1%'`); n != 0 {
				t.Errorf("a cookie value was stored (%d dictionary entries)", n)
			}
		})
	}
}

// TestRequestVaryHeaders: formats that log the request's Accept-Language
// and Accept (nginx $http_accept_language/$http_accept, Apache
// %{Accept-Language}i/%{Accept}i, --json-map accept_language=/accept=,
// Cloudflare's RequestHeaders custom field) keep them, so that a route
// whose responses vary on them is cached per logged value.
func TestRequestVaryHeaders(t *testing.T) {
	cases := []struct {
		name, format, jsonMap, lines string
	}{
		{"nginx", `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_accept_language" "$http_accept"`, "",
			`10.0.0.1 - - [01/Nov/2026:00:00:01 +0000] "GET /a HTTP/1.1" 200 10 "fr-FR,fr;q=0.9" "text/html"
10.0.0.2 - - [01/Nov/2026:00:00:02 +0000] "GET /a HTTP/1.1" 200 10 "-" "-"
`},
		{"apache", `%h %l %u %t "%r" %>s %b "%{Accept-Language}i" "%{Accept}i"`, "",
			`10.0.0.1 - - [01/Nov/2026:00:00:01 +0000] "GET /a HTTP/1.1" 200 10 "fr-FR,fr;q=0.9" "text/html"
10.0.0.2 - - [01/Nov/2026:00:00:02 +0000] "GET /a HTTP/1.1" 200 10 "-" "-"
`},
		{"json", "", "ts=time,url=uri,status=status,accept_language=h.lang,accept=h.accept",
			`{"time": "2026-11-01T00:00:01Z", "uri": "/a", "status": 200, "h": {"lang": "fr-FR,fr;q=0.9", "accept": "text/html"}}
{"time": "2026-11-01T00:00:02Z", "uri": "/a", "status": 200, "h": {}}
`},
		{"cloudflare custom fields", "", "",
			`{"RayID":"1","EdgeStartTimestamp":"2026-11-01T00:00:01Z","ClientRequestURI":"/a","EdgeResponseStatus":200,"CacheCacheStatus":"miss","RequestHeaders":{"accept-language":"fr-FR,fr;q=0.9","accept":"text/html","authorization":"Bearer SECRET3"},"Cookies":{"sessionid":"SECRET1","_ga":"SECRET2"},"ResponseHeaders":{"cache-control":"private","vary":"Accept-Language","set-cookie":"a=SECRET4"}}
{"RayID":"2","EdgeStartTimestamp":"2026-11-01T00:00:02Z","ClientRequestURI":"/a","EdgeResponseStatus":200,"CacheCacheStatus":"hit"}
`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "access.log")
			os.WriteFile(p, []byte(c.lines), 0o644)
			st := openStore(t, filepath.Join(dir, "s.duckdb"))
			run(t, st, Options{Inputs: []Input{{Path: p}}, LogFormat: c.format, JSONMap: c.jsonMap})
			if n := queryInt(t, st, `SELECT count(*) FROM requests WHERE accept_language = 'fr-FR,fr;q=0.9' AND accept = 'text/html'`); n != 1 {
				t.Errorf("logged values: %d rows", n)
			}
			if n := queryInt(t, st, `SELECT count(*) FROM requests WHERE accept_language IS NULL AND accept IS NULL`); n != 1 {
				t.Errorf("not sent: %d rows", n)
			}
			if c.name != "cloudflare custom fields" {
				return
			}
			// Names and presence only; a line without the custom fields
			// says nothing about cookies, Authorization or Set-Cookie.
			if n := queryInt(t, st, `SELECT count(*) FROM requests WHERE has_cookie AND cookie_names = '_ga,sessionid' AND has_auth AND set_cookie AND cache_control = 'private' AND vary = 'Accept-Language'`); n != 1 {
				t.Errorf("custom fields: %d rows", n)
			}
			if n := queryInt(t, st, `SELECT count(*) FROM requests WHERE has_cookie IS NULL AND has_auth IS NULL AND set_cookie IS NULL`); n != 1 {
				t.Errorf("a line without custom fields: %d rows", n)
			}
			if n := queryInt(t, st, `SELECT count(*) FROM d_misc WHERE value LIKE '%SECRET%'`); n != 0 {
				t.Errorf("a secret was stored (%d dictionary entries)", n)
			}
		})
	}
}
