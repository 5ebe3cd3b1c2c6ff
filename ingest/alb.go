package ingest

// AWS Application Load Balancer access logs: space separated, some fields in
// double quotes. Field order and meaning:
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html#access-log-entry-format
//
//	type time elb client:port target:port request_processing_time
//	target_processing_time response_processing_time elb_status_code
//	target_status_code received_bytes sent_bytes "request" "user_agent"
//	ssl_cipher ssl_protocol target_group_arn "trace_id" "domain_name"
//	"chosen_cert_arn" matched_rule_priority request_creation_time
//	"actions_executed" "redirect_url" "error_reason" "target:port_list"
//	"target_status_code_list" "classification" "classification_reason"
//	conn_trace_id ...
//
// Classic Load Balancer lines (the same first fields without the leading
// type, https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html)
// are read too.

import (
	"bytes"
	"errors"
	"fmt"
)

// albParser reads ALB (and Classic ELB) access log lines. It has no state.
type albParser struct{}

// albFormat is the AWS Application Load Balancer access log (and the Classic
// Load Balancer's, which lacks the leading type field).
func albFormat() Format {
	return Format{
		Name: "alb", Tier: TierEdge,
		Summary: "AWS Application Load Balancer access log (also Classic ELB): type, time (ISO 8601, UTC), client:port (client), " +
			"request_processing_time + target_processing_time + response_processing_time (s; duration when none is -1), " +
			"target_processing_time (origin time), elb_status_code, sent_bytes, \"request\" (absolute URL: host, path, query; :80/:443 dropped), " +
			"\"user_agent\", \"trace_id\" (request id), \"domain_name\" (host when not -); no cache status; " +
			"sent_bytes counts the response's headers too (AWS; Elastic files it as body bytes); the time keeps its microseconds (Elastic: milliseconds); " +
			"a request the load balancer could not parse (\"- - -\", \"- http://host:80- -\") is a row with its status and bytes and no method or path",
		Example: `https 2026-11-25T08:25:31.123456Z app/my-lb/50dc6c495c0c9188 192.0.2.10:2817 10.0.0.1:80 0.000 0.004 0.000 200 200 34 366 ` +
			`"GET https://shop.example:443/items/42?x=1 HTTP/1.1" "curl/8.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ` +
			`arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" ` +
			`"shop.example" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 0 2026-11-25T08:25:31.119000Z ` +
			`"forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1234abcd5678ef90`,
		Open: openALB,
	}
}

func openALB(head [][]byte) (Parser, error) {
	p := albParser{}
	var first error
	for _, line := range head {
		var r Record
		r.Reset()
		err := p.Parse(line, &r)
		if err == nil {
			return p, nil
		}
		if first == nil && !errors.Is(err, ErrNoRequest) {
			first = err
		}
	}
	if first == nil {
		first = errors.New("no request line")
	}
	return nil, fmt.Errorf("alb: first lines are not load balancer access log entries: %w", first)
}

// albTypes are the values of the first field of an ALB entry.
var albTypes = map[string]bool{"http": true, "https": true, "h2": true, "grpcs": true, "ws": true, "wss": true}

// albField splits the next field off b (which starts at the field): a
// double-quoted string, returned without its quotes (a quote escaped with a
// backslash does not end it), or a word up to the next space.
func albField(b []byte) (field, rest []byte, err error) {
	if b[0] == '"' {
		for j := 1; j < len(b); j++ {
			if b[j] == '"' && !escapedAt(b, j) {
				return b[1:j], b[j+1:], nil
			}
		}
		return nil, nil, errors.New("unterminated quoted field")
	}
	if sp := bytes.IndexByte(b, ' '); sp >= 0 {
		return b[:sp], b[sp:], nil
	}
	return b, nil, nil
}

// Field positions in an ALB entry (a Classic ELB entry has them one lower).
const (
	albTime       = 1
	albClient     = 3
	albReqTime    = 5
	albTargetTime = 6
	albRespTime   = 7
	albStatus     = 8
	albSent       = 11
	albRequest    = 12
	albUA         = 13
	albTrace      = 17
	albDomain     = 18
)

// Parse implements Parser.
func (albParser) Parse(line []byte, r *Record) error {
	line = bytes.TrimRight(line, " \t\r\n")
	if len(line) == 0 {
		return ErrNoRequest
	}
	var f [albDomain + 1][]byte
	n := 0
	rest := line
	for n < len(f) {
		rest = bytes.TrimLeft(rest, " ")
		if len(rest) == 0 {
			break
		}
		var err error
		f[n], rest, err = albField(rest)
		if err != nil {
			return fmt.Errorf("field %d: %w", n+1, err)
		}
		n++
	}
	off := 0 // ALB: fields at their positions; Classic ELB: one lower
	if !albTypes[string(f[0])] {
		if _, err := parseISOTime(f[0]); err != nil {
			return fmt.Errorf("first field %q is neither an ALB request type (http, https, h2, grpcs, ws, wss) nor a Classic ELB time", clip(f[0]))
		}
		off = -1
	}
	if n <= albRequest+off {
		return fmt.Errorf("line has %d fields; the request is field %d", n, albRequest+off+1)
	}
	t, err := parseISOTime(f[albTime+off])
	if err != nil {
		return fmt.Errorf("field time %q: %w", clip(f[albTime+off]), err)
	}
	r.TS, r.HasTS = t, true
	r.Client = albHost(orNil(f[albClient+off]))
	var times [3]float64
	for i := range times {
		v := f[albReqTime+off+i]
		x, err := parseFloat(v) // -1 goes through strconv
		if err != nil {
			return fmt.Errorf("field %d (processing time) %q: %w", albReqTime+off+i+1, clip(v), errBadDur)
		}
		times[i] = x
	}
	if times[0] >= 0 && times[1] >= 0 && times[2] >= 0 {
		r.DurationMS = (times[0] + times[1] + times[2]) * 1000
	}
	if times[1] >= 0 {
		r.OriginMS = times[1] * 1000
	}
	if v := f[albStatus+off]; !isDash(v) {
		s, err := parseInt(v)
		if err != nil || s > 999 {
			return fmt.Errorf("field elb_status_code %q: %w", clip(v), errBadStatus)
		}
		r.Status = int(s)
	}
	if v := f[albSent+off]; !isDash(v) {
		b, err := parseInt(v)
		if err != nil {
			return fmt.Errorf("field sent_bytes %q: %w", clip(v), errBadBytes)
		}
		r.Bytes = b
	}
	if off == 0 {
		if n > albDomain {
			r.Host = orNil(f[albDomain])
		}
		if n > albTrace {
			r.RequestID = orNil(f[albTrace])
		}
	}
	if n > albUA+off {
		r.UserAgent = orNil(f[albUA+off])
	}
	req := f[albRequest+off]
	fromURL := len(r.Host) == 0
	if !r.SetRequestLine(req) || len(r.Path) == 0 {
		// The load balancer could not parse the client's request: "- - -",
		// or "- http://host:80- -" (the host it was sent to). A row, with
		// its status and bytes.
		r.SetBadRequest()
		if fromURL {
			if i := bytes.Index(req, []byte("://")); i > 0 {
				h := req[i+3:]
				if end := bytes.IndexAny(h, "/?- "); end >= 0 {
					h = h[:end]
				}
				r.Host = orNil(h)
			}
		}
	}
	if fromURL {
		r.Host = albStripPort(r.Host)
	}
	return nil
}

// albHost drops the port of "ip:port" or "[ipv6]:port"; a bare address is
// returned as it is. A colon-separated IPv6 address followed by a port
// ("2001:db8::1:2817") loses its last group, which is the port.
func albHost(b []byte) []byte {
	if len(b) > 0 && b[0] == '[' {
		if end := bytes.IndexByte(b, ']'); end > 0 {
			return b[1:end]
		}
		return b
	}
	i := bytes.LastIndexByte(b, ':')
	if i <= 0 || !isInteger(b[i+1:]) {
		return b
	}
	return b[:i]
}

// albStripPort drops a default port (:80, :443) from a host.
func albStripPort(h []byte) []byte {
	for _, p := range [...]string{":443", ":80"} {
		if bytes.HasSuffix(h, []byte(p)) {
			return h[:len(h)-len(p)]
		}
	}
	return h
}
