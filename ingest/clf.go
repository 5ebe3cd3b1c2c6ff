package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// The NCSA common/combined family: nginx's default "combined", Apache's
// common and combined, gunicorn's default, varnishncsa's default, and all of
// them with extra fields appended (request time, upstream time, cache status,
// host, request id, in any order, bare or as key=value). The extra fields are
// inferred per file from its first lines and compiled into a Layout, so the
// parse is as fast as an explicit --nginx-format.
//
// Lines may carry a virtual host in front: Apache's standard vhost_combined
// (`%v:%p %h ...`, Debian's other_vhosts_access.log) or an nginx format
// starting with `$host` (`%v %h ...`); the client field may be a
// forwarded-for list (`$http_x_forwarded_for` in place of
// `$remote_addr`: "10.0.0.2, 10.0.0.1, 127.0.0.1"), whose first address is
// the client's.
const (
	commonLayout   = `%h %l %u %t "%r" %>s %b`
	combinedLayout = commonLayout + ` "%{Referer}i" "%{User-Agent}i"`
	vhostPrefix    = `%v:%p `
	hostPrefix     = `%v `
)

// clfFamily says which named format an inferred layout belongs to.
type clfFamily string

const (
	famCombined clfFamily = "combined"
	famCommon   clfFamily = "common"
	famNginx    clfFamily = "nginx-cache"
	famVarnish  clfFamily = "varnishncsa"
)

// clfShapes is what every format of the family also reads, for `cdnadvise
// formats`; the differences from Elastic's nginx ingest pipeline are
// deliberate (ingest/oracle_test.go).
const clfShapes = "; lines may start with a virtual host (Apache %v:%p, nginx $host) and a forwarded-for list before the connecting address, " +
	"and their layout may change within the file; the client is the forwarded-for list's first address (Elastic: its first public one); " +
	"a request line that is not HTTP (\"\", \"hello\", TLS bytes) is a row with its status and bytes and no method or path; " +
	"paths and queries are kept as logged, not percent-decoded (they are cache keys; Elastic decodes url.path)"

// clfParser is a Layout inferred for one file, with the family it belongs to.
type clfParser struct {
	*Layout
	family clfFamily
	extras []string
}

func describeCLF(p Parser) string {
	if l, ok := p.(*looseCLF); ok {
		if len(l.extras) == 0 {
			return "layout " + l.source
		}
		return "layout " + l.source + " (trailing fields read as " + strings.Join(l.extras, ", ") + ")"
	}
	c, ok := p.(*clfParser)
	if !ok {
		return ""
	}
	if len(c.extras) == 0 {
		return "layout " + c.source
	}
	return "layout " + c.source + " (trailing fields read as " + strings.Join(c.extras, ", ") + ")"
}

// extraToken is one field after the combined/common prefix.
type extraToken struct {
	key    string // "rt" for rt=0.1, else ""
	val    []byte
	quoted bool
}

func splitExtras(b []byte) []extraToken {
	var out []extraToken
	for {
		b = bytes.TrimLeft(b, " ")
		if len(b) == 0 {
			return out
		}
		var t extraToken
		if k := keyPrefix(b); k != "" {
			t.key = k
			b = b[len(k)+1:]
		}
		if len(b) > 0 && b[0] == '"' {
			end := 1
			for end < len(b) && (b[end] != '"' || escapedAt(b, end)) {
				end++
			}
			t.val, t.quoted = b[1:min(end, len(b))], true
			b = b[min(end+1, len(b)):]
		} else {
			end := 0
			for {
				i := bytes.IndexByte(b[end:], ' ')
				if i < 0 {
					end = len(b)
					break
				}
				end += i
				// Upstream lists: "0.1, 0.2" and "0.1 : 0.2".
				if end > 0 && b[end-1] == ',' {
					end++
					continue
				}
				if bytes.HasPrefix(b[end:], []byte(" : ")) {
					end += 3
					continue
				}
				break
			}
			t.val = b[:end]
			b = b[end:]
		}
		out = append(out, t)
	}
}

// keyPrefix returns k for a token "k=..." where k is a short identifier.
func keyPrefix(b []byte) string {
	for i := 0; i < len(b) && i < 32; i++ {
		c := b[i]
		if c == '=' && i > 0 {
			return string(b[:i])
		}
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return ""
		}
	}
	return ""
}

var (
	nginxCacheWords   = map[string]bool{"HIT": true, "MISS": true, "EXPIRED": true, "STALE": true, "UPDATING": true, "REVALIDATED": true, "BYPASS": true}
	varnishCacheWords = map[string]bool{"hit": true, "miss": true, "pass": true, "pipe": true, "synth": true, "hitpass": true, "hitmiss": true}
)

// classify guesses what an extra token holds.
func classify(t extraToken) fieldKind {
	if t.key != "" {
		switch strings.ToLower(t.key) {
		case "rt", "request_time", "reqtime":
			return fDurS
		case "urt", "ut", "upstream_response_time", "upstream_time":
			return fOriginS
		case "uht", "upstream_header_time":
			return fTTFBs
		case "cs", "cache", "cache_status", "upstream_cache_status", "ucs":
			return fCache
		case "host", "vhost":
			return fHost
		case "rid", "request_id", "reqid", "req_id":
			return fRequestID
		case "pop", "colo", "edge", "edge_location", "x_edge_location", "datacenter":
			return fPop
		}
		return fIgnore
	}
	v := t.val
	s := string(v)
	switch {
	case nginxCacheWords[s] || varnishCacheWords[s]:
		return fCache
	case isHex(v, 32) || isUUID(v):
		return fRequestID
	case isDecimal(v):
		return fDurS
	case isUpstreamList(v):
		return fOriginS
	case isInteger(v):
		return fDurUS
	case t.quoted && isHostname(v):
		return fHost
	}
	return fIgnore
}

func isHex(b []byte, n int) bool {
	if len(b) != n {
		return false
	}
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func isUUID(b []byte) bool {
	if len(b) != 36 || b[8] != '-' || b[13] != '-' || b[18] != '-' || b[23] != '-' {
		return false
	}
	return isHex(b[:8], 8) && isHex(b[9:13], 4) && isHex(b[14:18], 4) && isHex(b[19:23], 4) && isHex(b[24:], 12)
}

func isInteger(b []byte) bool {
	if len(b) == 0 || len(b) > 15 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isDecimal(b []byte) bool {
	dot := bytes.IndexByte(b, '.')
	return dot > 0 && dot < len(b)-1 && isInteger(b[:dot]) && isInteger(b[dot+1:])
}

func isUpstreamList(b []byte) bool {
	if !bytes.ContainsAny(b, ",:") {
		return false
	}
	_, ok := sumUpstreamTimes(b)
	return ok
}

func isHostname(b []byte) bool {
	if len(b) == 0 || len(b) > 255 {
		return false
	}
	dots := 0
	for _, c := range b {
		switch {
		case c == '.':
			dots++
		case c == '-' || c == ':' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		default:
			return false
		}
	}
	return dots > 0 || string(b) == "localhost"
}

var (
	combinedBase = mustCompile(combinedLayout)
	commonBase   = mustCompile(commonLayout)
	// clfBases are tried in this order: the first that reads half of the
	// head's lines is the file's.
	clfBases = []struct {
		layout *Layout
		source string
	}{
		{combinedBase, combinedLayout},
		{commonBase, commonLayout},
		{mustCompile(vhostPrefix + combinedLayout), vhostPrefix + combinedLayout},
		{mustCompile(vhostPrefix + commonLayout), vhostPrefix + commonLayout},
		{mustCompile(hostPrefix + combinedLayout), hostPrefix + combinedLayout},
		{mustCompile(hostPrefix + commonLayout), hostPrefix + commonLayout},
	}
)

func mustCompile(s string) *Layout {
	l, err := CompileLayout(s)
	if err != nil {
		panic(err)
	}
	return l
}

// inferCLF infers the layout of a file of the common/combined family from its
// first lines: which base (combined or common) and what the trailing fields
// are. It fails when fewer than half of the request lines fit.
func inferCLF(head [][]byte) (*clfParser, error) {
	type sample struct {
		extras   []extraToken
		absolute bool
	}
	var bestBase *Layout
	bestSource := ""
	var samples []sample
	for _, cand := range clfBases {
		base := cand.layout
		samples = samples[:0]
		n := 0
		for _, line := range head {
			line = bytes.TrimRight(line, " \t\r")
			if len(line) == 0 {
				continue
			}
			n++
			var r Record
			r.Reset()
			pos, err := base.parse(line, &r, false)
			if err != nil {
				continue
			}
			// A host without a virtual-host prefix came from an absolute URL
			// (varnishncsa logs them).
			samples = append(samples, sample{extras: splitExtras(line[pos:]), absolute: len(r.Host) > 0 && !strings.HasPrefix(cand.source, "%v")})
		}
		if n > 0 && len(samples)*2 >= n {
			bestBase, bestSource = base, cand.source
			break
		}
	}
	if bestBase == nil {
		return nil, errors.New("lines are not in common/combined log format")
	}
	// The most common number of trailing fields wins.
	counts := map[int]int{}
	for _, s := range samples {
		counts[len(s.extras)]++
	}
	nExtra, best := 0, -1
	for k, c := range counts {
		if c > best || c == best && k > nExtra {
			nExtra, best = k, c
		}
	}
	kinds := make([]fieldKind, nExtra)
	keys := make([]string, nExtra)
	quoted := make([]bool, nExtra)
	decided := make([]bool, nExtra)
	lower := false
	absolute := false
	for _, s := range samples {
		if len(s.extras) != nExtra {
			continue
		}
		absolute = absolute || s.absolute
		for i, t := range s.extras {
			if isDash(t.val) || len(t.val) == 0 {
				if !decided[i] {
					keys[i], quoted[i] = t.key, t.quoted
				}
				continue
			}
			k := classify(t)
			if k == fCache && varnishCacheWords[string(t.val)] {
				lower = true
			}
			if !decided[i] {
				kinds[i], keys[i], quoted[i], decided[i] = k, t.key, t.quoted, true
			} else if kinds[i] != k {
				// Mixed shapes: a float column that is sometimes a list is an
				// upstream time; anything else stays unread.
				if (kinds[i] == fDurS && k == fOriginS) || (kinds[i] == fOriginS && k == fDurS) {
					kinds[i] = fOriginS
				} else if (kinds[i] == fDurUS && k == fDurS) || (kinds[i] == fDurS && k == fDurUS) {
					kinds[i] = fDurS
				} else {
					kinds[i] = fIgnore
				}
			}
		}
	}
	// Bare durations: the first decimal column is the request time, the
	// second the upstream time, the third the upstream header time; a
	// second integer column is not read.
	seen := map[fieldKind]bool{}
	for i, k := range kinds {
		if keys[i] != "" {
			seen[k] = true
			continue
		}
		switch k {
		case fDurS:
			if seen[fDurS] {
				k = fOriginS
				if seen[fOriginS] {
					k = fTTFBs
					if seen[fTTFBs] {
						k = fIgnore
					}
				}
			}
		case fDurUS, fCache, fHost, fRequestID:
			if seen[k] {
				k = fIgnore
			}
		}
		kinds[i] = k
		seen[k] = true
	}
	l := &Layout{syntax: "apache", items: append([]item(nil), bestBase.items...)}
	src := strings.Builder{}
	src.WriteString(bestSource)
	var names []string
	hasCache := false
	for i, k := range kinds {
		lit := " "
		if keys[i] != "" {
			lit += keys[i] + "="
		}
		if quoted[i] {
			lit += `"`
		}
		l.items = append(l.items, item{lit: []byte(lit)}, item{isF: true, kind: k, name: fmt.Sprintf("field %d after the prefix", i+1)})
		if quoted[i] {
			l.items = append(l.items, item{lit: []byte(`"`)})
		}
		src.WriteString(lit + "{" + kindNames[k] + "}")
		if quoted[i] {
			src.WriteString(`"`)
		}
		names = append(names, kindNames[k])
		if k == fCache {
			hasCache = true
		}
	}
	l.source = src.String()
	fam := famCombined
	switch {
	case strings.HasSuffix(bestSource, commonLayout) && !hasCache && !absolute:
		fam = famCommon
	case hasCache && !lower && !absolute:
		fam = famNginx
	case absolute || lower:
		fam = famVarnish
	}
	return &clfParser{Layout: l, family: fam, extras: names}, nil
}

// clfOpen returns an Open function that accepts files of one family.
func clfOpen(fam clfFamily) func([][]byte) (Parser, error) {
	return func(head [][]byte) (Parser, error) {
		p, err := inferCLF(head)
		if err != nil {
			// A host and a forwarded-for list before ident and user.
			lp, lerr := inferLooseCLF(head)
			if lerr != nil {
				return nil, err
			}
			if lp.family != fam && fam != "gunicorn" {
				return nil, fmt.Errorf("file is %s, not %s", lp.family, fam)
			}
			return lp, nil
		}
		if p.family != fam && fam != "gunicorn" {
			return nil, fmt.Errorf("file is %s, not %s", p.family, fam)
		}
		return p, nil
	}
}

func nginxCacheFormat() Format {
	return Format{
		Name: string(famNginx), Tier: TierEdge,
		Summary: "nginx as a cache: combined plus any of $request_time, $upstream_response_time, $upstream_header_time, $upstream_cache_status, \"$host\", $request_id (bare or key=value, any order; key=value also for pop=, colo=, edge_location=)" + clfShapes,
		Example: `203.0.113.9 - - [25/Nov/2026:08:25:31 +0000] "GET /api/items/42?x=1 HTTP/1.1" 200 512 "-" "curl/8.0" 0.004 0.003 HIT`,
		Open:    clfOpen(famNginx), Describe: describeCLF,
	}
}

func varnishFormat() Format {
	return Format{
		Name: string(famVarnish), Tier: TierEdge,
		Summary: "varnishncsa: default format (absolute URL in %r), optionally with %{Varnish:hitmiss}x, %{Varnish:handling}x, %D (microseconds), %{Varnish:time_firstbyte}x" + clfShapes,
		Example: `127.0.0.1 - - [25/Nov/2026:08:25:31 +0000] "GET http://shop.example/items/42 HTTP/1.1" 200 512 "-" "curl/8.0" hit hit 153`,
		Open:    clfOpen(famVarnish), Describe: describeCLF,
	}
}

func combinedFormat() Format {
	return Format{
		Name: string(famCombined), Tier: TierOrigin,
		Summary: "NCSA combined (nginx default, Apache combined, gunicorn default), optionally followed by a response time: decimal seconds (nginx $request_time, gunicorn %(L)s) or integer microseconds (Apache %D, gunicorn %(D)s); for Apache %T or gunicorn %(M)s use --apache-format / --log-format" + clfShapes,
		Example: `198.51.100.7 - - [25/Nov/2026:08:25:31 +0000] "GET /items/42/ HTTP/1.1" 200 2326 "https://shop.example/" "Mozilla/5.0" 1532`,
		Open:    clfOpen(famCombined), Describe: describeCLF,
	}
}

func commonFormat() Format {
	return Format{
		Name: string(famCommon), Tier: TierOrigin,
		Summary: "NCSA common (Apache common): no referer or user agent" + clfShapes,
		Example: `198.51.100.7 - frank [25/Nov/2026:08:25:31 +0000] "GET /items/42/ HTTP/1.0" 200 2326`,
		Open:    clfOpen(famCommon), Describe: describeCLF,
	}
}

func gunicornFormat() Format {
	return Format{
		Name: "gunicorn", Tier: TierOrigin, NoDetect: true,
		Summary: "gunicorn access log: the default access_log_format is combined (detected as such); with %(D)s (microseconds) or %(L)s (seconds) appended the time is read too; other layouts: --log-format '<access_log_format>'" + clfShapes,
		Example: `127.0.0.1 - - [25/Nov/2026:08:25:31 +0000] "GET /items/42/ HTTP/1.1" 200 2326 "-" "python-requests/2.31" 1532`,
		Open:    clfOpen("gunicorn"), Describe: describeCLF,
	}
}
