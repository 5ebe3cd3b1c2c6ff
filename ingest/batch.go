package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
)

// String columns of a Batch.
const (
	sMethod = iota
	sHost
	sPath
	sQuery
	sPop
	sRequestID
	sCacheRaw
	sCacheControl
	sContentType
	sETag
	sUA
	sReferer
	sClient
	sCookieNames
	sVary
	sLang
	sAccept
	nStr
)

// span locates a string in a Batch's arena; n < 0 is NULL.
type span struct{ off, n int32 }

// noTS marks a row without a timestamp.
const noTS = math.MinInt64

// Reject is a line that did not parse.
type Reject struct {
	Line   int64
	Reason string
	Text   string
}

// Batch is a block of parsed lines in columnar form. Strings are copied into
// one arena, so a batch owns its data and the block it came from can be reused.
type Batch struct {
	seq       int
	firstLine int64 // line number of the block's first line (1-based)
	lines     int64 // lines in the block, including rejected and non-request lines
	bytes     int64 // bytes of the block
	end       readPos

	ts                []int64
	status            []int16
	size              []int64
	cache             []uint8
	dur, ttfb, origin []float64
	setCookie, auth   []int8
	cookie            []int8
	str               [nStr][]span
	arena             []byte

	noRequest int64
	notAccess int64 // non-access lines of a console log
	rejected  int64
	rejects   []Reject // at most maxRejectSamples per batch
	// layoutRows counts the rows read with each layout of a Layouts parser.
	layoutRows [maxLayouts]int64
}

const maxRejectSamples = 20

// Len returns the number of rows.
func (b *Batch) Len() int { return len(b.status) }

func (b *Batch) reset() {
	b.ts, b.status, b.size, b.cache = b.ts[:0], b.status[:0], b.size[:0], b.cache[:0]
	b.dur, b.ttfb, b.origin = b.dur[:0], b.ttfb[:0], b.origin[:0]
	b.setCookie, b.auth, b.cookie = b.setCookie[:0], b.auth[:0], b.cookie[:0]
	for i := range b.str {
		b.str[i] = b.str[i][:0]
	}
	b.arena = b.arena[:0]
	b.noRequest, b.notAccess, b.rejected, b.rejects = 0, 0, 0, b.rejects[:0]
	b.layoutRows = [maxLayouts]int64{}
	b.lines, b.bytes = 0, 0
}

func (b *Batch) addString(col int, v []byte) {
	if v == nil {
		b.str[col] = append(b.str[col], span{0, -1})
		return
	}
	off := len(b.arena)
	if utf8.Valid(v) {
		b.arena = append(b.arena, v...)
	} else {
		// Stored strings must be valid UTF-8: invalid bytes become U+FFFD.
		for len(v) > 0 {
			r, size := utf8.DecodeRune(v)
			if r == utf8.RuneError && size <= 1 {
				b.arena = append(b.arena, "\uFFFD"...)
			} else {
				b.arena = append(b.arena, v[:size]...)
			}
			v = v[size:]
		}
	}
	b.str[col] = append(b.str[col], span{int32(off), int32(len(b.arena) - off)})
}

// add appends a parsed record.
func (b *Batch) add(r *Record) {
	if r.HasTS {
		b.ts = append(b.ts, r.TS)
	} else {
		b.ts = append(b.ts, noTS)
	}
	st := r.Status
	if st < 0 || st > math.MaxInt16 {
		st = 0
	}
	b.status = append(b.status, int16(st))
	b.size = append(b.size, r.Bytes)
	b.cache = append(b.cache, uint8(r.Cache))
	b.dur = append(b.dur, r.DurationMS)
	b.ttfb = append(b.ttfb, r.TTFBMS)
	b.origin = append(b.origin, r.OriginMS)
	b.setCookie = append(b.setCookie, r.SetCookie)
	b.auth = append(b.auth, r.HasAuth)
	b.cookie = append(b.cookie, r.HasCookie)
	method := r.Method
	if method == nil && !r.BadRequest {
		method = []byte("GET")
	}
	b.addString(sMethod, method)
	b.addString(sHost, r.Host)
	b.addString(sPath, r.Path)
	b.addString(sQuery, r.Query)
	b.addString(sPop, r.Pop)
	b.addString(sRequestID, r.RequestID)
	b.addString(sCacheRaw, r.CacheRaw)
	b.addString(sCacheControl, r.CacheControl)
	b.addString(sContentType, r.ContentType)
	b.addString(sETag, r.ETag)
	b.addString(sUA, r.UserAgent)
	b.addString(sReferer, r.Referer)
	b.addString(sClient, r.Client)
	b.addString(sCookieNames, r.CookieNames)
	b.addString(sVary, r.Vary)
	b.addString(sLang, clipHeader(r.AcceptLanguage))
	b.addString(sAccept, clipHeader(r.Accept))
}

// strAt returns the bytes of a string cell, or nil for NULL.
func (b *Batch) strAt(col, row int) []byte {
	s := b.str[col][row]
	if s.n < 0 {
		return nil
	}
	return b.arena[s.off : s.off+s.n]
}

func (b *Batch) reject(line int64, err error, text []byte) {
	b.rejected++
	if len(b.rejects) < maxRejectSamples {
		if len(text) > 512 {
			text = text[:512]
		}
		b.rejects = append(b.rejects, Reject{Line: line, Reason: err.Error(), Text: string(sanitize(text))})
	}
}

// sanitize makes a sample of a bad line printable and valid UTF-8.
func sanitize(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size <= 1:
			out = append(out, "\uFFFD"...)
		case r < 0x20 && r != '\t':
			out = append(out, '?')
		default:
			out = append(out, b[:size]...)
		}
		b = b[size:]
	}
	return out
}

// parseBlock parses the lines of a block into b. A line whose parse panics
// (a bug in a parser) is rejected with the panic message rather than taking
// the process down.
//
// overlong lists the lines of the block that the reader dropped for being too
// long (each stands as an empty line in block); they are rejected here.
func parseBlock(p Parser, block []byte, firstLine int64, overlong []Reject, b *Batch) {
	b.firstLine = firstLine
	b.bytes = int64(len(block))
	var r Record
	line := firstLine
	for len(block) > 0 {
		var l []byte
		if i := bytes.IndexByte(block, '\n'); i >= 0 {
			l, block = block[:i], block[i+1:]
		} else {
			l, block = block, nil
		}
		if n := len(l); n > 0 && l[n-1] == '\r' {
			l = l[:n-1]
		}
		if len(overlong) > 0 && overlong[0].Line == line {
			b.rejected++
			if len(b.rejects) < maxRejectSamples {
				b.rejects = append(b.rejects, overlong[0])
			}
			overlong = overlong[1:]
			line++
			continue
		}
		r.Reset()
		idx, err := parseLine(p, l, &r)
		switch {
		case err == nil:
			b.add(&r)
			b.layoutRows[idx]++
		case err == ErrNotAccess:
			b.notAccess++
		case errors.Is(err, ErrNoRequest):
			b.noRequest++
		default:
			b.reject(line, err, l)
		}
		line++
	}
	b.lines = line - firstLine
}

// parseLine parses a line with p and says which of its layouts read it (0
// unless p is a Layouts).
func parseLine(p Parser, l []byte, r *Record) (idx int, err error) {
	lp, ok := p.(*Layouts)
	if !ok {
		return 0, safeParse(p, l, r)
	}
	defer func() {
		if v := recover(); v != nil {
			idx, err = 0, fmt.Errorf("parser failure: %v", v)
		}
	}()
	if len(l) == 0 {
		return 0, ErrNoRequest
	}
	return lp.ParseIndex(l, r)
}

func safeParse(p Parser, l []byte, r *Record) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("parser failure: %v", v)
		}
	}()
	if len(l) == 0 {
		return ErrNoRequest
	}
	return p.Parse(l, r)
}
