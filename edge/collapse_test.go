package edge_test

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/replay"
)

// TestConcurrentMissesClaim backs the profiles' concurrent_misses_reach_origin
// on real caches as they come: five requests for one new URL sent at once,
// while the origin takes 400 ms to answer the first, reach the origin five
// times through nginx (no proxy_cache_lock) and once through Varnish (its
// waiting list); a sixth, after they are answered, is a hit on both.
func TestConcurrentMissesClaim(t *testing.T) {
	var mu sync.Mutex
	fetched := map[string]int{}
	appPort := lab.Origin(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fetched[r.URL.Path]++
		mu.Unlock()
		time.Sleep(400 * time.Millisecond)
		w.Header().Set("Cache-Control", "public, s-maxage=60")
		io.WriteString(w, "same for everyone")
	}))
	ports := lab.NewPorts()
	for _, c := range []struct {
		edge string
		bins []string
	}{{"nginx", []string{"nginx"}}, {"varnish", []string{"varnishd", "varnishncsa"}}} {
		t.Run(c.edge, func(t *testing.T) {
			lab.Need(t, c.bins, nil)
			dir := t.TempDir()
			port, err := ports.Next()
			if err != nil {
				t.Fatal(err)
			}
			switch c.edge {
			case "nginx":
				conf, err := lab.NginxConfig(dir, port, appPort, filepath.Join(dir, "edge.log"))
				if err != nil {
					t.Fatal(err)
				}
				lab.Serve(t, dir, nil, port, "nginx", "-p", dir, "-c", conf)
			case "varnish":
				v, ncsa, err := lab.StartVarnish(dir, port, appPort, "", filepath.Join(dir, "edge.log"))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { ncsa.Stop(); v.Stop() })
			}
			path := "/collapse/" + c.edge
			get := func() error {
				resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				io.Copy(io.Discard, resp.Body)
				if resp.StatusCode != 200 {
					return fmt.Errorf("%s", resp.Status)
				}
				return nil
			}
			const n = 5
			errs := make(chan error, n)
			for range n {
				go func() { errs <- get() }()
			}
			for range n {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
			if err := get(); err != nil {
				t.Fatal(err)
			}
			prof, err := replay.LookupProfile(c.edge, "")
			if err != nil {
				t.Fatal(err)
			}
			want := 1
			if prof.ConcurrentMissesReachOrigin {
				want = n
			}
			mu.Lock()
			got := fetched[path]
			mu.Unlock()
			t.Logf("%s as it comes: %d requests at once, then one: the origin answered %d", c.edge, n, got)
			if got != want {
				t.Errorf("%s: the origin answered %d of %d requests sent at once and one after; the profile (concurrent_misses_reach_origin %t) says %d",
					c.edge, got, n+1, prof.ConcurrentMissesReachOrigin, want)
			}
		})
	}
}
