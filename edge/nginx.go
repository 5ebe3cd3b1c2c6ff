package edge

import (
	"fmt"
	"io"
	"net"
	"strings"
)

// Nginx writes a file to include inside nginx's http {} block: the cache
// (proxy_cache_path), a key on the client's host rather than the upstream's
// name (the default key $scheme$proxy_host$request_uri would share entries
// between sites behind one upstream:
// https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_cache_key),
// and a complete server {} proxying to the upstream. Per-user routes, and
// requests carrying Authorization, bypass the cache and are never stored
// (proxy_cache_bypass, proxy_no_cache); on GET and HEAD requests of the
// routes advised for a shared cache the browser's cookies are not sent to
// the origin, so that a response the origin makes from them (a session
// touched, Vary: Cookie) cannot be stored for everyone. Other methods (a
// POST with its session and CSRF cookies), and a per-user route inside a
// shared pattern, keep their cookies. nginx caches only GET and HEAD
// (proxy_cache_methods' default). TTLs come from the
// origin's Cache-Control; stale-while-revalidate and stale-if-error are
// honoured from the header (since 1.11.10, with proxy_cache_background_update
// for the refresh: https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_cache_use_stale).
type Nginx struct{}

// Name implements Writer.
func (Nginx) Name() string { return "nginx" }

// Files implements Writer.
func (Nginx) Files() []string { return []string{".conf"} }

// Write implements Writer.
func (Nginx) Write(w io.Writer, suffix string, c Config) error {
	if suffix != ".conf" {
		return fmt.Errorf("nginx writes .conf, not %s", suffix)
	}
	up, err := parseUpstream(c.Upstream, "8000")
	if err != nil {
		return err
	}
	listen := c.Listen
	if listen == "" {
		listen = "127.0.0.1:8080"
	}
	if err := nginxSafe(listen, c.AccessLog); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("# Written by cdnadvise edge --edge nginx" + from(c.Source) + ".\n")
	b.WriteString("# Include it inside http {} (include /etc/nginx/cdnadvise.conf;) and check with nginx -t.\n")
	b.WriteString("# TTLs come from the origin's Cache-Control: apply cdnadvise's patch to the app as well.\n")
	b.WriteString("# To put the cache into a server {} of your own instead: --edge nginx-include.\n\n")
	if err := nginxHTTP(&b, c); err != nil {
		return err
	}
	b.WriteString("server {\n")
	fmt.Fprintf(&b, "    listen %s;\n", listen)
	if c.AccessLog != "" {
		fmt.Fprintf(&b, "    access_log %s cdnadvise;\n", c.AccessLog)
	}
	b.WriteString("    location / {\n")
	fmt.Fprintf(&b, "        proxy_pass %s;\n", nginxProxyPass(up))
	b.WriteString("        proxy_http_version 1.1;\n")
	b.WriteString("        proxy_set_header Host $host;\n")
	nginxLocation(&b, "        ")
	b.WriteString("        add_header X-Cache-Status $upstream_cache_status always;\n")
	b.WriteString("    }\n}\n")
	return writeAll(w, b.String())
}

// NginxInclude writes the same cache as Nginx in two parts for a server
// the user already runs (their TLS server {}, their proxy_pass): .http.conf
// to include inside http {}, .location.conf to include inside the location
// that proxies to the app. The location part sets no add_header: a
// location with one of its own no longer inherits the server's (HSTS, CSP),
// https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header.
type NginxInclude struct{}

// Name implements Writer.
func (NginxInclude) Name() string { return "nginx-include" }

// Files implements Writer.
func (NginxInclude) Files() []string { return []string{".http.conf", ".location.conf"} }

// Write implements Writer.
func (NginxInclude) Write(w io.Writer, suffix string, c Config) error {
	var b strings.Builder
	switch suffix {
	case ".http.conf":
		if err := nginxSafe(c.AccessLog); err != nil {
			return err
		}
		b.WriteString("# Written by cdnadvise edge --edge nginx-include" + from(c.Source) + ".\n")
		b.WriteString("# Include it inside http {}; include the .location.conf file inside the location\n")
		b.WriteString("# that proxies to the app (after its proxy_pass); check with nginx -t.\n\n")
		if err := nginxHTTP(&b, c); err != nil {
			return err
		}
	case ".location.conf":
		b.WriteString("# Written by cdnadvise edge --edge nginx-include" + from(c.Source) + ".\n")
		b.WriteString("# Include it inside the location that proxies to the app, e.g.\n")
		b.WriteString("#   location / { proxy_pass http://app; include /etc/nginx/cdnadvise.location.conf; }\n")
		b.WriteString("# It needs the maps of the .http.conf file. To see the cache status in responses,\n")
		b.WriteString("# add $upstream_cache_status to your log format (an add_header here would stop\n")
		b.WriteString("# the location from inheriting the server's add_header lines).\n")
		nginxLocation(&b, "")
	default:
		return fmt.Errorf("nginx-include writes .http.conf and .location.conf, not %s", suffix)
	}
	return writeAll(w, b.String())
}

// nginxSafe refuses values that would end a directive.
func nginxSafe(vals ...string) error {
	for _, s := range vals {
		if strings.ContainsAny(s, " ;{}\"'\n\r\t#$") {
			return fmt.Errorf("%q cannot be written into an nginx configuration (spaces, quotes, ; { } # $)", s)
		}
	}
	return nil
}

// nginxHTTP writes the http-level part: the cache, the maps that say which
// requests are per-user, shared, carry Authorization, and which cookies
// reach the origin, and the log format.
func nginxHTTP(b *strings.Builder, c Config) error {
	cacheDir := c.CacheDir
	if cacheDir == "" {
		cacheDir = DefaultNginxCacheDir
	}
	if err := nginxSafe(cacheDir); err != nil {
		return err
	}
	rules := sortedRules(c.Rules)
	for _, r := range rules {
		if _, _, err := nginxMapKey(r); err != nil {
			return err
		}
	}
	fmt.Fprintf(b, "proxy_cache_path %s levels=1:2 keys_zone=cdnadvise:10m max_size=1g inactive=1d use_temp_path=off;\n\n", cacheDir)
	b.WriteString("# Routes whose responses depend on the user: never from or into the cache.\n")
	b.WriteString("map $uri $cdnadvise_per_user {\n    default 0;\n")
	for _, r := range rules {
		if r.PerUser {
			writeMapLine(b, r)
		}
	}
	b.WriteString("}\n\n# Routes advised for a shared cache: the same for everyone.\n")
	b.WriteString("map $uri $cdnadvise_shared {\n    default 0;\n")
	for _, r := range rules {
		if r.Shared && !r.PerUser {
			writeMapLine(b, r)
		}
	}
	b.WriteString("}\n\n# Requests carrying Authorization: never from or into the cache.\n")
	b.WriteString("map $http_authorization $cdnadvise_auth {\n    \"\" 0;\n    default 1;\n}\n\n")
	b.WriteString("# GET and HEAD of a shared route, not per-user (a per-user route wins over an\n")
	b.WriteString("# overlapping shared pattern), without Authorization, reach the origin\n")
	b.WriteString("# without the browser's cookies; every other request keeps them (a POST\n")
	b.WriteString("# keeps its session and CSRF cookies).\n")
	b.WriteString("map \"$request_method:$cdnadvise_per_user$cdnadvise_shared$cdnadvise_auth\" $cdnadvise_cookie {\n")
	b.WriteString("    \"GET:010\" \"\";\n    \"HEAD:010\" \"\";\n    default $http_cookie;\n}\n\n")
	if c.AccessLog != "" {
		b.WriteString("log_format cdnadvise '$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent '\n")
		b.WriteString("                     '\"$http_referer\" \"$http_user_agent\" $request_time $upstream_response_time $upstream_cache_status';\n\n")
	}
	return nil
}

// nginxLocation writes the directives of the location that proxies to the
// app, each line indented by ind.
func nginxLocation(b *strings.Builder, ind string) {
	for _, l := range []string{
		"proxy_set_header Cookie $cdnadvise_cookie;",
		"proxy_cache cdnadvise;",
		"proxy_cache_key $scheme$host$request_uri;",
		"proxy_cache_bypass $cdnadvise_per_user $cdnadvise_auth;",
		"proxy_no_cache $cdnadvise_per_user $cdnadvise_auth;",
		"# stale-while-revalidate / stale-if-error come from the header; errors too.",
		"proxy_cache_use_stale error timeout http_500 http_502 http_503 http_504;",
		"proxy_cache_background_update on;",
		"# proxy_cache_lock stays off: requests that arrive while an entry's first fetch",
		"# is under way go to the origin too (a burst after a start or a purge); with it on",
		"# they would wait, checking every 500 ms, and a URL the cache does not store",
		"# would be fetched one request at a time.",
	} {
		b.WriteString(ind + l + "\n")
	}
}

// DefaultNginxCacheDir is where the nginx file keeps its cache unless told
// otherwise. nginx creates only the last directory of a proxy_cache_path
// (as root, handing it to the worker user), and its packages differ: Debian
// and Ubuntu have /var/lib/nginx and no /var/cache/nginx, nginx.org's have
// /var/cache/nginx. /var/cache is there on both (FHS), so a folder right
// under it passes nginx -t as written on either.
const DefaultNginxCacheDir = "/var/cache/cdnadvise-nginx"

// writeMapLine adds a regex line to an nginx map: "~REGEX" 1; or, for a
// rule nginx cannot take, a comment saying why it is left out (nginxHTTP
// has refused the file when that rule is per-user).
func writeMapLine(b *strings.Builder, r Rule) {
	key, skip, _ := nginxMapKey(r)
	if skip != "" {
		fmt.Fprintf(b, "    # %s\n", skip)
		return
	}
	fmt.Fprintf(b, "    \"~%s\" 1;  # %s %s\n", key, r.Method, shortPattern(r))
}

// nginxMapKey is a rule's regex as written into a map key: named groups
// unnamed, in a double-quoted string (\\ and \" stand for \ and "; map keys
// are not interpolated, so "$" is the regex's end anchor). A rule nginx
// cannot take (no regex, a newline, longer than a token may be) gets why
// it is left out; when it is per-user, an error instead: leaving it out
// could put it under a broader shared pattern.
func nginxMapKey(r Rule) (key, skip string, err error) {
	if r.Regex == "" || strings.ContainsAny(r.Regex, "\n\r") {
		if r.PerUser {
			return "", "", fmt.Errorf("nginx: the per-user route %s %q has no regex nginx can take: a per-user route cannot be left out", r.Method, shortPattern(r))
		}
		return "", fmt.Sprintf("%s %s: no regex that nginx can take", r.Method, shortPattern(r)), nil
	}
	key = strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(unnamedGroups(r.Regex))
	if skip, err := tooLong("nginx", r, key); skip != "" || err != nil {
		return "", skip, err
	}
	return key, "", nil
}

// nginxProxyPass is proxy_pass's address: http://host:port (an IPv6
// address in brackets), or http://unix:/path: for a unix socket
// (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass).
func nginxProxyPass(u Upstream) string {
	if u.Socket != "" {
		return "http://unix:" + u.Socket + ":"
	}
	return "http://" + net.JoinHostPort(u.Host, u.Port)
}

// unnamedGroups turns the named groups of a regex ((?P<name>...),
// (?<name>...), (?'name'...)) into plain groups: in nginx a named capture
// sets a variable of that name, and a route parameter called host, uri,
// status, ... collides with nginx's own ("the duplicate variable"),
// https://nginx.org/en/docs/http/ngx_http_core_module.html#variables.
func unnamedGroups(re string) string {
	var b strings.Builder
	for i := 0; i < len(re); i++ {
		c := re[i]
		if c == '\\' && i+1 < len(re) {
			b.WriteString(re[i : i+2])
			i++
			continue
		}
		if c == '(' && strings.HasPrefix(re[i:], "(?") {
			rest := re[i+2:]
			var close byte
			switch {
			case strings.HasPrefix(rest, "P<"):
				rest, close = rest[2:], '>'
			case strings.HasPrefix(rest, "<") && !strings.HasPrefix(rest, "<=") && !strings.HasPrefix(rest, "<!"):
				rest, close = rest[1:], '>'
			case strings.HasPrefix(rest, "'"):
				rest, close = rest[1:], '\''
			}
			if close != 0 {
				if j := strings.IndexByte(rest, close); j >= 0 {
					b.WriteString("(?:")
					i = len(re) - len(rest) + j
					continue
				}
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}
