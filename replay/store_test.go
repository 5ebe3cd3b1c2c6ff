package replay

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/ingest"
	"github.com/cdnadvise/cdnadvise/internal/loggen"
	"github.com/cdnadvise/cdnadvise/internal/store"
)

func storeWith(t *testing.T, files map[string][]byte) *store.Store {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "s.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var in []ingest.Input
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		in = append(in, ingest.Input{Path: p})
	}
	if _, err := ingest.Run(context.Background(), st, ingest.Options{Inputs: in, MaxRejectRatio: 0.01}); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestReplayReproducesTheLoggedCache: the generator's edge is an nginx-like
// cache per PoP with one TTL per route; replaying its arrivals with the nginx
// profile at each route's TTL must predict exactly the HITs it logged.
func TestReplayReproducesTheLoggedCache(t *testing.T) {
	var edge, origin bytes.Buffer
	if err := loggen.EdgeAndOrigin(&edge, &origin, loggen.Options{Lines: 8000, Seed: 21}); err != nil {
		t.Fatal(err)
	}
	st := storeWith(t, map[string][]byte{"edge.log": edge.Bytes(), "origin.log": origin.Bytes()})
	s, tier, err := LoadStream(context.Background(), st, LoadOptions{PerPoP: true, Key: KeyRaw})
	if err != nil {
		t.Fatal(err)
	}
	if tier != "edge" || s.Len() != 8000 {
		t.Fatalf("load: %s %d", tier, s.Len())
	}
	routes := []string{"/api/items/{int}", "/static/app.{fp}.js", "/items/{int}/", "/api/leaderboard", "/search/"}
	var ttls []time.Duration
	for _, v := range loggen.RouteTTLs() {
		ttls = append(ttls, time.Duration(v)*time.Second)
	}
	res := Sweep(s, SweepOptions{TTLs: ttls, Profile: Profiles()["nginx"]})
	logged := map[string]int64{}
	for _, line := range strings.Split(strings.TrimSpace(edge.String()), "\n") {
		if !strings.Contains(line, " HIT pop=") {
			continue
		}
		for _, r := range routes {
			prefix := strings.SplitN(r, "{", 2)[0]
			if strings.Contains(line, "\"GET "+prefix) {
				logged[r]++
				break
			}
		}
	}
	for k, r := range routes {
		found := false
		for e, name := range s.Endpoints {
			if name != r {
				continue
			}
			found = true
			if got := res.Endpoints[e][k].Hits; got != logged[r] {
				t.Errorf("%s at TTL %v: predicted %d hits, the cache logged %d", r, ttls[k], got, logged[r])
			}
		}
		if !found {
			t.Errorf("no endpoint %s in %v", r, s.Endpoints)
		}
	}
	// Shared cache (one for both PoPs) hits at least as often as two.
	shared, _, err := LoadStream(context.Background(), st, LoadOptions{PerPoP: false})
	if err != nil {
		t.Fatal(err)
	}
	one := Sweep(shared, SweepOptions{TTLs: []time.Duration{time.Minute}, Profile: Profiles()["nginx"]})
	two := Sweep(s, SweepOptions{TTLs: []time.Duration{time.Minute}, Profile: Profiles()["nginx"]})
	if one.Totals[0].Hits < two.Totals[0].Hits {
		t.Errorf("shared %d hits < per-PoP %d", one.Totals[0].Hits, two.Totals[0].Hits)
	}
}

// TestKeyPolicies: tracking parameters split the cache; dropping them joins it.
func TestKeyPolicies(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 100; i++ {
		b.WriteString(`1.1.1.1 - - [25/Nov/2026:08:25:` + twoDigits(i%60) + ` +0000] "GET /p?b=2&a=1&utm_source=x` + twoDigits(i) + ` HTTP/1.1" 200 10 "-" "ua" 0.001 MISS` + "\n")
	}
	st := storeWith(t, map[string][]byte{"e.log": []byte(b.String())})
	hits := func(k KeyPolicy) int64 {
		s, _, err := LoadStream(context.Background(), st, LoadOptions{Key: k})
		if err != nil {
			t.Fatal(err)
		}
		return Sweep(s, SweepOptions{TTLs: []time.Duration{time.Hour}, Profile: Profiles()["generic"]}).Totals[0].Hits
	}
	if h := hits(KeyRaw); h != 0 {
		t.Errorf("raw: %d hits, want 0 (every key distinct)", h)
	}
	if h := hits(KeyNoTracking); h != 99 {
		t.Errorf("no-tracking: %d hits, want 99", h)
	}
	if NormalizeQuery("b=2&utm_medium=a&a=1&fbclid=z", true) != "a=1&b=2" {
		t.Error(NormalizeQuery("b=2&utm_medium=a&a=1&fbclid=z", true))
	}
}

func twoDigits(i int) string { return string([]byte{byte('0' + i/10%10), byte('0' + i%10)}) }

// TestShardsAndPassesAreTheWholeReplay: the cache keys split by hash into
// shards (separate replays, merged) or into passes (a memory limit) give
// exactly the one-pass replay, whatever the options that keep keys
// independent.
func TestShardsAndPassesAreTheWholeReplay(t *testing.T) {
	var edge, origin bytes.Buffer
	if err := loggen.EdgeAndOrigin(&edge, &origin, loggen.Options{Lines: 8000, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	st := storeWith(t, map[string][]byte{"edge.log": edge.Bytes(), "origin.log": origin.Bytes()})
	ctx := context.Background()
	ttls := []time.Duration{0, 10 * time.Second, time.Minute, 10 * time.Minute, Infinite}
	cases := []struct {
		name string
		lo   LoadOptions
		so   SweepOptions
	}{
		{"per-pop raw", LoadOptions{PerPoP: true, Key: KeyRaw}, SweepOptions{TTLs: ttls, Profile: Profiles()["nginx"]}},
		{"per-pop, shield, sorted, swr", LoadOptions{PerPoP: true, Key: KeySorted, SplitMethods: true}, SweepOptions{TTLs: ttls, SWR: 30 * time.Second, SIE: time.Hour, Shield: true, Profile: Profiles()["generic"]}},
		{"origin tier, varnish grace", LoadOptions{Tier: "origin", Key: KeyNoTracking}, SweepOptions{TTLs: ttls, Profile: Profiles()["varnish"]}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			whole, tier, n, err := Replay(ctx, st, c.lo, c.so)
			if err != nil || n == 0 {
				t.Fatalf("replay: %v (%d requests)", err, n)
			}
			var merged *Partial
			for i := range 4 {
				lo := c.lo
				lo.Shard, lo.Shards = i, 4
				p, tr, err := ReplayPartial(ctx, st, lo, c.so)
				if err != nil || tr != tier {
					t.Fatalf("shard %d: %v (tier %s)", i, err, tr)
				}
				if p.Requests == 0 || p.Requests == int64(n) {
					t.Errorf("shard %d replayed %d of %d requests: not a share", i, p.Requests, n)
				}
				if merged == nil {
					merged = p
				} else if err := merged.Merge(p); err != nil {
					t.Fatal(err)
				}
			}
			if !reflect.DeepEqual(merged.Result(), whole) {
				t.Errorf("4 shards merged differ from the whole replay:\n%+v\n%+v", merged.Result().Totals, whole.Totals)
			}
			lo := c.lo
			lo.MemoryLimit = 40 << 10 // a few passes for this store
			var log bytes.Buffer
			lo.Logger = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
			p, _, err := ReplayPartial(ctx, st, lo, c.so)
			if err != nil {
				t.Fatal(err)
			}
			if p.Passes < 2 {
				t.Errorf("a %d KiB limit took %d pass", lo.MemoryLimit>>10, p.Passes)
			}
			if !reflect.DeepEqual(p.Result(), whole) {
				t.Errorf("%d passes differ from the whole replay:\n%+v\n%+v", p.Passes, p.Result().Totals, whole.Totals)
			}
			// Each pass read in time windows of at most 300 requests.
			lo.WindowRows = 300
			log.Reset()
			p, _, err = ReplayPartial(ctx, st, lo, c.so)
			if err != nil {
				t.Fatal(err)
			}
			if m := regexp.MustCompile(`time windows" windows=(\d+)`).FindStringSubmatch(log.String()); m == nil || m[1] == "1" {
				t.Errorf("not read in time windows: %v", m)
			}
			if !reflect.DeepEqual(p.Result(), whole) {
				t.Errorf("%d passes in time windows differ from the whole replay:\n%+v\n%+v", p.Passes, p.Result().Totals, whole.Totals)
			}
		})
	}
	lo := LoadOptions{Shard: 1, Shards: 2}
	if _, _, err := ReplayPartial(ctx, st, lo, SweepOptions{TTLs: ttls, Capacity: 1 << 20}); !errors.Is(err, ErrCapacityShards) {
		t.Errorf("a capacity split into shards: %v", err)
	}
}
