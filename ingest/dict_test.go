package ingest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/cdnadvise/cdnadvise/internal/loggen"
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

// TestBoundedDictionaries: with dictionaries bounded far below the
// distinct values of the logs (realistic shape: most query strings
// distinct), two runs (the second on an appended file) store exactly what
// unbounded dictionaries store: every request with its strings, each
// string once in its dictionary.
func TestBoundedDictionaries(t *testing.T) {
	dir := t.TempDir()
	var first, more bytes.Buffer
	if err := loggen.Realistic(&first, loggen.Options{Lines: 6000, Seed: 3, URLs: 800}); err != nil {
		t.Fatal(err)
	}
	if err := loggen.Realistic(&more, loggen.Options{Lines: 3000, Seed: 4, URLs: 800}); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "access.log")
	ingestAll := func(st *store.Store, limit int) {
		t.Helper()
		if _, err := Run(context.Background(), st, Options{Inputs: []Input{{Path: log}}, DictLimit: limit, MaxRejectRatio: 0.01}); err != nil {
			t.Fatal(err)
		}
	}
	bounded, unbounded := openStore(t, filepath.Join(dir, "b.duckdb")), openStore(t, filepath.Join(dir, "u.duckdb"))
	os.WriteFile(log, first.Bytes(), 0o644)
	ingestAll(bounded, 100)
	ingestAll(unbounded, 0)
	f, _ := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0)
	f.Write(more.Bytes())
	f.Close()
	ingestAll(bounded, 100)
	ingestAll(unbounded, 0)
	if n := queryInt(t, bounded, "SELECT count(DISTINCT query) FROM requests"); n < 1000 {
		t.Fatalf("%d distinct query strings: the bound of 100 is not exceeded", n)
	}
	for _, d := range store.Dicts() {
		if dup := queryInt(t, bounded, "SELECT count(*) - count(DISTINCT value) FROM "+d.Table()); dup != 0 {
			t.Errorf("%s holds %d values twice", d.Table(), dup)
		}
	}
	const rows = `SELECT string_agg(x, '|' ORDER BY x) FROM (SELECT concat_ws(' ', ts, method, host, path, query, status, bytes, user_agent, referer, etag) AS x FROM requests)`
	var a, b string
	if err := bounded.DB.QueryRow(rows).Scan(&a); err != nil {
		t.Fatal(err)
	}
	if err := unbounded.DB.QueryRow(rows).Scan(&b); err != nil {
		t.Fatal(err)
	}
	if a != b || len(a) < 1000 {
		t.Errorf("the bounded store's requests differ from the unbounded store's (%d and %d bytes)", len(a), len(b))
	}
	// The ids of one string are one: grouping by id is grouping by string.
	if n, m := queryInt(t, bounded, "SELECT count(DISTINCT query_id) FROM requests_raw"), queryInt(t, bounded, "SELECT count(DISTINCT query) FROM requests"); n != m {
		t.Errorf("%d query ids for %d query strings", n, m)
	}
}
