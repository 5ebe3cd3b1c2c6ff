package pipeline

import (
	"fmt"
	"strings"
)

// ParseDotenv reads a .env file as python-dotenv does: KEY=VALUE lines,
// an optional leading "export ", # comments (at the start of a line, or
// after a space outside quotes), single-quoted values taken as written,
// double-quoted ones with \n, \t, \" and \\ unescaped, and values over
// several lines inside quotes. Variable references (${X}) are kept as
// written. It returns the pairs in file order; a line without = that is
// not blank or a comment is an error with its line number.
func ParseDotenv(s string) ([][2]string, error) {
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
			return nil, fmt.Errorf("line %d: not KEY=VALUE", i+1)
		}
		v = strings.TrimLeft(v, " \t")
		start := i + 1
		if q := firstByte(v); q == '\'' || q == '"' {
			// A quoted value may span lines: gather until the closing quote.
			body := v[1:]
			for {
				if end := closingQuote(body, q); end >= 0 {
					body = body[:end]
					break
				}
				if i+1 >= len(lines) {
					return nil, fmt.Errorf("line %d: the quote is never closed", start)
				}
				i++
				body += "\n" + lines[i]
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
	return out, nil
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
