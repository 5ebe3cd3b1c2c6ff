package replay

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// req is one request of a hand-made stream: time in ms, cache entry,
// content id, flags.
type req struct {
	t     int64
	state int32
	c     int32
	flags uint8
}

func stream(reqs []req, changes map[int32][]int64) *Stream {
	s := &Stream{Endpoints: []string{"/x"}, HitMS: []float64{2}, MissMS: []float64{100}}
	for _, r := range reqs {
		s.TimeMS = append(s.TimeMS, r.t)
		s.State = append(s.State, r.state)
		s.Content = append(s.Content, r.c)
		s.Endpoint = append(s.Endpoint, 0)
		s.Size = append(s.Size, 1000)
		s.Flags = append(s.Flags, r.flags)
		s.NStates = max(s.NStates, int(r.state)+1)
		s.NContent = max(s.NContent, int(r.c)+1)
	}
	s.Changes = make([][]int64, s.NContent)
	for c, ch := range changes {
		s.Changes[c] = ch
	}
	return s
}

func one(t *testing.T, s *Stream, o SweepOptions) Outcome {
	t.Helper()
	r := Sweep(s, o)
	return r.Endpoints[0][0]
}

func generic() Profile { return Profiles()["generic"] }

func TestFreshnessRules(t *testing.T) {
	sec := func(v float64) int64 { return int64(v * 1000) }
	cases := []struct {
		name string
		reqs []req
		ch   map[int32][]int64
		o    SweepOptions
		want Outcome // compared: Hits, StaleServed, Revalidations, OriginRequests, StaleContent, OriginBytes
	}{
		{
			// fresh while age < TTL: 0 miss, 5 hit, 9.999 hit, 10 expired (revalidated), 15 hit, 21 expired.
			name: "ttl exact clock",
			reqs: []req{{sec(0), 0, 0, 0}, {sec(5), 0, 0, 0}, {sec(9.999), 0, 0, 0}, {sec(10), 0, 0, 0}, {sec(15), 0, 0, 0}, {sec(21), 0, 0, 0}},
			o:    SweepOptions{TTLs: []time.Duration{10 * time.Second}, Profile: generic()},
			want: Outcome{Hits: 3, Revalidations: 2, OriginRequests: 3, OriginBytes: 1000},
		},
		{
			// nginx: filled during second 0 with T=5, HIT through second 5, expired at 6.0.
			name: "whole-second clock",
			reqs: []req{{sec(0.2), 0, 0, 0}, {sec(5.9), 0, 0, 0}, {sec(6.0), 0, 0, 0}},
			o:    SweepOptions{TTLs: []time.Duration{5 * time.Second}, Profile: Profiles()["nginx"]},
			want: Outcome{Hits: 1, Revalidations: 1, OriginRequests: 2, OriginBytes: 1000},
		},
		{
			// TTL 10 s + stale-while-revalidate 20 s: 0 miss; 15 stale (refresh, fill=15);
			// 20 fresh; 40 stale (refresh, fill=40); 100 expired beyond the window.
			name: "stale-while-revalidate",
			reqs: []req{{sec(0), 0, 0, 0}, {sec(15), 0, 0, 0}, {sec(20), 0, 0, 0}, {sec(40), 0, 0, 0}, {sec(100), 0, 0, 0}},
			o:    SweepOptions{TTLs: []time.Duration{10 * time.Second}, SWR: 20 * time.Second, Profile: generic()},
			want: Outcome{Hits: 3, StaleServed: 2, Revalidations: 3, OriginRequests: 4, OriginBytes: 1000},
		},
		{
			// Varnish: no stale-while-revalidate in the header, default grace 10 s applies.
			name: "varnish grace",
			reqs: []req{{sec(0), 0, 0, 0}, {sec(12), 0, 0, 0}, {sec(40), 0, 0, 0}},
			o:    SweepOptions{TTLs: []time.Duration{5 * time.Second}, Profile: Profiles()["varnish"]},
			want: Outcome{Hits: 1, StaleServed: 1, Revalidations: 2, OriginRequests: 3, OriginBytes: 1000},
		},
		{
			// Varnish turns the header's stale-while-revalidate (30 s) into
			// the object's grace: the request at 35 s is served stale, not a
			// miss as with the 10 s default grace.
			name: "varnish grace from stale-while-revalidate",
			reqs: []req{{sec(0), 0, 0, 0}, {sec(35), 0, 0, 0}, {sec(100), 0, 0, 0}},
			o:    SweepOptions{TTLs: []time.Duration{10 * time.Second}, SWRByTTL: []time.Duration{30 * time.Second}, Profile: Profiles()["varnish"]},
			want: Outcome{Hits: 1, StaleServed: 1, Revalidations: 2, OriginRequests: 3, OriginBytes: 1000},
		},
		{
			// The same without it: the default grace (10 s) has run out at 35 s.
			name: "varnish default grace",
			reqs: []req{{sec(0), 0, 0, 0}, {sec(35), 0, 0, 0}, {sec(100), 0, 0, 0}},
			o:    SweepOptions{TTLs: []time.Duration{10 * time.Second}, Profile: Profiles()["varnish"]},
			want: Outcome{Hits: 0, Revalidations: 2, OriginRequests: 3, OriginBytes: 1000},
		},
		{
			// stale-if-error 60 s hides an origin error at 30 s; without it the error passes.
			name: "stale-if-error",
			reqs: []req{{sec(0), 0, 0, 0}, {sec(30), 0, 0, FlagOriginError}, {sec(31), 0, 0, 0}},
			o:    SweepOptions{TTLs: []time.Duration{10 * time.Second}, SIE: 60 * time.Second, Profile: generic()},
			want: Outcome{Hits: 1, StaleServed: 1, Revalidations: 1, OriginRequests: 3, OriginBytes: 1000},
		},
		{
			name: "error without stale-if-error is not stored",
			reqs: []req{{sec(0), 0, 0, FlagOriginError}, {sec(1), 0, 0, 0}, {sec(2), 0, 0, 0}},
			o:    SweepOptions{TTLs: []time.Duration{10 * time.Second}, Profile: generic()},
			want: Outcome{Hits: 1, OriginRequests: 2, OriginBytes: 2000},
		},
		{
			name: "uncacheable and TTL 0 always reach the origin",
			reqs: []req{{sec(0), 0, 0, FlagUncacheable}, {sec(1), 0, 0, FlagUncacheable}, {sec(2), 1, 1, 0}, {sec(3), 1, 1, 0}},
			o:    SweepOptions{TTLs: []time.Duration{0}, Profile: generic()},
			want: Outcome{OriginRequests: 4, OriginBytes: 4000},
		},
		{
			// Content changes at 7 s. TTL 10 s: the hit at 8 s serves the old copy (stale by 1 s).
			name: "stale content",
			reqs: []req{{sec(0), 0, 0, 0}, {sec(8), 0, 0, 0}, {sec(9), 0, 0, 0}},
			ch:   map[int32][]int64{0: {sec(7)}},
			o:    SweepOptions{TTLs: []time.Duration{10 * time.Second}, Profile: generic()},
			want: Outcome{Hits: 2, StaleContent: 2, OriginRequests: 1, OriginBytes: 1000},
		},
		{
			// Revalidating unchanged content is a 304: an origin request without a body.
			name: "revalidation of unchanged content",
			reqs: []req{{sec(0), 0, 0, 0}, {sec(20), 0, 0, 0}},
			ch:   map[int32][]int64{0: nil},
			o:    SweepOptions{TTLs: []time.Duration{10 * time.Second}, Profile: generic()},
			want: Outcome{Revalidations: 1, OriginRequests: 2, OriginBytes: 1000},
		},
		{
			// Content changed at 15 s: the revalidation at 20 s transfers the new body.
			name: "revalidation of changed content",
			reqs: []req{{sec(0), 0, 0, 0}, {sec(20), 0, 0, 0}},
			ch:   map[int32][]int64{0: {sec(15)}},
			o:    SweepOptions{TTLs: []time.Duration{10 * time.Second}, Profile: generic()},
			want: Outcome{Revalidations: 1, OriginRequests: 2, OriginBytes: 2000},
		},
		{
			// Two PoPs (entries 0 and 1) share content 0 behind a shield: the second PoP's miss is a shield hit.
			name: "shield",
			reqs: []req{{sec(0), 0, 0, 0}, {sec(1), 1, 0, 0}, {sec(2), 1, 0, 0}},
			o:    SweepOptions{TTLs: []time.Duration{10 * time.Second}, Profile: generic(), Shield: true},
			want: Outcome{Hits: 1, OriginRequests: 1, OriginBytes: 1000},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := one(t, stream(c.reqs, c.ch), c.o)
			g := Outcome{Hits: got.Hits, StaleServed: got.StaleServed, Revalidations: got.Revalidations, OriginRequests: got.OriginRequests,
				StaleContent: got.StaleContent, OriginBytes: got.OriginBytes}
			if g != c.want {
				t.Errorf("got  %+v\nwant %+v", g, c.want)
			}
		})
	}
}

func TestSweepManyTTLsEqualsOneByOne(t *testing.T) {
	tr := randomTrace(50_000, 2_000, 3)
	s := &Stream{Endpoints: []string{"a", "b"}, NStates: tr.Objects, NContent: tr.Objects,
		Changes: make([][]int64, tr.Objects)}
	for i := range tr.Obj {
		s.TimeMS = append(s.TimeMS, int64(i)*37)
		s.State = append(s.State, tr.Obj[i])
		s.Content = append(s.Content, tr.Obj[i])
		s.Endpoint = append(s.Endpoint, tr.Obj[i]%2)
		s.Size = append(s.Size, tr.Size[i])
		s.Flags = append(s.Flags, uint8(i%97/96))
	}
	for c := 0; c < tr.Objects; c += 7 {
		s.Changes[c] = []int64{int64(c) * 500, int64(c) * 900}
	}
	ttls := []time.Duration{0, 10 * time.Second, time.Minute, 5 * time.Minute, time.Hour, Infinite}
	all := Sweep(s, SweepOptions{TTLs: ttls, SWR: 30 * time.Second, Profile: generic()})
	for k, d := range ttls {
		single := Sweep(s, SweepOptions{TTLs: []time.Duration{d}, SWR: 30 * time.Second, Profile: generic()})
		a, b := all.Totals[k], single.Totals[0]
		if a.Hits != b.Hits || a.OriginRequests != b.OriginRequests || a.StaleContent != b.StaleContent {
			t.Errorf("TTL %v: swept %+v, alone %+v", d, a, b)
		}
	}
	// More TTL, more hits; infinite TTL: every repeat is a hit.
	for k := 1; k < len(ttls); k++ {
		if all.Totals[k].Hits < all.Totals[k-1].Hits {
			t.Errorf("hits fell from %d to %d between %v and %v", all.Totals[k-1].Hits, all.Totals[k].Hits, ttls[k-1], ttls[k])
		}
	}
	if all.Totals[0].Hits != 0 || math.IsNaN(all.Totals[1].HitRatio) {
		t.Errorf("TTL 0: %+v", all.Totals[0])
	}
}

func TestParseTTL(t *testing.T) {
	for in, want := range map[string]time.Duration{"0": 0, "10": 10 * time.Second, "30s": 30 * time.Second, "5m": 5 * time.Minute,
		"1h": time.Hour, "1d": 24 * time.Hour, "2w": 14 * 24 * time.Hour, "inf": Infinite, "1.5": 1500 * time.Millisecond} {
		if got, err := ParseTTL(in); err != nil || got != want {
			t.Errorf("ParseTTL(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "-5", "abc", "5x"} {
		if _, err := ParseTTL(bad); err == nil {
			t.Errorf("ParseTTL(%q) accepted", bad)
		}
	}
}

// TestCapacityMatchesListSimulation: with an infinite TTL, a bounded cache in
// the freshness model is the byte-capacity LRU/FIFO of SimulateLRU/FIFO.
func TestCapacityMatchesListSimulation(t *testing.T) {
	tr := randomTrace(40_000, 3_000, 5)
	s := &Stream{Endpoints: []string{"x"}, NStates: tr.Objects, NContent: tr.Objects}
	for i := range tr.Obj {
		s.TimeMS = append(s.TimeMS, int64(i))
		s.State = append(s.State, tr.Obj[i])
		s.Content = append(s.Content, tr.Obj[i])
		s.Endpoint = append(s.Endpoint, 0)
		s.Size = append(s.Size, tr.Size[i])
		s.Flags = append(s.Flags, 0)
	}
	for _, c := range []int64{150 << 10, 1 << 20, 8 << 20} {
		for _, fifo := range []bool{false, true} {
			got := Sweep(s, SweepOptions{TTLs: []time.Duration{Infinite}, Profile: generic(), Capacity: c, FIFO: fifo}).Totals[0]
			want := SimulateLRU(tr, c)
			if fifo {
				want = SimulateFIFO(tr, c)
			}
			if got.Requests-got.Hits != want.Misses {
				t.Errorf("capacity %d fifo %v: %d misses, simulation %d", c, fifo, got.Requests-got.Hits, want.Misses)
			}
		}
	}
	// Two PoPs of capacity C each hold more than one of C.
	s.Instance = make([]int32, len(s.State))
	for i := range s.Instance {
		s.Instance[i] = int32(i % 2)
		s.State[i] = s.State[i]*2 + int32(i%2)
	}
	s.NStates *= 2
	two := Sweep(s, SweepOptions{TTLs: []time.Duration{Infinite}, Profile: generic(), Capacity: 1 << 20}).Totals[0]
	if two.Hits == 0 || two.Requests != int64(len(s.State)) {
		t.Errorf("per-PoP capacity: %+v", two)
	}
}

// TestChangesOf: content changes are the first responses of new versions,
// except versions that alternate with another (variants of one content).
func TestChangesOf(t *testing.T) {
	seq := func(vs ...int64) []versionAt {
		out := make([]versionAt, len(vs))
		for i, v := range vs {
			out[i] = versionAt{int64(i), v}
		}
		return out
	}
	for _, c := range []struct {
		name string
		seq  []versionAt
		want []int64
	}{
		{"never changes", seq(1, 1, 1), nil},
		{"changes twice", seq(1, 1, 2, 2, 3), []int64{2, 4}},
		{"gzip and identity alternate", seq(1, 1, 2, 1, 1, 2, 1), nil},
		{"a revert is not counted again", seq(1, 2, 2, 1), []int64{1}},
		{"alternation then a new version", seq(1, 2, 1, 2, 3, 3), []int64{4}},
		{"one response", seq(5), nil},
	} {
		if got := changesOf(c.seq); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestFillTimesWiden: fill times are kept in 4 bytes while the stream spans
// less than 49 days and move to 8 when it grows longer, keeping what was
// cached.
func TestFillTimesWiden(t *testing.T) {
	day := int64(24 * time.Hour / time.Millisecond)
	w := NewSweeper(SweepOptions{TTLs: []time.Duration{2 * 24 * time.Hour, Infinite}, Profile: Profiles()["generic"]}, nil)
	batch := func(ts ...int64) *Batch {
		b := &Batch{}
		for _, t := range ts {
			b.TimeMS, b.State, b.Content, b.Endpoint = append(b.TimeMS, t), append(b.State, 0), append(b.Content, 0), append(b.Endpoint, 0)
			b.Size, b.Flags = append(b.Size, 100), append(b.Flags, 0)
		}
		return b
	}
	w.Add(batch(5, day))
	if w.wide {
		t.Fatal("a one-day stream took 8 bytes per fill time")
	}
	w.Add(batch(60*day, 60*day+1000))
	if !w.wide {
		t.Fatal("a 60-day stream kept 4 bytes per fill time")
	}
	res := w.Result([]string{"/a"}, nil, nil)
	// 2 days: a miss, a hit a day later, a miss 59 days later, a hit. inf: one miss.
	if got := []int64{res.Totals[0].Hits, res.Totals[1].Hits}; got[0] != 2 || got[1] != 3 {
		t.Errorf("hits at 2d and inf: %v, want [2 3]", got)
	}
}
