package framework

import (
	"testing"
	"time"
)

func TestParseCacheControl(t *testing.T) {
	for _, c := range []struct {
		in                string
		ttl               time.Duration
		swr, sie, browser int64
	}{
		{"public, max-age=5", 5 * time.Second, 0, 0, 5},
		{"public, max-age=0, s-maxage=300, stale-while-revalidate=30, stale-if-error=86400", 300 * time.Second, 30, 86400, 0},
		{"max-age=60, private", 0, 0, 0, 60},
		{"no-cache", 0, 0, 0, 0},
		{"no-store", 0, 0, 0, 0},
		{"public", 0, 0, 0, 0},
		{"S-MaxAge=10, Max-Age=1", 10 * time.Second, 0, 0, 1},
	} {
		ttl, swr, sie, browser := parseCacheControl(c.in)
		if ttl != c.ttl || swr != c.swr || sie != c.sie || browser != c.browser {
			t.Errorf("%q: %v %d %d %d, want %v %d %d %d", c.in, ttl, swr, sie, browser, c.ttl, c.swr, c.sie, c.browser)
		}
	}
}
