// Package loggen writes deterministic synthetic access logs (Zipf-distributed
// URLs) for tests and benchmarks.
package loggen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// Options shape a generated log.
type Options struct {
	Lines   int
	URLs    int       // distinct paths (default 50,000)
	ZipfS   float64   // Zipf exponent, > 1 (default 1.1)
	Start   time.Time // first timestamp (default 2026-11-01 UTC)
	PerSec  int       // requests per second of log time (default 200)
	Seed    uint64
	HitRate float64 // share of HIT among cache statuses (default 0.8)
}

// defaults fills the zero fields of o.
func (o *Options) defaults() {
	if o.URLs == 0 {
		o.URLs = 50_000
	}
	if o.ZipfS == 0 {
		o.ZipfS = 1.1
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.PerSec == 0 {
		o.PerSec = 200
	}
	if o.HitRate == 0 {
		o.HitRate = 0.8
	}
}

// NginxCache writes lines in nginx "combined" plus " $request_time
// $upstream_cache_status" (the benchmark format of the ingest issue).
func NginxCache(w io.Writer, o Options) error {
	o.defaults()
	rng := rand.New(rand.NewPCG(o.Seed, 42))
	z := rand.NewZipf(rng, o.ZipfS, 1, uint64(o.URLs-1))
	bw := bufio.NewWriterSize(w, 1<<20)
	uas := []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
		"curl/8.4.0", "python-requests/2.31.0",
	}
	kinds := []string{"/api/items/%d", "/static/app.%08x.js", "/products/%d/", "/search?q=term%d", "/api/users/%d/profile"}
	for i := 0; i < o.Lines; i++ {
		u := z.Uint64()
		t := o.Start.Add(time.Duration(i) * time.Second / time.Duration(o.PerSec))
		path := fmt.Sprintf(kinds[u%uint64(len(kinds))], u)
		status := 200
		if u%97 == 0 {
			status = 404
		}
		cache := "MISS"
		if rng.Float64() < o.HitRate {
			cache = "HIT"
		}
		rt := 0.001 + rng.Float64()*0.01
		if cache == "MISS" {
			rt += 0.05
		}
		_, err := fmt.Fprintf(bw, "10.%d.%d.%d - - [%s] \"GET %s HTTP/1.1\" %d %d \"-\" \"%s\" %.3f %s\n",
			u%200, (u/200)%250, i%250, t.Format("02/Jan/2006:15:04:05 -0700"), path, status, 200+u%5000, uas[u%uint64(len(uas))], rt, cache)
		if err != nil {
			return err
		}
	}
	return bw.Flush()
}

// RouteTTLs returns the TTLs (seconds) of EdgeAndOrigin's routes, in order:
// /api/items/{int}, /static/app.{fp}.js, /items/{int}/, /api/leaderboard,
// /search/ (0: not cached, logged BYPASS).
func RouteTTLs() []int64 { return []int64{60, 86400, 300, 5, 0} }

// EdgeAndOrigin writes a pair of logs for the same traffic: the edge in the
// nginx-cache format (combined + $request_time $upstream_response_time
// $upstream_cache_status pop=$edge) and, for every request the edge did not
// answer from cache, the origin's line in combined format with the time in
// microseconds (Apache %D, gunicorn %(D)s). The edge's caches (one per PoP)
// follow nginx's rule: filled during second S with TTL T, a HIT through second
// S+T; the TTLs per route are in RouteTTLs.
func EdgeAndOrigin(edge, origin io.Writer, o Options) error {
	if o.URLs == 0 {
		o.URLs = 2_000
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.PerSec == 0 {
		o.PerSec = 20
	}
	rng := rand.New(rand.NewPCG(o.Seed, 7))
	z := rand.NewZipf(rng, 1.2, 1, uint64(o.URLs-1))
	ew, ow := bufio.NewWriter(edge), bufio.NewWriter(origin)
	routes := []string{"/api/items/%d", "/static/app.%08x.js", "/items/%d/", "/api/leaderboard", "/search/?q=item%d&utm_source=news"}
	// Last fill time per URL and per-route TTL (seconds): a tiny cache model,
	// so that the example has realistic hit ratios per route.
	ttl := RouteTTLs()
	filled := map[string]int64{}
	pops := []string{"FRA", "IAD"}
	for i := 0; i < o.Lines; i++ {
		u := z.Uint64()
		k := int(u) % len(routes)
		path := routes[k]
		if k != 3 {
			path = fmt.Sprintf(routes[k], u)
		}
		t := o.Start.Add(time.Duration(i) * time.Second / time.Duration(o.PerSec))
		sec := t.Unix()
		cache := "MISS"
		key := pops[i%2] + path
		if f, ok := filled[key]; ok && ttl[k] > 0 && sec-f <= ttl[k] {
			cache = "HIT"
		} else if ttl[k] > 0 {
			filled[key] = sec
		} else {
			cache = "BYPASS"
		}
		size := 300 + int(u%4000)
		originMS := 20 + rng.Float64()*80
		if k == 3 {
			originMS += 150
		}
		edgeS := 0.001 + rng.Float64()*0.002
		up := "-"
		if cache != "HIT" {
			edgeS += originMS / 1000
			up = fmt.Sprintf("%.3f", originMS/1000)
		}
		ua := "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"
		if u%3 == 0 {
			ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"
		}
		stamp := t.Format("02/Jan/2006:15:04:05 -0700")
		client := fmt.Sprintf("198.51.%d.%d", u%250, i%250)
		if _, err := fmt.Fprintf(ew, "%s - - [%s] \"GET %s HTTP/1.1\" 200 %d \"-\" \"%s\" %.3f %s %s pop=%s\n", client, stamp, path, size, ua, edgeS, up, cache, pops[i%2]); err != nil {
			return err
		}
		if cache != "HIT" {
			if _, err := fmt.Fprintf(ow, "127.0.0.1 - - [%s] \"GET %s HTTP/1.0\" 200 %d \"-\" \"%s\" %d\n", stamp, path, size, ua, int(originMS*1000)); err != nil {
				return err
			}
		}
	}
	if err := ew.Flush(); err != nil {
		return err
	}
	return ow.Flush()
}

// Realistic writes the same format as NginxCache in the shape of a real
// site's log: long and varied query strings (campaign tags, click ids,
// search terms: most query strings are distinct), thousands of user
// agents, tens of thousands of referers, percent-encoded non-ASCII paths
// and a quarter of IPv6 clients.
func Realistic(w io.Writer, o Options) error {
	o.defaults()
	rng := rand.New(rand.NewPCG(o.Seed, 43))
	z := rand.NewZipf(rng, 1.1, 1, uint64(o.URLs-1))
	token := func(n int) string {
		const abc = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
		b := make([]byte, n)
		for i := range b {
			b[i] = abc[rng.IntN(len(abc))]
		}
		return string(b)
	}
	systems := []func(i int) string{
		func(int) string { return "Windows NT 10.0; Win64; x64" },
		func(i int) string { return fmt.Sprintf("Macintosh; Intel Mac OS X 10_15_%d", i%8) },
		func(int) string { return "X11; Linux x86_64" },
		func(i int) string { return fmt.Sprintf("iPhone; CPU iPhone OS 17_%d like Mac OS X", i%7) },
		func(i int) string { return fmt.Sprintf("Linux; Android %d; SM-G99%d", 10+i%5, i%10) },
	}
	browsers := []func(i int) string{
		func(i int) string { return fmt.Sprintf("Chrome/%d.0.%d.%d Safari/537.36", 90+i%40, i%5000, i%200) },
		func(i int) string { return fmt.Sprintf("Firefox/%d.0", 90+i%40) },
		func(i int) string { return fmt.Sprintf("Version/%d.%d Mobile/15E148 Safari/604.1", 14+i%4, i%7) },
		func(i int) string { return fmt.Sprintf("Edg/%d.0.%d.%d", 90+i%40, i%3000, i%90) },
	}
	uas := make([]string, 4500)
	for i := range uas {
		uas[i] = "Mozilla/5.0 (" + systems[i%len(systems)](i) + ") AppleWebKit/537.36 (KHTML, like Gecko) " + browsers[i/len(systems)%len(browsers)](i)
	}
	referers := make([]string, 28000)
	for i := range referers {
		referers[i] = fmt.Sprintf("https://%s/%s?q=%s", []string{"www.google.com/search", "t.co", "news.example.org/a", "www.bing.com/search", "l.facebook.com/l.php"}[i%5], token(6), token(12))
	}
	words := []string{"caf%C3%A9", "m%C3%BCnchen", "%E6%9D%B1%E4%BA%AC", "stra%C3%9Fe", "na%C3%AFve", "shoes", "jacket", "red", "sale"}
	kinds := []string{"/api/items/%d", "/static/app.%08x.js", "/products/%d/", "/search", "/api/users/%d/profile", "/blog/%s-%d/"}
	bw := bufio.NewWriterSize(w, 1<<20)
	for i := 0; i < o.Lines; i++ {
		u := z.Uint64()
		t := o.Start.Add(time.Duration(i) * time.Second / time.Duration(o.PerSec))
		k := u % uint64(len(kinds))
		var path string
		switch k {
		case 3:
			path = kinds[k]
		case 5:
			path = fmt.Sprintf(kinds[k], words[u%uint64(len(words))], u)
		default:
			path = fmt.Sprintf(kinds[k], u)
		}
		var q []string
		if k == 3 {
			q = append(q, "q="+words[rng.IntN(len(words))]+"+"+words[rng.IntN(len(words))], fmt.Sprintf("page=%d", rng.IntN(20)+1))
		}
		if rng.IntN(3) == 0 {
			q = append(q, "utm_source="+[]string{"newsletter", "facebook", "google", "twitter"}[rng.IntN(4)],
				"utm_medium="+[]string{"email", "cpc", "social"}[rng.IntN(3)], "utm_campaign=winter-"+token(8))
		}
		if rng.IntN(5) == 0 {
			q = append(q, "fbclid=IwAR"+token(56))
		}
		if rng.IntN(9) == 0 {
			q = append(q, "gclid=Cj0KCQiA"+token(60))
		}
		if len(q) > 0 {
			path += "?" + strings.Join(q, "&")
		}
		client := fmt.Sprintf("10.%d.%d.%d", rng.IntN(200), rng.IntN(250), rng.IntN(250))
		if rng.IntN(4) == 0 {
			client = fmt.Sprintf("2001:db8:%x:%x::%x", rng.IntN(65536), rng.IntN(65536), rng.IntN(65536))
		}
		status := 200
		if u%97 == 0 {
			status = 404
		}
		cache := "MISS"
		if rng.Float64() < 0.8 {
			cache = "HIT"
		}
		ref := "-"
		if rng.IntN(3) > 0 {
			ref = referers[rng.IntN(len(referers))]
		}
		_, err := fmt.Fprintf(bw, "%s - - [%s] \"GET %s HTTP/1.1\" %d %d \"%s\" \"%s\" %.3f %s\n",
			client, t.Format("02/Jan/2006:15:04:05 -0700"), path, status, 200+u%5000, ref, uas[rng.IntN(len(uas))], 0.001+rng.Float64()*0.06, cache)
		if err != nil {
			return err
		}
	}
	return bw.Flush()
}
