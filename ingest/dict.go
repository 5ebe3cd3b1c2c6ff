package ingest

import (
	"github.com/cdnadvise/cdnadvise/internal/store"
	"github.com/zeebo/xxh3"
)

// dict is the in-memory side of one dictionary table: value -> id, plus the
// values added since the last commit (written with the file's transaction,
// and forgotten again if it rolls back).
//
// A value is known by a 96-bit hash of it (XXH3-128, 64 + 32 bits; the
// chance that two of 20 million distinct values share one is below
// 10^-14): the table holds 16 bytes per value, and values themselves are
// kept only until they are committed to the store (in large byte chunks,
// nothing for the garbage collector to scan). A real log has about one
// distinct query string per two lines, so keeping every value in memory,
// as a Go map of strings did, cost hundreds of megabytes.
//
// A dictionary may be bounded (limit): past limit values, a new value gets
// a fresh id without entering the table, so that a value seen again gets
// another id, and the store's dictionary holds it twice; spilled says so,
// and the loader merges the duplicates in DuckDB at the end of the run
// (loader.dedupe), where memory is DuckDB's, bounded and spilling to disk.
type dict struct {
	name  store.Dict
	limit int // most values in the table (0: no bound)
	// spilled: some value got an id without entering the table since the
	// store's dictionary was last merged.
	spilled bool
	// tab slots: [0] the hash's low 64 bits, [1] its next 32 bits << 32 |
	// id+1 (0: empty).
	tab       [][2]uint64
	used      int
	next      int32 // next id
	committed int32 // ids below are committed to the store
	// pend holds the values not yet handed to the store (inserted in the
	// file's transaction as rows are, so that memory stays bounded).
	pend *values
}

// dictChunk is the size of a value chunk (a longer value gets a chunk of
// its own).
const dictChunk = 1 << 20

func newDict(name store.Dict) *dict {
	return &dict{name: name, tab: make([][2]uint64, 1024), pend: &values{}}
}

// slotOf finds b's slot: where it is, or the empty slot it would take.
func (d *dict) slotOf(b []byte) (i int, lo, hi32 uint64, found bool) {
	h := xxh3.Hash128(b)
	lo, hi32 = h.Lo, h.Hi>>32
	mask := len(d.tab) - 1
	for i = int(lo) & mask; d.tab[i][1] != 0; i = (i + 1) & mask {
		if s := d.tab[i]; s[0] == lo && s[1]>>32 == hi32 {
			return i, lo, hi32, true
		}
	}
	return i, lo, hi32, false
}

// id returns the id of b, adding it when new.
func (d *dict) id(b []byte) int32 {
	i, lo, hi32, found := d.slotOf(b)
	if found {
		return int32(uint32(d.tab[i][1])) - 1
	}
	id := d.next
	d.next++
	d.keep(b)
	if d.full() {
		d.spilled = true
		return id
	}
	d.tab[i] = [2]uint64{lo, hi32<<32 | uint64(uint32(id+1))}
	d.grow()
	return id
}

// full reports whether the table holds as many values as it may.
func (d *dict) full() bool { return d.limit > 0 && d.used >= d.limit }

// put records an id read from the store with its value (not kept).
func (d *dict) put(id int32, v []byte) {
	if id >= d.next {
		d.next = id + 1
	}
	d.committed = d.next
	d.pend.first = d.next
	if d.full() {
		d.spilled = true
		return
	}
	i, lo, hi32, found := d.slotOf(v)
	if !found {
		d.tab[i] = [2]uint64{lo, hi32<<32 | uint64(uint32(id+1))}
		d.grow()
	}
}

// grow counts a new slot and doubles the table past 3/4 full.
func (d *dict) grow() {
	d.used++
	if d.used*4 <= len(d.tab)*3 {
		return
	}
	old := d.tab
	d.tab = make([][2]uint64, 2*len(old))
	mask := len(d.tab) - 1
	for _, s := range old {
		if s[1] == 0 {
			continue
		}
		i := int(s[0]) & mask
		for d.tab[i][1] != 0 {
			i = (i + 1) & mask
		}
		d.tab[i] = s
	}
}

// keep copies a new value into the pending chunks.
func (d *dict) keep(v []byte) {
	d.pend.add(v)
}

// values is a run of dictionary values with consecutive ids from first,
// back to back in chunks.
type values struct {
	first  int32
	chunks [][]byte
	off    []int64 // chunk index << 32 | offset
	ln     []int32
}

func (vs *values) add(v []byte) {
	n := len(vs.chunks)
	if n == 0 || len(vs.chunks[n-1])+len(v) > cap(vs.chunks[n-1]) {
		vs.chunks = append(vs.chunks, make([]byte, 0, max(dictChunk, len(v))))
		n++
	}
	c := &vs.chunks[n-1]
	vs.off = append(vs.off, int64(n-1)<<32|int64(len(*c)))
	vs.ln = append(vs.ln, int32(len(v)))
	*c = append(*c, v...)
}

func (vs *values) len() int { return len(vs.off) }

// at returns the k-th value of the run.
func (vs *values) at(k int) []byte {
	o := vs.off[k]
	c, p := o>>32, o&0xffffffff
	return vs.chunks[c][p : p+int64(vs.ln[k])]
}

// value returns the bytes of an id not yet handed to the store.
func (d *dict) value(id int32) []byte { return d.pend.at(int(id - d.pend.first)) }

// pending returns the number of values added since they were last handed
// to the store; their ids run from pend.first.
func (d *dict) pending() int { return d.pend.len() }

// take hands the pending values over (to be inserted in the file's
// transaction) and lets the dictionary forget them: their ids stay in the
// table, and a rollback removes them.
func (d *dict) take() *values {
	vs := d.pend
	d.pend = &values{first: d.next}
	return vs
}

// commit marks every id as stored.
func (d *dict) commit() {
	d.committed = d.next
}

// rollback forgets the values added since the last commit.
func (d *dict) rollback() {
	if d.next == d.committed {
		return
	}
	mask := len(d.tab) - 1
	kept := make([][2]uint64, len(d.tab))
	d.used = 0
	for _, s := range d.tab {
		if s[1] == 0 || int32(uint32(s[1]))-1 >= d.committed {
			continue
		}
		i := int(s[0]) & mask
		for kept[i][1] != 0 {
			i = (i + 1) & mask
		}
		kept[i] = s
		d.used++
	}
	d.tab = kept
	d.next = d.committed
	d.pend = &values{first: d.next}
}
