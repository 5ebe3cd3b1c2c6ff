package ingest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestRealShapes: files in the shapes real servers write, which the clean
// formats alone refuse, are read whole: every access line a row (a
// scanner's request too, without method or path), the non-access lines of
// a console log skipped and counted, and the rows each layout read listed.
// The lines are written here in the shapes seen in public projects' logs;
// none is copied from them.
func TestRealShapes(t *testing.T) {
	ts := func(i int) string { return fmt.Sprintf("25/Nov/2026:08:%02d:%02d +0000", i/60%60, i%60) }
	combined := func(i int, path string) string {
		return fmt.Sprintf(`192.0.2.%d - - [%s] "GET %s HTTP/1.1" 200 %d "-" "Mozilla/5.0 (X11; Linux x86_64)"`, i%250+1, ts(i), path, 500+i)
	}
	var mixedHost, vhost, xff, editedMid []string
	for i := 0; i < 14; i++ {
		l := combined(i, fmt.Sprintf("/items/%d", i))
		if i == 5 || i == 11 {
			l = "shop.example " + l // a second server block's format: $host first
		}
		mixedHost = append(mixedHost, l)
	}
	for i := 0; i < 10; i++ {
		vhost = append(vhost, fmt.Sprintf("www.example.org:443 ")+combined(i, "/blog/"+fmt.Sprint(i)))
		list := fmt.Sprintf("203.0.113.%d, 10.0.0.1, 127.0.0.1", i+1)
		if i%3 == 0 {
			list = fmt.Sprintf("203.0.113.%d", i+1)
		}
		xff = append(xff, strings.Replace(combined(i, "/a"), fmt.Sprintf("192.0.2.%d", i%250+1), list, 1))
	}
	for i := 0; i < 40; i++ {
		l := combined(i, fmt.Sprintf("/p/%d", i))
		if i >= 20 { // log_format edited: request time, upstream time and cache status appended
			l += fmt.Sprintf(" %.3f %.3f %s", 0.01*float64(i%7+1), 0.009*float64(i%7+1), []string{"HIT", "MISS"}[i%2])
		}
		editedMid = append(editedMid, l)
	}
	badNginx := []string{
		combined(0, "/"),
		`198.51.100.9 - - [25/Nov/2026:08:00:01 +0000] "" 400 0 "-" "-"`,
		`198.51.100.9 - - [25/Nov/2026:08:00:02 +0000] "hello" 400 157 "-" "-"`,
		`198.51.100.9 - - [25/Nov/2026:08:00:03 +0000] "\x16\x03\x01\x00\xf1\x01" 400 157 "-" "-"`,
		combined(4, "/b"),
	}
	alb := []string{
		`https 2026-11-25T08:25:31.123456Z app/my-lb/50dc6c495c0c9188 192.0.2.10:2817 10.0.0.1:80 0.000 0.004 0.000 200 200 34 366 "GET https://shop.example:443/items/42?x=1 HTTP/1.1" "curl/8.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/t/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "shop.example" "-" 0 2026-11-25T08:25:31.119000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"`,
		`http 2026-11-25T08:25:32.000000Z app/my-lb/50dc6c495c0c9188 192.0.2.11:2818 - -1 -1 -1 400 - 0 0 "- - - " "-" - - - "-" "-" "-" - 2026-11-25T08:25:32.000000Z "-" "-" "-" "-" "-" "-" "-"`,
		`http 2026-11-25T08:25:33.000000Z app/my-lb/50dc6c495c0c9188 192.0.2.12:2819 - -1 -1 -1 400 - 0 272 "- http://shop.example:80- -" "-" - - - "-" "-" "-" - 2026-11-25T08:25:33.000000Z "-" "-" "-" "-" "-" "-" "-"`,
		`wss 2026-11-25T08:25:34.000000Z app/my-lb/50dc6c495c0c9188 192.0.2.13:2820 10.0.0.1:80 0.000 0.001 0.000 101 101 218 587 "GET wss://shop.example:443/ws HTTP/1.1" "-"- - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/t/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe356" "-" "-" 1 2026-11-25T08:25:33.500000Z "forward" "-" "-" "10.0.0.1:80" "101" "-" "-"`,
	}
	// Behind proxies, several virtual hosts in one file: a host, a
	// forwarded-for list (bare or quoted), the connecting address, in the
	// combinations public projects' test logs show.
	proxied := []string{
		combined(1, "/"),
		"example.com " + strings.Replace(combined(2, "/a"), "192.0.2.3", "10.0.0.2, 10.0.0.1, 127.0.0.1", 1),
		"67.43.156.15 " + strings.Replace(combined(3, "/b"), "192.0.2.4", "2001:db8::1, 10.225.192.17 10.2.2.121", 1),
		"example.com:80 " + combined(4, "/c"),
		`example.com:80 "10.5.102.222, 199.96.1.1, 204.246.1.1" ` + combined(5, "/d"),
		`example.com:80 unix: - - [25/Nov/2026:08:00:06 +0000] "hello" 400 173 "-" "-"`,
		"67.43.156.15 " + strings.Replace(combined(7, "/e"), "192.0.2.8", "localhost", 1),
		combined(8, "/f"),
		`192.0.2.9 - - [25/Nov/2026:08:00:09 +0000] "" 400 0 "-" "-"`,
	}
	console := []string{
		`INFO:     Will watch for changes in these directories: ['/srv/app']`,
		`INFO:     Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)`,
		`INFO:     Started reloader process [4021] using StatReload`,
		`loading the model from ./weights.bin`,
		`INFO:     Started server process [4023]`,
		`INFO:     Waiting for application startup.`,
		`INFO:     Application startup complete.`,
		`INFO:     127.0.0.1:64086 - "POST /chat HTTP/1.1" 200 OK`,
		`{'role': 'user', 'content': 'hi'}`,
		`INFO:     127.0.0.1:64087 - "GET /docs HTTP/1.1" 200 OK`,
		`WARNING:  StatReload detected changes in 'app/main.py'. Reloading...`,
		`ERROR:    Exception in ASGI application`,
		`Traceback (most recent call last):`,
		`  File "/usr/lib/python3/dist-packages/uvicorn/protocols/http/h11_impl.py", line 407, in run_asgi`,
		`KeyError: 'content'`,
		`INFO:     127.0.0.1:64090 - "POST /chat HTTP/1.1" 500 Internal Server Error`,
		`---- answer: 42 ----`,
		`INFO:     127.0.0.1:64091 - "GET /items/7?x=1 HTTP/1.1" 404 Not Found`,
	}
	cases := []struct {
		name      string
		lines     []string
		rows      int64
		nonAccess int64
		layouts   int
		check     string // SQL: count(*) that must equal check's want
		want      int64
	}{
		{"host prefix on 2 of 14 lines", mixedHost, 14, 0, 2, `SELECT count(*) FROM requests WHERE host = 'shop.example'`, 2},
		{"apache vhost_combined", vhost, 10, 0, 1, `SELECT count(*) FROM requests WHERE host = 'www.example.org' AND client LIKE '192.0.2.%'`, 10},
		{"forwarded-for list as client", xff, 10, 0, 1, `SELECT count(DISTINCT client) FROM requests WHERE client LIKE '203.0.113.%'`, 10},
		{"log_format edited mid-file", editedMid, 40, 0, 2, `SELECT count(*) FROM requests WHERE cache_status = 'HIT' AND duration_ms > 0`, 10},
		{"scanner requests logged with 400", badNginx, 5, 0, 1, `SELECT count(*) FROM requests WHERE path IS NULL AND method IS NULL AND status = 400 AND bytes IS NOT NULL`, 3},
		{"alb: unparsed requests and wss", alb, 4, 0, 1, `SELECT count(*) FROM requests WHERE path IS NULL AND status = 400`, 2},
		{"hosts, forwarded-for lists and connecting addresses", proxied, 9, 0, 1,
			`SELECT count(*) FROM requests WHERE (host = 'example.com' AND client IN ('10.0.0.2', '192.0.2.5', '10.5.102.222', 'unix:'))
				OR (host = '67.43.156.15' AND client IN ('2001:db8::1', 'localhost'))`, 6},
		{"uvicorn console output", console, 4, 14, 1, `SELECT count(*) FROM requests WHERE method = 'POST' AND path = '/chat'`, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "access.log")
			writeFile(t, p, []byte(strings.Join(c.lines, "\n")+"\n"))
			st := openStore(t, filepath.Join(dir, "s.duckdb"))
			sum := run(t, st, Options{Inputs: []Input{{Path: p}}, MaxRejectRatio: 1e-9, KeepClient: true})
			f := sum.Files[0]
			if f.Rows != c.rows || f.Rejected != 0 || f.NonAccess != c.nonAccess || len(f.Layouts) != c.layouts {
				t.Fatalf("%s: rows %d (want %d), rejected %d %v, non-access %d (want %d), layouts %+v (want %d)",
					f.Format, f.Rows, c.rows, f.Rejected, f.Rejects, f.NonAccess, c.nonAccess, f.Layouts, c.layouts)
			}
			var sumRows int64
			for _, l := range f.Layouts {
				sumRows += l.Rows
			}
			if sumRows != f.Rows {
				t.Errorf("layouts %+v add up to %d rows, not %d", f.Layouts, sumRows, f.Rows)
			}
			if n := queryInt(t, st, c.check); n != c.want {
				t.Errorf("%s: %d, want %d", c.check, n, c.want)
			}
			t.Logf("%s: %+v", f.Format, f.Layouts)
		})
	}
}
