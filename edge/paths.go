package edge

import (
	"fmt"
	"strings"
)

// Paths as the edge sees them. A browser sends a path with its non-ASCII
// characters, spaces, quotes and a few other bytes percent-encoded
// (https://url.spec.whatwg.org/#path-percent-encode-set). nginx matches
// $uri, which it decodes; Varnish (req.url) and Fastly (req.url.path)
// compare the URL as received. So for those, each such literal character
// of a route's regex also matches its encoded form.

// pathEncoded lists the ASCII bytes browsers percent-encode in a path.
const pathEncoded = " \"<>`{}|\\^'"

// encodedAlternatives rewrites a route regex so that each literal
// character a browser would percent-encode also matches its %XX form (hex
// digits in either case): "/café" becomes "/caf(?:é|%[Cc]3%[Aa]9)". Escaped
// characters and character classes are read; a class is left as it is.
func encodedAlternatives(re string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(re); {
		c := re[i]
		switch {
		case inClass:
			if c == '\\' && i+1 < len(re) {
				b.WriteString(re[i : i+2])
				i += 2
				continue
			}
			if c == ']' {
				inClass = false
			}
			b.WriteByte(c)
			i++
		case c == '[':
			inClass = true
			b.WriteByte(c)
			i++
			// A ] right after [ or [^ is a literal.
			if strings.HasPrefix(re[i:], "^]") {
				b.WriteString("^]")
				i += 2
			} else if strings.HasPrefix(re[i:], "]") {
				b.WriteByte(']')
				i++
			}
		case c == '(' && strings.HasPrefix(re[i:], "(?"):
			// A group's header ((?P<name>, (?<name>, (?'name', (?:, (?i)) is
			// regex syntax, not path text.
			rest := re[i+2:]
			n := 2
			switch {
			case strings.HasPrefix(rest, "P<"), strings.HasPrefix(rest, "<") && !strings.HasPrefix(rest, "<=") && !strings.HasPrefix(rest, "<!"):
				if k := strings.IndexByte(rest, '>'); k >= 0 {
					n += k + 1
				}
			case strings.HasPrefix(rest, "'"):
				if k := strings.IndexByte(rest[1:], '\''); k >= 0 {
					n += k + 2
				}
			}
			b.WriteString(re[i : i+n])
			i += n
		case c == '\\' && i+1 < len(re):
			n := re[i+1]
			if strings.IndexByte(pathEncoded, n) >= 0 {
				b.WriteString(alternative(re[i:i+2], string(n)))
			} else {
				b.WriteString(re[i : i+2])
			}
			i += 2
		case c >= 0x80:
			// One UTF-8 character (or a stray byte).
			j := i + 1
			for j < len(re) && re[j] >= 0x80 && re[j] < 0xC0 {
				j++
			}
			b.WriteString(alternative(re[i:j], re[i:j]))
			i = j
		case strings.IndexByte(" \"<>`'", c) >= 0:
			b.WriteString(alternative(re[i:i+1], re[i:i+1]))
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// alternative matches a literal as written (lit, a regex) or as the
// percent-encoded bytes of raw.
func alternative(lit, raw string) string {
	var enc strings.Builder
	for i := 0; i < len(raw); i++ {
		enc.WriteByte('%')
		for _, h := range fmt.Sprintf("%02X", raw[i]) {
			if h >= 'A' && h <= 'F' {
				enc.WriteString("[" + string(h) + string(h+'a'-'A') + "]")
			} else {
				enc.WriteRune(h)
			}
		}
	}
	return "(?:" + lit + "|" + enc.String() + ")"
}

// maxRegexBytes are the longest route regexes the edges take: nginx reads
// a configuration token into a 4 KB buffer ("too long parameter"), and
// Cloudflare takes rule expressions of up to 4,096 characters
// (https://developers.cloudflare.com/ruleset-engine/rules-language/expressions/).
const maxRegexBytes = 3800

// tooLong says why a rule cannot be written by an edge with a limit, or
// returns an error when leaving it out would be unsafe: a per-user route
// left out could fall under a broader shared pattern.
func tooLong(edgeName string, r Rule, regex string) (skip string, err error) {
	if len(regex) <= maxRegexBytes {
		return "", nil
	}
	if r.PerUser {
		return "", fmt.Errorf("%s: the per-user route %s %q has a %d-byte regex, over the %d bytes %s takes: a per-user route cannot be left out (a shared pattern could cover it); shorten the route's pattern or leave the route out of the advice with --policy", edgeName, r.Method, shortPattern(r), len(regex), maxRegexBytes, edgeName)
	}
	return fmt.Sprintf("%s %s: its %d-byte regex is over the %d bytes %s takes; left out (not cached)", r.Method, shortPattern(r), len(regex), maxRegexBytes, edgeName), nil
}

// shortPattern is a route's pattern for a comment or message: one line, at
// most 200 bytes (nginx refuses any token over its 4 KB buffer, comments
// included).
func shortPattern(r Rule) string { return truncate(lineComment(r.Pattern), 200) }

// percentEncodePath writes a literal path as browsers send it and as
// Cloudflare's URL normalization leaves it: the bytes of pathEncoded and
// every non-ASCII byte as %XX in upper case ("Other characters, for
// example literal byte values, are percent encoded. Percent encoded
// representations are converted to upper case.",
// https://developers.cloudflare.com/rules/normalization/how-it-works/).
func percentEncodePath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 0x80 || c < 0x20 || c == 0x7f || strings.IndexByte(pathEncoded, c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
