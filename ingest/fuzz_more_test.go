package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// moreFuzzCheck parses line with p and checks the contract: no panic, an
// error that says something, and on success a path and sane numbers.
func moreFuzzCheck(t *testing.T, p Parser, line []byte) {
	var r Record
	r.Reset()
	err := p.Parse(line, &r)
	switch {
	case errors.Is(err, ErrNoRequest):
	case err != nil:
		if err.Error() == "" {
			t.Fatalf("empty error for %q", line)
		}
	default:
		if len(r.Path) == 0 != r.BadRequest || r.BadRequest && len(r.Method)+len(r.Query) > 0 {
			t.Fatalf("parsed %q: path %q, bad request %v: %+v", line, r.Path, r.BadRequest, viewOf(&r))
		}
		if r.Status < 0 || r.Status > 999 || r.Bytes < -1 {
			t.Fatalf("parsed %q: status %d bytes %d", line, r.Status, r.Bytes)
		}
	}
}

// moreFuzz runs a fuzz target for the format of key: the parser opened on
// the sample head, and the format opened on the fuzzed line itself.
func moreFuzz(f *testing.F, key string, seeds ...string) {
	p := moreParser(f, key)
	format := moreFormatOf(f, key)
	name := format.Name
	for _, c := range moreCases {
		if strings.HasPrefix(c.head, name) {
			f.Add([]byte(c.line))
		}
	}
	for k, h := range moreHeads {
		if strings.HasPrefix(k, name) {
			for _, l := range h {
				f.Add([]byte(l))
			}
		}
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		moreFuzzCheck(t, p, line)
		if q, err := format.Open([][]byte{line}); err == nil {
			moreFuzzCheck(t, q, line)
			if format.Describe != nil {
				_ = format.Describe(q)
			}
		}
	})
}

func FuzzCloudFront(f *testing.F) {
	moreFuzz(f, "cloudfront", cfFields, "#Fields: timestamp x-edge-location cs-uri-stem", "1795595131\tFRA\t/%zz%4", "\t\t\t\t\t\t\t\t\t\t")
}

func FuzzALB(f *testing.F) {
	moreFuzz(f, "alb", `ws 2026-11-25T08:25:31Z a [::1 - 1 1 1 200 200 1 1 "GET ws://h:80 HTTP/1.1" "\"x\""`)
}

func FuzzCloudflare(f *testing.F) {
	moreFuzz(f, "cloudflare", `{"RayID":"1","ClientRequestURI":"/","EdgeStartTimestamp":1e300}`, `{"RayID":{"a":[1,{"b":"\u0000"}]},"ClientRequestURI":"http://"}`)
}

func FuzzFastly(f *testing.F) {
	moreFuzz(f, "fastly", `{"fastly_info":{"state":{"x":1}},"time":{"start":"[25/Nov/2026:08:25:31 +0000]","elapsed":-1},"url":"?"}`)
}

func FuzzAkamai(f *testing.F) {
	moreFuzz(f, "akamai", `{"reqTimeSec":"1e9","reqPath":"%","cacheStatus":0,"cacheable":0,"UA":"+%2"}`)
}

func FuzzUvicorn(f *testing.F) {
	moreFuzz(f, "uvicorn", "\x1b[", `[2026-11-25 08:25:31 +0000] - "WebSocket " [accepted]`, `2026-11-25 08:25:31+01 - "GET / HTTP/1.1" 200`)
}

func FuzzDjango(f *testing.F) {
	moreFuzz(f, "django", `[25/Nov/2026 08:25:31,] "GET / HTTP/1.1" 200 -`, `[" 200 1`, `""" 200 1`)
}

// FuzzJSONMap fuzzes the --json-map spec and the line together.
func FuzzJSONMap(f *testing.F) {
	f.Add("ts=time,path=uri|request.path,status=status,cache=cache_status,duration_s=t", []byte(`{"time":1795595131,"uri":"/a?b","status":200,"cache_status":"HIT","t":0.5}`))
	f.Add("url=u,tier=edge", []byte(`{"u":"https://h/p?q"}`))
	f.Add("path=a.b.c,bytes=n", []byte(`{"a":{"b":{"c":"/x"}},"n":1.5e3}`))
	f.Add("path=a.b,ttfb_us=x.y", []byte(`{"a.b":"/x","x":{"y":"-3"}}`))
	f.Fuzz(func(t *testing.T, spec string, line []byte) {
		format, err := JSONMapFormat(spec)
		if err != nil {
			return
		}
		p, err := format.Open([][]byte{line})
		if err != nil {
			return
		}
		_ = format.Describe(p)
		moreFuzzCheck(t, p, line)
	})
}

// FuzzJSONWalk compares the JSON-lines engine's key lookup with
// encoding/json: the value of the top-level key "a" and of the nested "b.c"
// must be what encoding/json decodes.
func FuzzJSONWalk(f *testing.F) {
	f.Add([]byte(`{"a":"x","b":{"c":1}}`))
	f.Add([]byte(`{"a":"x\"y\u00e9","b":{"d":[1,{"c":2}],"c":"\/z"},"a":3}`))
	f.Add([]byte(`{"b.c":"flat","a":null,"b":[{"c":1}]}`))
	f.Add([]byte(` { "a" : -1.5e3 , "b" : { } } `))
	f.Add([]byte(`{"\u0061":"escaped key","b":{"\u0063":true}}`))
	t := newJSONTrie()
	slotA := t.add("a")[0]
	slotBC := t.add("b.c")[0]
	f.Fuzz(func(tt *testing.T, line []byte) {
		obj, err := jsonObjectLine(line)
		if err != nil {
			return
		}
		vals := make([][]byte, len(t.slots))
		if _, err := jsonWalkObject(obj, 0, t.root, vals); err != nil {
			tt.Fatalf("valid JSON %q not walked: %v", obj, err)
		}
		var m map[string]any
		d := json.NewDecoder(bytes.NewReader(obj))
		d.UseNumber()
		if d.Decode(&m) != nil {
			return
		}
		moreJSONSame(tt, "a", m["a"], vals[slotA], obj)
		if bytes.Count(obj, []byte(`"b"`)) == 1 && bytes.Count(obj, []byte(`"c"`)) <= 1 && !bytes.Contains(obj, []byte(`\u`)) {
			var want any
			if b, ok := m["b"].(map[string]any); ok {
				want = b["c"]
			}
			moreJSONSame(tt, "b.c", want, vals[slotBC], obj)
		}
	})
}

// moreJSONSame checks the engine's text of a raw value against the value
// encoding/json decoded.
func moreJSONSame(t *testing.T, key string, want any, raw []byte, obj []byte) {
	got := jsonText(raw)
	var w []byte
	switch v := want.(type) {
	case string:
		if !utf8.ValidString(v) || strings.ContainsRune(v, utf8.RuneError) {
			return // encoding/json replaced invalid UTF-8
		}
		w = []byte(v)
	case json.Number:
		w = []byte(v)
	case bool:
		w = []byte(strconv.FormatBool(v))
	}
	w = orNil(w)
	if string(w) == "(null)" {
		w = nil
	}
	if !bytes.Equal(got, w) {
		t.Fatalf("%s in %q: engine %q, encoding/json %q", key, obj, got, w)
	}
}
