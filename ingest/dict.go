package ingest

import (
	"bytes"
	"hash/maphash"

	"github.com/cdnadvise/cdnadvise/internal/store"
)

// dict is the in-memory side of one dictionary table: value -> id, plus the
// values added since the last commit (written with the file's transaction,
// and forgotten again if it rolls back).
//
// Values live back to back in large byte chunks (no allocation and nothing
// for the garbage collector to scan per value) and are found through an
// open-addressing table of (id, 32-bit hash) slots: about 24 bytes per
// value besides its bytes, where a Go map of strings costs several times
// that once allocation rounding and GC headroom are counted (a real log
// has about one distinct query string per two lines).
type dict struct {
	name      store.Dict
	seed      maphash.Seed
	chunks    [][]byte
	off       []int64 // per id: chunk index << 32 | offset in chunk; -1 for no value
	ln        []int32 // per id: length
	tab       []uint64
	used      int   // filled slots of tab
	next      int32 // next id
	committed int32 // ids below are in the store
}

// dictChunk is the size of a value chunk (a longer value gets a chunk of
// its own).
const dictChunk = 1 << 20

func newDict(name store.Dict) *dict {
	return &dict{name: name, seed: maphash.MakeSeed(), tab: make([]uint64, 1024)}
}

// value returns the bytes of id (nil when it has none).
func (d *dict) value(id int32) []byte {
	o := d.off[id]
	if o < 0 {
		return nil
	}
	c, p := o>>32, o&0xffffffff
	return d.chunks[c][p : p+int64(d.ln[id])]
}

// id returns the id of b, adding it when new.
func (d *dict) id(b []byte) int32 {
	h := uint32(maphash.Bytes(d.seed, b))
	mask := len(d.tab) - 1
	i := int(h) & mask
	for ; d.tab[i] != 0; i = (i + 1) & mask {
		if e := d.tab[i]; uint32(e) == h {
			if id := int32(e>>32) - 1; bytes.Equal(d.value(id), b) {
				return id
			}
		}
	}
	id := d.next
	d.next++
	d.store(id, b)
	d.tab[i] = uint64(id+1)<<32 | uint64(h)
	d.used++
	if d.used*2 > len(d.tab) {
		d.rehash(len(d.tab) * 2)
	}
	return id
}

// put records an id read from the store with its value.
func (d *dict) put(id int32, v []byte) {
	if id >= d.next {
		d.next = id + 1
	}
	d.committed = d.next
	d.store(id, v)
	if (d.used+1)*2 > len(d.tab) {
		d.rehash(len(d.tab) * 2)
	}
	d.insert(id)
}

// store copies v into the chunks as id's value.
func (d *dict) store(id int32, v []byte) {
	for int(id) >= len(d.off) {
		d.off, d.ln = append(d.off, -1), append(d.ln, 0)
	}
	n := len(d.chunks)
	if n == 0 || len(d.chunks[n-1])+len(v) > cap(d.chunks[n-1]) {
		d.chunks = append(d.chunks, make([]byte, 0, max(dictChunk, len(v))))
		n++
	}
	c := &d.chunks[n-1]
	d.off[id] = int64(n-1)<<32 | int64(len(*c))
	d.ln[id] = int32(len(v))
	*c = append(*c, v...)
}

// insert adds id's slot to the table.
func (d *dict) insert(id int32) {
	h := uint32(maphash.Bytes(d.seed, d.value(id)))
	mask := len(d.tab) - 1
	i := int(h) & mask
	for d.tab[i] != 0 {
		i = (i + 1) & mask
	}
	d.tab[i] = uint64(id+1)<<32 | uint64(h)
	d.used++
}

// rehash rebuilds the table with size slots.
func (d *dict) rehash(size int) {
	old := d.tab
	d.tab = make([]uint64, size)
	d.used = 0
	mask := size - 1
	for _, e := range old {
		if e == 0 {
			continue
		}
		i := int(uint32(e)) & mask
		for d.tab[i] != 0 {
			i = (i + 1) & mask
		}
		d.tab[i] = e
		d.used++
	}
}

// pending returns the number of values added since the last commit; their
// ids run from committed.
func (d *dict) pending() int { return int(d.next - d.committed) }

// commit marks the pending values as stored.
func (d *dict) commit() { d.committed = d.next }

// rollback forgets the values added since the last commit.
func (d *dict) rollback() {
	if d.next == d.committed {
		return
	}
	// The chunks are truncated back to the first forgotten value, and the
	// table rebuilt without the forgotten ids.
	for id := d.committed; id < d.next; id++ {
		if o := d.off[id]; o >= 0 {
			c, p := o>>32, o&0xffffffff
			d.chunks = d.chunks[:c+1]
			d.chunks[c] = d.chunks[c][:p]
			break
		}
	}
	d.off, d.ln = d.off[:d.committed], d.ln[:d.committed]
	d.next = d.committed
	d.tab = make([]uint64, len(d.tab))
	d.used = 0
	for id := int32(0); id < d.next; id++ {
		if d.off[id] >= 0 {
			d.insert(id)
		}
	}
}
