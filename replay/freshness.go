package replay

import (
	"math"
	"sort"
	"strconv"
	"time"
)

// Request flags of a Stream.
const (
	// FlagUncacheable: a shared cache never stores this response (non-GET/HEAD,
	// private or no-store, Set-Cookie, Authorization, a status not cacheable
	// by default): it always goes to the origin.
	FlagUncacheable uint8 = 1 << iota
	// FlagOriginError: the origin answered 5xx; a fresh (or stale-if-error)
	// copy hides it, otherwise the error is passed on and not stored.
	FlagOriginError
)

// Stream is a request stream in time order, as the freshness model reads it.
type Stream struct {
	TimeMS   []int64
	State    []int32 // cache entry: one per (cache instance, cache key)
	Content  []int32 // cache key without the instance (shield entry, content versions); -1 unknown
	Endpoint []int32
	Size     []int64
	Flags    []uint8

	NStates, NContent int
	Endpoints         []string
	// Changes[c] lists, ascending, the times (ms) at which content c was seen
	// to change at the origin (size or ETag differs from the previous origin
	// response); Observed[c] says whether c was seen at the origin at all.
	Changes  [][]int64
	Observed []bool
	// HitMS and MissMS are the observed mean latencies per endpoint (NaN:
	// unknown), used for the latency to expect.
	HitMS, MissMS []float64
}

// Len is the number of requests.
func (s *Stream) Len() int { return len(s.TimeMS) }

// SweepOptions configure a sweep.
type SweepOptions struct {
	TTLs []time.Duration // shared-cache TTLs (s-maxage) to try; 0 = not cached
	// SWR and SIE are the stale-while-revalidate and stale-if-error windows
	// the Cache-Control would carry (0: none; the profile's grace applies).
	SWR, SIE time.Duration
	Profile  Profile
	// Shield adds one shared cache between the edge caches and the origin.
	Shield bool
}

// Outcome is what one TTL does to one endpoint (or to all, in totals).
type Outcome struct {
	Endpoint string        `json:"endpoint"`
	TTL      time.Duration `json:"-"`
	TTLText  string        `json:"ttl"`

	Requests       int64 `json:"requests"`
	Hits           int64 `json:"hits"`         // served from cache, fresh or stale
	StaleServed    int64 `json:"stale_served"` // of which served stale (stale-while-revalidate, grace, stale-if-error)
	Revalidations  int64 `json:"revalidations"`
	Upstream       int64 `json:"upstream_requests"` // requests the edge sent upstream (shield or origin)
	OriginRequests int64 `json:"origin_requests"`
	Bytes          int64 `json:"bytes"`
	HitBytes       int64 `json:"hit_bytes"`
	OriginBytes    int64 `json:"origin_bytes"`
	// StaleContent counts responses served from cache that were older than
	// the newest content at the origin.
	StaleContent int64 `json:"stale_content"`

	HitRatio       float64  `json:"hit_ratio"`
	ByteHitRatio   float64  `json:"byte_hit_ratio"`
	OriginPerMin   float64  `json:"origin_requests_per_minute"`
	StaleShare     float64  `json:"stale_share"`
	StaleAgeP50    *float64 `json:"stale_age_p50_s"`
	StaleAgeP95    *float64 `json:"stale_age_p95_s"`
	ExpectedMS     *float64 `json:"expected_latency_ms"`
	ObservedHitMS  *float64 `json:"observed_hit_ms,omitempty"`
	ObservedMissMS *float64 `json:"observed_miss_ms,omitempty"`

	ages      ageHist
	latWeight int64
}

// ageHist is a log2 histogram of stale ages in milliseconds.
type ageHist [48]int64

func (h *ageHist) add(ms int64) {
	b := 0
	for v := ms; v > 0 && b < len(h)-1; v >>= 1 {
		b++
	}
	h[b]++
}

// quantile returns an estimate (seconds) of the q-quantile: the geometric
// middle of the bucket it falls in.
func (h *ageHist) quantile(q float64) *float64 {
	var n int64
	for _, c := range h {
		n += c
	}
	if n == 0 {
		return nil
	}
	target := int64(math.Ceil(q * float64(n)))
	var run int64
	for b, c := range h {
		run += c
		if run >= target {
			lo, hi := 0.0, 1.0
			if b > 0 {
				lo, hi = math.Ldexp(1, b-1), math.Ldexp(1, b)
			}
			v := math.Sqrt(math.Max(lo, 0.5)*hi) / 1000
			return &v
		}
	}
	return nil
}

// SweepResult holds the outcomes per endpoint and TTL, and totals per TTL.
type SweepResult struct {
	TTLs      []time.Duration
	Endpoints [][]Outcome // [endpoint][ttl]
	Totals    []Outcome   // [ttl]
	Minutes   float64     // span of the stream
}

const never = math.MinInt64

// Sweep replays the stream once for all TTLs: every cache entry keeps one
// fill time per TTL, so the cost is one pass with a small loop per request,
// and memory is proportional to cache entries times TTLs.
func Sweep(s *Stream, o SweepOptions) *SweepResult {
	n := len(o.TTLs)
	p := o.Profile
	ttl := make([]int64, n)
	stale := make([]int64, n)
	sie := int64(0)
	if p.HonorsSIE {
		sie = o.SIE.Milliseconds()
	}
	for k, d := range o.TTLs {
		v := d
		if v > 0 && v < Infinite {
			if p.MinTTL > 0 && v < time.Duration(p.MinTTL) {
				v = time.Duration(p.MinTTL)
			}
			if p.MaxTTL > 0 && v > time.Duration(p.MaxTTL) {
				v = time.Duration(p.MaxTTL)
			}
		}
		if v >= Infinite {
			ttl[k] = math.MaxInt64 / 4
		} else {
			ttl[k] = v.Milliseconds()
		}
		switch {
		case o.SWR > 0 && p.HonorsSWR:
			stale[k] = o.SWR.Milliseconds()
		default:
			stale[k] = time.Duration(p.DefaultGrace).Milliseconds()
		}
		if p.StaleWhileUpdating {
			stale[k] = math.MaxInt64 / 4
		}
	}
	nEP := len(s.Endpoints)
	acc := make([]Outcome, nEP*n)
	fill := make([]int64, s.NStates*n)
	for i := range fill {
		fill[i] = never
	}
	var shield []int64
	if o.Shield {
		shield = make([]int64, s.NContent*n)
		for i := range shield {
			shield[i] = never
		}
	}
	fresh := func(t, f, life int64) bool {
		if p.ClockSeconds {
			return floorDiv(t, 1000) <= floorDiv(f, 1000)+life/1000
		}
		return t-f < life
	}
	// upstream sends one request to the shield or origin; it reports whether
	// the origin was reached.
	upstream := func(c int32, k int, t int64) bool {
		if shield == nil || c < 0 {
			return true
		}
		sf := &shield[int(c)*n+k]
		if *sf != never && fresh(t, *sf, ttl[k]) {
			return false
		}
		*sf = t
		return true
	}
	changedSince := func(c int32, f, t int64) (int64, bool) {
		if c < 0 || int(c) >= len(s.Changes) {
			return 0, false
		}
		ch := s.Changes[c]
		j := sort.Search(len(ch), func(i int) bool { return ch[i] > f })
		if j < len(ch) && ch[j] <= t {
			return ch[j], true
		}
		return 0, false
	}
	for i, t := range s.TimeMS {
		st, c, ep, sz, fl := s.State[i], s.Content[i], s.Endpoint[i], s.Size[i], s.Flags[i]
		row := acc[int(ep)*n : int(ep)*n+n]
		for k := 0; k < n; k++ {
			a := &row[k]
			a.Requests++
			a.Bytes += sz
			if fl&FlagUncacheable != 0 || ttl[k] <= 0 {
				a.Upstream++
				a.OriginRequests++
				a.OriginBytes += sz
				continue
			}
			fp := &fill[int(st)*n+k]
			served := int64(never) // fill time of the copy served from cache
			switch {
			case *fp != never && fresh(t, *fp, ttl[k]):
				served = *fp
			case *fp != never && stale[k] > 0 && fresh(t, *fp, ttl[k]+stale[k]):
				// Served stale; one background refresh goes upstream.
				served = *fp
				a.StaleServed++
				a.Upstream++
				a.Revalidations++
				if upstream(c, k, t) {
					a.OriginRequests++
					if _, changed := changedSince(c, *fp, t); changed || c < 0 || !s.Observed[c] {
						a.OriginBytes += sz
					}
				}
				*fp = t
			case *fp != never && fl&FlagOriginError != 0 && sie > 0 && fresh(t, *fp, ttl[k]+sie):
				// stale-if-error hides the origin's error.
				served = *fp
				a.StaleServed++
				a.Upstream++
				if upstream(c, k, t) {
					a.OriginRequests++
				}
			default:
				// Miss, or an expired copy revalidated with a conditional request.
				a.Upstream++
				reached := upstream(c, k, t)
				if reached {
					a.OriginRequests++
				}
				if *fp != never {
					a.Revalidations++
					if _, changed := changedSince(c, *fp, t); reached && (changed || c < 0 || !s.Observed[c]) {
						a.OriginBytes += sz
					}
				} else if reached {
					a.OriginBytes += sz
				}
				if fl&FlagOriginError == 0 {
					*fp = t
				} else {
					*fp = never
				}
				continue
			}
			a.Hits++
			a.HitBytes += sz
			if at, changed := changedSince(c, served, t); changed {
				a.StaleContent++
				a.ages.add(t - at)
			}
		}
	}
	res := &SweepResult{TTLs: o.TTLs, Endpoints: make([][]Outcome, nEP), Totals: make([]Outcome, n)}
	if len(s.TimeMS) > 1 {
		res.Minutes = math.Max(float64(s.TimeMS[len(s.TimeMS)-1]-s.TimeMS[0])/60000, 1.0/60)
	} else {
		res.Minutes = 1.0 / 60
	}
	for e := 0; e < nEP; e++ {
		res.Endpoints[e] = acc[e*n : e*n+n]
		for k := range res.Endpoints[e] {
			out := &res.Endpoints[e][k]
			out.Endpoint, out.TTL = s.Endpoints[e], o.TTLs[k]
			hit, miss := math.NaN(), math.NaN()
			if e < len(s.HitMS) {
				hit, miss = s.HitMS[e], s.MissMS[e]
			}
			out.finish(res.Minutes, hit, miss)
			res.Totals[k].add(out)
		}
	}
	for k := range res.Totals {
		res.Totals[k].Endpoint, res.Totals[k].TTL = "(all)", o.TTLs[k]
		res.Totals[k].finish(res.Minutes, math.NaN(), math.NaN())
	}
	return res
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func (o *Outcome) add(x *Outcome) {
	o.Requests += x.Requests
	o.Hits += x.Hits
	o.StaleServed += x.StaleServed
	o.Revalidations += x.Revalidations
	o.Upstream += x.Upstream
	o.OriginRequests += x.OriginRequests
	o.Bytes += x.Bytes
	o.HitBytes += x.HitBytes
	o.OriginBytes += x.OriginBytes
	o.StaleContent += x.StaleContent
	for i := range o.ages {
		o.ages[i] += x.ages[i]
	}
	if x.ExpectedMS != nil {
		// Totals: request-weighted mean of the endpoints' expectations.
		v := 0.0
		if o.ExpectedMS != nil {
			v = *o.ExpectedMS
		}
		v += *x.ExpectedMS * float64(x.Requests)
		o.ExpectedMS = &v
		o.latWeight += x.Requests
	}
}

func (o *Outcome) finish(minutes, hitMS, missMS float64) {
	o.TTLText = FormatTTL(o.TTL)
	if o.Requests > 0 {
		o.HitRatio = float64(o.Hits) / float64(o.Requests)
		o.StaleShare = float64(o.StaleContent) / float64(o.Requests)
	}
	if o.Bytes > 0 {
		o.ByteHitRatio = float64(o.HitBytes) / float64(o.Bytes)
	}
	o.OriginPerMin = float64(o.OriginRequests) / minutes
	o.StaleAgeP50, o.StaleAgeP95 = o.ages.quantile(0.5), o.ages.quantile(0.95)
	if o.latWeight > 0 && o.ExpectedMS != nil {
		v := *o.ExpectedMS / float64(o.latWeight)
		o.ExpectedMS = &v
		return
	}
	if !math.IsNaN(missMS) {
		h := hitMS
		if math.IsNaN(h) {
			h = missMS // no hit observed yet: no gain assumed
		} else {
			o.ObservedHitMS = &hitMS
		}
		o.ObservedMissMS = &missMS
		v := o.HitRatio*h + (1-o.HitRatio)*missMS
		o.ExpectedMS = &v
	}
}

// FormatTTL prints a TTL the way --ttl reads it.
func FormatTTL(d time.Duration) string {
	switch {
	case d >= Infinite:
		return "inf"
	case d == 0:
		return "0"
	case d%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return d.String()
}
