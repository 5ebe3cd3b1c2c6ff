package ingest

// uvicorn access logs (logger "uvicorn.access"): the message is
// `%s - "%s %s HTTP/%s" %d` (client "ip:port", method, path?query, HTTP
// version, status) and the default formatter prints it as
// `INFO:     127.0.0.1:54321 - "GET /items/1?x=2 HTTP/1.1" 200 OK`, with
// ANSI colors on a terminal. There is no time, size or duration. Reference:
// https://www.uvicorn.org/settings/#logging and the formatter in
// https://github.com/encode/uvicorn/blob/master/uvicorn/logging.py
// (AccessFormatter). When logging is configured (--log-config, or gunicorn's
// uvicorn worker, https://docs.gunicorn.org/en/stable/settings.html#logconfig)
// a time prefix comes first, e.g. `2026-11-25 08:25:31,123 INFO: ...` or
// `[2026-11-25 08:25:31 +0000] [123] [INFO] 127.0.0.1:5432 - "GET / HTTP/1.1" 200`.

import (
	"bytes"
	"errors"
	"fmt"
)

// uvicornParser reads uvicorn access lines; parsing does not depend on
// whether the head had times (headTimes, for Describe).
type uvicornParser struct {
	headTimes
}

// uvicornFormat is uvicorn's access log, with or without ANSI colors and with
// or without a time prefix added by a logging configuration. Describe says
// when the file has no timestamps.
func uvicornFormat() Format {
	return Format{
		Name: "uvicorn", Tier: TierOrigin,
		Summary: "uvicorn access log: `INFO:     ip:port - \"METHOD /path?query HTTP/1.1\" status [phrase]` (client, method, path, query, status; " +
			"no time, size or duration), ANSI colors stripped; a leading time from a logging config is read " +
			"(`2026-11-25 08:25:31,123`, ISO 8601, `[2026-11-25 08:25:31 +0000] [pid] [INFO]` from gunicorn's uvicorn worker; no zone = UTC); " +
			"WebSocket lines are GET requests (status 101 when accepted); startup and other log lines carry no request",
		Example: `INFO:     127.0.0.1:54321 - "GET /items/1?x=2 HTTP/1.1" 200 OK`,
		Open: func(head [][]byte) (Parser, error) {
			p := &uvicornParser{}
			return scanOpen("uvicorn", "uvicorn access lines", p, &p.headTimes, head)
		},
		Describe: describeHeadTimes("time read from the log prefix (UTC when no zone is given)"),
	}
}

// headTimes records whether the head of a file had times; line parsers whose
// lines may or may not carry one (uvicorn, Django) embed it for Describe.
type headTimes struct {
	hasTS bool
}

// HasTimestamps reports whether the first lines of the file carry a time.
func (h *headTimes) HasTimestamps() bool { return h.hasTS }

// describeHeadTimes is the Describe of a format whose parser embeds
// headTimes: it says when the file has no times, and withTS otherwise.
func describeHeadTimes(withTS string) func(Parser) string {
	return func(p Parser) string {
		h, ok := p.(interface{ HasTimestamps() bool })
		if !ok {
			return ""
		}
		if !h.HasTimestamps() {
			return "no timestamps in this file: rows have no time"
		}
		return withTS
	}
}

// scanOpen accepts a file for a line format when most of its head lines
// parse with p, records in ts whether they carry a time and returns p.
func scanOpen(format, what string, p Parser, ts *headTimes, head [][]byte) (Parser, error) {
	ok, bad, hasTS, first := scanHead(p, head)
	if ok == 0 || bad > ok {
		if first == nil {
			first = errors.New("no request line")
		}
		return nil, fmt.Errorf("%s: the first lines are not %s (%d of %d parse): %w", format, what, ok, ok+bad, first)
	}
	ts.hasTS = hasTS
	return p, nil
}

// trimLogLine strips trailing blanks and ANSI colors from a Python log
// line; ok is false when nothing is left.
func trimLogLine(line []byte) (out []byte, ok bool) {
	line = bytes.TrimRight(line, " \t\r\n")
	if len(bytes.TrimSpace(line)) == 0 {
		return nil, false
	}
	if bytes.IndexByte(line, 0x1b) >= 0 {
		if line = bytes.TrimSpace(stripANSI(line)); len(line) == 0 {
			return nil, false
		}
	}
	return line, true
}

// scanHead parses head lines with p: lines parsed, lines rejected, whether a
// parsed line had a time, and the first rejection.
func scanHead(p Parser, head [][]byte) (ok, bad int, hasTS bool, first error) {
	var r Record
	for _, line := range head {
		r.Reset()
		err := p.Parse(line, &r)
		switch {
		case err == nil:
			ok++
			hasTS = hasTS || r.HasTS
		case errors.Is(err, ErrNoRequest):
		default:
			bad++
			if first == nil {
				first = err
			}
		}
	}
	return ok, bad, hasTS, first
}

var uvicornSep = []byte(` - "`)

// Parse implements Parser.
func (p *uvicornParser) Parse(line []byte, r *Record) error {
	line, ok := trimLogLine(line)
	if !ok {
		return ErrNoRequest
	}
	q := bytes.Index(line, uvicornSep)
	if q < 0 {
		return logNoRequest(line, "uvicorn access line (`ip:port - \"GET /path HTTP/1.1\" 200`)")
	}
	prefix, rest := line[:q], line[q+len(uvicornSep):]
	end := bytes.LastIndexByte(rest, '"')
	if end < 0 {
		return errors.New(`request not terminated by '"'`)
	}
	req, tail := rest[:end], rest[end+1:]
	ws := bytes.HasPrefix(req, []byte("WebSocket "))
	status, err := uvicornStatus(tail, ws)
	if err != nil {
		return err
	}
	r.Status = status
	pre := bytes.TrimRight(prefix, " ")
	if tok := pre[bytes.LastIndexByte(pre, ' ')+1:]; len(tok) > 0 && !isLevelToken(tok) && !isDash(tok) {
		r.Client = albHost(tok)
	}
	if t, ok := logPrefixTime(prefix); ok {
		r.TS, r.HasTS = t, true
	}
	if ws {
		// "WebSocket /path": the upgrade is a GET.
		target := bytes.TrimSpace(req[len("WebSocket "):])
		if len(target) == 0 {
			return errors.New("WebSocket line without a path")
		}
		r.Method = []byte("GET")
		r.SetTarget(target)
	} else if !r.SetRequestLine(req) {
		return fmt.Errorf("request %q: %w", clip(req), errBadReq)
	}
	if len(r.Path) == 0 {
		return fmt.Errorf("request %q: no path", clip(req))
	}
	return nil
}

// uvicornStatus reads what follows the request: " 200 OK", " 200", and for
// WebSocket lines " [accepted]" (101) or " 403".
func uvicornStatus(tail []byte, ws bool) (int, error) {
	if len(tail) < 2 || tail[0] != ' ' {
		return 0, fmt.Errorf("expected a status after the request, found %q", clip(tail))
	}
	t := tail[1:]
	if ws && string(t) == "[accepted]" {
		return 101, nil
	}
	sp := bytes.IndexByte(t, ' ')
	code := t
	if sp >= 0 {
		code = t[:sp]
		for _, c := range t[sp+1:] {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == ' ' || c == '-' || c == '\'') {
				return 0, fmt.Errorf("status %q: unexpected text after the status code", clip(t))
			}
		}
	}
	n, err := parseInt(code)
	if err != nil || len(code) != 3 {
		return 0, fmt.Errorf("status %q: %w", clip(code), errBadStatus)
	}
	return int(n), nil
}

// stripANSI returns a copy of b without ANSI escape sequences (CSI
// "ESC [ ... final" and two-byte "ESC x").
func stripANSI(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != 0x1b {
			out = append(out, c)
			continue
		}
		if i+1 < len(b) && b[i+1] == '[' {
			j := i + 2
			for j < len(b) && !(b[j] >= 0x40 && b[j] <= 0x7e) {
				j++
			}
			i = j // the final byte (or the end)
			continue
		}
		i++ // ESC and the next byte
	}
	return out
}

// logLevels are Python logging's level names (and uvicorn's TRACE).
var logLevels = map[string]bool{"TRACE": true, "DEBUG": true, "INFO": true, "WARNING": true, "WARN": true, "ERROR": true, "CRITICAL": true}

// isLevelToken reports whether tok is a level as printed by a log prefix:
// INFO, INFO:, [INFO].
func isLevelToken(tok []byte) bool {
	tok = bytes.TrimSuffix(tok, []byte(":"))
	if len(tok) > 2 && tok[0] == '[' && tok[len(tok)-1] == ']' {
		tok = tok[1 : len(tok)-1]
	}
	return logLevels[string(tok)]
}

// startsWithLevel reports whether b starts with a level token followed by a
// space or the end.
func startsWithLevel(b []byte) bool {
	tok := b
	if sp := bytes.IndexByte(b, ' '); sp >= 0 {
		tok = b[:sp]
	}
	return isLevelToken(tok)
}

// logNoRequest classifies a line of a Python application's console that
// holds no access line: a line with an HTTP request line that did not match
// is an error; anything else (startup banners, WARNING: reload lines,
// tracebacks, the app's own prints) is console output, not an access line
// (ErrNotAccess: skipped and counted, never rejected).
func logNoRequest(line []byte, want string) error {
	if bytes.Contains(line, []byte(" HTTP/")) {
		return fmt.Errorf("line has a request but is not a %s", want)
	}
	return ErrNotAccess
}

// leadingLogTime reads a time at the start of a log line: "[...]" holding an
// ISO 8601, CLF or Django time, or a bare ISO 8601 time (with ",123" or
// ".123" fractions and an optional zone). It returns the rest of the line.
func leadingLogTime(b []byte) (int64, bool, []byte) {
	if len(b) > 0 && b[0] == '[' {
		end := bytes.IndexByte(b, ']')
		if end < 0 || end > 64 {
			return 0, false, b
		}
		if t, err := parseLogTime(b[1:end]); err == nil {
			return t, true, bytes.TrimLeft(b[end+1:], " ")
		}
		return 0, false, b
	}
	if e := isoTimeEnd(b); e > 0 {
		if t, err := parseISOTime(b[:e]); err == nil {
			return t, true, bytes.TrimLeft(b[e:], " ")
		}
	}
	return 0, false, b
}

// logPrefixTime finds the time in the prefix of a log line: at its start
// (see leadingLogTime) or, for formats that print the level first, the first
// ISO 8601 time in it.
func logPrefixTime(prefix []byte) (int64, bool) {
	if t, ok, _ := leadingLogTime(prefix); ok {
		return t, true
	}
	for i := 0; i+19 <= len(prefix); i++ {
		if prefix[i] < '0' || prefix[i] > '9' || (i > 0 && prefix[i-1] >= '0' && prefix[i-1] <= '9') {
			continue
		}
		if e := isoTimeEnd(prefix[i:]); e > 0 {
			if t, err := parseISOTime(prefix[i : i+e]); err == nil {
				return t, true
			}
		}
	}
	return 0, false
}

// parseLogTime reads an ISO 8601, CLF or Django ("25/Nov/2026 08:25:31")
// time; no zone means UTC.
func parseLogTime(b []byte) (int64, error) {
	if t, err := parseISOTime(b); err == nil {
		return t, nil
	}
	if t, err := parseCLFTime(b); err == nil {
		return t, nil
	}
	return parseDjangoTime(b)
}

// isoTimeEnd returns the length of the ISO 8601 time at the start of b
// ("2026-11-25 08:25:31", optional ".123" or ",123", optional "Z", "+01:00",
// "+0100" or " +0000"), or -1.
func isoTimeEnd(b []byte) int {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return -1
	}
	for _, k := range [...]int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if b[k] < '0' || b[k] > '9' {
			return -1
		}
	}
	e := 19
	if e < len(b) && (b[e] == '.' || b[e] == ',') {
		e++
		for e < len(b) && b[e] >= '0' && b[e] <= '9' {
			e++
		}
	}
	switch {
	case e < len(b) && b[e] == 'Z':
		e++
	case e < len(b) && (b[e] == '+' || b[e] == '-'):
		if _, ok := digits(b[e+1:], 2); ok {
			z := e + 3
			if z < len(b) && b[z] == ':' {
				z++
			}
			if _, ok := digits(b[min(z, len(b)):], 2); ok {
				e = z + 2
			}
		}
	case e+6 <= len(b) && b[e] == ' ' && (b[e+1] == '+' || b[e+1] == '-'):
		if _, ok := digits(b[e+2:], 4); ok && (e+6 == len(b) || b[e+6] == ' ' || b[e+6] == ']') {
			e += 6
		}
	}
	return e
}
