package edge

// Helpers shared by the CDN writers (cloudflare.go, cloudfront.go,
// fastly.go): what shape a route's regex has, and quoting for the formats
// they write.

import (
	"fmt"
	"regexp/syntax"
	"sort"
	"strings"
	"unicode/utf8"
)

// pathKind is the shape of a route's anchored regex.
type pathKind int

const (
	// pathOther: the regex has parameters; only a regex matches it exactly.
	pathOther pathKind = iota
	// pathLiteral: the regex matches one literal path (^/about/$).
	pathLiteral
	// pathPrefix: the regex matches every path that starts with a literal
	// prefix (^/static/.*$ or ^/static/(?P<path>.*)$).
	pathPrefix
)

// routeShape tells whether a route regex is a literal path, a literal
// prefix, or neither, and returns the literal. Edges whose cheap matchers
// are equality and prefix tests (Cloudflare eq/starts_with, CloudFront path
// patterns) use it to stay exact without a regex.
func routeShape(re string) (string, pathKind) {
	p, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return "", pathOther
	}
	p = p.Simplify()
	subs := []*syntax.Regexp{p}
	if p.Op == syntax.OpConcat {
		subs = p.Sub
	}
	if len(subs) == 0 || subs[0].Op != syntax.OpBeginText {
		return "", pathOther
	}
	subs = subs[1:]
	var lit strings.Builder
	for len(subs) > 0 && subs[0].Op == syntax.OpLiteral && subs[0].Flags&syntax.FoldCase == 0 {
		lit.WriteString(string(subs[0].Rune))
		subs = subs[1:]
	}
	switch {
	case len(subs) == 1 && subs[0].Op == syntax.OpEndText:
		return lit.String(), pathLiteral
	case len(subs) == 0:
		// Not anchored at the end: every path with this prefix matches.
		return lit.String(), pathPrefix
	case anyStar(subs[0]) && (len(subs) == 1 || len(subs) == 2 && subs[1].Op == syntax.OpEndText):
		return lit.String(), pathPrefix
	}
	return lit.String(), pathOther
}

// anyStar reports whether re is .* (possibly captured). Paths hold no
// newline, so .* and (?s).* both match any rest of a path.
func anyStar(re *syntax.Regexp) bool {
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	return re.Op == syntax.OpStar && (re.Sub[0].Op == syntax.OpAnyChar || re.Sub[0].Op == syntax.OpAnyCharNotNL)
}

// lineComment makes text from routes safe inside a one-line comment (#, //):
// control characters, which could end the comment, become spaces.
func lineComment(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

// hclQuote quotes s as an HCL (Terraform) quoted template string: backslash,
// quote and control characters are escaped, and "${" / "%{" are doubled so
// that route text is never read as an interpolation or a directive.
// https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences
func hclQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			// An invalid byte: HCL files are UTF-8, write U+FFFD.
			b.WriteString(`\uFFFD`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		case (r == '$' || r == '%') && strings.HasPrefix(s[i+1:], "{"):
			b.WriteRune(r)
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// hclList writes ["a", "b"] with each element quoted.
func hclList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = hclQuote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// hclAttrs writes a run of attributes with their "=" aligned as terraform
// fmt aligns them, so the generated file is already formatted.
func hclAttrs(b *strings.Builder, indent string, kv ...string) {
	width := 0
	for i := 0; i < len(kv); i += 2 {
		width = max(width, len(kv[i]))
	}
	for i := 0; i < len(kv); i += 2 {
		fmt.Fprintf(b, "%s%-*s = %s\n", indent, width, kv[i], kv[i+1])
	}
}

// sortedParams returns the tracking parameters sorted, without duplicates
// or empty names.
func sortedParams(ps []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range ps {
		if p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// queryPolicy is the effective query key policy of a rule: "all", "none",
// or "no-tracking" (only when there are tracking parameters to drop).
func queryPolicy(r Rule, tracking []string) string {
	switch r.Query {
	case "none":
		return "none"
	case "no-tracking":
		if len(tracking) > 0 {
			return "no-tracking"
		}
	}
	return "all"
}

// ruleLabel is a one-line description of a rule for comments.
func ruleLabel(r Rule) string {
	s := fmt.Sprintf("%s %s (%s", r.Method, r.Pattern, r.Class)
	if r.CacheControl != "" {
		s += "; Cache-Control: " + r.CacheControl
	}
	return lineComment(s + ")")
}

// sortedRules returns a copy of the rules in SortRules order, ties broken
// by every field so that output does not depend on input order.
func sortedRules(rs []Rule) []Rule {
	out := append([]Rule(nil), rs...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Pattern != b.Pattern {
			return a.Pattern < b.Pattern
		}
		if a.Method != b.Method {
			return a.Method < b.Method
		}
		return a.Regex < b.Regex
	})
	SortRules(out)
	return out
}
