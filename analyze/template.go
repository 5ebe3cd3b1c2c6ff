// Package analyze turns the requests in the store into per-endpoint figures:
// requests, bytes, hit ratios, origin offload, latency percentiles for hits
// and misses, cacheability signals and cache-key fragmentation, per endpoint,
// PoP, status class and time. Every figure is computed by DuckDB; Go only
// maps the distinct paths onto endpoint templates.
package analyze

import (
	"strings"
)

// Router maps a request path onto the application's own route pattern
// (Django URLconf, FastAPI routes). It is the hook through which `--src`
// replaces inferred templates; ok is false when no route matches.
type Router interface {
	Route(path string) (pattern string, ok bool)
}

// PathStat is one distinct path of the store and how often it was requested.
type PathStat struct {
	ID       int32
	Path     string
	Requests int64
}

// Template is the endpoint a path belongs to.
type Template struct {
	Endpoint string // e.g. /api/users/{int}/ or a route pattern
	Source   string // "route", "inferred" or "unrouted" (a router was given but did not match)
	Static   bool   // a static file (by extension)
	// Fingerprinted is a static file whose name carries a content hash
	// (app.3f2a9c1b.js): safe to cache for a year, immutable.
	Fingerprinted bool
}

// TemplateOptions tune inference.
type TemplateOptions struct {
	// Cardinality: a path segment with at least this many distinct literal
	// values under the same parent is collapsed into {var} (default 25).
	Cardinality int
	// RootCardinality is the same for the first segment (default 200), so
	// that a site's top-level sections are kept.
	RootCardinality int
	// StaticCardinality is the same for static files of one extension in
	// one folder (default 5): /img/a.png, /img/b.png, ... become /img/{var}.png.
	StaticCardinality int
}

// Placeholders used in inferred templates.
const (
	PhInt   = "{int}"
	PhUUID  = "{uuid}"
	PhHash  = "{hash}"
	PhDate  = "{date}"
	PhEmail = "{email}"
	PhVar   = "{var}"
	PhFP    = "{fp}"
)

var staticExt = map[string]bool{
	"js": true, "mjs": true, "css": true, "map": true, "png": true, "jpg": true, "jpeg": true, "gif": true, "svg": true,
	"webp": true, "avif": true, "ico": true, "woff": true, "woff2": true, "ttf": true, "otf": true, "eot": true,
	"wasm": true, "mp4": true, "webm": true, "mp3": true, "pdf": true, "txt": true, "xml": true, "json": true,
}

// InferTemplates maps each path onto an endpoint template (result aligned
// with paths). With a router, its patterns win; paths it does not match are
// inferred and marked "unrouted".
func InferTemplates(paths []PathStat, router Router, opts TemplateOptions) []Template {
	if opts.Cardinality <= 0 {
		opts.Cardinality = 25
	}
	if opts.RootCardinality <= 0 {
		opts.RootCardinality = 200
	}
	if opts.StaticCardinality <= 0 {
		opts.StaticCardinality = 5
	}
	out := make([]Template, len(paths))
	segs := make([][]string, len(paths))
	infer := make([]int, 0, len(paths)) // indexes still to infer
	for i, p := range paths {
		ext := extension(p.Path)
		out[i].Static = staticExt[ext]
		if router != nil {
			if pat, ok := router.Route(p.Path); ok {
				out[i].Endpoint, out[i].Source = pat, "route"
				out[i].Fingerprinted = out[i].Static && isFingerprinted(lastSegment(p.Path))
				continue
			}
			out[i].Source = "unrouted"
		} else {
			out[i].Source = "inferred"
		}
		s := strings.Split(p.Path, "/")
		for k, seg := range s {
			if k == len(s)-1 && out[i].Static {
				if fp, ok := fingerprint(seg); ok {
					s[k] = fp
					out[i].Fingerprinted = true
					continue
				}
			}
			s[k] = classifySegment(seg)
		}
		segs[i] = s
		infer = append(infer, i)
	}
	collapse(segs, infer, opts)
	for _, i := range infer {
		out[i].Endpoint = strings.Join(segs[i], "/")
		if out[i].Endpoint == "" {
			out[i].Endpoint = "/"
		}
	}
	return out
}

// collapse applies the cardinality rule level by level: under one parent
// (the already templated prefix), a segment position with many distinct
// literal values becomes {var} (keeping a common extension: {var}.png).
func collapse(segs [][]string, idx []int, opts TemplateOptions) {
	maxDepth := 0
	for _, i := range idx {
		maxDepth = max(maxDepth, len(segs[i]))
	}
	for d := 1; d < maxDepth; d++ {
		// group returns the sibling group of segment d of s and its limit:
		// static files are grouped by extension with a lower limit.
		group := func(s []string) (string, int) {
			key := strings.Join(s[:d], "/")
			if d == len(s)-1 {
				if ext := extension(s[d]); staticExt[ext] {
					return key + "/*." + ext, opts.StaticCardinality
				}
			}
			if d == 1 {
				return key, opts.RootCardinality
			}
			return key, opts.Cardinality
		}
		skip := func(s []string) bool {
			return d >= len(s) || isPlaceholder(s[d]) || strings.Contains(s[d], PhFP) || (d == len(s)-1 && s[d] == "")
		}
		distinct := map[string]map[string]bool{}
		for _, i := range idx {
			s := segs[i]
			if skip(s) {
				continue
			}
			key, limit := group(s)
			set := distinct[key]
			if set == nil {
				set = map[string]bool{}
				distinct[key] = set
			}
			if len(set) < limit {
				set[s[d]] = true
			}
		}
		for _, i := range idx {
			s := segs[i]
			if skip(s) {
				continue
			}
			if key, limit := group(s); len(distinct[key]) >= limit {
				if ext := extension(s[d]); ext != "" && d == len(s)-1 {
					s[d] = PhVar + "." + ext
				} else {
					s[d] = PhVar
				}
			}
		}
	}
}

func isPlaceholder(s string) bool { return strings.HasPrefix(s, "{") && strings.Contains(s, "}") }

func lastSegment(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// extension returns the lower-case extension of the last path segment.
func extension(p string) string {
	last := lastSegment(p)
	i := strings.LastIndexByte(last, '.')
	if i <= 0 || i == len(last)-1 || len(last)-i > 6 {
		return ""
	}
	ext := strings.ToLower(last[i+1:])
	for _, c := range ext {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return ""
		}
	}
	return ext
}

// classifySegment replaces a path segment by a typed placeholder when it is
// an identifier: {int}, {uuid}, {date}, {email}, {hash}.
func classifySegment(s string) string {
	switch {
	case s == "":
		return s
	case isDigits(s):
		if isDate(s) {
			return PhDate
		}
		return PhInt
	case isUUID(s):
		return PhUUID
	case isDate(s):
		return PhDate
	case isEmail(s):
		return PhEmail
	case isHash(s):
		return PhHash
	}
	return s
}

func isDigits(s string) bool {
	if s == "" || len(s) > 30 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return false
			}
		} else if !isHexDigit(s[i]) {
			return false
		}
	}
	return true
}

// isDate accepts YYYY-MM-DD and YYYYMMDD with a plausible year and month.
func isDate(s string) bool {
	var y, m, d string
	switch {
	case len(s) == 10 && s[4] == '-' && s[7] == '-':
		y, m, d = s[:4], s[5:7], s[8:]
	case len(s) == 8 && isDigits(s):
		y, m, d = s[:4], s[4:6], s[6:]
	default:
		return false
	}
	if !isDigits(y) || !isDigits(m) || !isDigits(d) {
		return false
	}
	return (y >= "1900" && y <= "2199") && (m >= "01" && m <= "12") && (d >= "01" && d <= "31")
}

func isEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 {
		at = strings.Index(s, "%40")
	}
	return at > 0 && strings.Contains(s[at:], ".") && !strings.ContainsAny(s, " /")
}

// isHash: a long hex string with digits and letters, or a long token mixing
// upper case, lower case and digits (base64 / base64url / random ids).
func isHash(s string) bool {
	if len(s) < 16 {
		return false
	}
	hex, digit, upper, lower, other := true, false, false, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'z':
			lower = true
			hex = hex && c <= 'f'
		case c >= 'A' && c <= 'Z':
			upper = true
			hex = hex && c <= 'F'
		case c == '-' || c == '_' || c == '=' || c == '+' || c == '%':
			hex = false
		default:
			other = true
		}
	}
	if other {
		return false
	}
	if hex && digit && (lower || upper) {
		return true
	}
	return len(s) >= 20 && digit && upper && lower
}

// isFingerprinted reports whether a file name carries a content hash.
func isFingerprinted(name string) bool {
	_, ok := fingerprint(name)
	return ok
}

// fingerprint recognizes name.HASH.ext / name-HASH.ext (HASH: at least 8 hex
// characters, or 8+ base64url characters with a digit) and returns
// name.{fp}.ext.
func fingerprint(name string) (string, bool) {
	dot := strings.LastIndexByte(name, '.')
	if dot <= 0 {
		return "", false
	}
	stem, ext := name[:dot], name[dot:]
	sep := strings.LastIndexAny(stem, ".-_")
	if sep <= 0 {
		return "", false
	}
	h := stem[sep+1:]
	if len(h) < 8 || len(h) > 64 {
		return "", false
	}
	allHex, digit := true, false
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c >= '0' && c <= '9' {
			digit = true
		} else if !isHexDigit(c) {
			allHex = false
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
				return "", false
			}
		}
	}
	if !allHex && !digit {
		return "", false
	}
	return stem[:sep+1] + PhFP + ext, true
}
