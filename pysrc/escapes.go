package pysrc

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Unescape decodes the backslash escapes of a non-raw Python string
// literal's text as Python does (https://docs.python.org/3/reference/lexical_analysis.html#escape-sequences):
// \\ \' \" \a \b \f \n \r \t \v, \ooo (octal), \xhh, \uXXXX, \UXXXXXXXX, a
// backslash before a newline (the line continues); \N{name} and any other
// escape are kept as written (Python keeps an unknown escape's backslash).
// In a bytes literal (bytes), \u, \U and \N are not escapes.
func Unescape(s string, bytes bool) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		n := s[i+1]
		simple := map[byte]string{'\\': `\`, '\'': "'", '"': `"`, 'a': "\a", 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t", 'v': "\v", '\n': ""}
		if v, ok := simple[n]; ok {
			b.WriteString(v)
			i++
			continue
		}
		switch {
		case n >= '0' && n <= '7':
			j := i + 1
			for j < len(s) && j < i+4 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(s[i+1:j], 8, 32)
			writeCode(&b, rune(v), bytes)
			i = j - 1
		case n == 'x' && isHex(s, i+2, 2):
			v, _ := strconv.ParseUint(s[i+2:i+4], 16, 32)
			writeCode(&b, rune(v), bytes)
			i += 3
		case !bytes && n == 'u' && isHex(s, i+2, 4):
			v, _ := strconv.ParseUint(s[i+2:i+6], 16, 32)
			b.WriteRune(rune(v))
			i += 5
		case !bytes && n == 'U' && isHex(s, i+2, 8):
			v, _ := strconv.ParseUint(s[i+2:i+10], 16, 32)
			if v > utf8.MaxRune {
				b.WriteString(s[i : i+10])
			} else {
				b.WriteRune(rune(v))
			}
			i += 9
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// writeCode writes a code point from an octal or \x escape: a byte in a
// bytes literal, a character in a str literal.
func writeCode(b *strings.Builder, r rune, bytes bool) {
	if bytes {
		b.WriteByte(byte(r))
		return
	}
	b.WriteRune(r)
}

// isHex reports whether s[at:at+n] is n hex digits.
func isHex(s string, at, n int) bool {
	if at+n > len(s) {
		return false
	}
	for _, c := range s[at : at+n] {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}
