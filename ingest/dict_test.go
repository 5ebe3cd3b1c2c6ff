package ingest

import (
	"fmt"
	"testing"

	"github.com/cdnadvise/cdnadvise/internal/store"
)

// TestDict: ids are dense and stable, survive growth of the table and the
// chunks, and a rollback forgets exactly the values since the last commit.
func TestDict(t *testing.T) {
	d := newDict(store.DictQuery)
	d.put(0, []byte("from-the-store"))
	big := make([]byte, dictChunk+10) // a value longer than a chunk
	for i := range big {
		big[i] = 'x'
	}
	want := map[string]int32{"from-the-store": 0}
	for i := 0; i < 50_000; i++ {
		v := fmt.Sprintf("utm_source=s%d&fbclid=%x", i, i*7919)
		if i == 777 {
			v = string(big)
		}
		id := d.id([]byte(v))
		if again := d.id([]byte(v)); again != id {
			t.Fatalf("%q: %d then %d", v, id, again)
		}
		want[v] = id
	}
	if d.next != 50_001 || d.pending() != 50_000 {
		t.Fatalf("next %d, pending %d", d.next, d.pending())
	}
	// The pending values are what the commit writes.
	for v, id := range want {
		if id >= d.committed && string(d.value(id)) != v {
			t.Fatalf("pending %d: %.20q, want %.20q", id, d.value(id), v)
		}
	}
	d.commit()
	for i := 0; i < 1000; i++ {
		d.id([]byte(fmt.Sprintf("rolled-back-%d", i)))
	}
	d.rollback()
	if d.next != 50_001 || d.pending() != 0 {
		t.Fatalf("after rollback: next %d, pending %d", d.next, d.pending())
	}
	for v, id := range want {
		if got := d.id([]byte(v)); got != id {
			t.Fatalf("%.20q: id %d, want %d", v, got, id)
		}
	}
	if id := d.id([]byte("rolled-back-5")); id != 50_001 {
		t.Errorf("a forgotten value came back as %d", id)
	}
}
