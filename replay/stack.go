package replay

import (
	"sort"
)

// fenwick is a binary indexed tree of byte sums over time positions.
type fenwick struct {
	t     []int64
	total int64
}

func (f *fenwick) add(i int, v int64) {
	f.total += v
	for i++; i < len(f.t); i += i & -i {
		f.t[i] += v
	}
}

// prefix sums positions 0..i.
func (f *fenwick) prefix(i int) int64 {
	var s int64
	for i++; i > 0; i -= i & -i {
		s += f.t[i]
	}
	return s
}

// build sets the tree from per-position values in O(n).
func (f *fenwick) build(vals []int64) {
	for i := range f.t {
		f.t[i] = 0
	}
	f.total = 0
	for i, v := range vals {
		f.t[i+1] += v
		f.total += v
	}
	for i := 1; i < len(f.t); i++ {
		if j := i + (i & -i); j < len(f.t) {
			f.t[j] += f.t[i]
		}
	}
}

// SimulateLRUMany answers SimulateLRU for many capacities in one pass, from
// byte stack distances: under LRU with "evict until it fits", the cache
// always holds the longest run of most recently used objects that fits, so a
// request hits a cache of capacity C exactly when the bytes of the distinct
// objects used since its previous request, plus its own size, fit in C
// (objects larger than C never enter that cache and are left out of its
// sums). Memory is proportional to distinct objects: time positions are
// renumbered whenever they run out.
func SimulateLRUMany(t *Trace, caps []int64) []Result {
	res := make([]Result, len(caps))
	for i, c := range caps {
		res[i] = Result{Policy: "lru", CapacityBytes: c, Requests: int64(t.Len())}
	}
	n := t.Objects
	m := 2*n + 16
	all := &fenwick{t: make([]int64, m+1)}
	// big[k]: bytes of objects larger than caps[k], to leave out of its sums.
	big := make([]*fenwick, len(caps))
	for k := range caps {
		big[k] = &fenwick{t: make([]int64, m+1)}
	}
	last := make([]int32, n)
	for i := range last {
		last[i] = -1
	}
	objAt := make([]int32, m) // object whose last access is at a position, -1 free
	for i := range objAt {
		objAt[i] = -1
	}
	pos := 0
	var totalBytes int64
	sizeOf := make([]int64, n)
	compact := func() {
		type live struct{ p, x int32 }
		var ls []live
		for p, x := range objAt[:pos] {
			if x >= 0 {
				ls = append(ls, live{int32(p), x})
			}
		}
		sort.Slice(ls, func(i, j int) bool { return ls[i].p < ls[j].p })
		vals := make([]int64, m)
		for i := range objAt {
			objAt[i] = -1
		}
		for i, l := range ls {
			last[l.x] = int32(i)
			objAt[i] = l.x
			vals[i] = sizeOf[l.x]
		}
		all.build(vals)
		for k, c := range caps {
			bv := make([]int64, m)
			for i, l := range ls {
				if s := sizeOf[l.x]; s > c {
					bv[i] = s
				}
			}
			big[k].build(bv)
		}
		pos = len(ls)
	}
	for i, x := range t.Obj {
		s := t.Size[i]
		totalBytes += s
		p := last[x]
		if p >= 0 {
			d := all.total - all.prefix(int(p)) // bytes of the objects used since x
			var bigAfter int64
			for k, c := range caps {
				if s > c {
					res[k].Misses++
					res[k].missBytes += s
					continue
				}
				bigAfter = big[k].total - big[k].prefix(int(p))
				if d-bigAfter+s > c {
					res[k].Misses++
					res[k].missBytes += s
				}
			}
			all.add(int(p), -sizeOf[x])
			for k, c := range caps {
				if sizeOf[x] > c {
					big[k].add(int(p), -sizeOf[x])
				}
			}
			objAt[p] = -1
		} else {
			for k := range caps {
				res[k].Misses++
				res[k].missBytes += s
			}
		}
		if pos == m {
			compact()
		}
		sizeOf[x] = s
		last[x] = int32(pos)
		objAt[pos] = x
		all.add(pos, s)
		for k, c := range caps {
			if s > c {
				big[k].add(pos, s)
			}
		}
		pos++
	}
	for k := range res {
		res[k].bytes = totalBytes
		res[k].finish()
	}
	return res
}
