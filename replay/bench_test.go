package replay

import (
	"context"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/internal/store"
)

// benchStream is 10M requests over 500,000 cache keys (Zipf), two PoPs, 50
// endpoints, with content changes on one key in ten.
func benchStream(n int) *Stream {
	const keys = 500_000
	rng := rand.New(rand.NewPCG(7, 7))
	z := rand.NewZipf(rng, 1.1, 1, keys-1)
	s := &Stream{NStates: 2 * keys, NContent: keys, Changes: make([][]int64, keys)}
	for e := 0; e < 50; e++ {
		s.Endpoints = append(s.Endpoints, "/e"+string(rune('a'+e%26))+string(rune('a'+e/26)))
	}
	for c := 0; c < keys; c += 10 {
		s.Changes[c] = []int64{int64(c%3600) * 1000, int64(c%3600)*1000 + 1_800_000}
	}
	s.TimeMS = make([]int64, n)
	s.State, s.Content, s.Endpoint = make([]int32, n), make([]int32, n), make([]int32, n)
	s.Size, s.Flags = make([]int64, n), make([]uint8, n)
	for i := 0; i < n; i++ {
		k := int32(z.Uint64())
		s.TimeMS[i] = int64(i) / 3 // ~3,000 requests/s
		s.Content[i] = k
		s.State[i] = k*2 + int32(i%2)
		s.Endpoint[i] = k % 50
		s.Size[i] = 500 + int64(k%20000)
		if i%101 == 0 {
			s.Flags[i] = FlagUncacheable
		}
	}
	return s
}

// benchTTLs is the command's default grid of 16 TTLs.
func benchTTLs(b *testing.B) []time.Duration {
	var ttls []time.Duration
	for _, v := range strings.Split("0,10s,30s,1m,2m,5m,10m,15m,30m,1h,2h,6h,12h,1d,7d,inf", ",") {
		d, err := ParseTTL(v)
		if err != nil {
			b.Fatal(err)
		}
		ttls = append(ttls, d)
	}
	return ttls
}

// BenchmarkSweep16TTL replays 10M requests for 16 TTLs at once.
func BenchmarkSweep16TTL(b *testing.B) {
	s := benchStream(10_000_000)
	ttls := benchTTLs(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Sweep(s, SweepOptions{TTLs: ttls, SWR: 30 * time.Second, Profile: Profiles()["generic"]})
	}
	b.ReportMetric(float64(s.Len()*b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkLRUReferenceTrace: LRU at 16 MiB on the 1M-request reference
// trace (a third of requests miss).
func BenchmarkLRUReferenceTrace(b *testing.B) {
	tr, err := ReadTraceCSV("../../shared/ref/trace-a.csv.gz")
	if err != nil {
		b.Skip("../shared/ref not present")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		SimulateLRU(tr, 16<<20)
	}
	b.ReportMetric(float64(tr.Len()*b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkSweepStore replays, from memory, the requests of the store named
// by CDNADVISE_BENCH_STORE (e.g. the analyze benchmark's 10 M requests) as
// `cdnadvise replay` does by default: the engine alone on the same stream
// as the end-to-end command, to compare the two.
func BenchmarkSweepStore(b *testing.B) {
	path := os.Getenv("CDNADVISE_BENCH_STORE")
	if path == "" {
		b.Skip("CDNADVISE_BENCH_STORE not set")
	}
	ctx := context.Background()
	st, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	s, _, err := LoadStream(ctx, st, LoadOptions{PerPoP: true, SplitMethods: true})
	if err != nil {
		b.Fatal(err)
	}
	ttls := benchTTLs(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Sweep(s, SweepOptions{TTLs: ttls, Profile: Profiles()["generic"]})
	}
	b.ReportMetric(float64(s.Len()*b.N)/b.Elapsed().Seconds(), "req/s")
}
