package framework

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cdnadvise/cdnadvise/pysrc"
)

// KeptHeader is the Cache-Control a view sets itself, read from its source:
// the value, the shared-cache TTL it gives (s-maxage, else max-age; 0 when
// private, no-store or no-cache keep shared caches from storing it), and
// where it is set.
type KeptHeader struct {
	Value    string
	TTL      time.Duration
	SWR, SIE int64
	Browser  int64
	File     string
	Line     int
	// ByPatch: the header is set by code cdnadvise patch wrote (FastAPI's
	// middleware table, the Flask helper cache_control_header, the Django
	// helper cache_control_safe): the patch's own marker in the source.
	ByPatch bool
}

var (
	// A header given as a string: response["Cache-Control"] = "...",
	// response.headers["Cache-Control"] = "...", headers={"Cache-Control": "..."}.
	ccLiteralRe = regexp.MustCompile(`(?i)["']cache-control["']\s*(?:\]\s*=|:)\s*[rRuU]?["']([^"'\n]*)["']`)
	// Keyword forms: cache_control(...), patch_cache_control(response, ...),
	// and cdnadvise's own Django helper cache_control_safe(...).
	ccCallRe = regexp.MustCompile(`\b(?:cdnadvise_)?(?:patch_)?cache_control(?:_safe)?\(`)
	// cdnadvise's own Flask helper: cache_control_header("...").
	ccHeaderRe  = regexp.MustCompile(`\b(?:cdnadvise_)?cache_control_header\(\s*[rRuU]?["']([^"'\n]*)["']`)
	cachePageRe = regexp.MustCompile(`@cache_page\(\s*([0-9 *]+)`)
	neverRe     = regexp.MustCompile(`@never_cache\b|add_never_cache_headers\(`)
)

// KeptHeader reads the Cache-Control the route's view sets: the header a
// framework's facts found for it (r.Kept: FastAPI's patch middleware
// table), else from its code: cdnadvise's Flask helper
// cache_control_header("..."), @cache_control(...)/patch_cache_control(...)
// and cdnadvise's Django cache_control_safe(...) keywords, @cache_page(N),
// @never_cache, or a literal header value. ok is false when the view sets
// one that cannot be read without running it.
func (r *Route) KeptHeader() (KeptHeader, bool) {
	if r.Kept != nil {
		return *r.Kept, true
	}
	if r.ViewMod == nil || r.ViewNode == nil {
		return KeptHeader{}, false
	}
	text := r.ViewMod.Text(r.ViewNode)
	base := pysrc.Line(r.ViewNode)
	lineOf := func(off int) int { return base + strings.Count(text[:off], "\n") }
	k := KeptHeader{File: r.ViewMod.File}
	switch {
	case neverRe.MatchString(text):
		loc := neverRe.FindStringIndex(text)
		k.Value, k.Line = "max-age=0, no-cache, no-store, must-revalidate, private", lineOf(loc[0])
	case ccHeaderRe.MatchString(text):
		m := ccHeaderRe.FindStringSubmatchIndex(text)
		k.Value, k.Line, k.ByPatch = strings.TrimSpace(text[m[2]:m[3]]), lineOf(m[0]), true
	case ccLiteralRe.MatchString(text):
		m := ccLiteralRe.FindStringSubmatchIndex(text)
		k.Value, k.Line = strings.TrimSpace(text[m[2]:m[3]]), lineOf(m[0])
	case ccCallRe.MatchString(text):
		loc := ccCallRe.FindStringIndex(text)
		args, ok := callArgs(text[loc[1]:])
		if !ok {
			return KeptHeader{}, false
		}
		v, ok := headerFromKeywords(args)
		if !ok {
			return KeptHeader{}, false
		}
		k.Value, k.Line = v, lineOf(loc[0])
		k.ByPatch = strings.HasSuffix(text[loc[0]:loc[1]], "_safe(")
	case cachePageRe.MatchString(text):
		m := cachePageRe.FindStringSubmatchIndex(text)
		n, ok := product(text[m[2]:m[3]])
		if !ok {
			return KeptHeader{}, false
		}
		// cache_page sets max-age to its timeout (patch_response_headers).
		k.Value, k.Line = "max-age="+strconv.FormatInt(n, 10), lineOf(m[0])
	default:
		return KeptHeader{}, false
	}
	kh := NewKeptHeader(k.Value, k.File, k.Line)
	kh.ByPatch = k.ByPatch
	return kh, true
}

// NewKeptHeader is the kept header of a literal value set at file:line.
func NewKeptHeader(value, file string, line int) KeptHeader {
	k := KeptHeader{Value: value, File: file, Line: line}
	k.TTL, k.SWR, k.SIE, k.Browser = parseCacheControl(value)
	return k
}

// callArgs returns the text of a call's arguments, from just after "(" to
// its matching ")".
func callArgs(s string) (string, bool) {
	depth := 1
	for i, c := range s {
		switch c {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				return s[:i], true
			}
		}
	}
	return "", false
}

// headerFromKeywords turns Django's cache_control keywords (public=True,
// max_age=30, s_maxage=60) into the header they produce; ok is false when a
// value is not a literal.
func headerFromKeywords(args string) (string, bool) {
	var parts []string
	for _, a := range strings.Split(args, ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		name, val, found := strings.Cut(a, "=")
		if !found {
			continue // the response argument of patch_cache_control
		}
		name, val = strings.TrimSpace(name), strings.TrimSpace(val)
		if name == "name" { // method_decorator(..., name="get")
			continue
		}
		d := strings.ReplaceAll(name, "_", "-")
		switch val {
		case "True":
			parts = append(parts, d)
		case "False":
		default:
			n, ok := product(val)
			if !ok {
				return "", false
			}
			parts = append(parts, d+"="+strconv.FormatInt(n, 10))
		}
	}
	return strings.Join(parts, ", "), len(parts) > 0
}

// product evaluates an integer literal or a product of them (60 * 15).
func product(s string) (int64, bool) {
	n := int64(1)
	for _, f := range strings.Split(s, "*") {
		v, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(f), "_", ""), 10, 64)
		if err != nil {
			return 0, false
		}
		n *= v
	}
	return n, true
}

// parseCacheControl reads what a shared cache does with a header: its TTL
// (s-maxage, else max-age; 0 for private, no-store, no-cache or no explicit
// lifetime), stale-while-revalidate, stale-if-error and the browser's
// max-age, in seconds.
func parseCacheControl(v string) (ttl time.Duration, swr, sie, browser int64) {
	maxAge, sMaxAge := int64(-1), int64(-1)
	noShare := false
	for _, d := range strings.Split(strings.ToLower(v), ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
		n, _ := strconv.ParseInt(strings.Trim(val, `" `), 10, 64)
		switch strings.TrimSpace(name) {
		case "max-age":
			maxAge = n
		case "s-maxage":
			sMaxAge = n
		case "stale-while-revalidate":
			swr = n
		case "stale-if-error":
			sie = n
		case "private", "no-store", "no-cache":
			noShare = true
		}
	}
	browser = max(maxAge, 0)
	shared := maxAge
	if sMaxAge >= 0 {
		shared = sMaxAge
	}
	if noShare || shared <= 0 {
		return 0, swr, sie, browser
	}
	return time.Duration(shared) * time.Second, swr, sie, browser
}
