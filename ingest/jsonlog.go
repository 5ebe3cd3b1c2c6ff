package ingest

// A small engine shared by the JSON-lines formats (cloudflare, fastly,
// akamai) and by --json-map: each format is a table that maps canonical
// fields to one or more key paths ("alternatives", tried in order), with a
// converter per canonical field. Key paths are dotted for nested objects
// ("fastly_info.state" reads {"fastly_info":{"state":"HIT"}}); a top-level key
// spelled with the dots ({"fastly_info.state":"HIT"}) is accepted too.
//
// A line is first checked with encoding/json's Valid, then walked once by a
// small scanner that only looks at the keys of the table (nested objects are
// only entered when the table has a path through them), so values that are
// not escaped are not copied.
//
// References: JSON Lines, https://jsonlines.org/; JSON, RFC 8259,
// https://www.rfc-editor.org/rfc/rfc8259.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// jsonKind is the canonical field a JSON key is read into.
type jsonKind uint8

const (
	jkTS jsonKind = iota // RFC 3339 / ISO 8601, CLF, or unix epoch (s, ms, µs, ns)
	jkMethod
	jkHost // before jkURL: an absolute URL does not override the host key
	jkURL  // path?query (or an absolute URL), split into Path and Query
	jkPath
	jkQuery
	jkStatus
	jkBytes
	jkCache
	jkDur // durations: the alternative's scale converts to milliseconds
	jkTTFB
	jkOrigin
	jkPop
	jkRequestID
	jkClient
	jkUA
	jkReferer
	jkCacheControl
	jkContentType
	jkETag
	jkSetCookie
	jkAuth
	jkCookie
	jkVary
	jkLang        // the request's Accept-Language
	jkAccept      // the request's Accept
	jkCookieNames // an object of cookies by name (Cloudflare's Cookies): names only
	jkExtra1      // read raw, for the format's post hook only
	jkExtra2
)

// jsonDecode says how a string value is decoded after JSON unescaping.
type jsonDecode uint8

const (
	jdNone    jsonDecode = iota
	jdPercent            // %XX decoded once
	jdForm               // %XX decoded once and '+' read as a space
)

// jsonAlt is one key path for a canonical field.
type jsonAlt struct {
	path  string  // dotted key path
	scale float64 // durations: factor to milliseconds (1 for ms, 1000 for s)
}

// jsonField maps one canonical field to its alternatives.
type jsonField struct {
	kind   jsonKind
	alts   []jsonAlt
	decode jsonDecode
	// absentUnknown: a missing key means "not logged", not "not sent"
	// (headers logged only when configured, as Cloudflare's custom fields).
	absentUnknown bool
}

// jsonSpec describes one JSON-lines format.
type jsonSpec struct {
	name   string
	fields []jsonField
	// detectKeys are the key paths Open looks for; detect decides from the
	// ones present (with a non-null value) whether a line is in the format.
	detectKeys []string
	detect     func(has func(path string) bool) bool
	detectDoc  string // for Open's error: what detect wants
	// post, when set, runs after the fields are read: ts is the raw time
	// value, extra1 / extra2 the raw values of the jkExtra fields.
	post func(r *Record, ts, extra1, extra2 []byte)
}

// jsonNode is one level of the key trie a parser walks a line with.
type jsonNode struct {
	slot     int // value slot of the path ending here; -1 for none
	children map[string]*jsonNode
}

// jsonTrie collects key paths into a trie of value slots.
type jsonTrie struct {
	root  *jsonNode
	slots map[string]int // trie path ("a\x00b") -> slot
}

func newJSONTrie() *jsonTrie {
	return &jsonTrie{root: &jsonNode{slot: -1}, slots: map[string]int{}}
}

// add registers a dotted path and returns its slots: the nested form first
// and, for a dotted path, the flat key spelled with dots.
func (t *jsonTrie) add(path string) []int {
	segs := strings.Split(path, ".")
	out := []int{t.addSegs(segs)}
	if len(segs) > 1 {
		out = append(out, t.addSegs([]string{path}))
	}
	return out
}

func (t *jsonTrie) addSegs(segs []string) int {
	key := strings.Join(segs, "\x00")
	if s, ok := t.slots[key]; ok {
		return s
	}
	n := t.root
	for _, k := range segs {
		c := n.children[k]
		if c == nil {
			if n.children == nil {
				n.children = map[string]*jsonNode{}
			}
			c = &jsonNode{slot: -1}
			n.children[k] = c
		}
		n = c
	}
	s := len(t.slots)
	n.slot = s
	t.slots[key] = s
	return s
}

// jsonSlotField is a compiled jsonField: one slot per alternative.
type jsonSlotField struct {
	kind          jsonKind
	absentUnknown bool
	slots         []int
	names         []string // key path per slot, for messages
	scales        []float64
	decode        jsonDecode
}

// jsonParser parses JSON lines with a compiled spec. It is immutable.
type jsonParser struct {
	spec     *jsonSpec
	root     *jsonNode
	nslots   int
	fields   []jsonSlotField
	pathKeys string // keys that can give the path, for messages
}

func (s *jsonSpec) compile() *jsonParser {
	t := newJSONTrie()
	p := &jsonParser{spec: s}
	var pathKeys []string
	for _, f := range s.fields {
		sf := jsonSlotField{kind: f.kind, decode: f.decode, absentUnknown: f.absentUnknown}
		for _, a := range f.alts {
			scale := a.scale
			if scale == 0 {
				scale = 1
			}
			for _, slot := range t.add(a.path) {
				sf.slots = append(sf.slots, slot)
				sf.names = append(sf.names, a.path)
				sf.scales = append(sf.scales, scale)
			}
			if f.kind == jkURL || f.kind == jkPath {
				pathKeys = append(pathKeys, a.path)
			}
		}
		p.fields = append(p.fields, sf)
	}
	sort.SliceStable(p.fields, func(i, j int) bool { return p.fields[i].kind < p.fields[j].kind })
	p.root, p.nslots = t.root, len(t.slots)
	p.pathKeys = strings.Join(pathKeys, ", ")
	return p
}

// open is the Open function of a JSON format: it accepts the file when one
// of its first JSON object lines has the keys that mark the format.
func (s *jsonSpec) open(head [][]byte) (Parser, error) {
	t := newJSONTrie()
	slots := make(map[string][]int, len(s.detectKeys))
	for _, k := range s.detectKeys {
		slots[k] = t.add(k)
	}
	vals := make([][]byte, len(t.slots))
	seen := 0
	for _, line := range head {
		obj, err := jsonObjectLine(line)
		if err != nil {
			continue
		}
		clear(vals)
		if _, err := jsonWalkObject(obj, 0, t.root, vals); err != nil {
			continue
		}
		seen++
		has := func(path string) bool {
			for _, slot := range slots[path] {
				if v := vals[slot]; len(v) > 0 && string(v) != "null" {
					return true
				}
			}
			return false
		}
		if s.detect(has) {
			return s.compile(), nil
		}
		if seen >= 10 {
			break
		}
	}
	if seen == 0 {
		return nil, fmt.Errorf("%s: no JSON object line in the first %d lines", s.name, len(head))
	}
	return nil, fmt.Errorf("%s: the first JSON lines do not have %s", s.name, s.detectDoc)
}

var (
	errJSONSyntax = errors.New("malformed JSON")
	utf8BOM       = []byte("\xef\xbb\xbf")
)

// jsonObjectLine trims a line and checks that it holds one JSON object. An
// array's brackets on their own lines ("[", "]") carry no request, and a
// trailing comma (one object per line inside an array) is dropped.
func jsonObjectLine(line []byte) ([]byte, error) {
	b := bytes.TrimSpace(bytes.TrimPrefix(line, utf8BOM))
	if len(b) > 0 && b[len(b)-1] == ',' {
		b = bytes.TrimSpace(b[:len(b)-1])
	}
	switch string(b) {
	case "", "[", "]", "[]":
		return nil, ErrNoRequest
	}
	if b[0] != '{' {
		return nil, fmt.Errorf("not a JSON object: the line starts with %q", clip(b[:min(len(b), 12)]))
	}
	if !json.Valid(b) {
		return nil, errors.New("not valid JSON: malformed or truncated object")
	}
	return b, nil
}

// Parse implements Parser.
func (p *jsonParser) Parse(line []byte, r *Record) error {
	obj, err := jsonObjectLine(line)
	if err != nil {
		return err
	}
	var buf [64][]byte
	var vals [][]byte
	if p.nslots <= len(buf) {
		vals = buf[:p.nslots]
	} else {
		vals = make([][]byte, p.nslots)
	}
	if _, err := jsonWalkObject(obj, 0, p.root, vals); err != nil {
		return fmt.Errorf("not valid JSON: %w", err)
	}
	var ts, extra1, extra2 []byte
	for i := range p.fields {
		f := &p.fields[i]
		var text []byte
		alt := -1
		for k, slot := range f.slots {
			t := jsonText(vals[slot])
			if f.kind == jkCookieNames && len(vals[slot]) > 0 && vals[slot][0] == '{' {
				t = vals[slot] // the object itself: its keys are the names
			}
			if t != nil {
				text, alt = t, k
				break
			}
		}
		if alt < 0 {
			if f.absentUnknown {
				continue
			}
			switch f.kind {
			case jkSetCookie:
				r.SetCookie = 0
			case jkAuth:
				r.HasAuth = 0
			case jkCookie:
				r.HasCookie = 0
			}
			continue
		}
		switch f.decode {
		case jdPercent:
			text = percentDecode(text, false)
		case jdForm:
			text = percentDecode(text, true)
		}
		switch f.kind {
		case jkTS:
			ts = text
		case jkExtra1:
			extra1 = text
		case jkExtra2:
			extra2 = text
		}
		if err := setJSONField(r, f.kind, text, f.scales[alt]); err != nil {
			return fmt.Errorf("key %s %q: %w", f.names[alt], clip(text), err)
		}
	}
	if p.spec.post != nil {
		p.spec.post(r, ts, extra1, extra2)
	}
	if len(r.Path) == 0 {
		return fmt.Errorf("no request path: none of the keys %s has a value", p.pathKeys)
	}
	return nil
}

// setJSONField converts one value into the record.
func setJSONField(r *Record, k jsonKind, v []byte, scale float64) error {
	switch k {
	case jkTS:
		t, err := jsonTime(v)
		if err != nil {
			return errors.New("not a time (RFC 3339 / ISO 8601, or a unix epoch in s, ms, µs or ns)")
		}
		r.TS, r.HasTS = t, true
	case jkMethod:
		r.Method = v
	case jkHost:
		r.Host = v
	case jkURL:
		r.SetTarget(v)
	case jkPath:
		if len(r.Path) == 0 {
			r.Path = v
		}
	case jkQuery:
		if v[0] == '?' {
			v = v[1:]
		}
		if len(r.Query) == 0 {
			r.Query = orNil(v)
		}
	case jkStatus:
		n, err := jsonInt(v)
		if err != nil || n > 999 {
			return errBadStatus
		}
		r.Status = int(n)
	case jkBytes:
		n, err := jsonInt(v)
		if err != nil {
			return errBadBytes
		}
		r.Bytes = n
	case jkCache:
		r.CacheRaw = v
		r.Cache = NormalizeCacheStatus(v)
	case jkDur, jkTTFB, jkOrigin:
		f, err := parseFloat(v) // negative values go through strconv
		if err != nil {
			return errBadDur
		}
		if f < 0 { // -1 and the like: not available
			f = math.NaN()
		} else {
			f *= scale
		}
		switch k {
		case jkDur:
			r.DurationMS = f
		case jkTTFB:
			r.TTFBMS = f
		default:
			r.OriginMS = f
		}
	case jkPop:
		r.Pop = v
	case jkRequestID:
		r.RequestID = v
	case jkClient:
		r.Client = v
	case jkUA:
		r.UserAgent = v
	case jkReferer:
		r.Referer = v
	case jkCacheControl:
		r.CacheControl = v
	case jkContentType:
		r.ContentType = v
	case jkETag:
		r.ETag = v
	case jkSetCookie:
		r.SetCookie = jsonBool(v)
	case jkAuth:
		r.HasAuth = jsonBool(v)
	case jkCookie:
		r.SetCookieHeader(v)
	case jkVary:
		r.Vary = v
	case jkLang:
		r.AcceptLanguage = v
	case jkAccept:
		r.Accept = v
	case jkCookieNames:
		setCookieObject(r, v)
	}
	return nil
}

// setCookieObject records the names of a {"name": value, ...} object of
// request cookies (Cloudflare's Cookies custom field, only the cookies the
// zone configured): presence when one has a value; an empty object or only
// empty values leave presence unknown, since other cookies are not logged.
func setCookieObject(r *Record, obj []byte) {
	var m map[string]json.RawMessage
	if json.Unmarshal(obj, &m) != nil {
		return
	}
	var names []string
	for k, v := range m {
		if s := string(v); s != "null" && s != `""` && k != "" {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return
	}
	r.SetCookieHeader([]byte(strings.Join(names, "=;") + "="))
}

// jsonBool reads a presence flag: false and 0 are false, any other value
// (a header value, true, 1) is true.
func jsonBool(v []byte) int8 {
	switch string(v) {
	case "false", "0":
		return 0
	}
	return 1
}

// jsonTime reads a time given as an RFC 3339 / ISO 8601 string, a CLF time
// (brackets allowed), or a unix epoch number or numeric string.
func jsonTime(v []byte) (int64, error) {
	if len(v) > 2 && v[0] == '[' && v[len(v)-1] == ']' {
		v = v[1 : len(v)-1]
	}
	return parseAnyTime(v)
}

// jsonInt reads a non-negative integer, also written as 12.0 or 1.2e3.
func jsonInt(v []byte) (int64, error) {
	if n, err := parseInt(v); err == nil {
		return n, nil
	}
	f, err := parseFloat(v)
	if err != nil || f < 0 || f >= 1e18 || f != math.Trunc(f) {
		return 0, errBadNumber
	}
	return int64(f), nil
}

// jsonText returns the text of a scalar JSON value: a string's content
// (unescaped), or a number or boolean as written. null, objects, arrays, ""
// "-" and Fastly's "(null)" are no value (nil).
func jsonText(v []byte) []byte {
	if len(v) == 0 {
		return nil
	}
	switch v[0] {
	case '"':
		if len(v) < 2 {
			return nil
		}
		in := v[1 : len(v)-1]
		if bytes.IndexByte(in, '\\') >= 0 {
			var s string
			if json.Unmarshal(v, &s) != nil {
				return nil
			}
			in = []byte(s)
		}
		if string(in) == "(null)" {
			return nil
		}
		return orNil(in)
	case '{', '[', 'n':
		return nil
	}
	return v
}

func jsonSkipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// jsonStringEnd returns the index after the closing quote of the string that
// starts at b[i] (a '"'), and whether the string has escapes; -1 when it is
// not terminated.
func jsonStringEnd(b []byte, i int) (int, bool) {
	esc := false
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			esc = true
			j++
		case '"':
			return j + 1, esc
		}
	}
	return -1, esc
}

// jsonValueEnd returns the index after the JSON value that starts at b[i],
// or -1.
func jsonValueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		e, _ := jsonStringEnd(b, i)
		return e
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e, _ := jsonStringEnd(b, j)
				if e < 0 {
					return -1
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) {
		c := b[j]
		if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// jsonWalkObject walks the object that starts at b[i] (a '{') and stores in
// vals the raw values of the keys of the trie n. Nested objects are entered
// only when the trie goes through them, so the recursion depth is bounded by
// the trie's. It returns the index after the object.
func jsonWalkObject(b []byte, i int, n *jsonNode, vals [][]byte) (int, error) {
	if i >= len(b) || b[i] != '{' {
		return -1, errJSONSyntax
	}
	i = jsonSkipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return -1, errJSONSyntax
		}
		ke, esc := jsonStringEnd(b, i)
		if ke < 0 {
			return -1, errJSONSyntax
		}
		var child *jsonNode
		if n.children != nil {
			key := b[i+1 : ke-1]
			if esc {
				var s string
				if json.Unmarshal(b[i:ke], &s) != nil {
					return -1, errJSONSyntax
				}
				key = []byte(s)
			}
			child = n.children[string(key)]
		}
		i = jsonSkipSpace(b, ke)
		if i >= len(b) || b[i] != ':' {
			return -1, errJSONSyntax
		}
		i = jsonSkipSpace(b, i+1)
		ve := jsonValueEnd(b, i)
		if ve < 0 {
			return -1, errJSONSyntax
		}
		if child != nil {
			if child.slot >= 0 && child.slot < len(vals) {
				vals[child.slot] = b[i:ve]
			}
			if len(child.children) > 0 && b[i] == '{' {
				if _, err := jsonWalkObject(b[:ve], i, child, vals); err != nil {
					return -1, err
				}
			}
		}
		i = jsonSkipSpace(b, ve)
		if i >= len(b) {
			return -1, errJSONSyntax
		}
		switch b[i] {
		case '}':
			return i + 1, nil
		case ',':
			i = jsonSkipSpace(b, i+1)
		default:
			return -1, errJSONSyntax
		}
	}
}

// jsonMapNames are the canonical names accepted by --json-map, in the order
// they are documented.
var jsonMapNames = [...]struct {
	name  string
	kind  jsonKind
	scale float64
}{
	{"ts", jkTS, 0},
	{"method", jkMethod, 0},
	{"host", jkHost, 0},
	{"url", jkURL, 0},
	{"path", jkPath, 0},
	{"query", jkQuery, 0},
	{"status", jkStatus, 0},
	{"bytes", jkBytes, 0},
	{"cache", jkCache, 0},
	{"duration_ms", jkDur, 1},
	{"duration_s", jkDur, 1000},
	{"duration_us", jkDur, 0.001},
	{"ttfb_ms", jkTTFB, 1},
	{"ttfb_s", jkTTFB, 1000},
	{"ttfb_us", jkTTFB, 0.001},
	{"origin_ms", jkOrigin, 1},
	{"origin_s", jkOrigin, 1000},
	{"origin_us", jkOrigin, 0.001},
	{"pop", jkPop, 0},
	{"request_id", jkRequestID, 0},
	{"client", jkClient, 0},
	{"ua", jkUA, 0},
	{"referer", jkReferer, 0},
	{"cache_control", jkCacheControl, 0},
	{"content_type", jkContentType, 0},
	{"etag", jkETag, 0},
	{"set_cookie", jkSetCookie, 0},
	{"authorization", jkAuth, 0},
	{"cookie", jkCookie, 0},
	{"vary", jkVary, 0},
	{"accept_language", jkLang, 0},
	{"accept", jkAccept, 0},
}

// jsonMapValidNames lists the names accepted by --json-map, for messages.
func jsonMapValidNames() string {
	names := make([]string, 0, len(jsonMapNames)+1)
	for _, n := range jsonMapNames {
		names = append(names, n.name)
	}
	return strings.Join(append(names, "tier"), ", ")
}

const jsonMapSummary = "JSON lines read with --json-map 'canonical=key,...': key paths are dotted for nested objects (a.b) " +
	"and may list alternatives tried in order (path=uri|request.path); canonical names: " +
	"ts (RFC 3339 / ISO 8601, CLF, or unix epoch s/ms/µs/ns, number or string), method, host, " +
	"url (path?query or absolute URL, split into path and query), path, query, status, bytes, " +
	"cache (normalized cache status), duration_ms / duration_s / duration_us, ttfb_ms / ttfb_s / ttfb_us, " +
	"origin_ms / origin_s / origin_us, pop, request_id, client, ua, referer, cache_control, content_type, etag, " +
	"set_cookie and authorization (presence), cookie (the request's Cookie header: presence and names, never values), vary (the response's Vary), " +
	"accept_language and accept (the request's headers, for routes whose responses vary on them), and tier=edge|origin (default: edge when cache is mapped, else origin); " +
	"path or url is required; null, \"\", \"-\" and \"(null)\" are no value"

// JSONMapFormat builds the "json-map" format from a --json-map spec: a comma
// separated list of canonical=key entries that says which key of each JSON
// line holds which canonical field. Keys are dotted paths into nested
// objects ("fastly_info.state") and may list alternatives separated by '|',
// tried in order ("path=uri|request.path"); a name given twice adds
// alternatives. The canonical names are:
//
//	ts                               time: RFC 3339 / ISO 8601, CLF, or a unix epoch in
//	                                 seconds, ms, µs or ns (number or numeric string)
//	method, host                     request method and host
//	url                              request target, path?query or absolute URL,
//	                                 split into path and query
//	path, query                      path and query string (a leading '?' is dropped)
//	status, bytes                    HTTP status, response bytes
//	cache                            cache status (normalized, raw value kept)
//	duration_ms, duration_s, duration_us   total time, in the unit of the suffix
//	ttfb_ms, ttfb_s, ttfb_us         time to first byte
//	origin_ms, origin_s, origin_us   time spent on the origin
//	pop, request_id, client          edge location, request id, client address
//	ua, referer                      user agent, referer
//	cache_control, content_type, etag   response headers
//	set_cookie, authorization        presence of Set-Cookie / Authorization
//	cookie                           the request's Cookie header: its presence and
//	                                 cookie names are stored, never the values
//	vary                             the response's Vary header
//	tier                             edge or origin (not a key: the tier of the log;
//	                                 default edge when cache is mapped, else origin)
//
// path or url must be mapped. null, "", "-" and "(null)" are no value.
// Unknown names are an error that lists the valid ones. The format is never detected: Open accepts a file when one of
// its first JSON lines has a value for a path (or url) key.
func JSONMapFormat(spec string) (Format, error) {
	s := &jsonSpec{name: "json-map"}
	byKind := map[jsonKind]int{}
	tier := Tier("")
	var pathKeys []string
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, val, ok := strings.Cut(item, "=")
		name, val = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(val)
		if !ok || name == "" || val == "" {
			return Format{}, fmt.Errorf("--json-map entry %q: want canonical=key (canonical names: %s)", item, jsonMapValidNames())
		}
		if name == "tier" {
			switch Tier(strings.ToLower(val)) {
			case TierEdge, TierOrigin:
				tier = Tier(strings.ToLower(val))
			default:
				return Format{}, fmt.Errorf("--json-map tier=%q: want edge or origin", val)
			}
			continue
		}
		idx := -1
		for i, n := range jsonMapNames {
			if n.name == name {
				idx = i
				break
			}
		}
		if idx < 0 {
			return Format{}, fmt.Errorf("--json-map: unknown canonical name %q (valid: %s)", name, jsonMapValidNames())
		}
		m := jsonMapNames[idx]
		fi, seen := byKind[m.kind]
		if !seen {
			fi = len(s.fields)
			byKind[m.kind] = fi
			s.fields = append(s.fields, jsonField{kind: m.kind})
		}
		for _, key := range strings.Split(val, "|") {
			key = strings.TrimSpace(key)
			if key == "" || strings.HasPrefix(key, ".") || strings.HasSuffix(key, ".") || strings.Contains(key, "..") {
				return Format{}, fmt.Errorf("--json-map %s=%q: empty key or key path segment", name, val)
			}
			s.fields[fi].alts = append(s.fields[fi].alts, jsonAlt{path: key, scale: m.scale})
			if m.kind == jkPath || m.kind == jkURL {
				pathKeys = append(pathKeys, key)
			}
		}
	}
	if len(pathKeys) == 0 {
		return Format{}, errors.New("--json-map must map path or url (the request path is required)")
	}
	if tier == "" {
		tier = TierOrigin
		if _, ok := byKind[jkCache]; ok {
			tier = TierEdge
		}
	}
	s.detectKeys = pathKeys
	s.detectDoc = "a value for " + strings.Join(pathKeys, " or ")
	s.detect = func(has func(string) bool) bool {
		for _, k := range pathKeys {
			if has(k) {
				return true
			}
		}
		return false
	}
	source := strings.TrimSpace(spec)
	return Format{
		Name: "json-map", Tier: tier, NoDetect: true,
		Summary: jsonMapSummary,
		Example: `{"time":"2026-11-25T08:25:31Z","uri":"/items/42?x=1","status":200,"cache_status":"HIT","latency_ms":3.2}`,
		Open:    s.open,
		Describe: func(Parser) string {
			return "JSON keys mapped by --json-map " + source
		},
	}, nil
}
