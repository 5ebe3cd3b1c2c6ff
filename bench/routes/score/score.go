package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// truthRow is one route of routes.tsv: what the framework itself builds.
type truthRow struct {
	Method, Pattern, View, Origin string
}

// readTruth reads routes.tsv: METHOD, PATTERN, VIEW, ORIGIN separated by
// tabs; blank lines and lines starting with # are skipped.
func readTruth(file string) ([]truthRow, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []truthRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != 4 {
			return nil, fmt.Errorf("%s:%d: want 4 tab-separated fields (METHOD PATTERN VIEW ORIGIN), have %d", file, n, len(c))
		}
		switch c[3] {
		case "project", "third-party", "builtin":
		default:
			return nil, fmt.Errorf("%s:%d: ORIGIN %q is not project, third-party or builtin", file, n, c[3])
		}
		out = append(out, truthRow{Method: c[0], Pattern: c[1], View: c[2], Origin: c[3]})
	}
	return out, sc.Err()
}

var (
	angle = regexp.MustCompile(`<[^<>]*>`)
	brace = regexp.MustCompile(`\{[^{}]*\}`)
)

// canon is a path pattern's comparable form, whatever the framework's
// syntax: without ^ and $ anchors, regex groups, <converters> and
// {parameters} as {}, escaped characters unescaped. It is written apart
// from cdnadvise's own so that the score does not share its mistakes.
func canon(p string) string {
	p = strings.TrimSuffix(strings.TrimSuffix(p, "$"), `\Z`)
	p = strings.Replace(p, "/^", "/", -1)
	p = strings.TrimPrefix(p, "^")
	var b strings.Builder
	depth := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			if depth == 0 {
				b.WriteByte(p[i+1])
			}
			i++
		case c == '(':
			if depth == 0 {
				b.WriteString("{}")
			}
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	s := angle.ReplaceAllString(b.String(), "{}")
	s = brace.ReplaceAllString(s, "{}")
	if !strings.HasPrefix(s, "/") {
		s = "/" + s
	}
	return s
}

// score counts the project routes of truth that the listing has resolved
// with the same canonical path and a method that covers the route's.
func score(truth []truthRow, l listing) result {
	res := result{FellBack: l.fellBack}
	if l.err != nil {
		res.Err = l.err.Error()
	}
	have := map[string]map[string]bool{}
	for _, r := range l.rows {
		if r.Unresolved != "" {
			continue
		}
		k := canon(r.Pattern)
		if have[k] == nil {
			have[k] = map[string]bool{}
		}
		if len(r.Methods) == 0 {
			have[k]["*"] = true
		}
		have[k][strings.ToUpper(r.Method)] = true
		for _, m := range r.Methods {
			have[k][strings.ToUpper(m)] = true
		}
	}
	for _, t := range truth {
		if t.Origin != "project" {
			continue
		}
		if t.Method == "WS" {
			// WebSocket routes are not HTTP requests a cache sees:
			// cdnadvise lists HTTP routes only.
			res.WebSockets++
			continue
		}
		res.Truth++
		if t.Method == "MOUNT" {
			// A mounted app (static files, a sub-application that cannot
			// be walked): any row at or below its path stands for it.
			p := strings.TrimSuffix(canon(t.Pattern), "/")
			found := false
			for k := range have {
				if k == p || strings.HasPrefix(k, p+"/") {
					found = true
				}
			}
			if found {
				res.Found++
			} else {
				res.Missed = append(res.Missed, t)
			}
			continue
		}
		ms := have[canon(t.Pattern)]
		if ms != nil && (t.Method == "*" || ms["*"] || ms[strings.ToUpper(t.Method)]) {
			res.Found++
		} else {
			res.Missed = append(res.Missed, t)
		}
	}
	return res
}
