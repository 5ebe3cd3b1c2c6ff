package edge

// Fastly: VCL snippets for a Fastly VCL service (.vcl), one section per
// snippet type.
//
// Defaults this file relies on (research notes: edges.md sections 5, 8.6):
//
//   - The request Cookie is not in the cache key and does not cause a pass;
//     it is forwarded to the origin: "At worst, if a cookie header is
//     forwarded to your backend server, the backend uses the cookie value to
//     generate personalized content, and that content is then cached by
//     Fastly, a user may end up receiving content intended for someone
//     else." So per-user routes must return(pass), and shared routes drop
//     the Cookie so that the origin cannot personalize them.
//     https://www.fastly.com/documentation/reference/http/http-headers/Cookie/
//   - A response with Set-Cookie is passed (hit-for-pass): "By default,
//     Fastly will pass requests that have the headers Set-Cookie or
//     Cache-Control: private." So shared routes drop Set-Cookie in fetch.
//     https://www.fastly.com/blog/cache-recipe-success
//   - The TTL comes from Surrogate-Control, then s-maxage, then max-age,
//     then Expires: the origin's s-maxage is the advice, no TTL is set here.
//     https://www.fastly.com/documentation/guides/concepts/edge-state/cache/cache-freshness/
//   - Snippets: one per type (recv, fetch, ...), placed at the #FASTLY macro
//     of that subroutine. https://www.fastly.com/documentation/guides/full-site-delivery/fastly-vcl/using-vcl-snippets/
//   - String literals: "Arbitrary bytes may be encoded by %XX (case
//     insensitive) hex escape sequences."; there is no backslash escape, so
//     a regex's backslashes are written as they are and `"`, `%` and control
//     bytes as %XX. https://www.fastly.com/documentation/reference/vcl/types/string/
//   - Regexes are PCRE, written as string literals after ~.
//     https://www.fastly.com/documentation/reference/vcl/regex/
//   - querystring.filter removes the listed parameters (exact names),
//     separated by querystring.filtersep(); querystring.globfilter removes
//     the parameters matching a glob (utm_*); querystring.remove removes
//     the query string.
//     https://www.fastly.com/documentation/reference/vcl/functions/query-string/querystring-globfilter/
//     https://www.fastly.com/documentation/reference/vcl/functions/query-string/querystring-filter/
//     https://www.fastly.com/documentation/reference/vcl/functions/query-string/querystring-remove/

import (
	"fmt"
	"io"
	"strings"
)

// Fastly writes VCL snippets for a Fastly VCL service.
type Fastly struct{}

// Name implements Writer.
func (Fastly) Name() string { return "fastly" }

// Files implements Writer.
func (Fastly) Files() []string { return []string{".vcl"} }

// Write implements Writer.
func (f Fastly) Write(w io.Writer, suffix string, c Config) error {
	if suffix != ".vcl" {
		return fmt.Errorf("fastly: no %q artifact (known: .vcl)", suffix)
	}
	tracking := sortedParams(c.TrackingParams)
	rules := sortedRules(c.Rules)
	for _, r := range rules {
		if r.Regex == "" {
			return fmt.Errorf("fastly: route %s %q has no regex", r.Method, r.Pattern)
		}
		// "%00 ... has the effect of terminating the string": a regex cut
		// there could match more paths than the route.
		if strings.ContainsRune(r.Regex, 0) {
			return fmt.Errorf("fastly: route %s %q: regex contains a NUL byte", r.Method, r.Pattern)
		}
	}
	// Identical regexes make one branch; a pass among them wins.
	type branch struct {
		regex  string
		pass   bool
		query  string
		labels []string
	}
	var bs []*branch
	byRegex := map[string]*branch{}
	for _, r := range rules {
		b := byRegex[r.Regex]
		if b == nil {
			// req.url.path is the path as received: percent-encoded.
			b = &branch{regex: encodedAlternatives(r.Regex), pass: !r.Shared, query: queryPolicy(r, tracking)}
			byRegex[r.Regex] = b
			bs = append(bs, b)
		} else if !r.Shared {
			b.pass = true
		} else if queryRank(queryPolicy(r, tracking)) > queryRank(b.query) {
			b.query = queryPolicy(r, tracking)
		}
		b.labels = append(b.labels, ruleLabel(r))
	}

	var out strings.Builder
	out.WriteString("# cdnadvise: Fastly VCL snippets for a VCL service.\n")
	if c.Source != "" {
		out.WriteString("# Source: " + lineComment(c.Source) + "\n")
	}
	out.WriteString(`#
# Apply: each section below is one VCL snippet; upload it with the type its
# header names, e.g.
#   fastly vcl snippet create --version=latest --autoclone --name=cdnadvise_recv --type=recv --content=<recv section>
#   fastly vcl snippet create --version=latest --autoclone --name=cdnadvise_fetch --type=fetch --content=<fetch section>
# then activate the version. Snippets run at the #FASTLY macro of their
# subroutine, before the rest of Fastly's boilerplate.
#
# Shared routes (GET/HEAD): the request Cookie is removed (Fastly forwards it
# and does not key on it, so a cookie-dependent response would be shared),
# tracking parameters are removed from the URL (the cache key and the origin
# request), and Set-Cookie is removed from the response (Fastly passes
# responses with Set-Cookie). Per-user and not shareable routes:
# return(pass). Branches are in first-match order, most specific first.
`)
	out.WriteString("\n# ==== snippet type: recv (name: cdnadvise_recv) ====\n")
	// Fastly's boilerplate passes only methods other than GET/HEAD: a
	// request with Authorization would be looked up and stored.
	out.WriteString("if (req.http.Authorization) {\n  # Requests carrying Authorization: never from or into the cache.\n  return(pass);\n}\n")
	first := true
	for _, b := range bs {
		kw := "} else if"
		if first {
			kw, first = "if", false
		}
		if b.pass {
			fmt.Fprintf(&out, "%s (req.url.path ~ %s) {\n", kw, fastlyString(b.regex))
		} else {
			fmt.Fprintf(&out, "%s ((req.method == \"GET\" || req.method == \"HEAD\") && req.url.path ~ %s) {\n", kw, fastlyString(b.regex))
		}
		for _, l := range b.labels {
			out.WriteString("  # " + l + "\n")
		}
		if b.pass {
			out.WriteString("  return(pass);\n")
			continue
		}
		out.WriteString("  unset req.http.Cookie;\n")
		switch b.query {
		case "none":
			out.WriteString("  set req.url = querystring.remove(req.url);\n")
		case "no-tracking":
			// Exact names with querystring.filter, prefixes (utm_*) with
			// querystring.globfilter: filter takes names only.
			names, globs := globOrName(tracking)
			if len(names) > 0 {
				q := make([]string, len(names))
				for i, t := range names {
					q[i] = fastlyString(t)
				}
				out.WriteString("  set req.url = querystring.filter(req.url, " + strings.Join(q, " + querystring.filtersep() + ") + ");\n")
			}
			for _, g := range globs {
				out.WriteString("  set req.url = querystring.globfilter(req.url, " + fastlyString(g) + ");\n")
			}
		}
	}
	if !first {
		out.WriteString("}\n")
	}
	out.WriteString("# ==== end snippet recv ====\n")

	out.WriteString("\n# ==== snippet type: fetch (name: cdnadvise_fetch) ====\n")
	first = true
	for _, b := range bs {
		if b.pass {
			continue
		}
		kw := "} else if"
		if first {
			kw, first = "if", false
		}
		fmt.Fprintf(&out, "%s ((req.method == \"GET\" || req.method == \"HEAD\") && req.url.path ~ %s) {\n", kw, fastlyString(b.regex))
		out.WriteString("  unset beresp.http.Set-Cookie;\n")
	}
	if !first {
		out.WriteString("}\n")
	}
	out.WriteString("# ==== end snippet fetch ====\n")
	_, err := io.WriteString(w, out.String())
	return err
}

// fastlyString writes s as a Fastly VCL string literal: printable ASCII as
// is, except `"` and `%`; every other byte as %XX (Fastly strings have no
// backslash escapes, and a literal must be valid UTF-8).
func fastlyString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '%' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String()
}

// FastlyMainVCL places the snippets Fastly.Write writes at the #FASTLY
// macros of a main VCL laid out as Fastly's boilerplate for custom VCL
// (each built-in subroutine with its macro first, vcl_recv passing methods
// other than GET, HEAD and FASTLYPURGE, then looking up:
// https://www.fastly.com/documentation/guides/full-site-delivery/custom-vcl/creating-custom-vcl/),
// with one backend (host, port), as a Fastly service would run them: for
// linting and simulating them (falco) outside Fastly.
func FastlyMainVCL(snippets, host, port string) (string, error) {
	section := func(typ string) (string, error) {
		head := "# ==== snippet type: " + typ + " "
		i := strings.Index(snippets, head)
		if i < 0 {
			return "", nil
		}
		i += strings.IndexByte(snippets[i:], '\n') + 1
		j := strings.Index(snippets[i:], "# ==== end snippet "+typ+" ====")
		if j < 0 {
			return "", fmt.Errorf("fastly: snippet %s has no end marker", typ)
		}
		return snippets[i : i+j], nil
	}
	recv, err := section("recv")
	if err != nil {
		return "", err
	}
	fetch, err := section("fetch")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "backend F_origin {\n  .host = %s;\n  .port = %s;\n}\n\n", fastlyString(host), fastlyString(port))
	b.WriteString("sub vcl_recv {\n  set req.backend = F_origin;\n#FASTLY recv\n" + recv +
		"  if (req.method != \"HEAD\" && req.method != \"GET\" && req.method != \"FASTLYPURGE\") {\n    return(pass);\n  }\n  return(lookup);\n}\n\n")
	b.WriteString("sub vcl_hash {\n  set req.hash += req.url;\n  set req.hash += req.http.host;\n#FASTLY hash\n  return(hash);\n}\n\n")
	for _, s := range []struct{ name, ret string }{{"hit", "deliver"}, {"miss", "fetch"}, {"pass", "pass"}} {
		fmt.Fprintf(&b, "sub vcl_%s {\n#FASTLY %s\n  return(%s);\n}\n\n", s.name, s.name, s.ret)
	}
	b.WriteString("sub vcl_fetch {\n#FASTLY fetch\n" + fetch + "  if (beresp.http.Set-Cookie) {\n    return(pass);\n  }\n  return(deliver);\n}\n\n")
	b.WriteString("sub vcl_error {\n#FASTLY error\n  return(deliver);\n}\n\nsub vcl_deliver {\n#FASTLY deliver\n  return(deliver);\n}\n\nsub vcl_log {\n#FASTLY log\n}\n")
	return b.String(), nil
}
