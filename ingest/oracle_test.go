package ingest

import (
	"testing"
	"time"
)

// oracleFields are the fields compared with Elastic's ingest pipelines
// (github.com/elastic/integrations: packages/nginx data_stream access,
// packages/aws data_stream elb_logs, packages/cloudflare_logpush
// data_stream http_request; their _dev/test/pipeline fixtures show, for
// each sample line, the document the pipeline makes). The lines below are
// written here in the shapes of those fixtures (none is copied); the
// "elastic" column is what the pipeline makes of such a line: @timestamp
// (UTC), http.request.method, url.path, url.query,
// http.response.status_code, the bytes field of the format and
// source.address.
type oracleFields struct {
	TS            string // RFC 3339, UTC, as Elastic's @timestamp
	Method, Path  string
	Query         string
	Status        int
	Bytes         int64
	Client        string
	NoRequestLine bool // the request line was not HTTP: no method, no url
}

// deliberate is a field where cdnadvise differs from Elastic on purpose.
type deliberate struct {
	field, ours, why string
}

// TestOracleElastic: on lines in the shapes of Elastic's pipeline test
// fixtures, cdnadvise reads the timestamp, method, path, query, status,
// bytes and client Elastic's pipeline would, except where a difference is
// deliberate (and documented in `cdnadvise formats`).
func TestOracleElastic(t *testing.T) {
	cases := []struct {
		format, name, line string
		elastic            oracleFields
		diffs              []deliberate
	}{
		{"combined", "nginx combined, zone offset", `198.51.100.20 - - [25/Oct/2026:14:49:33 +0200] "GET /shop/?page=2 HTTP/1.1" 200 612 "-" "Mozilla/5.0 (X11; Linux x86_64)"`,
			oracleFields{TS: "2026-10-25T12:49:33Z", Method: "GET", Path: "/shop/", Query: "page=2", Status: 200, Bytes: 612, Client: "198.51.100.20"}, nil},
		{"combined", "nginx: host, then a forwarded-for list", `shop.example 10.0.0.7, 203.0.113.40, 127.0.0.1 - - [25/Oct/2026:14:49:34 +0200] "GET /a HTTP/1.1" 200 10 "-" "curl/8.0"`,
			oracleFields{TS: "2026-10-25T12:49:34Z", Method: "GET", Path: "/a", Status: 200, Bytes: 10, Client: "203.0.113.40"},
			[]deliberate{{"Client", "10.0.0.7", "the list's first address, the original client as the proxies report it; Elastic skips private IPv4 addresses"}}},
		{"combined", "nginx: host:port, then the client", `shop.example:80 198.51.100.21 - - [25/Oct/2026:14:49:35 +0200] "GET /b?x=1&y=%20z HTTP/1.1" 404 153 "-" "curl/8.0"`,
			oracleFields{TS: "2026-10-25T12:49:35Z", Method: "GET", Path: "/b", Query: "x=1&y= z", Status: 404, Bytes: 153, Client: "198.51.100.21"},
			[]deliberate{{"Query", "x=1&y=%20z", "kept as logged: a cache key is the bytes the client sent"}}},
		{"combined", "nginx: percent-encoded path", `198.51.100.22 - - [25/Oct/2026:14:49:36 +0200] "GET /caf%C3%A9/menu HTTP/1.1" 200 99 "-" "curl/8.0"`,
			oracleFields{TS: "2026-10-25T12:49:36Z", Method: "GET", Path: "/café/menu", Status: 200, Bytes: 99, Client: "198.51.100.22"},
			[]deliberate{{"Path", "/caf%C3%A9/menu", "kept as logged: a cache key is the bytes the client sent"}}},
		{"combined", "nginx: empty request line, 400", `shop.example:80 198.51.100.23 - - [25/Oct/2026:14:49:37 +0200] "" 400 0 "-" "-"`,
			oracleFields{TS: "2026-10-25T12:49:37Z", Status: 400, Bytes: 0, Client: "198.51.100.23", NoRequestLine: true}, nil},
		{"combined", "nginx: a scanner's request line, unix socket client", `shop.example:80 unix: - - [25/Oct/2026:14:49:38 +0200] "hello" 400 173 "-" "-"`,
			oracleFields{TS: "2026-10-25T12:49:38Z", Status: 400, Bytes: 173, Client: "unix:", NoRequestLine: true}, nil},
		{"alb", "alb: https with an absolute URL", `https 2026-10-25T12:49:39.186641Z app/shop-lb/50dc6c495c0c9188 198.51.100.24:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET https://shop.example:443/items/42?x=1 HTTP/1.1" "curl/8.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/t/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "shop.example" "-" 0 2026-10-25T12:49:39.185000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"`,
			oracleFields{TS: "2026-10-25T12:49:39.186Z", Method: "GET", Path: "/items/42", Query: "x=1", Status: 200, Bytes: 366, Client: "198.51.100.24"},
			[]deliberate{{"TS", "2026-10-25T12:49:39.186641Z", "the microseconds are kept (Elastic's date processor keeps milliseconds)"}}},
		{"alb", "alb: the load balancer could not parse the request", `http 2026-10-25T12:49:40.000000Z app/shop-lb/50dc6c495c0c9188 198.51.100.25:57273 - -1 -1 -1 200 - 0 272 "- http://shop.example:80- " "-" - - - "-" "-" "-" - - "-" "-" "-" "-" "-" "-" "-"`,
			oracleFields{TS: "2026-10-25T12:49:40Z", Status: 200, Bytes: 272, Client: "198.51.100.25", NoRequestLine: true}, nil},
		{"cloudflare", "cloudflare: unix nanoseconds", `{"ClientIP":"198.51.100.26","ClientRequestHost":"shop.example","ClientRequestMethod":"GET","ClientRequestURI":"/items/7?ref=mail","EdgeResponseStatus":200,"EdgeResponseBytes":1532,"EdgeResponseBodyBytes":1180,"EdgeStartTimestamp":1792932581000000000,"CacheCacheStatus":"hit","RayID":"7a1b2c3d4e5f6a7b"}`,
			oracleFields{TS: "2026-10-25T12:49:41Z", Method: "GET", Path: "/items/7", Query: "ref=mail", Status: 200, Bytes: 1532, Client: "198.51.100.26"}, nil},
		{"cloudflare", "cloudflare: RFC 3339", `{"ClientIP":"198.51.100.27","ClientRequestMethod":"POST","ClientRequestURI":"/cart","EdgeResponseStatus":201,"EdgeResponseBytes":310,"EdgeStartTimestamp":"2026-10-25T12:49:42Z","CacheCacheStatus":"dynamic","RayID":"7a1b2c3d4e5f6a7c"}`,
			oracleFields{TS: "2026-10-25T12:49:42Z", Method: "POST", Path: "/cart", Status: 201, Bytes: 310, Client: "198.51.100.27"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := LookupFormat(c.format)
			if err != nil {
				t.Fatal(err)
			}
			p, err := f.Open([][]byte{[]byte(c.line)})
			if err != nil {
				t.Fatalf("%s: %v", c.format, err)
			}
			var r Record
			r.Reset()
			if err := p.Parse([]byte(c.line), &r); err != nil {
				t.Fatal(err)
			}
			got := oracleFields{Method: string(r.Method), Path: string(r.Path), Query: string(r.Query), Status: r.Status, Bytes: r.Bytes,
				Client: string(r.Client), NoRequestLine: r.BadRequest}
			if r.HasTS {
				got.TS = time.UnixMicro(r.TS).UTC().Format(time.RFC3339Nano)
			}
			want := c.elastic
			for _, d := range c.diffs {
				switch d.field {
				case "Client":
					want.Client = d.ours
				case "Query":
					want.Query = d.ours
				case "Path":
					want.Path = d.ours
				case "TS":
					want.TS = d.ours
				default:
					t.Fatalf("unknown field %s", d.field)
				}
				t.Logf("deliberate: %s is %q where Elastic has another value: %s", d.field, d.ours, d.why)
			}
			if got != want {
				t.Errorf("cdnadvise %+v\nexpected %+v (Elastic's, with the deliberate differences)", got, want)
			}
		})
	}
}
