package ingest

// AWS CloudFront standard (access) logs: W3C extended format, tab separated,
// with "#Version:" and "#Fields:" header lines. Field list and meaning:
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html#BasicDistributionFileFormat
// (the 33 fields of the legacy standard log, in the order below; standard
// logging v2 lets the fields be chosen and names them in #Fields).

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// cfKind is what a CloudFront column is read into.
type cfKind uint8

const (
	cfIgnore cfKind = iota
	cfDate
	cfTime
	cfTimestamp // standard logging v2 / real-time logs: epoch seconds (or ms)
	cfPop
	cfClient
	cfMethod
	cfHost
	cfHostHeader
	cfPath
	cfQuery
	cfStatus
	cfBytes
	cfReferer
	cfUA
	cfResult
	cfRequestID
	cfTimeTaken
	cfTTFB
	cfContentType
)

// cloudfrontColumns maps the #Fields names read (lower case) to their kind.
var cloudfrontColumns = map[string]cfKind{
	"date":               cfDate,
	"time":               cfTime,
	"timestamp":          cfTimestamp,
	"timestamp(ms)":      cfTimestamp,
	"x-edge-location":    cfPop,
	"c-ip":               cfClient,
	"cs-method":          cfMethod,
	"cs(host)":           cfHost,
	"x-host-header":      cfHostHeader,
	"cs-uri-stem":        cfPath,
	"cs-uri-query":       cfQuery,
	"sc-status":          cfStatus,
	"sc-bytes":           cfBytes,
	"cs(referer)":        cfReferer,
	"cs(user-agent)":     cfUA,
	"x-edge-result-type": cfResult,
	"x-edge-request-id":  cfRequestID,
	"time-taken":         cfTimeTaken,
	"time-to-first-byte": cfTTFB,
	"sc-content-type":    cfContentType,
}

// cloudfrontDefaultFields is the documented field order of a standard log,
// used when a file has no #Fields header (headers stripped).
var cloudfrontDefaultFields = [...]string{
	"date", "time", "x-edge-location", "sc-bytes", "c-ip", "cs-method", "cs(Host)", "cs-uri-stem",
	"sc-status", "cs(Referer)", "cs(User-Agent)", "cs-uri-query", "cs(Cookie)", "x-edge-result-type",
	"x-edge-request-id", "x-host-header", "cs-protocol", "cs-bytes", "time-taken", "x-forwarded-for",
	"ssl-protocol", "ssl-cipher", "x-edge-response-result-type", "cs-protocol-version", "fle-status",
	"fle-encrypted-fields", "c-port", "time-to-first-byte", "x-edge-detailed-result-type",
	"sc-content-type", "sc-content-len", "sc-range-start", "sc-range-end",
}

// cloudfrontParser reads the columns named by a #Fields header (or the
// default order). It is immutable.
type cloudfrontParser struct {
	kinds      []cfKind
	names      []string
	need       int    // fields a line needs for time, method, path and status
	needName   string // the last of those, for messages
	fromHeader bool
}

// cloudfrontFormat is AWS CloudFront's standard access log (W3C, tab
// separated). Columns are taken from the #Fields header, in any order or
// subset; a file whose headers were stripped is read with the documented
// default order of 33 fields. String values are percent-decoded once.
func cloudfrontFormat() Format {
	return Format{
		Name: "cloudfront", Tier: TierEdge,
		Summary: "AWS CloudFront standard log (W3C, tab separated; columns by the #Fields header, any order or subset, " +
			"or the default 33 fields when headers were stripped): date+time (UTC) or timestamp, x-edge-location (pop), c-ip, cs-method, " +
			"x-host-header (else cs(Host)), cs-uri-stem, cs-uri-query, sc-status (000 = unknown), sc-bytes, cs(Referer), cs(User-Agent), " +
			"x-edge-result-type (cache status), x-edge-request-id, time-taken (s), time-to-first-byte (s), sc-content-type; " +
			"values are percent-decoded once, '-' is no value",
		Example: "2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t-\t" +
			"Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)\t-\t-\tHit\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\t" +
			"d111111abcdef8.cloudfront.net\thttps\t23\t0.001\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\t" +
			"text/html\t78\t-\t-",
		Open:     openCloudFront,
		Describe: describeCloudFront,
	}
}

func describeCloudFront(p Parser) string {
	c, ok := p.(*cloudfrontParser)
	if !ok {
		return ""
	}
	if c.fromHeader {
		return fmt.Sprintf("columns from the #Fields header (%d fields)", len(c.names))
	}
	return "no #Fields header: the default 33-field CloudFront layout"
}

func openCloudFront(head [][]byte) (Parser, error) {
	for _, line := range head {
		line = bytes.TrimRight(line, "\r\n")
		if rest, ok := bytes.CutPrefix(line, []byte("#Fields:")); ok {
			return cloudfrontFromHeader(strings.Fields(string(rest)))
		}
	}
	// No header: the data lines must have the default 33 fields.
	checked := 0
	for _, line := range head {
		line = bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(line)) == 0 || line[0] == '#' {
			continue
		}
		f := bytes.Split(line, []byte{'\t'})
		if len(f) == len(cloudfrontDefaultFields) && looksCFDate(f[0]) && looksCFTime(f[1]) {
			return newCloudFrontParser(cloudfrontDefaultFields[:], false)
		}
		if checked++; checked >= 5 {
			break
		}
	}
	return nil, errors.New("cloudfront: no #Fields header and no line of 33 tab-separated fields starting with date and time")
}

func looksCFDate(b []byte) bool {
	_, ok := digits(b, 4)
	return len(b) == 10 && ok && b[4] == '-' && b[7] == '-'
}

func looksCFTime(b []byte) bool {
	_, ok := digits(b, 2)
	return len(b) >= 8 && ok && b[2] == ':' && b[5] == ':'
}

func cloudfrontFromHeader(names []string) (Parser, error) {
	edge := false
	for _, n := range names {
		if strings.HasPrefix(strings.ToLower(n), "x-edge-") {
			edge = true
		}
	}
	if !edge {
		return nil, errors.New("cloudfront: the #Fields header has no x-edge-* field (not a CloudFront log)")
	}
	return newCloudFrontParser(names, true)
}

func newCloudFrontParser(names []string, fromHeader bool) (*cloudfrontParser, error) {
	p := &cloudfrontParser{names: names, fromHeader: fromHeader, kinds: make([]cfKind, len(names))}
	has := map[cfKind]bool{}
	for i, n := range names {
		k := cloudfrontColumns[strings.ToLower(n)]
		if has[k] {
			k = cfIgnore // a repeated column: the first one is read
		}
		p.kinds[i] = k
		has[k] = true
		switch k {
		case cfDate, cfTime, cfTimestamp, cfMethod, cfPath, cfStatus:
			p.need, p.needName = i+1, n
		}
	}
	switch {
	case !has[cfPath]:
		return nil, errors.New("cloudfront: the #Fields header has no cs-uri-stem (request path)")
	case !(has[cfDate] && has[cfTime]) && !has[cfTimestamp]:
		return nil, errors.New("cloudfront: the #Fields header has neither date and time nor timestamp")
	}
	return p, nil
}

// Parse implements Parser.
func (p *cloudfrontParser) Parse(line []byte, r *Record) error {
	line = bytes.TrimRight(line, "\r\n")
	if len(line) == 0 || line[0] == '#' || len(bytes.TrimSpace(line)) == 0 {
		return ErrNoRequest
	}
	if n := bytes.Count(line, []byte{'\t'}) + 1; n < p.need {
		return fmt.Errorf("line has %d tab-separated fields; %s is field %d of %d in the layout", n, p.needName, p.need, len(p.names))
	}
	var date, tim, hostHeader []byte
	rest := line
	for col := 0; ; col++ {
		tab := bytes.IndexByte(rest, '\t')
		v := rest
		if tab >= 0 {
			v = rest[:tab]
		}
		if col < len(p.kinds) && p.kinds[col] != cfIgnore {
			var err error
			switch p.kinds[col] {
			case cfDate:
				date = v
			case cfTime:
				tim = v
			case cfHostHeader:
				hostHeader = v
			default:
				err = p.set(p.kinds[col], v, r)
			}
			if err != nil {
				return fmt.Errorf("field %s %q: %w", p.names[col], clip(v), err)
			}
		}
		if tab < 0 {
			break
		}
		rest = rest[tab+1:]
	}
	if !r.HasTS {
		if date == nil || tim == nil {
			return errors.New("no date and time on the line")
		}
		t, err := cloudfrontTime(date, tim)
		if err != nil {
			return fmt.Errorf("date and time %q %q: %w", clip(date), clip(tim), err)
		}
		r.TS, r.HasTS = t, true
	}
	// The Host header the viewer sent names the site (www.example.com);
	// cs(Host) is the distribution's own domain, the fallback.
	if h := orNil(hostHeader); h != nil {
		r.Host = percentDecode(h, false)
	}
	if len(r.Path) == 0 {
		return errors.New("no request path (cs-uri-stem is empty)")
	}
	return nil
}

// cloudfrontTime reads date "2019-12-04" and time "21:02:31" (UTC).
func cloudfrontTime(date, tim []byte) (int64, error) {
	var buf [40]byte
	if len(date) != 10 || len(tim) < 8 || len(date)+1+len(tim) > len(buf) {
		return 0, errBadTime
	}
	n := copy(buf[:], date)
	buf[n] = 'T'
	n++
	n += copy(buf[n:], tim)
	return parseISOTime(buf[:n])
}

func (p *cloudfrontParser) set(k cfKind, v []byte, r *Record) error {
	switch k {
	case cfTimestamp:
		if v = orNil(v); v == nil {
			return nil
		}
		t, err := parseEpoch(v)
		if err != nil {
			return err
		}
		r.TS, r.HasTS = t, true
	case cfPop:
		r.Pop = percentDecode(orNil(v), false)
	case cfClient:
		r.Client = percentDecode(orNil(v), false)
	case cfMethod:
		r.Method = percentDecode(orNil(v), false)
	case cfHost:
		r.Host = percentDecode(orNil(v), false)
	case cfPath:
		r.Path = percentDecode(orNil(v), false)
	case cfQuery:
		r.Query = percentDecode(orNil(v), false)
	case cfStatus:
		if isDash(v) {
			return nil
		}
		n, err := parseInt(v)
		if err != nil || n > 999 {
			return errBadStatus
		}
		r.Status = int(n) // 000: no response was sent; kept as 0 (unknown)
	case cfBytes:
		if isDash(v) {
			return nil
		}
		n, err := parseInt(v)
		if err != nil {
			return errBadBytes
		}
		r.Bytes = n
	case cfReferer:
		r.Referer = percentDecode(orNil(v), false)
	case cfUA:
		r.UserAgent = percentDecode(orNil(v), false)
	case cfResult:
		if v = percentDecode(orNil(v), false); v != nil {
			r.CacheRaw = v
			r.Cache = NormalizeCacheStatus(v)
		}
	case cfRequestID:
		r.RequestID = percentDecode(orNil(v), false)
	case cfTimeTaken, cfTTFB:
		f, ok := optFloat(v)
		if !ok {
			return errBadDur
		}
		f = scaleMS(f, true, false)
		if k == cfTimeTaken {
			r.DurationMS = f
		} else {
			r.TTFBMS = f
		}
	case cfContentType:
		r.ContentType = percentDecode(orNil(v), false)
	}
	return nil
}

// percentDecode decodes %XX escapes once, and '+' as a space when plus is
// set. Invalid escapes are kept as they are. It returns b itself (no copy)
// when there is nothing to decode, else a new slice.
func percentDecode(b []byte, plus bool) []byte {
	i := bytes.IndexByte(b, '%')
	if plus {
		if j := bytes.IndexByte(b, '+'); j >= 0 && (i < 0 || j < i) {
			i = j
		}
	}
	if i < 0 {
		return b
	}
	out := make([]byte, i, len(b))
	copy(out, b[:i])
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '%' && i+2 < len(b) && isHexDigit(b[i+1]) && isHexDigit(b[i+2]):
			out = append(out, unhex(b[i+1])<<4|unhex(b[i+2]))
			i += 2
		case c == '+' && plus:
			out = append(out, ' ')
		default:
			out = append(out, c)
		}
	}
	return out
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
