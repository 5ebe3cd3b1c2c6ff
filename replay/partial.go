package replay

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Partial is a sweep's raw counts before any ratio is taken: what one pass
// over a share of the cache keys adds up. Cache keys are independent of
// one another in the model (without a byte capacity), so the partials of
// disjoint key sets that cover all keys merge (Merge) into exactly what one
// sweep over all of them counts, and Result finishes them the same way.
// Percentiles of stale ages come from the merged histograms, exact for
// the histogram they are read from; latencies are means weighted by
// requests, recomputed from the merged counts.
type Partial struct {
	TTLs      []time.Duration `json:"ttls_ns"`
	Endpoints []string        `json:"endpoints"`
	// Cells[endpoint][ttl]: the counts of the endpoint's requests whose
	// keys this partial replayed.
	Cells [][]Cell `json:"cells"`
	// HitMS and MissMS are the observed mean latencies per endpoint over
	// all keys (nil: unknown), the same in every partial of one replay.
	HitMS  []*float64 `json:"hit_ms"`
	MissMS []*float64 `json:"miss_ms"`
	// HitFrom says, per endpoint, where its hit time comes from (HitFrom...
	// constants; "": this route's hits, or unknown).
	HitFrom []string `json:"hit_from,omitempty"`
	// MissQuantiles are, per endpoint, its misses' latency at the
	// percentiles 0 to 100 (nil: none logged), the same in every partial.
	MissQuantiles [][]float64 `json:"miss_quantiles,omitempty"`
	// FirstMS and LastMS are the times of the first and last request
	// replayed; Requests how many (0: none, the times mean nothing).
	FirstMS  int64 `json:"first_ms"`
	LastMS   int64 `json:"last_ms"`
	Requests int64 `json:"requests"`
	// Passes is how many passes over the store the counts took.
	Passes int `json:"passes"`
	// InputRows, in a shard's counts, is how many requests the whole input
	// held (the tier, in the time range): shards of one replay read the
	// same input.
	InputRows int64 `json:"input_rows,omitempty"`
}

// Cell is the raw counts of one endpoint at one TTL.
type Cell struct {
	Requests       int64   `json:"requests"`
	Hits           int64   `json:"hits"`
	StaleServed    int64   `json:"stale_served"`
	Revalidations  int64   `json:"revalidations"`
	Upstream       int64   `json:"upstream"`
	OriginRequests int64   `json:"origin_requests"`
	Bytes          int64   `json:"bytes"`
	HitBytes       int64   `json:"hit_bytes"`
	OriginBytes    int64   `json:"origin_bytes"`
	StaleContent   int64   `json:"stale_content"`
	StaleAges      []int64 `json:"stale_age_log2_ms,omitempty"` // log2 histogram of stale ages (ms), trailing zeros cut
}

func cellOf(o *Outcome) Cell {
	c := Cell{Requests: o.Requests, Hits: o.Hits, StaleServed: o.StaleServed, Revalidations: o.Revalidations, Upstream: o.Upstream,
		OriginRequests: o.OriginRequests, Bytes: o.Bytes, HitBytes: o.HitBytes, OriginBytes: o.OriginBytes, StaleContent: o.StaleContent}
	n := len(o.ages)
	for n > 0 && o.ages[n-1] == 0 {
		n--
	}
	if n > 0 {
		c.StaleAges = slices.Clone(o.ages[:n])
	}
	return c
}

func (c *Cell) add(x *Cell) {
	o, y := c.outcome(), x.outcome()
	o.addCounts(&y)
	*c = cellOf(&o)
}

func (c *Cell) outcome() Outcome {
	o := Outcome{Requests: c.Requests, Hits: c.Hits, StaleServed: c.StaleServed, Revalidations: c.Revalidations, Upstream: c.Upstream,
		OriginRequests: c.OriginRequests, Bytes: c.Bytes, HitBytes: c.HitBytes, OriginBytes: c.OriginBytes, StaleContent: c.StaleContent}
	copy(o.ages[:], c.StaleAges)
	return o
}

// Where the hit time an endpoint's expected latency is drawn from comes
// from: its own hits, else the edge's hits on other routes, else the time
// its misses spend at the edge besides the origin's, else the edge
// profile's stated default.
const (
	HitFromRoute        = "this route's hits"
	HitFromOtherRoutes  = "the edge's hits on other routes, none being logged on this one"
	HitFromMissOverhead = "the edge's own time on misses less the origin's, no hit being logged"
	HitFromEdgeDefault  = "the edge profile's stated hit time, the logs showing no hit and no upstream time"
)

// Partial returns the sweep's raw counts so far. endpoints names the
// endpoint ids; hitMS and missMS (may be nil; NaN: unknown) are the
// observed mean latencies per endpoint.
func (w *Sweeper) Partial(endpoints []string, hitMS, missMS []float64) *Partial {
	n := w.n
	p := &Partial{TTLs: slices.Clone(w.o.TTLs), Endpoints: slices.Clone(endpoints), Cells: make([][]Cell, len(endpoints)),
		HitMS: make([]*float64, len(endpoints)), MissMS: make([]*float64, len(endpoints)), Requests: w.requests, Passes: 1}
	if w.started {
		p.FirstMS, p.LastMS = w.first, w.last
	}
	for e := range endpoints {
		p.Cells[e] = make([]Cell, n)
		if e < w.nEP {
			for k := range n {
				a := &w.acc[e*n+k]
				o := Outcome{Hits: a.Hits, StaleServed: a.StaleServed, Revalidations: a.Revalidations, Upstream: a.Upstream,
					OriginRequests: a.OriginRequests, HitBytes: a.HitBytes, OriginBytes: a.OriginBytes, StaleContent: a.StaleContent, ages: w.ages[e*n+k]}
				o.Requests, o.Bytes = w.epReq[e], w.epBytes[e]
				o.Upstream += w.epPass[e]
				o.OriginRequests += w.epPass[e]
				o.OriginBytes += w.epPassBytes[e]
				p.Cells[e][k] = cellOf(&o)
			}
		}
		if e < len(hitMS) && !math.IsNaN(hitMS[e]) {
			v := hitMS[e]
			p.HitMS[e] = &v
		}
		if e < len(missMS) && !math.IsNaN(missMS[e]) {
			v := missMS[e]
			p.MissMS[e] = &v
		}
	}
	return p
}

// mixtureQuantile is the latency at level q of requests of which a share
// h are hits taking hit ms (faster than any miss) and the rest misses
// whose latency at the percentiles 0..100 is missQ (linear between them).
func mixtureQuantile(q, h, hit float64, missQ []float64) *float64 {
	if q <= h {
		return &hit
	}
	x := (q - h) / (1 - h) * 100
	i := min(int(x), 99)
	v := missQ[i] + (x-float64(i))*(missQ[i+1]-missQ[i])
	return &v
}

// ErrPartialsDiffer: partials of different replays (other TTLs, another
// store or other options) cannot be merged.
var ErrPartialsDiffer = errors.New("the partial results are not of one replay")

// Merge adds x, the counts of other cache keys of the same replay, into p.
func (p *Partial) Merge(x *Partial) error {
	if !slices.Equal(p.TTLs, x.TTLs) {
		return fmt.Errorf("%w: TTLs %v and %v", ErrPartialsDiffer, p.TTLs, x.TTLs)
	}
	if !slices.Equal(p.Endpoints, x.Endpoints) {
		i := 0
		for i < min(len(p.Endpoints), len(x.Endpoints)) && p.Endpoints[i] == x.Endpoints[i] {
			i++
		}
		return fmt.Errorf("%w: their endpoints differ (%d and %d; the first difference at endpoint %d)", ErrPartialsDiffer, len(p.Endpoints), len(x.Endpoints), i+1)
	}
	same := func(a, b []*float64) bool {
		return slices.EqualFunc(a, b, func(u, v *float64) bool { return (u == nil) == (v == nil) && (u == nil || *u == *v) })
	}
	if !same(p.HitMS, x.HitMS) || !same(p.MissMS, x.MissMS) {
		return fmt.Errorf("%w: their observed latencies differ", ErrPartialsDiffer)
	}
	if p.InputRows != x.InputRows {
		return fmt.Errorf("%w: they read different inputs (%d and %d requests): run every shard on the same store or export", ErrPartialsDiffer, p.InputRows, x.InputRows)
	}
	if len(p.Cells) != len(x.Cells) {
		return fmt.Errorf("%w: %d and %d endpoints counted", ErrPartialsDiffer, len(p.Cells), len(x.Cells))
	}
	for e := range x.Cells {
		if len(p.Cells[e]) != len(x.Cells[e]) {
			return fmt.Errorf("%w: endpoint %d has %d and %d TTLs", ErrPartialsDiffer, e, len(p.Cells[e]), len(x.Cells[e]))
		}
		for k := range x.Cells[e] {
			p.Cells[e][k].add(&x.Cells[e][k])
		}
	}
	switch {
	case x.Requests == 0:
	case p.Requests == 0:
		p.FirstMS, p.LastMS = x.FirstMS, x.LastMS
	default:
		p.FirstMS, p.LastMS = min(p.FirstMS, x.FirstMS), max(p.LastMS, x.LastMS)
	}
	p.Requests += x.Requests
	p.Passes += x.Passes
	return nil
}

// Result finishes the counts: ratios, rates over the span replayed,
// stale-age percentiles and the latency to expect, per endpoint and TTL,
// and the totals per TTL.
func (p *Partial) Result() *SweepResult {
	n := len(p.TTLs)
	res := &SweepResult{TTLs: p.TTLs, Endpoints: make([][]Outcome, len(p.Endpoints)), Totals: make([]Outcome, n)}
	res.Minutes = math.Max(float64(p.LastMS-p.FirstMS)/60000, 1.0/60)
	for e, name := range p.Endpoints {
		res.Endpoints[e] = make([]Outcome, n)
		hit, miss := math.NaN(), math.NaN()
		if e < len(p.HitMS) && p.HitMS[e] != nil {
			hit = *p.HitMS[e]
		}
		if e < len(p.MissMS) && p.MissMS[e] != nil {
			miss = *p.MissMS[e]
		}
		for k := range n {
			out := &res.Endpoints[e][k]
			if e < len(p.Cells) && k < len(p.Cells[e]) {
				*out = p.Cells[e][k].outcome()
			}
			out.Endpoint, out.TTL = name, p.TTLs[k]
			out.finish(res.Minutes, hit, miss)
			if out.ObservedHitMS != nil && e < len(p.HitFrom) {
				out.HitMSFrom = p.HitFrom[e]
			}
			if out.ObservedHitMS != nil && e < len(p.MissQuantiles) && p.MissQuantiles[e] != nil {
				out.ExpectedP50MS = mixtureQuantile(0.50, out.HitRatio, *out.ObservedHitMS, p.MissQuantiles[e])
				out.ExpectedP95MS = mixtureQuantile(0.95, out.HitRatio, *out.ObservedHitMS, p.MissQuantiles[e])
			}
			res.Totals[k].add(out)
		}
	}
	for k := range res.Totals {
		res.Totals[k].Endpoint, res.Totals[k].TTL = "(all)", p.TTLs[k]
		res.Totals[k].finish(res.Minutes, math.NaN(), math.NaN())
	}
	return res
}
