package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
)

// fieldKind says what a variable of a log layout means in canonical terms.
type fieldKind uint8

const (
	fIgnore fieldKind = iota
	fClient
	fTimeCLF // 10/Oct/2000:13:55:36 -0700, optionally in brackets
	fTimeISO
	fTimeEpoch
	fRequest // "GET /a?b HTTP/1.1"
	fMethod
	fURI   // path?query
	fPath  // path only
	fQuery // query, with or without leading '?'
	fStatus
	fBytes
	fReferer
	fUserAgent
	fDurS  // seconds, decimal
	fDurMS // milliseconds
	fDurUS // microseconds
	fOriginS
	fOriginMS
	fOriginUS
	fTTFBs
	fTTFBms
	fCache
	fHost
	fRequestID
	fCacheControl
	fContentType
	fETag
	fSetCookie
	fAuth
	fPop
	fCookie
	fVary
	fLang
	fAccept
)

var kindNames = map[fieldKind]string{
	fIgnore: "ignored", fClient: "client", fTimeCLF: "time", fTimeISO: "time", fTimeEpoch: "time",
	fRequest: "request", fMethod: "method", fURI: "uri", fPath: "path", fQuery: "query", fStatus: "status",
	fBytes: "bytes", fReferer: "referer", fUserAgent: "user_agent", fDurS: "duration(s)", fDurMS: "duration(ms)",
	fDurUS: "duration(us)", fOriginS: "origin(s)", fOriginMS: "origin(ms)", fOriginUS: "origin(us)", fTTFBs: "ttfb(s)", fTTFBms: "ttfb(ms)",
	fCache: "cache_status", fHost: "host", fRequestID: "request_id", fCacheControl: "cache_control",
	fContentType: "content_type", fETag: "etag", fSetCookie: "set_cookie", fAuth: "authorization", fPop: "pop",
	fCookie: "cookie", fVary: "vary", fLang: "accept_language", fAccept: "accept",
}

// item is one piece of a compiled layout: a literal, or a field.
type item struct {
	lit  []byte // literal text (when field == false)
	isF  bool
	kind fieldKind
	name string // variable as written, for messages
}

// Layout is a compiled log layout (from an nginx log_format, an Apache
// LogFormat or a gunicorn access_log_format) that parses lines in one pass
// without regular expressions.
type Layout struct {
	items  []item
	source string
	syntax string
}

// String returns the layout as it was given (or inferred).
func (l *Layout) String() string { return l.syntax + ": " + l.source }

// CompileLayout compiles a log layout. The syntax is told from the text:
// "$var" is nginx, "%(x)s" gunicorn, "%x" / "%{X}i" Apache (and varnishncsa).
// An nginx `log_format name '...' '...';` line may be given verbatim.
func CompileLayout(def string) (*Layout, error) {
	src := strings.TrimSpace(def)
	if src == "" {
		return nil, errors.New("empty log format")
	}
	switch {
	case strings.Contains(src, "%("):
		return compileGunicorn(src)
	case strings.Contains(src, "$"):
		return compileNginx(src)
	case strings.Contains(src, "%"):
		return compileApache(src)
	}
	return nil, fmt.Errorf("log format %q has no variables ($var, %%x or %%(x)s)", src)
}

// unwrapNginx accepts a log_format directive verbatim (log_format name
// [escape=...] '...' '...';) or just the format string, quoted or not.
func unwrapNginx(s string) string {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), ";"))
	if strings.HasPrefix(s, "log_format") {
		f := strings.Fields(s)
		if len(f) >= 2 {
			s = strings.TrimSpace(strings.TrimPrefix(s, "log_format"))
			s = strings.TrimSpace(strings.TrimPrefix(s, f[1]))
			if strings.HasPrefix(s, "escape=") {
				if i := strings.IndexAny(s, " \t"); i > 0 {
					s = strings.TrimSpace(s[i:])
				}
			}
		}
	}
	// Concatenate quoted pieces: '...' '...' or "..." "...".
	if len(s) > 0 && (s[0] == '\'' || s[0] == '"') {
		var b strings.Builder
		for len(s) > 0 {
			q := s[0]
			if q != '\'' && q != '"' {
				break
			}
			end := strings.IndexByte(s[1:], q)
			if end < 0 {
				b.WriteString(s[1:])
				break
			}
			b.WriteString(s[1 : 1+end])
			s = strings.TrimSpace(s[2+end:])
		}
		return b.String()
	}
	return s
}

func nginxKind(v string) fieldKind {
	switch v {
	case "remote_addr", "binary_remote_addr", "realip_remote_addr":
		return fClient
	case "time_local":
		return fTimeCLF
	case "time_iso8601":
		return fTimeISO
	case "msec":
		return fTimeEpoch
	case "request":
		return fRequest
	case "request_method":
		return fMethod
	case "request_uri":
		return fURI
	case "uri", "document_uri":
		return fPath
	case "args", "query_string":
		return fQuery
	case "status":
		return fStatus
	case "body_bytes_sent", "bytes_sent":
		return fBytes
	case "http_referer":
		return fReferer
	case "http_user_agent":
		return fUserAgent
	case "request_time":
		return fDurS
	case "upstream_response_time":
		return fOriginS
	case "upstream_header_time":
		return fTTFBs
	case "upstream_cache_status", "srcache_fetch_status":
		return fCache
	case "host", "http_host", "server_name":
		return fHost
	case "request_id", "http_x_request_id":
		return fRequestID
	case "sent_http_cache_control", "upstream_http_cache_control":
		return fCacheControl
	case "sent_http_content_type", "upstream_http_content_type", "content_type":
		return fContentType
	case "sent_http_etag", "upstream_http_etag":
		return fETag
	case "sent_http_set_cookie", "upstream_http_set_cookie":
		return fSetCookie
	case "http_authorization":
		return fAuth
	case "http_cookie":
		return fCookie
	case "sent_http_vary", "upstream_http_vary":
		return fVary
	case "http_accept_language":
		return fLang
	case "http_accept":
		return fAccept
	}
	return fIgnore
}

func isVarByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func compileNginx(def string) (*Layout, error) {
	s := unwrapNginx(def)
	l := &Layout{source: s, syntax: "nginx"}
	var lit []byte
	for i := 0; i < len(s); {
		c := s[i]
		if c != '$' {
			lit = append(lit, c)
			i++
			continue
		}
		j := i + 1
		var name string
		if j < len(s) && s[j] == '{' {
			end := strings.IndexByte(s[j:], '}')
			if end < 0 {
				return nil, fmt.Errorf("nginx log format: unclosed ${ at offset %d", i)
			}
			name = s[j+1 : j+end]
			j += end + 1
		} else {
			for j < len(s) && isVarByte(s[j]) {
				j++
			}
			name = s[i+1 : j]
		}
		if name == "" {
			lit = append(lit, '$')
			i++
			continue
		}
		kind := nginxKind(name)
		if kind == fIgnore {
			if err := checkNginxVar(name); err != nil {
				return nil, err
			}
		}
		l.items = appendLit(l.items, lit)
		lit = nil
		l.items = append(l.items, item{isF: true, kind: kind, name: "$" + name})
		i = j
	}
	l.items = appendLit(l.items, lit)
	return l, l.check()
}

func appendLit(items []item, lit []byte) []item {
	if len(lit) == 0 {
		return items
	}
	return append(items, item{lit: lit})
}

// check rejects layouts whose fields cannot be told apart (two fields with no
// literal between them) and layouts with no request information.
func (l *Layout) check() error {
	has := false
	for i, it := range l.items {
		if it.isF && i+1 < len(l.items) && l.items[i+1].isF {
			return fmt.Errorf("%s log format: %s and %s follow each other with nothing between them; they cannot be told apart", l.syntax, it.name, l.items[i+1].name)
		}
		if it.isF && (it.kind == fRequest || it.kind == fURI || it.kind == fPath) {
			has = true
		}
	}
	if !has {
		return fmt.Errorf("%s log format %q logs no request path ($request, $request_uri, $uri / %%r, %%U)", l.syntax, l.source)
	}
	return nil
}

func apacheHeaderKind(h string, dir byte) fieldKind {
	h = strings.ToLower(h)
	switch dir {
	case 'i':
		switch h {
		case "referer":
			return fReferer
		case "user-agent":
			return fUserAgent
		case "host":
			return fHost
		case "x-request-id":
			return fRequestID
		case "authorization":
			return fAuth
		case "cookie":
			return fCookie
		case "accept-language":
			return fLang
		case "accept":
			return fAccept
		}
	case 'o':
		switch h {
		case "cache-control":
			return fCacheControl
		case "content-type":
			return fContentType
		case "etag":
			return fETag
		case "set-cookie":
			return fSetCookie
		case "vary":
			return fVary
		case "x-cache", "x-cache-status":
			return fCache
		case "x-request-id":
			return fRequestID
		}
	case 'e':
		if h == "unique_id" {
			return fRequestID
		}
	case 'x': // varnishncsa extended variables
		switch h {
		case "varnish:hitmiss", "varnish:handling":
			return fCache
		case "varnish:time_firstbyte":
			return fTTFBs
		}
	case 'T':
		switch h {
		case "ms":
			return fDurMS
		case "us":
			return fDurUS
		case "s":
			return fDurS
		}
	}
	return fIgnore
}

func compileApache(def string) (*Layout, error) {
	s := strings.TrimSpace(def)
	if strings.HasPrefix(s, "LogFormat") {
		s = strings.TrimSpace(strings.TrimPrefix(s, "LogFormat"))
		if len(s) > 0 && s[0] == '"' {
			if end := strings.LastIndexByte(s, '"'); end > 0 {
				s = strings.ReplaceAll(s[1:end], `\"`, `"`)
			}
		}
	}
	l := &Layout{source: s, syntax: "apache"}
	var lit []byte
	for i := 0; i < len(s); {
		c := s[i]
		if c != '%' {
			lit = append(lit, c)
			i++
			continue
		}
		j := i + 1
		if j < len(s) && s[j] == '%' {
			lit = append(lit, '%')
			i += 2
			continue
		}
		// Modifiers: status lists (%400,501{...}), '<' / '>', '!'.
		for j < len(s) && (s[j] == '<' || s[j] == '>' || s[j] == '!' || s[j] == ',' || s[j] >= '0' && s[j] <= '9') {
			j++
		}
		arg := ""
		if j < len(s) && s[j] == '{' {
			end := strings.IndexByte(s[j:], '}')
			if end < 0 {
				return nil, fmt.Errorf("apache log format: unclosed %%{ at offset %d", i)
			}
			arg = s[j+1 : j+end]
			j += end + 1
		}
		if j >= len(s) {
			return nil, fmt.Errorf("apache log format: %% at offset %d has no directive letter", i)
		}
		d := s[j]
		j++
		var k fieldKind
		switch d {
		case 'h', 'a':
			k = fClient
		case 't':
			k = fTimeCLF
			if arg != "" {
				k = fIgnore
			}
		case 'r':
			k = fRequest
		case 'm':
			k = fMethod
		case 'U':
			k = fPath
		case 'q':
			k = fQuery
		case 's':
			k = fStatus
		case 'b', 'B', 'O':
			k = fBytes
		case 'D':
			k = fDurUS
		case 'T':
			k = fDurS
			if arg != "" {
				k = apacheHeaderKind(arg, 'T')
			}
		case 'v', 'V':
			k = fHost
		case 'i', 'o', 'e', 'x':
			k = apacheHeaderKind(arg, d)
		default:
			k = fIgnore
		}
		l.items = appendLit(l.items, lit)
		lit = nil
		l.items = append(l.items, item{isF: true, kind: k, name: s[i:j]})
		i = j
	}
	l.items = appendLit(l.items, lit)
	return l, l.check()
}

func compileGunicorn(def string) (*Layout, error) {
	s := strings.TrimSpace(def)
	s = strings.Trim(s, `'`)
	l := &Layout{source: s, syntax: "gunicorn"}
	var lit []byte
	for i := 0; i < len(s); {
		if !strings.HasPrefix(s[i:], "%(") {
			lit = append(lit, s[i])
			i++
			continue
		}
		end := strings.Index(s[i:], ")s")
		if end < 0 {
			return nil, fmt.Errorf("gunicorn log format: unclosed %%( at offset %d", i)
		}
		name := s[i+2 : i+end]
		var k fieldKind
		switch {
		case name == "h":
			k = fClient
		case name == "t":
			k = fTimeCLF
		case name == "r":
			k = fRequest
		case name == "m":
			k = fMethod
		case name == "U":
			k = fPath
		case name == "q":
			k = fQuery
		case name == "s":
			k = fStatus
		case name == "b" || name == "B":
			k = fBytes
		case name == "f":
			k = fReferer
		case name == "a":
			k = fUserAgent
		case name == "T":
			k = fDurS
		case name == "D":
			k = fDurUS
		case name == "M":
			k = fDurMS
		case name == "L":
			k = fDurS
		case strings.HasPrefix(name, "{") && len(name) > 3:
			// {header}i, {header}o, {var}e
			close := strings.LastIndexByte(name, '}')
			if close > 0 && close+1 < len(name) {
				k = apacheHeaderKind(name[1:close], name[close+1])
			}
		}
		l.items = appendLit(l.items, lit)
		lit = nil
		l.items = append(l.items, item{isF: true, kind: k, name: s[i : i+end+2]})
		i += end + 2
	}
	l.items = appendLit(l.items, lit)
	return l, l.check()
}

// Parse implements Parser.
func (l *Layout) Parse(line []byte, r *Record) error {
	line = bytes.TrimRight(line, " \t\r")
	if len(line) == 0 {
		return ErrNoRequest
	}
	pos, err := l.parse(line, r, true)
	if err != nil {
		return err
	}
	if pos != len(line) {
		return fmt.Errorf("unexpected trailing text at column %d", pos+1)
	}
	if len(r.Path) == 0 && !r.BadRequest {
		return errors.New("no request path")
	}
	return nil
}

// parse runs the layout over line and returns where it stopped. When the
// last item is a field and whole is false, that field ends at the next space
// (so that a prefix layout can be matched against longer lines).
func (l *Layout) parse(line []byte, r *Record, whole bool) (int, error) {
	return l.parseSeen(line, r, whole, nil)
}

// parseSeen is parse, telling seen (when not nil) each field's raw value
// by its item index.
func (l *Layout) parseSeen(line []byte, r *Record, whole bool, seen func(i int, val []byte)) (int, error) {
	pos := 0
	items := l.items
	for i := 0; i < len(items); i++ {
		it := &items[i]
		if !it.isF {
			if !bytes.HasPrefix(line[pos:], it.lit) {
				return pos, fmt.Errorf("expected %q at column %d", it.lit, pos+1)
			}
			pos += len(it.lit)
			continue
		}
		var val []byte
		if i+1 == len(items) && whole {
			val = line[pos:]
			pos = len(line)
		} else {
			next := []byte(" ")
			if i+1 < len(items) {
				next = items[i+1].lit
			}
			end := findDelim(line[pos:], next, it.kind)
			if end < 0 && i+1 == len(items) {
				end = len(line) - pos
			}
			if end < 0 && i+2 == len(items) && whole && string(next) == `"` {
				// A line cut short inside its last quoted field (seen in real
				// logs: a user agent without its closing quote): keep it.
				val = line[pos:]
				pos = len(line)
				if err := setField(r, it.kind, val); err != nil {
					return pos, fmt.Errorf("field %s %q: %w", it.name, clip(val), err)
				}
				return pos, nil
			}
			if end < 0 {
				return pos, fmt.Errorf("field %s: expected %q after it (from column %d)", it.name, next, pos+1)
			}
			val = line[pos : pos+end]
			pos += end
		}
		if seen != nil {
			seen(i, val)
		}
		if err := setField(r, it.kind, val); err != nil {
			return pos, fmt.Errorf("field %s %q: %w", it.name, clip(val), err)
		}
	}
	return pos, nil
}

// EmptyFields lists the fields cdnadvise reads that are empty ("" or "-")
// on every line of lines the layout parses (none when it parses none):
// a variable that is not logged as the layout says (a typo nginx accepts
// as an unset variable, a header the server never sends).
func (l *Layout) EmptyFields(lines [][]byte) []string {
	filled := map[int]bool{}
	parsed := 0
	for _, line := range lines {
		line = bytes.TrimRight(line, " \t\r")
		if len(line) == 0 {
			continue
		}
		var rec Record
		rec.Reset()
		cur := map[int]bool{}
		pos, err := l.parseSeen(line, &rec, true, func(i int, val []byte) {
			if v := bytes.TrimSpace(val); len(v) > 0 && string(v) != "-" {
				cur[i] = true
			}
		})
		if err != nil || pos != len(line) {
			continue
		}
		parsed++
		for i := range cur {
			filled[i] = true
		}
	}
	if parsed == 0 {
		return nil
	}
	var out []string
	for i, it := range l.items {
		if it.isF && it.kind != fIgnore && !filled[i] {
			out = append(out, it.name)
		}
	}
	return out
}

// findDelim finds where a field ends: at the next occurrence of the literal
// that follows it. A quote preceded by a backslash is part of the value
// (Apache escapes quotes as \"); upstream time lists ("0.1, 0.2", "0.1 : 0.2")
// run over the spaces they contain.
func findDelim(s, delim []byte, k fieldKind) int {
	if k == fTimeCLF {
		// "[10/Oct/2000:13:55:36 -0700]" (Apache %t, gunicorn %(t)s) or the bare
		// 26-byte form: the space inside is not the delimiter.
		skip := 21
		if len(s) > 0 && s[0] == '[' {
			skip = bytes.IndexByte(s, ']')
		}
		if skip < 0 || skip > len(s) {
			return -1
		}
		i := bytes.Index(s[skip:], delim)
		if i < 0 {
			return -1
		}
		return skip + i
	}
	if len(delim) == 1 && delim[0] == ' ' {
		// Fast path for space-separated fields.
		off := 0
		for {
			i := bytes.IndexByte(s[off:], ' ')
			if i < 0 {
				return -1
			}
			i += off
			if k == fClient && i > 0 && s[i-1] == ',' {
				// A forwarded-for list: "10.0.0.2, 10.0.0.1, 127.0.0.1".
				off = i + 1
				continue
			}
			if (k == fOriginS || k == fTTFBs) && i > 0 && (s[i-1] == ',' || bytes.HasPrefix(s[i:], []byte(" : "))) {
				if s[i-1] == ',' {
					off = i + 1
				} else {
					off = i + 3
				}
				continue
			}
			return i
		}
	}
	off := 0
	for {
		i := bytes.Index(s[off:], delim)
		if i < 0 {
			return -1
		}
		i += off
		if delim[0] == '"' && escapedAt(s, i) {
			off = i + 1
			continue
		}
		return i
	}
}

// escapedAt reports whether s[i] is preceded by an odd number of backslashes.
func escapedAt(s []byte, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

var (
	errBadStatus = errors.New("not an HTTP status")
	errBadBytes  = errors.New("not a byte count")
	errBadDur    = errors.New("not a duration")
	errBadReq    = errors.New("not a request line")
)

// setField stores one layout value into the record.
func setField(r *Record, k fieldKind, v []byte) error {
	switch k {
	case fIgnore:
	case fClient:
		if c := bytes.IndexByte(v, ','); c >= 0 {
			v = bytes.TrimSpace(v[:c]) // the first address of a forwarded-for list
		}
		r.Client = orNil(v)
	case fTimeCLF:
		if len(v) > 2 && v[0] == '[' && v[len(v)-1] == ']' {
			v = v[1 : len(v)-1]
		}
		t, err := parseCLFTime(v)
		if err != nil {
			return err
		}
		r.TS, r.HasTS = t, true
	case fTimeISO:
		t, err := parseISOTime(v)
		if err != nil {
			return err
		}
		r.TS, r.HasTS = t, true
	case fTimeEpoch:
		t, err := parseEpoch(v)
		if err != nil {
			return err
		}
		r.TS, r.HasTS = t, true
	case fRequest:
		if !r.SetRequestLine(v) {
			// "", "hello", TLS bytes: logged with their status; a row.
			r.SetBadRequest()
		}
	case fMethod:
		r.Method = orNil(v)
	case fURI:
		if len(v) == 0 || isDash(v) {
			return errBadReq
		}
		r.SetTarget(v)
	case fPath:
		if len(v) == 0 || isDash(v) {
			return errBadReq
		}
		if len(r.Path) == 0 {
			r.Path = v
		}
	case fQuery:
		if len(v) > 0 && v[0] == '?' {
			v = v[1:]
		}
		if len(r.Query) == 0 {
			r.Query = orNil(v)
		}
	case fStatus:
		n, err := parseInt(v)
		if err != nil || n > 999 {
			return errBadStatus
		}
		r.Status = int(n)
	case fBytes:
		if isDash(v) {
			r.Bytes = 0
			return nil
		}
		n, err := parseInt(v)
		if err != nil {
			return errBadBytes
		}
		r.Bytes = n
	case fReferer:
		r.Referer = orNil(v)
	case fUserAgent:
		r.UserAgent = orNil(v)
	case fDurS, fDurMS, fDurUS:
		f, ok := optFloat(v)
		if !ok {
			return errBadDur
		}
		r.DurationMS = scaleMS(f, k == fDurS, k == fDurUS)
	case fOriginS, fOriginMS, fOriginUS:
		f, ok := sumUpstreamTimes(v)
		if !ok {
			return errBadDur
		}
		r.OriginMS = scaleMS(f, k == fOriginS, k == fOriginUS)
	case fTTFBs, fTTFBms:
		f, ok := sumUpstreamTimes(v)
		if !ok {
			return errBadDur
		}
		r.TTFBMS = scaleMS(f, k == fTTFBs, false)
	case fCache:
		if v = orNil(v); v != nil {
			r.CacheRaw = v
			r.Cache = NormalizeCacheStatus(v)
		}
	case fHost:
		r.Host = orNil(v)
	case fRequestID:
		r.RequestID = orNil(v)
	case fCacheControl:
		r.CacheControl = orNil(v)
	case fContentType:
		r.ContentType = orNil(v)
	case fETag:
		r.ETag = orNil(v)
	case fSetCookie:
		r.SetCookie = boolPresent(v)
	case fAuth:
		r.HasAuth = boolPresent(v)
	case fCookie:
		r.SetCookieHeader(v)
	case fVary:
		r.Vary = orNil(v)
	case fLang:
		r.AcceptLanguage = orNil(v)
	case fAccept:
		r.Accept = orNil(v)
	case fPop:
		r.Pop = orNil(v)
	}
	return nil
}

func scaleMS(f float64, seconds, micros bool) float64 {
	if math.IsNaN(f) {
		return f
	}
	switch {
	case seconds:
		return f * 1000
	case micros:
		return f / 1000
	}
	return f
}

func boolPresent(v []byte) int8 {
	if len(v) == 0 || isDash(v) {
		return 0
	}
	return 1
}
