package edge

import (
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Varnish writes a complete VCL 4.1 file for Varnish 6/7: the builtin VCL
// passes every request with a Cookie or Authorization header and makes
// responses with Set-Cookie hit-for-miss (varnishd -x builtin:
// vcl_req_cookie, vcl_req_authorization, vcl_beresp_cookie), so browser
// traffic is never served from the cache. The VCL drops the request's
// cookies on the routes advised for a shared cache (their responses are the
// same for everyone) before the builtin VCL runs, passes per-user routes
// explicitly, and leaves TTL and grace to the origin's Cache-Control:
// s-maxage, and stale-while-revalidate as grace
// (https://varnish-cache.org/docs/7.1/reference/vcl-var.html#beresp-grace).
type Varnish struct{}

// Name implements Writer.
func (Varnish) Name() string { return "varnish" }

// Files implements Writer.
func (Varnish) Files() []string { return []string{".vcl"} }

// Write implements Writer.
func (Varnish) Write(w io.Writer, suffix string, c Config) error {
	if suffix != ".vcl" {
		return fmt.Errorf("varnish writes .vcl, not %s", suffix)
	}
	up, err := parseUpstream(c.Upstream, "8000")
	if err != nil {
		return err
	}
	rules := sortedRules(c.Rules)
	var b strings.Builder
	b.WriteString("vcl 4.1;\n\n")
	b.WriteString("# Written by cdnadvise edge --edge varnish" + from(c.Source) + ".\n")
	b.WriteString("# Load it with: varnishd -f THIS_FILE (or varnishadm vcl.load/vcl.use).\n")
	b.WriteString("# TTLs come from the origin's Cache-Control (s-maxage, stale-while-revalidate\n")
	b.WriteString("# as grace): apply cdnadvise's patch to the app as well.\n\n")
	if up.Socket != "" {
		// A unix socket backend: Varnish 6.4 and later (.path).
		fmt.Fprintf(&b, "backend default {\n    .path = %s;\n}\n\n", vclString(up.Socket))
	} else {
		fmt.Fprintf(&b, "backend default {\n    .host = %s;\n    .port = %s;\n}\n\n", vclString(up.Host), vclString(up.Port))
	}
	b.WriteString("sub vcl_recv {\n")
	var perUser, shared []string
	for _, r := range rules {
		re := vclRegex(r.Regex)
		if re == "" && r.PerUser {
			// Left out, it could fall under a broader shared pattern.
			return fmt.Errorf("varnish: the per-user route %s %q has no regex a VCL string can hold: a per-user route cannot be left out", r.Method, shortPattern(r))
		}
		if re == "" {
			fmt.Fprintf(&b, "    # %s %s: its regex cannot be written as a VCL string, left to the builtin VCL\n", r.Method, lineComment(r.Pattern))
			continue
		}
		switch {
		case r.PerUser:
			perUser = append(perUser, fmt.Sprintf("        # %s %s\n        req.url ~ %s", r.Method, lineComment(r.Pattern), re))
		case r.Shared:
			shared = append(shared, fmt.Sprintf("        # %s %s\n        req.url ~ %s", r.Method, lineComment(r.Pattern), re))
		}
	}
	b.WriteString("    # Requests carrying Authorization: to the origin, never stored (the\n")
	b.WriteString("    # builtin VCL does the same; said here for a vcl_recv that returns early).\n")
	b.WriteString("    if (req.http.Authorization) {\n        return (pass);\n    }\n")
	if len(perUser) > 0 {
		b.WriteString("    # Per-user routes: to the origin with their cookies, never stored.\n")
		fmt.Fprintf(&b, "    if (\n%s\n    ) {\n        return (pass);\n    }\n", strings.Join(perUser, " ||\n"))
	}
	if len(shared) > 0 {
		b.WriteString("    # GET and HEAD of the routes advised for a shared cache: the same for\n")
		b.WriteString("    # everyone, so the browser's cookies (analytics, csrftoken, session) are\n")
		b.WriteString("    # dropped before the lookup; the builtin VCL would otherwise pass every\n")
		b.WriteString("    # such request. Other methods (a POST with its session and CSRF\n")
		b.WriteString("    # cookies) keep them.\n")
		fmt.Fprintf(&b, "    if ((req.method == \"GET\" || req.method == \"HEAD\") && (\n%s\n    )) {\n        unset req.http.Cookie;\n    }\n", strings.Join(shared, " ||\n"))
	}
	if len(c.TrackingParams) > 0 {
		b.WriteString("    # Tracking parameters never change the response: out of the cache key.\n")
		fmt.Fprintf(&b, "    set req.url = regsuball(req.url, %s, \"\\1\");\n", vclString(`([?&])(`+strings.Join(quoteParams(c.TrackingParams), "|")+`)=[^&]*(&|$)`))
		b.WriteString("    set req.url = regsub(req.url, \"[?&]+$\", \"\");\n")
	}
	b.WriteString("    # No return: the builtin VCL goes on (GET/HEAD only, Authorization passed).\n}\n")
	return writeAll(w, b.String())
}

// Upstream is an origin as the edge files address it: a host (a DNS
// name, an IPv4 address, or an IPv6 address without brackets) and port, or
// a unix socket path.
type Upstream struct {
	Host, Port string
	Socket     string // unix:/run/app.sock: the path; Host and Port empty
}

// parseUpstream reads --upstream: http://host:port, host:port,
// http://[::1]:8000, or unix:/path/to/socket. A name must be a valid host
// name, an address or a socket path: nothing that could end a directive.
func parseUpstream(upstream, defPort string) (Upstream, error) {
	if upstream == "" {
		return Upstream{Host: "127.0.0.1", Port: defPort}, nil
	}
	if p, ok := strings.CutPrefix(upstream, "unix:"); ok {
		if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, " ;{}\"'\n\r\t#$:") {
			return Upstream{}, fmt.Errorf("upstream %q: want unix:/absolute/path.sock (no spaces, quotes, ; { } # $ or :)", upstream)
		}
		return Upstream{Socket: p}, nil
	}
	if !strings.Contains(upstream, "://") {
		upstream = "http://" + upstream
	}
	u, err := url.Parse(upstream)
	if err != nil || u.Hostname() == "" {
		return Upstream{}, fmt.Errorf("upstream %q: want a URL such as http://127.0.0.1:8000, http://[::1]:8000 or unix:/run/app.sock", upstream)
	}
	host := u.Hostname()
	if net.ParseIP(host) == nil && !hostNameRe.MatchString(host) {
		return Upstream{}, fmt.Errorf("upstream %q: %q is neither an IP address nor a host name", upstream, host)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443"}[u.Scheme]
		if port == "" {
			port = "80"
		}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return Upstream{}, fmt.Errorf("upstream %q: port %q", upstream, port)
	}
	return Upstream{Host: host, Port: port}, nil
}

// hostNameRe is a DNS host name (letters, digits, hyphens, dots).
var hostNameRe = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$`)

// vclString quotes s as a VCL string: "..." when it has no quote or
// newline, else a long string {"..."}; "" when neither can hold it.
func vclString(s string) string {
	if strings.ContainsAny(s, "\n\r") {
		return ""
	}
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	if strings.Contains(s, `"}`) {
		return ""
	}
	return `{"` + s + `"}`
}

// vclRegex turns an anchored path regex into one over req.url (which
// carries the query string), quoted for VCL; "" when it cannot be.
func vclRegex(re string) string {
	if re == "" {
		return ""
	}
	// req.url is the URL as received: percent-encoded.
	return vclString(urlRegex(encodedAlternatives(re)))
}

// urlRegex lets an anchored path regex (^...$) match the path of a URL
// followed by an optional query string.
func urlRegex(re string) string {
	if strings.HasSuffix(re, "$") && !strings.HasSuffix(re, `\$`) {
		re = strings.TrimSuffix(re, "$") + `(\?.*)?$`
	}
	return re
}

// quoteParams escapes query parameter names for a regex alternation; a
// trailing * (utm_*) stands for any rest of the name.
func quoteParams(ps []string) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		var b strings.Builder
		wild := strings.HasSuffix(p, "*")
		for _, r := range strings.TrimSuffix(p, "*") {
			if strings.ContainsRune(`\.+*?()|[]{}^$"`, r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		if wild {
			b.WriteString(`[^=&]*`)
		}
		out = append(out, b.String())
	}
	return out
}

func writeAll(w io.Writer, s string) error {
	_, err := io.WriteString(w, s)
	return err
}

// from is " (from SOURCE)" for a header comment, or "".
func from(source string) string {
	if source == "" {
		return ""
	}
	return " from " + lineComment(source)
}
