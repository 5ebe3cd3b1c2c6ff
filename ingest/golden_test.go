package ingest

import (
	"math"
	"strings"
	"testing"
	"time"
)

// view is the comparable form of a Record used by the golden tests: only the
// fields a case names are compared (see check).
type view struct {
	TS                          string
	Method, Host, Path, Query   string
	Status                      int
	Bytes                       int64
	Cache, CacheRaw             string
	Dur, TTFB, Origin           float64 // -1 = unknown
	Pop, RequestID, UA, Referer string
	Client, ContentType         string
}

func viewOf(r *Record) view {
	v := view{
		Method: string(r.Method), Host: string(r.Host), Path: string(r.Path), Query: string(r.Query),
		Status: r.Status, Bytes: r.Bytes, Cache: r.Cache.String(), CacheRaw: string(r.CacheRaw),
		Dur: unk(r.DurationMS), TTFB: unk(r.TTFBMS), Origin: unk(r.OriginMS),
		Pop: string(r.Pop), RequestID: string(r.RequestID), UA: string(r.UserAgent), Referer: string(r.Referer),
		Client: string(r.Client), ContentType: string(r.ContentType),
	}
	if r.HasTS {
		v.TS = time.UnixMicro(r.TS).UTC().Format("2006-01-02T15:04:05.999999Z")
	}
	return v
}

func unk(f float64) float64 {
	if math.IsNaN(f) {
		return -1
	}
	return math.Round(f*1000) / 1000
}

// goldenCase is one line and the record it must give.
type goldenCase struct {
	name string
	line string
	want view
}

// parseOne parses line with p and fails the test on error.
func parseOne(t *testing.T, p Parser, line string) view {
	t.Helper()
	var r Record
	r.Reset()
	if err := p.Parse([]byte(line), &r); err != nil {
		t.Fatalf("parse %q: %v", line, err)
	}
	return viewOf(&r)
}

func checkView(t *testing.T, got, want view) {
	t.Helper()
	if got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func lines(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, l := range s {
		out[i] = []byte(strings.TrimRight(l, "\n"))
	}
	return out
}
