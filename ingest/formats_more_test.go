package ingest

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cfFields is the default CloudFront field order as one header line.
var cfFields = "#Fields: " + strings.Join(cloudfrontDefaultFields[:], " ")

// cfLine builds a default-layout CloudFront line: every field '-' except
// those given by name.
func cfLine(set map[string]string) string {
	f := make([]string, len(cloudfrontDefaultFields))
	for i, n := range cloudfrontDefaultFields {
		f[i] = "-"
		if v, ok := set[n]; ok {
			f[i] = v
		}
	}
	return strings.Join(f, "\t")
}

var (
	cfHit = cfLine(map[string]string{
		"date": "2019-12-04", "time": "21:02:31", "x-edge-location": "LAX1", "sc-bytes": "392", "c-ip": "192.0.2.100",
		"cs-method": "GET", "cs(Host)": "d111111abcdef8.cloudfront.net", "cs-uri-stem": "/index.html", "sc-status": "200",
		"cs(User-Agent)": "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)", "x-edge-result-type": "Hit",
		"x-edge-request-id": "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==", "x-host-header": "www.example.com",
		"time-taken": "0.001", "time-to-first-byte": "0.001", "sc-content-type": "text/html",
	})
	cfEncoded = cfLine(map[string]string{
		"date": "2019-12-04", "time": "21:02:32", "x-edge-location": "FRA56-C1", "sc-bytes": "-", "c-ip": "2001:db8::1",
		"cs-method": "POST", "cs(Host)": "d111111abcdef8.cloudfront.net", "cs-uri-stem": "/a%2520b", "sc-status": "000",
		"cs(Referer)": "https://www.example.com/%3Fq", "cs-uri-query": "x=%2520y&z=1", "x-edge-result-type": "RefreshHit",
		"time-taken": "-", "time-to-first-byte": "0.250",
	})
	cfMiss = cfLine(map[string]string{
		"date": "2019-12-04", "time": "21:02:33", "x-edge-location": "LAX1", "sc-bytes": "1200", "c-ip": "198.51.100.7",
		"cs-method": "GET", "cs(Host)": "-", "x-host-header": "www.example.com", "cs-uri-stem": "/api/items", "sc-status": "502",
		"x-edge-result-type": "Error", "x-edge-detailed-result-type": "OriginConnectError", "time-taken": "0.102",
	})
	// cfShort has 31 fields: the last two are missing.
	cfShort = strings.Join(strings.Split(cfMiss, "\t")[:31], "\t")
)

// moreHeads are sample heads of each of the new formats (by key: the
// format's name, or name-variant).
var moreHeads = map[string][]string{
	"cloudfront":          {"#Version: 1.0", cfFields, cfHit, cfEncoded},
	"cloudfront-noheader": {cfHit, cfMiss},
	"cloudfront-subset": {
		"#Version: 1.0",
		"#Fields: cs-uri-stem date time sc-status x-edge-result-type cs(Host) x-host-header",
		"/img/a.png\t2019-12-04\t21:02:31\t304\tMiss\t-\tcdn.example.com",
	},
	"alb": {
		`https 2026-11-25T08:25:31.123456Z app/my-lb/50dc6c495c0c9188 192.0.2.10:2817 10.0.0.1:80 0.000 0.004 0.000 200 200 34 366 "GET https://shop.example:443/items/42?x=1 HTTP/1.1" "curl/8.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "shop.example" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 0 2026-11-25T08:25:31.119000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1234abcd5678ef90`,
		`http 2026-11-25T08:25:32.000000Z app/my-lb/50dc6c495c0c9188 2001:db8::1:2817 - -1 -1 -1 502 - 34 277 "GET http://www.example.com:80/ HTTP/1.1" "-" - - - "Root=1-58337262-36d228ad5d99923122bbe355" "-" "-" 0 2026-11-25T08:25:31.990000Z "forward" "-" "TargetFailedToRespond" "-" "-" "-" "-"`,
	},
	"cloudflare": {
		`{"CacheCacheStatus":"hit","ClientIP":"192.0.2.10","ClientRequestHost":"shop.example","ClientRequestMethod":"GET","ClientRequestURI":"/items/42?x=1","ClientRequestUserAgent":"curl/8.0","ClientRequestReferer":"https://shop.example/","EdgeColoCode":"FRA","EdgeResponseBytes":1532,"EdgeResponseStatus":200,"EdgeResponseContentType":"text/html","EdgeStartTimestamp":1795595131123000000,"EdgeEndTimestamp":1795595131127000000,"EdgeTimeToFirstByteMs":3,"OriginResponseDurationMs":0,"RayID":"8c1e2f3a4b5c6d7e"}`,
		`{"CacheCacheStatus":"miss","ClientIP":"2001:db8::1","ClientRequestHost":"shop.example","ClientRequestMethod":"POST","ClientRequestURI":"/cart","EdgeColoCode":"AMS","EdgeResponseBytes":310,"EdgeResponseStatus":201,"EdgeStartTimestamp":"2026-11-25T08:25:31Z","EdgeEndTimestamp":"2026-11-25T08:25:32Z","EdgeTimeToFirstByteMs":130,"OriginResponseDurationMs":120,"RayID":"8c1e2f3a4b5c6d7f"}`,
	},
	"fastly": {
		`{"timestamp":"2026-11-25T08:25:31+0000","client_ip":"192.0.2.10","request":{"method":"GET","host":"shop.example","url":"/items/42?x=1","user_agent":"curl/8.0"},"response":{"status":200,"bytes":1532,"content_type":"text/html"},"fastly_info":{"state":"HIT-CLUSTER"},"time":{"elapsed":2417},"pop":"FRA","request_id":"d1f1a2"}`,
		`{"timestamp":"2026-11-25T08:25:32+0000","client_ip":"192.0.2.11","host":"shop.example","url":"/a?b=1","request_method":"GET","request_referer":"(null)","request_user_agent":"curl/8.0","response_state":"MISS","response_status":404,"response_reason":"Not Found","response_body_size":12,"fastly_server":"cache-fra19120-FRA","fastly_is_edge":true}`,
	},
	"akamai": {
		`{"version":1,"cp":"123456","reqId":"1239f220","reqTimeSec":"1795595131.123","bytes":"4995","cliIP":"192.0.2.10","statusCode":"200","proto":"HTTPS","reqHost":"shop.example","reqMethod":"GET","reqPath":"%2Fitems%2F42","queryStr":"x=1","rspContentLen":"5000","rspContentType":"text/html","UA":"Mozilla%2F5.0+%28Macintosh%29","cacheStatus":"1","cacheable":"1","turnAroundTimeMSec":"11","timeToFirstByte":"9","totalBytes":"5250","edgeIP":"23.50.60.70","transferTimeMSec":"2"}`,
		`{"version":1,"reqId":"1239f221","reqTimeSec":1795595132,"bytes":"120","cliIP":"198.51.100.7","statusCode":"200","reqHost":"shop.example","reqMethod":"GET","reqPath":"api%2Fcart","cacheStatus":"0","cacheable":"0","turnAroundTimeMSec":"80","referer":"https%3A%2F%2Fshop.example%2F"}`,
	},
	"uvicorn": {
		"INFO:     Started server process [12345]",
		"INFO:     Waiting for application startup.",
		"INFO:     Application startup complete.",
		"INFO:     Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)",
		`INFO:     127.0.0.1:54321 - "GET /items/1?x=2 HTTP/1.1" 200 OK`,
		`INFO:     127.0.0.1:54322 - "GET /missing HTTP/1.1" 404 Not Found`,
	},
	"uvicorn-ts": {
		`2026-11-25 08:25:31,123 INFO:     127.0.0.1:5432 - "GET / HTTP/1.1" 200 OK`,
	},
	"django": {
		"Watching for file changes with StatReloader",
		"Performing system checks...",
		"",
		"System check identified no issues (0 silenced).",
		"November 25, 2026 - 08:25:30",
		"Django version 5.1, using settings 'mysite.settings'",
		"Starting development server at http://127.0.0.1:8000/",
		"Quit the server with CONTROL-C.",
		"",
		`[25/Nov/2026 08:25:31] "GET /api/items/ HTTP/1.1" 200 1234`,
		"Not Found: /favicon.ico",
		`[25/Nov/2026 08:25:31] "GET /favicon.ico HTTP/1.1" 404 179`,
	},
}

// moreFormatOf returns the format of a moreHeads key.
func moreFormatOf(t testing.TB, key string) Format {
	t.Helper()
	name, _, _ := strings.Cut(key, "-")
	for _, f := range moreFormats() {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no format %q", name)
	return Format{}
}

func moreFormats() []Format {
	return []Format{cloudfrontFormat(), albFormat(), cloudflareFormat(), fastlyFormat(), akamaiFormat(), uvicornFormat(), djangoFormat()}
}

func moreLines(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// moreParser opens the format of key on its sample head.
func moreParser(t testing.TB, key string) Parser {
	t.Helper()
	f := moreFormatOf(t, key)
	p, err := f.Open(moreLines(moreHeads[key]))
	if err != nil {
		t.Fatalf("%s: Open on its sample head: %v", key, err)
	}
	return p
}

type moreCase struct {
	head, name, line string
	want             view
}

// unknown fills the "unknown" numbers of a view value.
func moreUnknown(g view) view {
	for _, f := range []*float64{&g.Dur, &g.TTFB, &g.Origin} {
		if *f == 0 {
			*f = -1
		}
	}
	return g
}

var moreCases = []moreCase{
	// CloudFront.
	{"cloudfront", "hit, user agent decoded, host from x-host-header", cfHit, view{
		TS: "2019-12-04T21:02:31Z", Method: "GET", Host: "www.example.com", Path: "/index.html", Status: 200, Bytes: 392,
		Cache: "HIT", CacheRaw: "Hit", Dur: 1, TTFB: 1, Origin: -1, Pop: "LAX1", RequestID: "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==",
		UA: "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", Client: "192.0.2.100", ContentType: "text/html",
	}},
	{"cloudfront", "percent-decoded once, 000 status, dashes", cfEncoded, view{
		TS: "2019-12-04T21:02:32Z", Method: "POST", Host: "d111111abcdef8.cloudfront.net", Path: "/a%20b", Query: "x=%20y&z=1", Status: 0, Bytes: -1,
		Cache: "REVALIDATED", CacheRaw: "RefreshHit", Dur: -1, TTFB: 250, Origin: -1, Pop: "FRA56-C1", Referer: "https://www.example.com/?q", Client: "2001:db8::1",
	}},
	{"cloudfront", "error", cfMiss, view{
		TS: "2019-12-04T21:02:33Z", Method: "GET", Host: "www.example.com", Path: "/api/items", Status: 502, Bytes: 1200,
		Cache: "ERROR", CacheRaw: "Error", Dur: 102, TTFB: -1, Origin: -1, Pop: "LAX1", Client: "198.51.100.7",
	}},
	{"cloudfront", "31 of 33 fields", cfShort, view{
		TS: "2019-12-04T21:02:33Z", Method: "GET", Host: "www.example.com", Path: "/api/items", Status: 502, Bytes: 1200,
		Cache: "ERROR", CacheRaw: "Error", Dur: 102, TTFB: -1, Origin: -1, Pop: "LAX1", Client: "198.51.100.7",
	}},
	{"cloudfront-noheader", "default layout", cfHit, view{
		TS: "2019-12-04T21:02:31Z", Method: "GET", Host: "www.example.com", Path: "/index.html", Status: 200, Bytes: 392,
		Cache: "HIT", CacheRaw: "Hit", Dur: 1, TTFB: 1, Origin: -1, Pop: "LAX1", RequestID: "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==",
		UA: "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", Client: "192.0.2.100", ContentType: "text/html",
	}},
	{"cloudfront-subset", "fields in another order", "/img/a%20b.png\t2019-12-04\t21:02:31\t304\tMiss\t-\tcdn.example.com", moreUnknown(view{Bytes: -1,
		TS: "2019-12-04T21:02:31Z", Host: "cdn.example.com", Path: "/img/a b.png", Status: 304, Cache: "MISS", CacheRaw: "Miss",
	})},

	// ALB.
	{"alb", "https, domain name, absolute URL", moreHeads["alb"][0], view{
		TS: "2026-11-25T08:25:31.123456Z", Method: "GET", Host: "shop.example", Path: "/items/42", Query: "x=1", Status: 200, Bytes: 366,
		Dur: 4, TTFB: -1, Origin: 4, RequestID: "Root=1-58337262-36d228ad5d99923122bbe354", UA: "curl/8.0", Client: "192.0.2.10",
	}},
	{"alb", "-1 times, host from URL without :80", moreHeads["alb"][1], view{
		TS: "2026-11-25T08:25:32Z", Method: "GET", Host: "www.example.com", Path: "/", Status: 502, Bytes: 277,
		Dur: -1, TTFB: -1, Origin: -1, RequestID: "Root=1-58337262-36d228ad5d99923122bbe355", Client: "2001:db8::1",
	}},
	{"alb", "h2, other port kept", `h2 2026-11-25T08:25:33.5Z app/my-lb/50dc6c495c0c9188 [2001:db8::2]:40000 10.0.0.1:80 0.001 0.010 0.002 200 200 100 2000 "POST https://api.example:8443/v1/items?a=b HTTP/2.0" "python-requests/2.31" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/t/1 "Root=1-1" "-" "-" 1 2026-11-25T08:25:33.480000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"`, view{
		TS: "2026-11-25T08:25:33.5Z", Method: "POST", Host: "api.example:8443", Path: "/v1/items", Query: "a=b", Status: 200, Bytes: 2000,
		Dur: 13, TTFB: -1, Origin: 10, RequestID: "Root=1-1", UA: "python-requests/2.31", Client: "2001:db8::2",
	}},
	{"alb", "classic ELB", `2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -`, view{
		TS: "2015-05-13T23:39:43.945958Z", Method: "GET", Host: "www.example.com", Path: "/", Status: 200, Bytes: 29,
		Dur: 1.178, TTFB: -1, Origin: 1.048, UA: "curl/7.38.0", Client: "192.168.131.39",
	}},

	// Cloudflare: the three timestamp forms.
	{"cloudflare", "unixnano, hit without origin time", moreHeads["cloudflare"][0], view{
		TS: "2026-11-25T08:25:31.123Z", Method: "GET", Host: "shop.example", Path: "/items/42", Query: "x=1", Status: 200, Bytes: 1532,
		Cache: "HIT", CacheRaw: "hit", Dur: 4, TTFB: 3, Origin: -1, Pop: "FRA", RequestID: "8c1e2f3a4b5c6d7e", UA: "curl/8.0",
		Referer: "https://shop.example/", Client: "192.0.2.10", ContentType: "text/html",
	}},
	{"cloudflare", "rfc3339, whole seconds: no duration", moreHeads["cloudflare"][1], view{
		TS: "2026-11-25T08:25:31Z", Method: "POST", Host: "shop.example", Path: "/cart", Status: 201, Bytes: 310,
		Cache: "MISS", CacheRaw: "miss", Dur: -1, TTFB: 130, Origin: 120, Pop: "AMS", RequestID: "8c1e2f3a4b5c6d7f", Client: "2001:db8::1",
	}},
	{"cloudflare", "unix seconds, path fallback, header-receive origin time, escapes", `{"RayID":"8c1e2f3a4b5c6d80","EdgeStartTimestamp":1795595131,"EdgeEndTimestamp":1795595132,"ClientRequestMethod":"GET","ClientRequestPath":"/caf\u00e9","ClientRequestUserAgent":"a \"quoted\" agent","CacheCacheStatus":"dynamic","EdgeResponseStatus":200,"OriginResponseHeaderReceiveDurationMs":45,"EdgeResponseBytes":0}`, moreUnknown(view{
		TS: "2026-11-25T08:25:31Z", Method: "GET", Path: "/café", Status: 200, Bytes: 0, Cache: "DYNAMIC", CacheRaw: "dynamic",
		Origin: 45, RequestID: "8c1e2f3a4b5c6d80", UA: `a "quoted" agent`,
	})},
	{"cloudflare", "rfc3339 with fraction gives a duration", `{"RayID":"1","EdgeStartTimestamp":"2026-11-25T08:25:31.100Z","EdgeEndTimestamp":"2026-11-25T08:25:31.350Z","ClientRequestURI":"/x","EdgeResponseStatus":200,"CacheCacheStatus":"expired","OriginResponseDurationMs":200}`, moreUnknown(view{Bytes: -1,
		TS: "2026-11-25T08:25:31.1Z", Path: "/x", Status: 200, Cache: "EXPIRED", CacheRaw: "expired", Dur: 250, Origin: 200, RequestID: "1",
	})},

	// Fastly.
	{"fastly", "nested objects", moreHeads["fastly"][0], view{
		TS: "2026-11-25T08:25:31Z", Method: "GET", Host: "shop.example", Path: "/items/42", Query: "x=1", Status: 200, Bytes: 1532,
		Cache: "HIT", CacheRaw: "HIT-CLUSTER", Dur: 2.417, TTFB: -1, Origin: -1, Pop: "FRA", RequestID: "d1f1a2", UA: "curl/8.0",
		Client: "192.0.2.10", ContentType: "text/html",
	}},
	{"fastly", "Fastly's documented JSON example, (null)", moreHeads["fastly"][1], moreUnknown(view{
		TS: "2026-11-25T08:25:32Z", Method: "GET", Host: "shop.example", Path: "/a", Query: "b=1", Status: 404, Bytes: 12,
		Cache: "MISS", CacheRaw: "MISS", UA: "curl/8.0", Client: "192.0.2.11",
	})},
	{"fastly", "flat dotted key, path+query, epoch, elapsed_usec", `{"timestamp":1795595131,"fastly_info.state":"PASS","request":{"path":"/search","query":"q=1"},"method":"GET","status":"200","elapsed_usec":"1500","datacenter":"LHR"}`, moreUnknown(view{Bytes: -1,
		TS: "2026-11-25T08:25:31Z", Method: "GET", Path: "/search", Query: "q=1", Status: 200, Cache: "PASS", CacheRaw: "PASS", Dur: 1.5, Pop: "LHR",
	})},
	{"fastly", "time object, ms duration", `{"time":{"start":"2026-11-25T08:25:31.5Z"},"url":"/","cache_status":"HIT-STALE","time_elapsed_ms":7,"server":{"datacenter":"NRT"}}`, moreUnknown(view{Bytes: -1,
		TS: "2026-11-25T08:25:31.5Z", Path: "/", Cache: "STALE", CacheRaw: "HIT-STALE", Dur: 7, Pop: "NRT",
	})},

	// Akamai.
	{"akamai", "strings, decoded path and UA", moreHeads["akamai"][0], view{
		TS: "2026-11-25T08:25:31.123Z", Method: "GET", Host: "shop.example", Path: "/items/42", Query: "x=1", Status: 200, Bytes: 5250,
		Cache: "HIT", CacheRaw: "1", Dur: 11, TTFB: 9, Origin: -1, RequestID: "1239f220", UA: "Mozilla/5.0 (Macintosh)",
		Client: "192.0.2.10", ContentType: "text/html",
	}},
	{"akamai", "not cacheable: DYNAMIC, leading slash, bytes fallback", moreHeads["akamai"][1], view{
		TS: "2026-11-25T08:25:32Z", Method: "GET", Host: "shop.example", Path: "/api/cart", Status: 200, Bytes: 120,
		Cache: "DYNAMIC", CacheRaw: "0", Dur: 80, TTFB: -1, Origin: -1, RequestID: "1239f221", Referer: "https://shop.example/", Client: "198.51.100.7",
	}},
	{"akamai", "cacheable miss", `{"reqTimeSec":"1795595133","reqPath":"/a.css","cacheStatus":"0","cacheable":"1","statusCode":"200","rspContentLen":"10"}`, moreUnknown(view{
		TS: "2026-11-25T08:25:33Z", Path: "/a.css", Status: 200, Bytes: 10, Cache: "MISS", CacheRaw: "0",
	})},

	// uvicorn.
	{"uvicorn", "plain", `INFO:     127.0.0.1:54321 - "GET /items/1?x=2 HTTP/1.1" 200 OK`, moreUnknown(view{Bytes: -1,
		Method: "GET", Path: "/items/1", Query: "x=2", Status: 200, Client: "127.0.0.1",
	})},
	{"uvicorn", "ANSI colors", "\x1b[32mINFO\x1b[0m:     127.0.0.1:54321 - \"\x1b[1mGET /items/1 HTTP/1.1\x1b[0m\" \x1b[31m500 Internal Server Error\x1b[0m", moreUnknown(view{Bytes: -1,
		Method: "GET", Path: "/items/1", Status: 500, Client: "127.0.0.1",
	})},
	{"uvicorn", "logging timestamp with ,ms", `2026-11-25 08:25:31,123 INFO:     127.0.0.1:5432 - "GET / HTTP/1.1" 404 Not Found`, moreUnknown(view{Bytes: -1,
		TS: "2026-11-25T08:25:31.123Z", Method: "GET", Path: "/", Status: 404, Client: "127.0.0.1",
	})},
	{"uvicorn", "ISO timestamp with Z", `2026-11-25T08:25:31.123Z INFO     10.1.2.3:5432 - "DELETE /items/9 HTTP/1.1" 204 No Content`, moreUnknown(view{Bytes: -1,
		TS: "2026-11-25T08:25:31.123Z", Method: "DELETE", Path: "/items/9", Status: 204, Client: "10.1.2.3",
	})},
	{"uvicorn", "logging format with dashes", `2026-11-25 08:25:31,123 - uvicorn.access - INFO - 127.0.0.1:5432 - "GET /health HTTP/1.1" 200`, moreUnknown(view{
		Bytes: -1, TS: "2026-11-25T08:25:31.123Z", Method: "GET", Path: "/health", Status: 200, Client: "127.0.0.1",
	})},
	{"uvicorn", "gunicorn uvicorn worker", `[2026-11-25 08:25:31 +0100] [123] [INFO] 127.0.0.1:5432 - "POST /api HTTP/1.1" 201`, moreUnknown(view{Bytes: -1,
		TS: "2026-11-25T07:25:31Z", Method: "POST", Path: "/api", Status: 201, Client: "127.0.0.1",
	})},
	{"uvicorn", "IPv6 in brackets", `INFO:     [::1]:5432 - "GET / HTTP/1.1" 200 OK`, moreUnknown(view{Bytes: -1,
		Method: "GET", Path: "/", Status: 200, Client: "::1",
	})},
	{"uvicorn", "IPv6 as uvicorn prints it", `INFO:     ::1:5432 - "GET / HTTP/1.1" 200 OK`, moreUnknown(view{Bytes: -1,
		Method: "GET", Path: "/", Status: 200, Client: "::1",
	})},
	{"uvicorn", "WebSocket accepted", `INFO:     127.0.0.1:5432 - "WebSocket /ws" [accepted]`, moreUnknown(view{Bytes: -1,
		Method: "GET", Path: "/ws", Status: 101, Client: "127.0.0.1",
	})},

	// Django.
	{"django", "runserver", `[25/Nov/2026 08:25:31] "GET /api/items/ HTTP/1.1" 200 1234`, moreUnknown(view{
		TS: "2026-11-25T08:25:31Z", Method: "GET", Path: "/api/items/", Status: 200, Bytes: 1234,
	})},
	{"django", "runserver with ,ms", `[25/Nov/2026 08:25:31,250] "POST /login/?next=/ HTTP/1.1" 302 0`, moreUnknown(view{
		TS: "2026-11-25T08:25:31.25Z", Method: "POST", Path: "/login/", Query: "next=/", Status: 302, Bytes: 0,
	})},
	{"django", "message only", `"GET /x HTTP/1.1" 404 179`, moreUnknown(view{
		Method: "GET", Path: "/x", Status: 404, Bytes: 179,
	})},
	{"django", "verbose formatter", `INFO 2026-11-25 08:25:31,123 basehttp 123 456 "GET / HTTP/1.1" 200 10`, moreUnknown(view{
		TS: "2026-11-25T08:25:31.123Z", Method: "GET", Path: "/", Status: 200, Bytes: 10,
	})},
	{"django", "asctime first", `2026-11-25 08:25:31,123 django.server INFO "GET /a HTTP/1.1" 200 5`, moreUnknown(view{
		TS: "2026-11-25T08:25:31.123Z", Method: "GET", Path: "/a", Status: 200, Bytes: 5,
	})},
	{"django", "size unknown", `WARNING basehttp "GET /missing HTTP/1.1" 404 -`, moreUnknown(view{
		Method: "GET", Path: "/missing", Status: 404, Bytes: -1,
	})},
}

func TestMoreFormatsGolden(t *testing.T) {
	for _, c := range moreCases {
		t.Run(c.head+"/"+c.name, func(t *testing.T) {
			p := moreParser(t, c.head)
			var r Record
			r.Reset()
			if err := p.Parse([]byte(c.line), &r); err != nil {
				t.Fatalf("Parse: %v\nline: %q", err, c.line)
			}
			if got := viewOf(&r); got != c.want {
				t.Errorf("line %q\n got %+v\nwant %+v", c.line, got, c.want)
			}
		})
	}
}

// TestMoreFormatsNoRequest checks lines that carry no request.
func TestMoreFormatsNoRequest(t *testing.T) {
	cases := map[string][]string{
		"cloudfront": {"#Version: 1.0", cfFields, "", "\r"},
		"alb":        {"", "   "},
		"cloudflare": {"", "[", "]"},
		"fastly":     {"  "},
		"akamai":     {""},
		"uvicorn": {
			"INFO:     Started server process [123]",
			"INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)",
			"INFO:     Application startup complete.",
			"INFO:     Shutting down",
			"INFO:     connection open",
			"\x1b[32mINFO\x1b[0m:     Finished server process [123]",
			"ERROR:    Exception in ASGI application",
			"Traceback (most recent call last):",
			`  File "/app/main.py", line 3, in <module>`,
			"[2026-11-25 08:25:31 +0000] [123] [INFO] Booting worker with pid: 123",
			"2026-11-25 08:25:31,123 WARNING: slow request",
			"2026-11-25 08:25:31,123 - uvicorn.error - INFO - Started server process [1]",
			"uvicorn.error - INFO - Application startup complete.",
			"",
		},
		"django": {
			"Watching for file changes with StatReloader",
			"Performing system checks...",
			"System check identified no issues (0 silenced).",
			"November 25, 2026 - 08:25:31",
			"Django version 5.1, using settings 'mysite.settings'",
			"Starting development server at http://127.0.0.1:8000/",
			"Quit the server with CONTROL-C.",
			"Not Found: /favicon.ico",
			"/app/mysite/views.py changed, reloading.",
			"[25/Nov/2026 08:25:31] code 400, message Bad request version ('RTSP/1.0')",
			"You have 18 unapplied migration(s). Your project may not work properly until you apply the migrations for app(s): admin.",
			"",
		},
	}
	for key, ls := range cases {
		p := moreParser(t, key)
		for _, l := range ls {
			var r Record
			r.Reset()
			if err := p.Parse([]byte(l), &r); !errors.Is(err, ErrNoRequest) {
				t.Errorf("%s: %q: got %v, want ErrNoRequest", key, l, err)
			}
		}
	}
}

// TestMoreFormatsReject checks that lines that do not parse give an error
// that says why (not ErrNoRequest, no panic).
func TestMoreFormatsReject(t *testing.T) {
	garbage := []string{
		"hello world",
		"\x00\x01\x02\xff",
		`{"a":1}`,
		"{}",
		`{"unterminated": "`,
		`127.0.0.1 - - [25/Nov/2026:08:25:31 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8.0"`,
		`198.51.100.7 - frank [25/Nov/2026:08:25:31 +0000] "GET /items/42/ HTTP/1.0" 200 2326`,
		"GET / HTTP/1.1",
		"-",
	}
	specific := map[string][]string{
		"cloudfront": {
			"2019-12-04\t21:02:31\tLAX1",                             // too short for path and status
			strings.Replace(cfHit, "\t200\t", "\tOK\t", 1),           // bad status
			strings.Replace(cfHit, "2019-12-04", "2019-13-04", 1),    // bad date
			strings.Replace(cfHit, "\t0.001\t-\t", "\tfast\t-\t", 1), // bad time-taken
			strings.Replace(cfHit, "/index.html", "-", 1),            // no path
			strings.Replace(cfHit, "\t392\t", "\t3x2\t", 1),          // bad bytes
		},
		"alb": {
			`https 2026-11-25T08:25:31Z app/x 1.2.3.4:1 - 0.1 0.1 0.1 200 200 0 0 "GET http://x/ HTTP/1.1`,
			`https not-a-time app/x 1.2.3.4:1 - 0.1 0.1 0.1 200 200 0 0 "GET http://x/ HTTP/1.1" "-"`,
			`https 2026-11-25T08:25:31Z app/x 1.2.3.4:1 - fast 0.1 0.1 200 200 0 0 "GET http://x/ HTTP/1.1" "-"`,
			`https 2026-11-25T08:25:31Z app/x 1.2.3.4:1 - 0.1 0.1 0.1 2000 200 0 0 "GET http://x/ HTTP/1.1" "-"`,
			`https 2026-11-25T08:25:31Z app/x 1.2.3.4:1`,
		},
		"cloudflare": {
			`{"RayID":"1","ClientRequestURI":"/","EdgeResponseStatus":"OK"}`,
			`{"RayID":"1","ClientRequestURI":"/","EdgeStartTimestamp":"yesterday"}`,
			`{"RayID":"1","ClientRequestURI":"/","EdgeResponseBytes":-5}`,
			`{"RayID":"1"}`,
			`{"RayID":"1","ClientRequestURI":"/"`,
			`[{"RayID":"1","ClientRequestURI":"/"}]`,
		},
		"fastly": {
			`{"fastly_info":{"state":"HIT"},"url":"/","time":{"elapsed":"slow"}}`,
			`{"fastly_info":{"state":"HIT"}}`,
		},
		"akamai": {
			`{"reqTimeSec":"abc","reqPath":"/"}`,
			`{"reqTimeSec":"1795595131","reqPath":"/","statusCode":"2OO"}`,
		},
		"uvicorn": {
			`INFO:     127.0.0.1:5432 - "GET / HTTP/1.1" 2000 OK`,
			`INFO:     127.0.0.1:5432 - "GET / HTTP/1.1" 200 OK 1234`,
			`INFO:     127.0.0.1:5432 - "get / HTTP/1.1" 200 OK`,
			`INFO:     127.0.0.1:5432 - "GET / HTTP/1.1`,
			`[25/Nov/2026 08:25:31] "GET /api/items/ HTTP/1.1" 200 1234`,
		},
		"django": {
			`[25/Nov/2026 08:25:31] "GET /x HTTP/1.1" 200 OK`,
			`[25/Nov/2026 25:25:31] "GET /x HTTP/1.1" 200 1`,
			`INFO:     127.0.0.1:54321 - "GET /items/1?x=2 HTTP/1.1" 200 OK`,
			`192.0.2.1 - - [2026-11-25T08:25:31+00:00] "GET / HTTP/1.1" 200 612`,
		},
	}
	for _, f := range moreFormats() {
		key := f.Name
		p := moreParser(t, key)
		for _, l := range append(append([]string(nil), garbage...), specific[key]...) {
			var r Record
			r.Reset()
			err := p.Parse([]byte(l), &r)
			if (key == "uvicorn" || key == "django") && !strings.Contains(l, " HTTP/") {
				// A console log's other output: skipped and counted, not rejected.
				if err != ErrNotAccess {
					t.Errorf("%s: %q: got %v, want ErrNotAccess", key, l, err)
				}
				continue
			}
			if err == nil || errors.Is(err, ErrNoRequest) {
				t.Errorf("%s: %q: got %v (%+v), want a parse error", key, l, err, viewOf(&r))
				continue
			}
			if len(err.Error()) < 8 {
				t.Errorf("%s: %q: error %q does not say why", key, l, err)
			}
		}
	}
}

// TestMoreFormatsDetect checks that each new format opens its own sample
// head and that the other new formats refuse it.
func TestMoreFormatsDetect(t *testing.T) {
	for key, head := range moreHeads {
		own := moreFormatOf(t, key)
		if _, err := own.Open(moreLines(head)); err != nil {
			t.Errorf("%s: Open on its own head: %v", key, err)
		}
		for _, f := range moreFormats() {
			if f.Name == own.Name {
				continue
			}
			if _, err := f.Open(moreLines(head)); err == nil {
				t.Errorf("%s: format %s accepts the head of %s", key, f.Name, own.Name)
			}
		}
		// The formats already in the table do not parse more of it.
		for _, f := range []Format{nginxCacheFormat(), varnishFormat(), combinedFormat(), commonFormat(), gunicornFormat()} {
			p, err := f.Open(moreLines(head))
			if err != nil {
				continue
			}
			ownP, _ := own.Open(moreLines(head))
			if n, m := moreCountParsed(p, head), moreCountParsed(ownP, head); n >= m {
				t.Errorf("%s: format %s parses %d head lines, %s %d", key, f.Name, n, own.Name, m)
			}
		}
	}
}

// TestMoreFormatsDetectTable runs the package's detection over the sample
// heads: the new format must win.
func TestMoreFormatsDetectTable(t *testing.T) {
	for key, head := range moreHeads {
		want, _, _ := strings.Cut(key, "-")
		f, _, err := Detect(moreLines(head))
		if err != nil {
			t.Errorf("%s: Detect: %v", key, err)
			continue
		}
		if f.Name != want {
			t.Errorf("%s: detected as %s", key, f.Name)
		}
	}
}

func moreCountParsed(p Parser, head []string) int {
	n := 0
	for _, l := range head {
		var r Record
		r.Reset()
		if p.Parse([]byte(l), &r) == nil {
			n++
		}
	}
	return n
}

// TestMoreFormatsOtherFiles checks that the new formats do not claim a real
// Apache combined log.
func TestMoreFormatsOtherFiles(t *testing.T) {
	head := moreReadHead(t, filepath.Join("..", "..", "shared", "samples", "apache-combined", "apache_logs"), 50)
	for _, f := range moreFormats() {
		if _, err := f.Open(head); err == nil {
			t.Errorf("format %s accepts an Apache combined log", f.Name)
		}
	}
}

func moreReadHead(t *testing.T, path string, n int) [][]byte {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Skipf("sample not available: %v", err)
	}
	defer fh.Close()
	var out [][]byte
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		out = append(out, append([]byte(nil), sc.Bytes()...))
		if n > 0 && len(out) >= n {
			break
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCloudFrontRealSample reads the CloudFront sample of the elastic
// integrations tests: 12 requests (Hit x3, Error x4, Miss x5, 2 POSTs, one
// status 000), the last with fewer fields than the header.
func TestCloudFrontRealSample(t *testing.T) {
	all := moreReadHead(t, filepath.Join("..", "..", "shared", "samples", "cloudfront", "test-cloudfront.log"), 0)
	p, err := cloudfrontFormat().Open(all[:min(len(all), 50)])
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if d := describeCloudFront(p); !strings.Contains(d, "#Fields") {
		t.Errorf("Describe = %q", d)
	}
	results := map[string]int{}
	requests, posts, status0, noReq := 0, 0, 0, 0
	for i, l := range all {
		var r Record
		r.Reset()
		err := p.Parse(l, &r)
		if errors.Is(err, ErrNoRequest) {
			noReq++
			continue
		}
		if err != nil {
			t.Errorf("line %d: %v", i+1, err)
			continue
		}
		requests++
		results[string(r.CacheRaw)]++
		if string(r.Method) == "POST" {
			posts++
		}
		if r.Status == 0 {
			status0++
		}
		if !r.HasTS || len(r.Path) == 0 || r.Path[0] != '/' {
			t.Errorf("line %d: %+v", i+1, viewOf(&r))
		}
		if strings.Contains(string(r.UserAgent), "%20") {
			t.Errorf("line %d: user agent not decoded: %q", i+1, r.UserAgent)
		}
	}
	if requests != 12 || noReq != 2 || posts != 2 || status0 != 1 {
		t.Errorf("requests %d (want 12), header lines %d (want 2), POSTs %d (want 2), status 000 %d (want 1)", requests, noReq, posts, status0)
	}
	if results["Hit"] != 3 || results["Error"] != 4 || results["Miss"] != 5 || len(results) != 3 {
		t.Errorf("x-edge-result-type counts %v, want Hit 3, Error 4, Miss 5", results)
	}
	if f, _, err := Detect(all[:min(len(all), 50)]); err != nil || f.Name != "cloudfront" {
		t.Errorf("Detect: %v %v", f.Name, err)
	}
}

func TestUvicornDescribe(t *testing.T) {
	f := uvicornFormat()
	p := moreParser(t, "uvicorn")
	if d := f.Describe(p); d != "no timestamps in this file: rows have no time" {
		t.Errorf("Describe without times = %q", d)
	}
	if p.(*uvicornParser).HasTimestamps() {
		t.Error("HasTimestamps true without times")
	}
	p = moreParser(t, "uvicorn-ts")
	if d := f.Describe(p); strings.Contains(d, "no timestamps") || !p.(*uvicornParser).HasTimestamps() {
		t.Errorf("Describe with times = %q", d)
	}
	d := djangoFormat().Describe(moreParser(t, "django"))
	if !strings.Contains(d, "UTC") {
		t.Errorf("django Describe = %q", d)
	}
	dp, err := djangoFormat().Open(moreLines([]string{`"GET /x HTTP/1.1" 404 179`}))
	if err != nil {
		t.Fatal(err)
	}
	if d := djangoFormat().Describe(dp); d != "no timestamps in this file: rows have no time" {
		t.Errorf("django Describe without times = %q", d)
	}
}

func TestJSONMapFormat(t *testing.T) {
	f, err := JSONMapFormat("ts=time, path=uri|request.path, status=status, cache=cache_status, method=verb, host=host, query=args, " +
		"bytes=size, duration_ms=latency_ms, duration_s=elapsed, origin_us=up.us, ttfb_ms=ttfb, pop=pop, request_id=id, client=ip, " +
		"ua=agent, referer=ref, cache_control=cc, content_type=ct, etag=etag, set_cookie=sc, authorization=auth")
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "json-map" || !f.NoDetect || f.Tier != TierEdge {
		t.Errorf("format %+v", f)
	}
	head := moreLines([]string{`{"time":"2026-11-25T08:25:31Z","uri":"/a","status":200}`})
	p, err := f.Open(head)
	if err != nil {
		t.Fatal(err)
	}
	line := `{"time":"2026-11-25T08:25:31.5+01:00","request":{"path":"/items/42"},"status":"200","cache_status":"MISS","verb":"GET",` +
		`"host":"shop.example","args":"?x=1","size":1532,"elapsed":0.25,"up":{"us":1200},"ttfb":2,"pop":"FRA","id":"abc","ip":"192.0.2.1",` +
		`"agent":"curl","ref":"-","cc":"max-age=60","ct":"text/html","etag":"\"e1\"","sc":null,"auth":"Bearer x"}`
	var r Record
	r.Reset()
	if err := p.Parse([]byte(line), &r); err != nil {
		t.Fatal(err)
	}
	want := view{
		TS: "2026-11-25T07:25:31.5Z", Method: "GET", Host: "shop.example", Path: "/items/42", Query: "x=1", Status: 200, Bytes: 1532,
		Cache: "MISS", CacheRaw: "MISS", Dur: 250, TTFB: 2, Origin: 1.2, Pop: "FRA", RequestID: "abc", UA: "curl", Client: "192.0.2.1",
		ContentType: "text/html",
	}
	if got := viewOf(&r); got != want {
		t.Errorf("\n got %+v\nwant %+v", got, want)
	}
	if string(r.CacheControl) != "max-age=60" || string(r.ETag) != `"e1"` || r.SetCookie != 0 || r.HasAuth != 1 {
		t.Errorf("cache-control %q etag %q set-cookie %d auth %d", r.CacheControl, r.ETag, r.SetCookie, r.HasAuth)
	}
	// duration_ms given first: latency_ms wins over elapsed.
	r.Reset()
	if err := p.Parse([]byte(`{"uri":"/b","latency_ms":3,"elapsed":9}`), &r); err != nil || r.DurationMS != 3 {
		t.Errorf("alternatives: %v %v", err, r.DurationMS)
	}
	// url splits into path and query.
	u, err := JSONMapFormat("url=u,tier=origin")
	if err != nil {
		t.Fatal(err)
	}
	if u.Tier != TierOrigin {
		t.Errorf("tier %s", u.Tier)
	}
	up, err := u.Open(moreLines([]string{`{"u":"/p?q=1"}`}))
	if err != nil {
		t.Fatal(err)
	}
	r.Reset()
	if err := up.Parse([]byte(`{"u":"https://h.example/p?q=1"}`), &r); err != nil || string(r.Path) != "/p" || string(r.Query) != "q=1" || string(r.Host) != "h.example" {
		t.Errorf("url: %v %+v", err, viewOf(&r))
	}
	if _, err := u.Open(moreLines([]string{`{"x":"/p"}`, "not json"})); err == nil {
		t.Error("Open accepts a file without the mapped key")
	}
	for _, bad := range []string{"", "ts=time", "path", "pth=uri", "path=uri,tier=cdn", "path=", "path=a..b", "path=uri,durationms=x"} {
		_, err := JSONMapFormat(bad)
		if err == nil {
			t.Errorf("JSONMapFormat(%q) accepted", bad)
		}
	}
	_, err = JSONMapFormat("pth=uri")
	if err == nil || !strings.Contains(err.Error(), "duration_ms") || !strings.Contains(err.Error(), "content_type") {
		t.Errorf("unknown name error does not list the valid names: %v", err)
	}
}

// TestMoreFormatsDocs checks the table entries: names, tiers, a summary and
// an example that parses with the format itself.
func TestMoreFormatsDocs(t *testing.T) {
	tiers := map[string]Tier{"cloudfront": TierEdge, "alb": TierEdge, "cloudflare": TierEdge, "fastly": TierEdge, "akamai": TierEdge, "uvicorn": TierOrigin, "django": TierOrigin}
	for _, f := range moreFormats() {
		if f.Tier != tiers[f.Name] || f.Summary == "" || f.Example == "" || f.Open == nil || f.NoDetect {
			t.Errorf("%s: %+v", f.Name, f)
		}
		p, err := f.Open([][]byte{[]byte(f.Example)})
		if err != nil {
			t.Errorf("%s: Open on the example: %v", f.Name, err)
			continue
		}
		var r Record
		r.Reset()
		if err := p.Parse([]byte(f.Example), &r); err != nil {
			t.Errorf("%s: example does not parse: %v", f.Name, err)
		}
	}
	names := map[string]bool{}
	for _, f := range Formats() {
		if names[f.Name] {
			t.Errorf("format %s twice in the table", f.Name)
		}
		names[f.Name] = true
	}
	for n := range tiers {
		if !names[n] {
			t.Errorf("format %s missing from Formats()", n)
		}
	}
}

// BenchmarkMoreFormats parses the sample heads of the new formats.
func BenchmarkMoreFormats(b *testing.B) {
	for _, key := range []string{"cloudfront", "alb", "cloudflare", "fastly", "akamai", "uvicorn", "django"} {
		b.Run(key, func(b *testing.B) {
			p := moreParser(b, key)
			ls := moreLines(moreHeads[key])
			var r Record
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				for _, l := range ls {
					r.Reset()
					_ = p.Parse(l, &r)
				}
			}
		})
	}
}
