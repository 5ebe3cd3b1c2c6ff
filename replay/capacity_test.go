package replay

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/cdnadvise/cdnadvise/internal/loggen"
)

// TestLibCacheSimReference reproduces libCacheSim's miss ratios on the
// reference trace to the 4th decimal (../shared/ref, see its README).
func TestLibCacheSimReference(t *testing.T) {
	tracePath, refPath := "../../shared/ref/trace-a.csv.gz", "../../shared/ref/trace-a.libcachesim.csv"
	if _, err := os.Stat(refPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI needs ../shared/ref: %v", err)
		}
		t.Skip("../shared/ref not present")
	}
	tr, err := ReadTraceCSV(tracePath)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(refPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	n := 0
	var lruCaps []int64
	var lruWant []string
	for sc.Scan() {
		p := strings.Split(strings.TrimSpace(sc.Text()), ",")
		if len(p) != 3 {
			continue
		}
		capacity, _ := strconv.ParseInt(p[1], 10, 64)
		var r Result
		switch p[0] {
		case "LRU":
			r = SimulateLRU(tr, capacity)
			lruCaps, lruWant = append(lruCaps, capacity), append(lruWant, p[2])
		case "FIFO":
			r = SimulateFIFO(tr, capacity)
		default:
			t.Fatalf("unknown algorithm %q", p[0])
		}
		if got := strconv.FormatFloat(r.MissRatio, 'f', 4, 64); got != p[2] {
			t.Errorf("%s %d bytes: miss ratio %s, libCacheSim %s", p[0], capacity, got, p[2])
		}
		n++
	}
	if n != 10 {
		t.Fatalf("%d reference rows", n)
	}
	// All LRU sizes at once from stack distances: the same answers.
	for i, r := range SimulateLRUMany(tr, lruCaps) {
		if got := strconv.FormatFloat(r.MissRatio, 'f', 4, 64); got != lruWant[i] {
			t.Errorf("LRU (stack distances) %d: %s, libCacheSim %s", lruCaps[i], got, lruWant[i])
		}
	}
}

// TestLibCacheSimSizeChanges: on a trace whose objects change size between
// requests, replay --trace reproduces libCacheSim's miss and byte miss
// ratios to the 4th decimal (testdata/README.md says how they were made);
// the HTTP meaning (a new size is a new version) gives more misses.
func TestLibCacheSimSizeChanges(t *testing.T) {
	var b bytes.Buffer
	if err := loggen.SizeTrace(&b, 200_000, 8_000, 1); err != nil {
		t.Fatal(err)
	}
	tr, err := parseTrace(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !tr.SizeChanges() {
		t.Fatal("the trace has no size changes")
	}
	ref, err := os.ReadFile("testdata/trace-b.libcachesim.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSpace(string(ref)), "\n")[1:]
	caps := map[string][]int64{}
	want := map[string][][2]string{}
	for _, row := range rows {
		p := strings.Split(row, ",")
		c, _ := strconv.ParseInt(p[1], 10, 64)
		policy := strings.ToLower(p[0])
		caps[policy] = append(caps[policy], c)
		want[policy] = append(want[policy], [2]string{p[2], p[3]})
	}
	for policy, cs := range caps {
		for i, r := range SimulateMany(tr, policy, cs, SizeKeep) {
			got := [2]string{strconv.FormatFloat(r.MissRatio, 'f', 4, 64), strconv.FormatFloat(r.ByteMissRatio, 'f', 4, 64)}
			if got != want[policy][i] {
				t.Errorf("%s %d bytes: miss ratio, byte miss ratio %v; libCacheSim %v", policy, cs[i], got, want[policy][i])
			}
			if m := Simulate(tr, policy, cs[i], SizeMiss); m.Misses <= r.Misses {
				t.Errorf("%s %d bytes: a new size as a new version gives %d misses, keeping sizes %d", policy, cs[i], m.Misses, r.Misses)
			}
		}
	}
}

// randomTrace makes a Zipf-like trace with sizes from 1 byte to 64 KiB and
// some objects larger than the small caches.
func randomTrace(n, objects int, seed uint64) *Trace {
	rng := rand.New(rand.NewPCG(seed, 1))
	z := rand.NewZipf(rng, 1.05, 1, uint64(objects-1))
	sizes := make([]int64, objects)
	for i := range sizes {
		sizes[i] = 1 + rng.Int64N(64<<10)
		if rng.IntN(50) == 0 {
			sizes[i] = 200 << 10
		}
	}
	t := &Trace{Objects: objects}
	for i := 0; i < n; i++ {
		x := int32(z.Uint64())
		t.Time = append(t.Time, int64(i))
		t.Obj = append(t.Obj, x)
		t.Size = append(t.Size, sizes[x])
	}
	return t
}

func TestStackDistancesMatchSimulation(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		tr := randomTrace(60_000, 3_000, seed)
		caps := []int64{100 << 10, 150 << 10, 1 << 20, 8 << 20, 64 << 20}
		many := SimulateLRUMany(tr, caps)
		for i, c := range caps {
			one := SimulateLRU(tr, c)
			if one.Misses != many[i].Misses || one.ByteMissRatio != many[i].ByteMissRatio {
				t.Errorf("seed %d cap %d: simulation %d misses (%.6f bytes), stack distances %d (%.6f)", seed, c, one.Misses, one.ByteMissRatio, many[i].Misses, many[i].ByteMissRatio)
			}
		}
	}
}

func TestListPolicyBasics(t *testing.T) {
	// Hand-made: capacity 10; a(4) b(4) a(4) c(4) b(4): LRU evicts b for c,
	// then b misses; FIFO evicts a for c, then b hits.
	tr := &Trace{Time: []int64{0, 1, 2, 3, 4}, Obj: []int32{0, 1, 0, 2, 1}, Size: []int64{4, 4, 4, 4, 4}, Objects: 3}
	if r := SimulateLRU(tr, 10); r.Misses != 4 {
		t.Errorf("LRU misses %d, want 4", r.Misses)
	}
	if r := SimulateFIFO(tr, 10); r.Misses != 3 {
		t.Errorf("FIFO misses %d, want 3", r.Misses)
	}
	// An object larger than the cache is never admitted and evicts nothing.
	tr = &Trace{Time: []int64{0, 1, 2}, Obj: []int32{0, 1, 0}, Size: []int64{4, 40, 4}, Objects: 2}
	if r := SimulateLRU(tr, 10); r.Misses != 2 || SimulateLRUMany(tr, []int64{10})[0].Misses != 2 {
		t.Errorf("big object: %+v", r)
	}
}

// BenchmarkLRU measures single-capacity LRU over an in-memory trace
// (requests/s per core).
func BenchmarkLRU(b *testing.B) {
	tr := randomTrace(2_000_000, 200_000, 9)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		SimulateLRU(tr, 64<<20)
	}
	b.ReportMetric(float64(tr.Len()*b.N)/b.Elapsed().Seconds(), "req/s")
}

func BenchmarkLRUMany8(b *testing.B) {
	tr := randomTrace(2_000_000, 200_000, 9)
	caps := []int64{1 << 20, 4 << 20, 16 << 20, 64 << 20, 256 << 20, 1 << 30, 4 << 30, 16 << 30}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		SimulateLRUMany(tr, caps)
	}
	b.ReportMetric(float64(tr.Len()*b.N)/b.Elapsed().Seconds(), "req/s")
}
