// Package replay runs request streams through a model of an HTTP cache to
// predict what other TTLs, cache sizes and cache-key policies would do:
// byte-capacity LRU and FIFO caches (checked against libCacheSim), and a
// freshness model (RFC 9111 TTLs, stale-while-revalidate, stale-if-error,
// per-PoP or shared caches, vendor profiles) swept over many TTLs in one
// pass.
package replay

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/klauspost/compress/gzip"
)

// Trace is an in-memory columnar request stream: object ids are dense
// (0..Objects-1) so that cache state lives in flat arrays.
type Trace struct {
	Time    []int64 // seconds (as given)
	Obj     []int32
	Size    []int64 // bytes of each request's object
	Objects int     // distinct objects
}

// Len is the number of requests.
func (t *Trace) Len() int { return len(t.Obj) }

// ReadTraceCSV reads a trace "time,obj_id,obj_size" with a header line
// (gzip-compressed or not, told by content).
func ReadTraceCSV(path string) (*Trace, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	t, err := parseTrace(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

func parseTrace(r io.Reader) (*Trace, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	ids := map[string]int32{}
	t := &Trace{}
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		f := bytes.Split(b, []byte(","))
		if line == 1 {
			if len(f) >= 3 && string(bytes.TrimSpace(f[1])) == "obj_id" {
				continue
			}
			if _, err := strconv.ParseFloat(string(f[0]), 64); err != nil {
				return nil, fmt.Errorf("line 1: expected the header time,obj_id,obj_size or a request, got %q", b)
			}
		}
		if len(f) < 3 {
			return nil, fmt.Errorf("line %d: want time,obj_id,obj_size, got %q", line, b)
		}
		ts, err := strconv.ParseFloat(string(bytes.TrimSpace(f[0])), 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: time %q: %w", line, f[0], err)
		}
		size, err := strconv.ParseInt(string(bytes.TrimSpace(f[2])), 10, 64)
		if err != nil || size < 0 {
			return nil, fmt.Errorf("line %d: obj_size %q is not a byte count", line, f[2])
		}
		key := bytes.TrimSpace(f[1])
		id, ok := ids[string(key)]
		if !ok {
			id = int32(len(ids))
			ids[string(key)] = id
		}
		t.Time = append(t.Time, int64(ts))
		t.Obj = append(t.Obj, id)
		t.Size = append(t.Size, size)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(t.Obj) == 0 {
		return nil, errors.New("no requests")
	}
	t.Objects = len(ids)
	return t, nil
}

// Stream turns a trace into a stream for the freshness model: one endpoint,
// one cache, object ids as cache keys, times in seconds.
func (t *Trace) Stream() *Stream {
	s := &Stream{Endpoints: []string{"(trace)"}, NStates: t.Objects, NContent: t.Objects,
		TimeMS: make([]int64, t.Len()), State: t.Obj, Content: t.Obj, Endpoint: make([]int32, t.Len()),
		Size: t.Size, Flags: make([]uint8, t.Len())}
	for i, v := range t.Time {
		s.TimeMS[i] = v * 1000
	}
	return s
}

// SizeChanges reports whether some object is requested with more than one
// size.
func (t *Trace) SizeChanges() bool {
	first := make([]int64, t.Objects)
	for i := range first {
		first[i] = -1
	}
	for i, x := range t.Obj {
		switch s := t.Size[i]; {
		case first[x] < 0:
			first[x] = s
		case first[x] != s:
			return true
		}
	}
	return false
}
