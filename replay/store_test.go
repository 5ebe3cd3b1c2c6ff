package replay

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
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
	if err != nil || tier != "edge" || s.Len() != 8000 {
		t.Fatalf("load: %v %s %d", err, tier, s.Len())
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
