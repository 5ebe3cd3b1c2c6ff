package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// looseCLF reads the common/combined family when what comes before the
// ident and user fields is not a single client address, as servers behind
// proxies and with several virtual hosts write it: a host (with or without
// a port), then a forwarded-for list (bare, or quoted as one field), then
// the connecting address, in any of these combinations:
//
//	example.com 10.0.0.2, 10.0.0.1, 127.0.0.1 - - [...]
//	example.com:80 "10.5.102.222, 199.96.1.1" 10.2.1.185 - - [...]
//	67.43.156.15 2001:db8::1, 10.225.192.17 10.2.2.121 - - [...]
//	example.com:80 unix: - - [...]
//
// The part from the time on is a Layout inferred like the strict family's
// (with its trailing fields). The host is the first field when more than
// one group of addresses follows; the client is the first address of the
// forwarded-for list when there is one (the original client as the
// proxies report it), else the connecting address.
type looseCLF struct {
	rest   *Layout // from %t on
	family clfFamily
	extras []string
	source string
}

// clfTimeAt finds the " [" that opens a CLF time ("[25/Nov/2026:...") and
// returns its index, or -1.
func clfTimeAt(line []byte) int {
	for off := 0; ; {
		i := bytes.Index(line[off:], []byte(" ["))
		if i < 0 {
			return -1
		}
		i += off
		t := line[i+2:]
		if len(t) >= 12 && isDigit(t[0]) && isDigit(t[1]) && t[2] == '/' && t[6] == '/' && isDigit(t[7]) && t[11] == ':' {
			return i
		}
		off = i + 2
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// prefixTokens splits what comes before the time into fields: a quoted
// field is one (its quotes dropped).
func prefixTokens(b []byte) [][]byte {
	var out [][]byte
	for {
		b = bytes.TrimLeft(b, " ")
		if len(b) == 0 {
			return out
		}
		if b[0] == '"' {
			if end := bytes.IndexByte(b[1:], '"'); end >= 0 {
				out = append(out, b[1:end+1])
				b = b[end+2:]
				continue
			}
		}
		sp := bytes.IndexByte(b, ' ')
		if sp < 0 {
			return append(out, b)
		}
		out = append(out, b[:sp])
		b = b[sp:]
	}
}

// clientPrefix reads host and client from the fields before ident and
// user. ok is false when there is no client field.
func clientPrefix(fields [][]byte) (host, client []byte, ok bool) {
	if len(fields) == 0 {
		return nil, nil, false
	}
	// Groups of addresses: fields joined by a trailing comma, or one quoted
	// field holding a list.
	var groups [][][]byte
	var cur [][]byte
	for _, f := range fields {
		for _, part := range bytes.Split(f, []byte(",")) {
			if p := bytes.TrimSpace(part); len(p) > 0 {
				cur = append(cur, p)
			}
		}
		if !bytes.HasSuffix(bytes.TrimSpace(f), []byte(",")) && len(cur) > 0 {
			groups = append(groups, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		groups = append(groups, cur)
	}
	if len(groups) == 0 {
		return nil, nil, false
	}
	if len(groups) > 1 && len(groups[0]) == 1 {
		host, groups = groups[0][0], groups[1:]
	}
	client = groups[len(groups)-1][0]
	for _, g := range groups {
		if len(g) > 1 || len(groups) > 1 {
			client = g[0] // the forwarded-for list's first address
			break
		}
	}
	return host, client, true
}

// canonicalCLF rewrites a line with a loose prefix as "client ident user
// [time]..." (for inferring the rest of the layout).
func canonicalCLF(line []byte) ([]byte, bool) {
	at := clfTimeAt(line)
	if at < 0 {
		return nil, false
	}
	fields := prefixTokens(line[:at])
	if len(fields) < 3 {
		return nil, false
	}
	_, client, ok := clientPrefix(fields[:len(fields)-2])
	if !ok || bytes.ContainsAny(client, " ") {
		return nil, false
	}
	out := append([]byte(nil), client...)
	out = append(out, ' ')
	out = append(out, fields[len(fields)-2]...)
	out = append(out, ' ')
	out = append(out, fields[len(fields)-1]...)
	return append(out, line[at:]...), true
}

// inferLooseCLF infers a looseCLF from head lines whose prefixes are not a
// single address.
func inferLooseCLF(head [][]byte) (*looseCLF, error) {
	var canon [][]byte
	for _, l := range head {
		l = bytes.TrimRight(l, " \t\r")
		if len(l) == 0 {
			continue
		}
		if c, ok := canonicalCLF(l); ok {
			canon = append(canon, c)
		}
	}
	if len(canon) == 0 {
		return nil, errors.New("lines are not in common/combined log format")
	}
	p, err := inferCLF(canon)
	if err != nil {
		return nil, err
	}
	if len(p.extras) == 0 && len(p.items) == 0 {
		return nil, errors.New("no layout")
	}
	start := -1
	for i, it := range p.items {
		if it.isF && it.kind == fTimeCLF {
			start = i
			break
		}
	}
	if start < 0 {
		return nil, errors.New("no time in the inferred layout")
	}
	rest := &Layout{items: p.items[start:], source: p.source, syntax: p.syntax}
	return &looseCLF{rest: rest, family: p.family, extras: p.extras,
		source: "[host] [forwarded-for list] client %l %u" + strings.TrimPrefix(p.source, "%h %l %u")}, nil
}

// Parse implements Parser.
func (p *looseCLF) Parse(line []byte, r *Record) error {
	line = bytes.TrimRight(line, " \t\r")
	if len(line) == 0 {
		return ErrNoRequest
	}
	at := clfTimeAt(line)
	if at < 0 {
		return errors.New("no [day/month/year:time] field")
	}
	fields := prefixTokens(line[:at])
	if len(fields) < 3 {
		return fmt.Errorf("expected client, ident and user before the time, found %q", clip(line[:at]))
	}
	host, client, ok := clientPrefix(fields[:len(fields)-2])
	if !ok {
		return errors.New("no client before ident and user")
	}
	rest := line[at+1:]
	pos, err := p.rest.parse(rest, r, true)
	if err != nil {
		return err
	}
	if pos != len(rest) {
		return fmt.Errorf("unexpected trailing text at column %d", at+1+pos+1)
	}
	if len(r.Path) == 0 && !r.BadRequest {
		return errors.New("no request path")
	}
	r.Client = orNil(client)
	if len(host) > 0 && len(r.Host) == 0 {
		r.Host = stripDefaultPort(host)
	}
	return nil
}
