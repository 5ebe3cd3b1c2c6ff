package replay

import (
	"math"
	"math/bits"
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
	Instance []int32 // cache instance (PoP) per request, for capacities; nil: one

	NStates, NContent int
	Endpoints         []string
	// Changes[c] lists, ascending, the times (ms) at which content c was seen
	// to change at the origin (size or ETag differs from the previous origin
	// response).
	Changes [][]int64
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
	// SWRByTTL, when it has one entry per TTL, is the stale-while-revalidate
	// the header would carry at each TTL (the advice sends one that grows
	// with the TTL); it replaces SWR.
	SWRByTTL []time.Duration
	Profile  Profile
	// Shield adds one shared cache between the edge caches and the origin.
	Shield bool
	// Capacity bounds each edge cache (per PoP) in bytes, 0: unbounded.
	// Objects larger than the cache are not admitted.
	Capacity int64
	// FIFO evicts in insertion order instead of least recently used.
	FIFO bool
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

	HitRatio     float64  `json:"hit_ratio"`
	ByteHitRatio float64  `json:"byte_hit_ratio"`
	OriginPerMin float64  `json:"origin_requests_per_minute"`
	StaleShare   float64  `json:"stale_share"`
	StaleAgeP50  *float64 `json:"stale_age_p50_s"`
	StaleAgeP95  *float64 `json:"stale_age_p95_s"`
	ExpectedMS   *float64 `json:"expected_latency_ms"`
	// ExpectedP50MS and ExpectedP95MS are the latency percentiles to
	// expect: hits at the hit time, misses as logged (their distribution).
	ExpectedP50MS *float64 `json:"expected_latency_p50_ms,omitempty"`
	ExpectedP95MS *float64 `json:"expected_latency_p95_ms,omitempty"`
	ObservedHitMS *float64 `json:"observed_hit_ms,omitempty"`
	// HitMSFrom says where ObservedHitMS, the hit time ExpectedMS assumes,
	// comes from (HitFromRoute ...).
	HitMSFrom      string   `json:"hit_ms_from,omitempty"`
	ObservedMissMS *float64 `json:"observed_miss_ms,omitempty"`

	ages      ageHist
	latWeight int64
}

// tally is what the replay counts per endpoint and TTL (see Outcome), in
// 64 bytes.
type tally struct {
	Hits, StaleServed, Revalidations, Upstream, OriginRequests, HitBytes, OriginBytes, StaleContent int64
}

// ageHist is a log2 histogram of stale ages in milliseconds.
type ageHist [48]int64

func (h *ageHist) add(ms int64) {
	b := 0
	if ms > 0 {
		b = min(bits.Len64(uint64(ms)), len(h)-1)
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

// Sweeper replays a request stream for many TTLs at once. Requests arrive in
// batches (Add), in time order; every cache entry keeps one fill time per
// TTL, so memory is proportional to cache entries times TTLs, never to
// requests, and the TTLs are split between two goroutines.
type Sweeper struct {
	o          SweepOptions
	n          int
	ttl, stale []int64
	sie        int64
	clockSec   bool

	// The fill time of each entry and TTL: when the copy was filled (never:
	// not cached); the first content change after it, which tells whether a
	// hit serves old content, is looked up in the content's changes (most
	// keys have none). Kept in 4 bytes (ms since base, +1; 0: never) while
	// the stream spans less than 49 days, else in 8 (wide). In two parts,
	// the halves of the TTLs, when they are replayed in parallel (see fills).
	parts  []fills
	wide   bool
	base   int64
	shield []int64
	// Per [endpoint*n + ttl]: the counts (one cache line each: the replay
	// touches one per TTL and request) and, apart, the stale ages.
	acc  []tally
	ages []ageHist
	// Per endpoint, the same for every TTL: requests, bytes, and the
	// uncacheable requests that always reach the origin.
	epReq, epBytes, epPass, epPassBytes []int64
	nEP                                 int

	changes changeTimes
	// recent[i]: for request i of the batch being replayed, the last two
	// changes of its content at or before its time (never: none).
	recent []lastChanges

	// With a capacity: per TTL, one list per cache instance (PoP) over the
	// entries it holds, [entry*n + ttl] links, and bytes used per
	// [instance*n + ttl].
	prev, nxt  []int32
	esize      []int64
	inst       []int32 // instance of each entry
	head, tail []int32
	used       []int64
	nInstances int

	first, last int64
	started     bool
	requests    int64
}

// fills holds the fill times of the TTLs [k0, k0+width) of every entry, at
// [entry*width + ttl-k0]. The two halves of the TTLs, replayed in
// parallel, each have their own: in one array they would write the same
// cache lines from two cores (each entry's 64 bytes), and wait on each
// other for them.
type fills struct {
	k0, width int
	f32       []uint32
	f64       []int64 // once wide
}

// changeTimes are the change times of each content key, ascending: those
// of c are t[start[c]:start[c+1]] (one flat array: a content key costs 8
// bytes, not a slice header).
type changeTimes struct {
	start []int
	t     []int64
}

// flatChanges flattens per-content change lists.
func flatChanges(changes [][]int64) changeTimes {
	c := changeTimes{start: make([]int, len(changes)+1)}
	total := 0
	for i, ch := range changes {
		c.start[i] = total
		total += len(ch)
	}
	c.start[len(changes)] = total
	c.t = make([]int64, 0, total)
	for _, ch := range changes {
		c.t = append(c.t, ch...)
	}
	return c
}

// of returns content c's change times (none for an unknown c).
func (c *changeTimes) of(i int32) []int64 {
	if i < 0 || int(i) >= len(c.start)-1 {
		return nil
	}
	return c.t[c.start[i]:c.start[i+1]]
}

// NewSweeper prepares a sweep. changes lists content changes per content
// id (see Stream).
func NewSweeper(o SweepOptions, changes [][]int64) *Sweeper {
	return newSweeper(o, flatChanges(changes))
}

func newSweeper(o SweepOptions, changes changeTimes) *Sweeper {
	n := len(o.TTLs)
	p := o.Profile
	w := &Sweeper{o: o, n: n, ttl: make([]int64, n), stale: make([]int64, n), clockSec: p.ClockSeconds, changes: changes}
	if n >= 2 && o.Capacity <= 0 {
		w.parts = []fills{{k0: 0, width: n / 2}, {k0: n / 2, width: n - n/2}}
	} else {
		// One part: a capacity's lists are indexed as its fill times.
		w.parts = []fills{{k0: 0, width: n}}
	}
	if p.HonorsSIE {
		w.sie = o.SIE.Milliseconds()
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
			w.ttl[k] = math.MaxInt64 / 4
		} else {
			w.ttl[k] = v.Milliseconds()
		}
		swr := o.SWR
		if len(o.SWRByTTL) == len(o.TTLs) {
			swr = o.SWRByTTL[k]
		}
		switch {
		case swr > 0 && p.HonorsSWR && !p.SWRNeedsBackgroundUpdate:
			w.stale[k] = swr.Milliseconds()
		default:
			w.stale[k] = time.Duration(p.DefaultGrace).Milliseconds()
		}
		if p.StaleWhileUpdating {
			w.stale[k] = math.MaxInt64 / 4
		}
	}
	return w
}

// Reserve sizes the state for this many cache entries and content keys
// (optional: Add grows it as needed).
func (w *Sweeper) Reserve(entries, contents int) {
	w.growFill(entries)
	if w.o.Capacity > 0 {
		w.prev, w.nxt, w.esize = make([]int32, 0, entries*w.n), make([]int32, 0, entries*w.n), make([]int64, 0, entries*w.n)
	}
	if w.o.Shield {
		w.shield = grow(w.shield, contents*w.n)
	}
}

// Batch is a slice of requests for Add (columns as in Stream).
type Batch struct {
	TimeMS   []int64
	State    []int32
	Instance []int32 // cache instance (PoP) of each request's entry; nil: one
	Content  []int32
	Endpoint []int32
	Size     []int64
	Flags    []uint8
}

func (b *Batch) reset() {
	b.Instance = b.Instance[:0]
	b.TimeMS, b.State, b.Content, b.Endpoint, b.Size, b.Flags = b.TimeMS[:0], b.State[:0], b.Content[:0], b.Endpoint[:0], b.Size[:0], b.Flags[:0]
}

// growCap is the capacity a state array of capacity c grows to for need
// elements: double while small, then by a quarter (when the number of
// entries is not known ahead, the last growth should not double the
// largest part of the replay's memory).
func growCap(c, need int) int {
	if c < 1<<20 {
		return max(need, 2*c)
	}
	return max(need, c+c/4)
}

// grow extends a to need elements (doubling), new ones set to never.
func grow(a []int64, need int) []int64 {
	if len(a) >= need {
		return a
	}
	if cap(a) < need {
		b := make([]int64, len(a), growCap(cap(a), need))
		copy(b, a)
		a = b
	}
	old := len(a)
	a = a[:need]
	for i := old; i < need; i++ {
		a[i] = never
	}
	return a
}

// Add replays a batch.
func (w *Sweeper) Add(b *Batch) {
	if len(b.TimeMS) == 0 {
		return
	}
	if !w.started {
		w.first, w.base, w.started = b.TimeMS[0], b.TimeMS[0], true
	}
	w.last = b.TimeMS[len(b.TimeMS)-1]
	w.requests += int64(len(b.TimeMS))
	maxState, maxContent, maxEP := int32(-1), int32(-1), int32(-1)
	minT, maxT := b.TimeMS[0], b.TimeMS[0]
	for i := range b.State {
		maxState = max(maxState, b.State[i])
		maxContent = max(maxContent, b.Content[i])
		maxEP = max(maxEP, b.Endpoint[i])
		minT, maxT = min(minT, b.TimeMS[i]), max(maxT, b.TimeMS[i])
	}
	// Times out of order (a trace file) may fall before the first one.
	if !w.wide && (maxT-w.base >= math.MaxUint32-1 || minT <= w.base-1) {
		w.widen()
	}
	w.growFill(int(maxState) + 1)
	if w.o.Capacity > 0 {
		w.growLists(int(maxState)+1, b)
	}
	if w.o.Shield {
		w.shield = grow(w.shield, (int(maxContent)+1)*w.n)
	}
	for int(maxEP) >= w.nEP {
		w.acc, w.ages = append(w.acc, make([]tally, w.n)...), append(w.ages, make([]ageHist, w.n)...)
		w.epReq, w.epBytes = append(w.epReq, 0), append(w.epBytes, 0)
		w.epPass, w.epPassBytes = append(w.epPass, 0), append(w.epPassBytes, 0)
		w.nEP++
	}
	w.findChanges(b)
	for i, ep := range b.Endpoint {
		w.epReq[ep]++
		w.epBytes[ep] += b.Size[i]
		if b.Flags[i]&FlagUncacheable != 0 {
			w.epPass[ep]++
			w.epPassBytes[ep] += b.Size[i]
		}
	}
	if len(w.parts) == 1 {
		w.run(b, &w.parts[0])
		return
	}
	// The two halves of the TTLs: each touches only its own fill times and
	// counts.
	w.halves(len(b.TimeMS), func() { w.run(b, &w.parts[0]) }, func() { w.run(b, &w.parts[1]) })
}

// halves runs first and second, two halves of the work on a batch of n
// requests: at once when the TTLs are replayed in two parts and the batch
// is large enough to pay for a goroutine, else one after the other.
func (w *Sweeper) halves(n int, first, second func()) {
	if len(w.parts) == 1 || n < 4096 {
		first()
		second()
		return
	}
	done := make(chan struct{})
	go func() {
		second()
		close(done)
	}()
	first()
	<-done
}

// fresh reports whether a copy filled at f is still fresh at t for life ms.
func (w *Sweeper) fresh(t, f, life int64) bool {
	if w.clockSec {
		return floorDiv(t, 1000) <= floorDiv(f, 1000)+life/1000
	}
	return t-f < life
}

// findChanges fills w.recent for the batch, in two halves at once when
// the TTLs are replayed in parallel too (a lookup per request, most of
// them cache misses).
func (w *Sweeper) findChanges(b *Batch) {
	n := len(b.Content)
	if cap(w.recent) < n {
		w.recent = make([]lastChanges, n)
	}
	w.recent = w.recent[:n]
	find := func(i0, i1 int) {
		for i := i0; i < i1; i++ {
			w.recent[i] = w.lastChanges(b.Content[i], b.TimeMS[i])
		}
	}
	w.halves(n, func() { find(0, n/2) }, func() { find(n/2, n) })
}

// lastChanges are a content's last two changes at or before a time
// (never: none).
type lastChanges struct{ last, prev int64 }

// lastChanges returns content c's last two changes at or before t.
func (w *Sweeper) lastChanges(c int32, t int64) lastChanges {
	r := lastChanges{never, never}
	ch := w.changes.of(c)
	if len(ch) == 0 || ch[0] > t {
		return r // most keys: no change, or none yet
	}
	j := firstAfter(ch, t)
	r.last = ch[j-1]
	if j >= 2 {
		r.prev = ch[j-2]
	}
	return r
}

// firstAfter returns the index of the first of the ascending times ch
// after t (len(ch): none); a plain loop, without sort.Search's call per
// step, since the sweep runs it per request.
func firstAfter(ch []int64, t int64) int {
	lo, hi := 0, len(ch)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ch[m] <= t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// changeAfter returns content c's first change after f; the caller knows
// there is one.
func (w *Sweeper) changeAfter(c int32, f int64) int64 {
	ch := w.changes.of(c)
	return ch[firstAfter(ch, f)]
}

// upstream sends one request from the edge to the shield or the origin and
// reports whether the origin was reached.
func (w *Sweeper) upstream(c int32, k int, t int64) bool {
	if w.shield == nil || c < 0 {
		return true
	}
	sf := &w.shield[int(c)*w.n+k]
	if *sf != never && w.fresh(t, *sf, w.ttl[k]) {
		return false
	}
	*sf = t
	return true
}

// run replays a batch for the TTLs of part p.
func (w *Sweeper) run(b *Batch, p *fills) {
	n := w.n
	k0, k1 := p.k0, p.k0+p.width
	for i, t := range b.TimeMS {
		st, c, ep, sz, fl := b.State[i], b.Content[i], b.Endpoint[i], b.Size[i], b.Flags[i]
		if fl&FlagUncacheable != 0 {
			continue // counted once per endpoint in Add
		}
		row := w.acc[int(ep)*n : int(ep)*n+n]
		base := int(st)*p.width - k0
		last, prev := w.recent[i].last, w.recent[i].prev
		for k := k0; k < k1; k++ {
			a := &row[k]
			ttl := w.ttl[k]
			if ttl <= 0 {
				a.Upstream++
				a.OriginRequests++
				a.OriginBytes += sz
				continue
			}
			fi := base + k
			f := w.fillAt(p, fi)
			// The first change after the fill, when it is not after t (only
			// then does it matter).
			np := int64(never)
			switch {
			case f == never || last <= f:
			case prev <= f:
				np = last
			default:
				np = w.changeAfter(c, f)
			}
			// A refresh of a stored copy is a conditional request: it carries a
			// body only when the content is known to have changed since.
			body := np != never && np <= t
			var servedNext int64
			switch {
			case f != never && w.fresh(t, f, ttl):
				servedNext = np
				w.touch(st, k)
			case f != never && w.stale[k] > 0 && w.fresh(t, f, ttl+w.stale[k]):
				// Served stale; one background refresh goes upstream.
				servedNext = np
				a.StaleServed++
				a.Upstream++
				a.Revalidations++
				if w.upstream(c, k, t) {
					a.OriginRequests++
					if body {
						a.OriginBytes += sz
					}
				}
				w.setFill(p, fi, t)
				w.touch(st, k)
			case f != never && fl&FlagOriginError != 0 && w.sie > 0 && w.fresh(t, f, ttl+w.sie):
				// stale-if-error hides the origin's error.
				servedNext = np
				a.StaleServed++
				a.Upstream++
				if w.upstream(c, k, t) {
					a.OriginRequests++
				}
			default:
				// Miss, or an expired copy revalidated with a conditional request.
				a.Upstream++
				reached := w.upstream(c, k, t)
				if reached {
					a.OriginRequests++
				}
				if f != never {
					a.Revalidations++
					if reached && body {
						a.OriginBytes += sz
					}
				} else if reached {
					a.OriginBytes += sz
				}
				if fl&FlagOriginError == 0 {
					w.setFill(p, fi, t)
					w.admit(st, k, sz)
				} else {
					w.setFill(p, fi, never)
					w.drop(st, k)
				}
				continue
			}
			a.Hits++
			a.HitBytes += sz
			if servedNext != never && servedNext <= t {
				a.StaleContent++
				w.ages[int(ep)*n+k].add(t - servedNext)
			}
		}
	}
}

// growLists extends the capacity bookkeeping to entries entries, learning
// each new entry's cache instance from the batch.
func (w *Sweeper) growLists(entries int, b *Batch) {
	n := w.n
	for len(w.inst) < entries {
		w.inst = append(w.inst, 0)
	}
	for len(w.prev) < entries*n {
		w.prev, w.nxt, w.esize = append(w.prev, -2), append(w.nxt, -2), append(w.esize, 0) // -2: not in the cache
	}
	for i, st := range b.State {
		in := int32(0)
		if i < len(b.Instance) {
			in = b.Instance[i]
		}
		w.inst[st] = in
		for int(in) >= w.nInstances {
			for k := 0; k < n; k++ {
				w.head, w.tail, w.used = append(w.head, -1), append(w.tail, -1), append(w.used, 0)
			}
			w.nInstances++
		}
	}
}

func (w *Sweeper) unlink(st int32, k int) {
	n := w.n
	i := int(st)*n + k
	h := int(w.inst[st])*n + k
	p, x := w.prev[i], w.nxt[i]
	if p >= 0 {
		w.nxt[int(p)*n+k] = x
	} else {
		w.head[h] = x
	}
	if x >= 0 {
		w.prev[int(x)*n+k] = p
	} else {
		w.tail[h] = p
	}
	w.prev[i], w.nxt[i] = -2, -2
}

func (w *Sweeper) pushFront(st int32, k int) {
	n := w.n
	i := int(st)*n + k
	h := int(w.inst[st])*n + k
	w.prev[i], w.nxt[i] = -1, w.head[h]
	if w.head[h] >= 0 {
		w.prev[int(w.head[h])*n+k] = st
	} else {
		w.tail[h] = st
	}
	w.head[h] = st
}

// touch records a hit on an entry (LRU moves it to the front).
func (w *Sweeper) touch(st int32, k int) {
	if w.o.Capacity <= 0 || w.o.FIFO || w.prev[int(st)*w.n+k] == -2 {
		return
	}
	w.unlink(st, k)
	w.pushFront(st, k)
}

// admit stores a (re)filled entry, evicting until it fits; an object larger
// than the cache is not admitted.
func (w *Sweeper) admit(st int32, k int, size int64) {
	if w.o.Capacity <= 0 {
		return
	}
	n := w.n
	i := int(st)*n + k
	h := int(w.inst[st])*n + k
	if w.prev[i] != -2 { // already cached: a refill
		w.used[h] += size - w.esize[i]
		w.esize[i] = size
		w.touch(st, k)
	} else {
		if size > w.o.Capacity {
			w.setFill(&w.parts[0], i, never)
			return
		}
		w.esize[i] = size
		w.used[h] += size
		w.pushFront(st, k)
	}
	for w.used[h] > w.o.Capacity && w.tail[h] >= 0 {
		v := w.tail[h]
		if v == st && w.head[h] == st {
			break
		}
		w.drop(v, k)
	}
}

// drop evicts an entry.
func (w *Sweeper) drop(st int32, k int) {
	if w.o.Capacity <= 0 {
		return
	}
	i := int(st)*w.n + k
	if w.prev[i] == -2 {
		return
	}
	w.used[int(w.inst[st])*w.n+k] -= w.esize[i]
	w.unlink(st, k)
	w.setFill(&w.parts[0], i, never)
}

// fillAt returns the fill time of slot i of part p (never: not cached).
func (w *Sweeper) fillAt(p *fills, i int) int64 {
	if w.wide {
		return p.f64[i]
	}
	v := p.f32[i]
	if v == 0 {
		return never
	}
	return w.base + int64(v) - 1
}

// setFill records a fill time (or never) in slot i of part p.
func (w *Sweeper) setFill(p *fills, i int, t int64) {
	switch {
	case w.wide:
		p.f64[i] = t
	case t == never:
		p.f32[i] = 0
	default:
		p.f32[i] = uint32(t - w.base + 1)
	}
}

// growFill extends the fill times to hold this many entries, new ones
// never.
func (w *Sweeper) growFill(entries int) {
	for i := range w.parts {
		p := &w.parts[i]
		need := entries * p.width
		if w.wide {
			p.f64 = grow(p.f64, need)
			continue
		}
		if len(p.f32) >= need {
			continue
		}
		if cap(p.f32) < need {
			b := make([]uint32, len(p.f32), growCap(cap(p.f32), need))
			copy(b, p.f32)
			p.f32 = b
		}
		p.f32 = p.f32[:need] // zero: never (a reused tail was zeroed by widen or never used)
	}
}

// widen moves the fill times to 8 bytes each: the stream outgrew 49 days.
func (w *Sweeper) widen() {
	for i := range w.parts {
		p := &w.parts[i]
		p.f64 = make([]int64, len(p.f32))
		for j := range p.f32 {
			p.f64[j] = w.fillAt(p, j)
		}
		p.f32 = nil
	}
	w.wide = true
}

// Result finishes the sweep. endpoints names the endpoint ids; hitMS and
// missMS (may be nil) are observed mean latencies per endpoint.
func (w *Sweeper) Result(endpoints []string, hitMS, missMS []float64) *SweepResult {
	return w.Partial(endpoints, hitMS, missMS).Result()
}

// Sweep replays a whole in-memory stream (see Sweeper).
func Sweep(s *Stream, o SweepOptions) *SweepResult {
	w := NewSweeper(o, s.Changes)
	const chunk = 1 << 16
	for i := 0; i < s.Len(); i += chunk {
		j := min(i+chunk, s.Len())
		var inst []int32
		if len(s.Instance) > 0 {
			inst = s.Instance[i:j]
		}
		w.Add(&Batch{Instance: inst, TimeMS: s.TimeMS[i:j], State: s.State[i:j], Content: s.Content[i:j], Endpoint: s.Endpoint[i:j], Size: s.Size[i:j], Flags: s.Flags[i:j]})
	}
	return w.Result(s.Endpoints, s.HitMS, s.MissMS)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// add adds x's counts and its share of the expected latency (totals).
func (o *Outcome) add(x *Outcome) {
	o.addCounts(x)
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

// addCounts adds x's raw counts and stale-age histogram.
func (o *Outcome) addCounts(x *Outcome) {
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
