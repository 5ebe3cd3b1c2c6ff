package replay

// Result is the outcome of one cache configuration over a trace.
type Result struct {
	Policy        string  `json:"policy"`
	CapacityBytes int64   `json:"capacity_bytes"`
	Requests      int64   `json:"requests"`
	Misses        int64   `json:"misses"`
	MissRatio     float64 `json:"miss_ratio"`
	ByteMissRatio float64 `json:"byte_miss_ratio"`
	missBytes     int64
	bytes         int64
}

func (r *Result) finish() {
	if r.Requests > 0 {
		r.MissRatio = float64(r.Misses) / float64(r.Requests)
	}
	if r.bytes > 0 {
		r.ByteMissRatio = float64(r.missBytes) / float64(r.bytes)
	}
}

// list is an intrusive doubly linked list over dense object ids (-1 = none),
// the cache state of LRU and FIFO: head is the most recently inserted/used.
type list struct {
	prev, next []int32
	in         []bool
	head, tail int32
}

func newList(n int) *list {
	l := &list{prev: make([]int32, n), next: make([]int32, n), in: make([]bool, n), head: -1, tail: -1}
	return l
}

func (l *list) pushFront(x int32) {
	l.prev[x], l.next[x] = -1, l.head
	if l.head >= 0 {
		l.prev[l.head] = x
	} else {
		l.tail = x
	}
	l.head = x
	l.in[x] = true
}

func (l *list) remove(x int32) {
	p, n := l.prev[x], l.next[x]
	if p >= 0 {
		l.next[p] = n
	} else {
		l.head = n
	}
	if n >= 0 {
		l.prev[n] = p
	} else {
		l.tail = p
	}
	l.in[x] = false
}

// SizeChange says what a request for a cached object with another size
// than the cached copy's is.
type SizeChange int

const (
	// SizeKeep: a hit; the cached copy keeps the size it was inserted with.
	// libCacheSim finds a cached object by id alone (cache_get_base in its
	// cache/cache.c), so this reproduces it.
	SizeKeep SizeChange = iota
	// SizeMiss: the HTTP meaning, a new size is a new version of the
	// object: a miss, and the new copy replaces the old.
	SizeMiss
)

// SimulateLRU runs a byte-capacity LRU cache: a hit moves the object to the
// front; a miss inserts it, evicting from the back until it fits, unless it
// is larger than the whole cache (then it is not inserted). This is what
// libCacheSim's LRU does with object sizes counted and no metadata.
func SimulateLRU(t *Trace, capacity int64) Result {
	return simulateList(t, capacity, true, SizeKeep)
}

// SimulateFIFO is SimulateLRU without the move on hit.
func SimulateFIFO(t *Trace, capacity int64) Result {
	return simulateList(t, capacity, false, SizeKeep)
}

// Simulate runs one byte-capacity cache ("lru" or "fifo") with the given
// meaning of a size change.
func Simulate(t *Trace, policy string, capacity int64, sc SizeChange) Result {
	return simulateList(t, capacity, policy == "lru", sc)
}

// SimulateMany runs caps capacities of a policy: LRU over a trace whose
// objects keep one size in one pass from stack distances; otherwise (a size
// change makes each capacity's cached copies differ) one cache at a time.
func SimulateMany(t *Trace, policy string, caps []int64, sc SizeChange) []Result {
	if policy == "lru" && !t.SizeChanges() {
		return SimulateLRUMany(t, caps)
	}
	out := make([]Result, len(caps))
	for i, c := range caps {
		out[i] = Simulate(t, policy, c, sc)
	}
	return out
}

func simulateList(t *Trace, capacity int64, lru bool, sc SizeChange) Result {
	res := Result{Policy: "fifo", CapacityBytes: capacity, Requests: int64(t.Len())}
	if lru {
		res.Policy = "lru"
	}
	l := newList(t.Objects)
	size := make([]int64, t.Objects) // size of the cached copy
	var used int64
	obj, sz := t.Obj, t.Size
	for i, x := range obj {
		s := sz[i]
		res.bytes += s
		if l.in[x] && sc == SizeMiss && size[x] != s {
			// Another version: the old copy goes, the new one is fetched.
			l.remove(x)
			used -= size[x]
		}
		if l.in[x] {
			if lru && l.head != x {
				l.remove(x)
				l.pushFront(x)
			}
			continue
		}
		res.Misses++
		res.missBytes += s
		if s > capacity {
			continue
		}
		for used+s > capacity {
			v := l.tail
			l.remove(v)
			used -= size[v]
		}
		l.pushFront(x)
		size[x] = s
		used += s
	}
	res.finish()
	return res
}
