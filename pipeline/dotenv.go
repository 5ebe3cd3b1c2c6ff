package pipeline

import (
	"strings"
)

// ParseDotenv reads a .env file as python-dotenv does: KEY=VALUE lines,
// an optional leading "export ", # comments (at the start of a line, or
// after a space outside quotes), single-quoted values taken as written,
// double-quoted ones with \n, \t, \" and \\ unescaped, and values over
// several lines inside quotes. Variable references (${X}) are kept as
// written. It returns the pairs in file order and, as python-dotenv warns
// of them and goes on, the numbers of the lines it could not read (no =,
// a quote never closed).
func ParseDotenv(s string) (pairs [][2]string, bad []int) {
	var out [][2]string
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t\"'") {
			bad = append(bad, i+1)
			continue
		}
		v = strings.TrimLeft(v, " \t")
		start := i + 1
		if q := firstByte(v); q == '\'' || q == '"' {
			// A quoted value may span lines: gather until the closing quote.
			body := v[1:]
			closed := false
			for j := i; ; {
				if end := closingQuote(body, q); end >= 0 {
					body, closed, i = body[:end], true, j
					break
				}
				if j+1 >= len(lines) {
					break
				}
				j++
				body += "\n" + lines[j]
			}
			if !closed {
				bad = append(bad, start)
				continue
			}
			if q == '"' {
				body = strings.NewReplacer(`\n`, "\n", `\t`, "\t", `\"`, `"`, `\\`, `\`).Replace(body)
			}
			v = body
		} else {
			if j := strings.Index(v, " #"); j >= 0 {
				v = v[:j]
			}
			v = strings.TrimSpace(v)
		}
		out = append(out, [2]string{k, v})
	}
	return out, bad
}

func firstByte(s string) byte {
	if s == "" {
		return 0
	}
	return s[0]
}

// closingQuote is the index of the quote q closing s (a backslash escapes
// it inside double quotes), or -1.
func closingQuote(s string, q byte) int {
	for i := 0; i < len(s); i++ {
		if q == '"' && s[i] == '\\' {
			i++
			continue
		}
		if s[i] == q {
			return i
		}
	}
	return -1
}
