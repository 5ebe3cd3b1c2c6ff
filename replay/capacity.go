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

// SimulateLRU runs a byte-capacity LRU cache: a hit moves the object to the
// front; a miss inserts it, evicting from the back until it fits, unless it
// is larger than the whole cache (then it is not inserted). This is what
// libCacheSim's LRU does with object sizes counted and no metadata.
func SimulateLRU(t *Trace, capacity int64) Result {
	return simulateList(t, capacity, true)
}

// SimulateFIFO is SimulateLRU without the move on hit.
func SimulateFIFO(t *Trace, capacity int64) Result {
	return simulateList(t, capacity, false)
}

func simulateList(t *Trace, capacity int64, lru bool) Result {
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
