package ingest

import (
	"bytes"
	"testing"
)

// checkParse parses line with p and checks the contract: no panic, and a
// parsed record has a path unless it is a bad request (then it has no
// method, path or query).
func checkParse(t *testing.T, p Parser, line []byte) {
	var r Record
	r.Reset()
	if err := p.Parse(line, &r); err == nil && (len(r.Path) == 0 != r.BadRequest || r.BadRequest && len(r.Method)+len(r.Query) > 0) {
		t.Fatalf("parsed %q: path %q, bad request %v", line, r.Path, r.BadRequest)
	}
}

func FuzzLayout(f *testing.F) {
	f.Add(`$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_cache_status`,
		`1.2.3.4 - - [25/Nov/2026:08:25:31 +0000] "GET /a?b HTTP/1.1" 200 5 "-" "ua" 0.001 HIT`)
	f.Add(`%h %l %u %t "%r" %>s %b %D`, `1.2.3.4 - - [25/Nov/2026:08:25:31 +0000] "GET /a HTTP/1.1" 200 - 15`)
	f.Add(`%(h)s %(t)s "%(r)s" %(s)s %(M)s`, `1.2.3.4 [25/Nov/2026:08:25:31 +0000] "GET / HTTP/1.1" 200 3`)
	f.Add(`$time_iso8601 $msec $request_uri $upstream_response_time`, `2026-11-25T08:25:31Z 1795595131.000 /x 0.1, 0.2 : 0.3`)
	f.Fuzz(func(t *testing.T, layout, line string) {
		l, err := CompileLayout(layout)
		if err != nil {
			return
		}
		checkParse(t, l, []byte(line))
	})
}

func FuzzCLF(f *testing.F) {
	f.Add([]byte(`203.0.113.9 - - [25/Nov/2026:08:25:31 +0000] "GET /api/items/42 HTTP/1.1" 200 512 "-" "curl/8.0" 0.004 0.003 MISS` + "\n" +
		`203.0.113.9 - - [25/Nov/2026:08:25:31 +0000] "GET /a HTTP/1.1" 200 512 "-" "curl/8.0" 0.000 - HIT`))
	f.Add([]byte(`127.0.0.1 - - [25/Nov/2026:08:25:31 +0000] "GET http://shop.example/ HTTP/1.1" 200 512 "-" "curl/8.0" hit hit 153`))
	f.Add([]byte(`1.2.3.4 - - [25/Nov/2026:08:25:31 +0000] "GET /a HTTP/1.1" 200 10 "-" "ua" rt=0.010 uct="0.001" urt=0.008 cs=STALE "h.example" 0123456789abcdef0123456789abcdef`))
	f.Add([]byte(`198.51.100.7 - frank [25/Nov/2026:08:25:31 +0000] "HEAD /a HTTP/1.0" 304 -`))
	// Real shapes: a vhost prefix, $host first, a forwarded-for list, a
	// scanner's request logged with 400.
	f.Add([]byte(`www.example.org:443 192.0.2.1 - - [25/Nov/2026:08:25:31 +0000] "GET /a HTTP/1.1" 200 5 "-" "ua"`))
	f.Add([]byte(`shop.example 192.0.2.1 - - [25/Nov/2026:08:25:31 +0000] "GET /a HTTP/1.1" 200 5 "-" "ua"`))
	f.Add([]byte(`203.0.113.7, 10.0.0.1, 127.0.0.1 - - [25/Nov/2026:08:25:31 +0000] "GET /a HTTP/1.1" 200 5 "-" "ua"`))
	f.Add([]byte(`198.51.100.9 - - [25/Nov/2026:08:00:01 +0000] "" 400 0 "-" "-"` + "\n" + `198.51.100.9 - - [25/Nov/2026:08:00:02 +0000] "hello" 400 157 "-" "-"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		head := bytes.Split(data, []byte("\n"))
		p, err := inferCLF(head)
		if err != nil {
			return
		}
		for _, l := range head {
			checkParse(t, p, l)
		}
	})
}

// FuzzDetect feeds arbitrary file heads to detection and parses every line
// with whatever format wins: nothing may panic.
func FuzzDetect(f *testing.F) {
	for _, ex := range Formats() {
		f.Add([]byte(ex.Example))
	}
	f.Add([]byte("#Version: 1.0\n#Fields: date time cs-uri-stem sc-status\n2026-11-25\t08:25:31\t/a\t200\n"))
	f.Add([]byte(`{"EdgeStartTimestamp":1795595131,"ClientRequestURI":"/a","CacheCacheStatus":"hit"}`))
	f.Add([]byte("INFO:     Started server process [4023]\nloading\nINFO:     127.0.0.1:64086 - \"POST /chat HTTP/1.1\" 200 OK\nTraceback (most recent call last):\n"))
	f.Add([]byte(`{"RayID":"1","EdgeStartTimestamp":"2026-11-01T00:00:01Z","ClientRequestURI":"/a","RequestHeaders":{"accept-language":"fr"},"Cookies":{"a":"b"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		head := bytes.Split(data, []byte("\n"))
		_, p, err := Detect(head)
		if err != nil {
			return
		}
		for _, l := range head {
			var r Record
			r.Reset()
			safeParse(p, l, &r)
		}
	})
}

func FuzzTime(f *testing.F) {
	for _, s := range []string{"25/Nov/2026:08:25:31 +0000", "2026-11-25T08:25:31.123+01:00", "1795595131.5", "1795595131000000000", "[25/Nov/2026:08:25:31 +0000]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parseAnyTime([]byte(s))
		parseCLFTime([]byte(s))
		parseISOTime([]byte(s))
		sumUpstreamTimes([]byte(s))
		NormalizeCacheStatus([]byte(s))
	})
}
