package replay

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// TestLatencyWhenNoHitWasLogged: the latency expected at a TTL needs a hit
// time. A route with hits uses its own; one without uses the edge's hits
// on other routes, else the time its misses spent at the edge besides the
// origin's, else the profile's stated default; the outcome says which.
func TestLatencyWhenNoHitWasLogged(t *testing.T) {
	t0 := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	line := func(i int, path string, req, up string, cache string) string {
		return fmt.Sprintf("10.0.0.%d - - [%s] \"GET %s HTTP/1.1\" 200 100 \"-\" \"ua\" %s %s %s\n", i%9, t0.Add(time.Duration(i)*time.Second).Format("02/Jan/2006:15:04:05 -0700"), path, req, up, cache)
	}
	hitMS := func(t *testing.T, logs string, edgeHit *float64, want float64, from string) {
		t.Helper()
		st := storeWith(t, map[string][]byte{"edge.log": []byte(logs)})
		prof := Profiles()["generic"]
		prof.HitMS = edgeHit
		res, _, _, err := Replay(context.Background(), st, LoadOptions{}, SweepOptions{Profile: prof, TTLs: []time.Duration{time.Hour}})
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range res.Endpoints {
			o := row[0]
			if !strings.HasPrefix(o.Endpoint, "/slow") {
				continue
			}
			if o.ObservedHitMS == nil || math.Abs(*o.ObservedHitMS-want) > 1e-9 || o.HitMSFrom != from {
				t.Fatalf("%s: hit time %v from %q, want %v from %q", o.Endpoint, o.ObservedHitMS, o.HitMSFrom, want, from)
			}
			// Nearly every request a hit at a TTL of an hour: the expected
			// latency is near the hit time, far below the misses' 120 ms.
			if o.ExpectedMS == nil || *o.ExpectedMS > 30 {
				t.Errorf("%s: expected latency %v ms at a hit ratio of %.2f", o.Endpoint, o.ExpectedMS, o.HitRatio)
			}
			// One miss in 60 (the first): p50 and p95 are hits.
			if o.ExpectedP50MS == nil || *o.ExpectedP50MS != want || o.ExpectedP95MS == nil || *o.ExpectedP95MS != want {
				t.Errorf("%s: p50/p95 %v/%v at a hit ratio of %.3f, want the hit time %v", o.Endpoint, o.ExpectedP50MS, o.ExpectedP95MS, o.HitRatio, want)
			}
			return
		}
		t.Fatal("no /slow endpoint in the replay")
	}
	var withHits, overhead, nothing strings.Builder
	for i := range 60 {
		withHits.WriteString(line(i, "/slow/1", "0.120", "0.110", "MISS"))
		withHits.WriteString(line(i, "/fast/1", "0.002", "-", "HIT"))
		overhead.WriteString(line(i, "/slow/1", "0.120", "0.115", "MISS"))
		nothing.WriteString(line(i, "/slow/1", "0.120", "-", "MISS"))
	}
	t.Run("other routes", func(t *testing.T) { hitMS(t, withHits.String(), nil, 2, HitFromOtherRoutes) })
	t.Run("miss overhead", func(t *testing.T) { hitMS(t, overhead.String(), nil, 5, HitFromMissOverhead) })
	def := 1.5
	t.Run("edge default", func(t *testing.T) { hitMS(t, nothing.String(), &def, 1.5, HitFromEdgeDefault) })
}

// TestMixtureQuantile: latency percentiles at a hit ratio h: hits (faster
// than any miss) fill the levels up to h, misses the rest in their own
// distribution.
func TestMixtureQuantile(t *testing.T) {
	missQ := make([]float64, 101)
	for i := range missQ {
		missQ[i] = 100 + float64(i) // misses take 100 to 200 ms, evenly
	}
	for _, c := range []struct{ q, h, want float64 }{
		{0.50, 0.90, 1},     // a hit
		{0.95, 0.90, 150},   // halfway through the misses
		{0.95, 0.00, 195},   // no hit: the misses' own p95
		{0.50, 0.00, 150},   // and p50
		{0.99, 0.98, 150},   // half of the last 2%
		{0.95, 0.975, 1},    // still a hit
		{1.00, 0.50, 200},   // the slowest miss
		{0.975, 0.95, 150},  // interpolated between percentiles
		{0.9525, 0.95, 105}, // a twentieth into the misses
	} {
		got := mixtureQuantile(c.q, c.h, 1, missQ)
		if got == nil || math.Abs(*got-c.want) > 1e-9 {
			t.Errorf("q %.4f at hit ratio %.3f: %v, want %v", c.q, c.h, got, c.want)
		}
	}
}

// TestMissPercentilesSampled: an endpoint with more misses than
// ExactPercentiles has its miss percentiles read from a deterministic
// sample (close to the exact ones, the same on every run); one with fewer,
// and any with ExactPercentiles -1, exactly.
func TestMissPercentilesSampled(t *testing.T) {
	t0 := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	var logs strings.Builder
	line := func(i int, path string, ms int) {
		fmt.Fprintf(&logs, "10.0.0.%d - - [%s] \"GET %s HTTP/1.1\" 200 100 \"-\" \"ua\" %.3f %.3f MISS\n", i%9,
			t0.Add(time.Duration(i)*time.Second).Format("02/Jan/2006:15:04:05 -0700"), path, float64(ms)/1000, float64(ms)/1000)
	}
	// Every path once: every request a miss at any TTL, so the expected
	// percentiles are the misses' own. /slow: 1 to 5,000 ms; /small: 1 to 50.
	for i := 1; i <= 5000; i++ {
		line(i, fmt.Sprintf("/slow/%d", i), i)
		if i <= 50 {
			line(i, fmt.Sprintf("/small/%d", i), i)
		}
	}
	st := storeWith(t, map[string][]byte{"edge.log": []byte(logs.String())})
	p95 := func(limit int64) map[string]float64 {
		res, _, _, err := Replay(context.Background(), st, LoadOptions{ExactPercentiles: limit}, SweepOptions{Profile: Profiles()["generic"], TTLs: []time.Duration{time.Minute}})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, row := range res.Endpoints {
			if o := row[0]; o.ExpectedP95MS != nil {
				out[o.Endpoint] = *o.ExpectedP95MS
			}
		}
		return out
	}
	exact, sampled, again := p95(-1), p95(1000), p95(1000)
	slow, small := "/slow/{int}", "/small/{int}"
	for _, c := range []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"exact /slow", exact[slow], 1 + 0.95*4999, 1e-6},
		{"exact /small", exact[small], 1 + 0.95*49, 1e-6},
		{"sampled /small (50 misses: exact)", sampled[small], 1 + 0.95*49, 1e-6},
		{"sampled /slow (about 1,000 of 5,000)", sampled[slow], 1 + 0.95*4999, 0.03 * 4750},
		{"sampled again", again[slow], sampled[slow], 0},
	} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("%s: p95 %.2f ms, want %.2f ± %.2f (all: exact %v, sampled %v)", c.name, c.got, c.want, c.tol, exact, sampled)
		}
	}
	if sampled[slow] == exact[slow] {
		t.Errorf("/slow: the sampled p95 equals the exact one (%.2f): no sample was taken", exact[slow])
	}
}
