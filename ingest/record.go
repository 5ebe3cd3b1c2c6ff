// Package ingest reads access logs of many formats (edge and origin tiers),
// detects the format of each file, parses lines in parallel into canonical
// records and loads them into the cdnadvise store, incrementally and
// idempotently.
package ingest

import (
	"bytes"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Tier says on which side of the cache a log was written.
type Tier string

// The two tiers.
const (
	TierEdge   Tier = "edge"
	TierOrigin Tier = "origin"
)

// CacheStatus is a normalized cache status (see NormalizeCacheStatus).
type CacheStatus uint8

// Normalized cache statuses. CacheNone means the log carries no status.
const (
	CacheNone CacheStatus = iota
	CacheHit
	CacheMiss
	CacheExpired
	CacheStale
	CacheUpdating
	CacheRevalidated
	CacheBypass
	CachePass
	CacheDynamic
	CacheError
)

// CacheStatusNames lists the normalized names in CacheStatus order (index 0 is
// the empty string: no status logged).
var cacheStatusNames = [...]string{"", "HIT", "MISS", "EXPIRED", "STALE", "UPDATING", "REVALIDATED", "BYPASS", "PASS", "DYNAMIC", "ERROR"}

// String returns the normalized name, or "" for CacheNone.
func (c CacheStatus) String() string {
	if int(c) < len(cacheStatusNames) {
		return cacheStatusNames[c]
	}
	return ""
}

// CacheStatusNames returns the normalized cache status names stored in the
// requests table, in a stable order.
func CacheStatusNames() []string { return append([]string(nil), cacheStatusNames[1:]...) }

// Record is one parsed request in canonical form. Byte-slice fields may point
// into the line being parsed and are only valid until the next line; the batch
// copies them. Unknown numeric values are NaN (floats) or -1 (integers).
type Record struct {
	TS    int64 // unix microseconds, UTC; valid when HasTS
	HasTS bool

	Method, Host, Path, Query []byte
	// BadRequest: the server logged a request line that is not HTTP (a
	// scanner's "hello", an empty "", TLS bytes sent to a plain port, an
	// ALB "- - -"); the row keeps its status and bytes, with no method or
	// path. Such requests are traffic too.
	BadRequest     bool
	Pop, RequestID []byte
	Status         int   // 0 = unknown
	Bytes          int64 // response bytes; -1 = unknown

	Cache    CacheStatus
	CacheRaw []byte

	DurationMS, TTFBMS, OriginMS float64

	CacheControl, ContentType, ETag []byte
	SetCookie, HasAuth              int8 // -1 unknown, 0 false, 1 true
	// HasCookie says whether the request carried a Cookie header (-1
	// unknown); CookieNames are its cookies' names, sorted and joined by
	// ",", never their values.
	HasCookie   int8
	CookieNames []byte
	// Vary is the response's Vary header.
	Vary []byte
	// AcceptLanguage and Accept are the request's headers of those names,
	// when the format logs them: the values responses that vary on them
	// (Django's LocaleMiddleware, DRF's content negotiation) are cached
	// per. At most 128 bytes are kept.
	AcceptLanguage, Accept []byte

	UserAgent, Referer, Client []byte
}

// Reset clears r for the next line.
func (r *Record) Reset() {
	*r = Record{Bytes: -1, DurationMS: math.NaN(), TTFBMS: math.NaN(), OriginMS: math.NaN(), SetCookie: -1, HasAuth: -1, HasCookie: -1}
}

// SetCookieHeader records a request's Cookie header: its presence and the
// names of its cookies (sorted, without duplicates), never the values. "-"
// and "" are no header.
func (r *Record) SetCookieHeader(v []byte) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "-" {
		r.HasCookie, r.CookieNames = 0, nil
		return
	}
	r.HasCookie = 1
	var names []string
	for _, part := range bytes.Split(v, []byte(";")) {
		name, _, _ := bytes.Cut(bytes.TrimSpace(part), []byte("="))
		if n := string(bytes.TrimSpace(name)); n != "" && len(n) <= 128 {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	names = slices.Compact(names)
	if len(names) > 64 {
		names = names[:64]
	}
	r.CookieNames = []byte(strings.Join(names, ","))
}

// SetBadRequest marks a request line that is not HTTP: no method, path or
// query.
func (r *Record) SetBadRequest() {
	r.Method, r.Path, r.Query, r.BadRequest = nil, nil, nil, true
}

// SetTarget sets Path and Query from a request target, which may be
// origin-form (/a?b) or absolute-form (http://host/a?b, as varnishncsa logs it);
// in absolute form the host is taken too unless already set.
func (r *Record) SetTarget(target []byte) {
	if len(target) > 0 && target[0] != '/' {
		if i := bytes.Index(target, []byte("://")); i > 0 && i < 10 {
			rest := target[i+3:]
			end := bytes.IndexAny(rest, "/?")
			if end < 0 {
				end = len(rest)
			}
			if len(r.Host) == 0 {
				r.Host = stripDefaultPort(rest[:end])
			}
			target = rest[end:]
			if len(target) == 0 || target[0] == '?' {
				// "http://h" or "http://h?q": the path is "/".
				if len(target) == 0 {
					target = []byte("/")
				} else {
					r.Path = []byte("/")
					r.Query = target[1:]
					return
				}
			}
		}
	}
	if q := bytes.IndexByte(target, '?'); q >= 0 {
		r.Path = target[:q]
		r.Query = target[q+1:]
		return
	}
	r.Path = target
}

// SetRequestLine parses "METHOD target PROTO" (the $request / %r field).
// It returns false when the line does not look like a request line.
func (r *Record) SetRequestLine(line []byte) bool {
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return false
	}
	m := line[:sp]
	for _, c := range m {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	r.Method = m
	rest := line[sp+1:]
	if sp2 := bytes.LastIndexByte(rest, ' '); sp2 >= 0 && bytes.HasPrefix(rest[sp2+1:], []byte("HTTP/")) {
		rest = rest[:sp2]
	}
	if len(rest) == 0 {
		return false
	}
	r.SetTarget(rest)
	return true
}

// isDash reports whether a log value is the conventional "no value" marker.
func isDash(b []byte) bool { return len(b) == 1 && b[0] == '-' }

// orNil returns nil for "-" and empty values.
func orNil(b []byte) []byte {
	if len(b) == 0 || isDash(b) {
		return nil
	}
	return b
}

// stripDefaultPort drops ":80" and ":443" from a host: the site is the same.
func stripDefaultPort(h []byte) []byte {
	if bytes.HasSuffix(h, []byte(":80")) {
		return h[:len(h)-3]
	}
	if bytes.HasSuffix(h, []byte(":443")) {
		return h[:len(h)-4]
	}
	return h
}

// clipHeader trims a request header value kept for the cache key
// (Accept-Language, Accept) and caps it at 128 bytes, on a character
// boundary: longer values are noise, not another language.
func clipHeader(v []byte) []byte {
	v = bytes.TrimSpace(v)
	if len(v) <= 128 {
		return orNil(v)
	}
	n := 128
	for n > 0 && !utf8.RuneStart(v[n]) {
		n--
	}
	return v[:n]
}
