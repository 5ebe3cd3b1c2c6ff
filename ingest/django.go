package ingest

// Django's development server (manage.py runserver) logs each request
// through the "django.server" logger, whose default formatter is
// "[{server_time}] {message}" with the message `"%s" %s %s` (request line,
// status, size) and server_time like "25/Nov/2026 08:25:31" (local time, no
// zone). References:
// https://docs.djangoproject.com/en/stable/ref/logging/#django-server and
// https://github.com/django/django/blob/main/django/utils/log.py (DEFAULT_LOGGING,
// ServerFormatter), https://github.com/django/django/blob/main/django/core/servers/basehttp.py
// (WSGIRequestHandler.log_message).

import (
	"bytes"
	"fmt"
)

// djangoParser reads runserver request lines; headTimes records whether the
// head of the file had times (for Describe).
type djangoParser struct {
	headTimes
}

// djangoFormat is Django's development server log (django.server logger):
// "[25/Nov/2026 08:25:31] "GET / HTTP/1.1" 200 1234", times read as UTC.
func djangoFormat() Format {
	return Format{
		Name: "django", Tier: TierOrigin,
		Summary: "Django runserver (django.server logger): `[25/Nov/2026 08:25:31] \"GET /path?query HTTP/1.1\" status size` " +
			"(time with optional ,ms, read as UTC since it has no zone; method, path, query, status, bytes; no duration), " +
			"or the same message after another logging prefix that starts with a level or an ISO 8601 time " +
			"(`INFO 2026-11-25 08:25:31,123 basehttp 1 2 \"GET / HTTP/1.1\" 200 10`); " +
			"runserver's other output (startup banner, reloader, `Not Found: /x`, tracebacks) carries no request",
		Example: `[25/Nov/2026 08:25:31] "GET /api/items/?page=2 HTTP/1.1" 200 1234`,
		Open: func(head [][]byte) (Parser, error) {
			p := &djangoParser{}
			return scanOpen("django", "Django runserver request lines", p, &p.headTimes, head)
		},
		Describe: describeHeadTimes("times have no zone: read as UTC"),
	}
}

const djangoWant = "Django runserver line (`[25/Nov/2026 08:25:31] \"GET /path HTTP/1.1\" 200 1234`)"

// Parse implements Parser.
func (p *djangoParser) Parse(line []byte, r *Record) error {
	line, ok := trimLogLine(line)
	if !ok {
		return ErrNoRequest
	}
	start := bytes.IndexByte(line, '"')
	end := bytes.LastIndexByte(line, '"')
	if start < 0 || end <= start {
		return djangoNoRequest(line)
	}
	status, size, ok := djangoTail(line[end+1:])
	if !ok {
		return djangoNoRequest(line)
	}
	prefix := line[:start]
	switch {
	case len(prefix) == 0:
	case prefix[0] == '[':
		close := bytes.IndexByte(prefix, ']')
		if close < 0 {
			return fmt.Errorf("prefix %q: '[' without ']'", clip(prefix))
		}
		t, err := parseDjangoTime(prefix[1:close])
		if err != nil {
			return fmt.Errorf("time %q: %w (want [25/Nov/2026 08:25:31])", clip(prefix[1:close]), err)
		}
		r.TS, r.HasTS = t, true
	case startsWithLevel(prefix):
		// "INFO 2026-11-25 08:25:31,123 basehttp 1 2 ": the time, if any, follows the level.
		if t, ok := logPrefixTime(prefix); ok {
			r.TS, r.HasTS = t, true
		}
	default:
		t, ok, _ := leadingLogTime(prefix)
		if !ok {
			return fmt.Errorf("prefix %q is not a Django log prefix (it must start with [25/Nov/2026 08:25:31], a level, or an ISO 8601 time)", clip(prefix))
		}
		r.TS, r.HasTS = t, true
	}
	req := line[start+1 : end]
	r.Status = status
	r.Bytes = size
	if !r.SetRequestLine(req) || len(r.Path) == 0 {
		r.SetBadRequest() // TLS bytes on the plain port, a scanner's line: logged with 400
	}
	return nil
}

// djangoTail reads " 200 1234" (or " 200 -": size unknown) after the
// request.
func djangoTail(t []byte) (status int, size int64, ok bool) {
	if len(t) < 2 || t[0] != ' ' {
		return 0, 0, false
	}
	code, sz, found := bytes.Cut(t[1:], []byte{' '})
	if !found || len(code) != 3 {
		return 0, 0, false
	}
	n, err := parseInt(code)
	if err != nil {
		return 0, 0, false
	}
	if isDash(sz) {
		return int(n), -1, true
	}
	b, err := parseInt(sz)
	if err != nil {
		return 0, 0, false
	}
	return int(n), b, true
}

// parseDjangoTime reads runserver's server_time, "25/Nov/2026 08:25:31"
// with an optional ",123" (or ".123"), as UTC.
func parseDjangoTime(b []byte) (int64, error) {
	var buf [40]byte
	if len(b) < 20 || len(b) > len(buf) || b[11] != ' ' {
		return 0, errBadTime
	}
	n := copy(buf[:], b)
	buf[11] = ':'
	rest := buf[20:n]
	if len(rest) > 0 && rest[0] != ',' && rest[0] != '.' {
		return 0, errBadTime // a zone or anything else: not runserver's time
	}
	return parseCLFTime(buf[:n])
}

// djangoMessages start runserver's console lines that carry no request.
var djangoMessages = [...]string{
	"Watching for file changes",
	"Performing system checks",
	"System check identified",
	"Django version ",
	"Starting development server at",
	"Starting ASGI/Daphne",
	"Quit the server with",
	"WARNING: This is a development server",
	"For more information on production servers",
	"Run 'python manage.py migrate'",
	"Not Found: ",
	"Bad Request: ",
	"Internal Server Error: ",
	"Forbidden",
	"Method Not Allowed",
	"Gone: ",
	"Exception happened during processing of request",
	"----------------------------------------",
	"Traceback (most recent call last):",
}

// monthNames start runserver's banner date line ("November 25, 2026 - 08:25:31").
var monthNames = [...]string{"January ", "February ", "March ", "April ", "May ", "June ", "July ", "August ", "September ", "October ", "November ", "December "}

// djangoNoRequest classifies a line that is not a request line: a line
// with a request that does not parse is an error; anything else (the
// banner, system checks, reload notices, "code 400" lines, other loggers,
// tracebacks, the app's own prints) is runserver's console output, not an
// access line (ErrNotAccess: skipped and counted).
func djangoNoRequest(line []byte) error {
	if bytes.Contains(line, []byte(" HTTP/")) {
		return fmt.Errorf("line has a request but is not a %s: expected status and size after it", djangoWant)
	}
	return ErrNotAccess
}
