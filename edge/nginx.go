package edge

import (
	"fmt"
	"io"
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
	host, port, err := hostPort(c.Upstream, "8000")
	if err != nil {
		return err
	}
	listen := c.Listen
	if listen == "" {
		listen = "127.0.0.1:8080"
	}
	cacheDir := c.CacheDir
	if cacheDir == "" {
		cacheDir = "/var/cache/nginx/cdnadvise"
	}
	for _, s := range []string{listen, cacheDir, c.AccessLog} {
		if strings.ContainsAny(s, " ;{}\"'\n\r\t#$") {
			return fmt.Errorf("%q cannot be written into an nginx configuration (spaces, quotes, ; { } # $)", s)
		}
	}
	rules := sortedRules(c.Rules)
	var b strings.Builder
	b.WriteString("# Written by cdnadvise edge --edge nginx" + from(c.Source) + ".\n")
	b.WriteString("# Include it inside http {} (include /etc/nginx/cdnadvise.conf;) and check with nginx -t.\n")
	b.WriteString("# TTLs come from the origin's Cache-Control: apply cdnadvise's patch to the app as well.\n\n")
	fmt.Fprintf(&b, "proxy_cache_path %s levels=1:2 keys_zone=cdnadvise:10m max_size=1g inactive=1d use_temp_path=off;\n\n", cacheDir)
	b.WriteString("# Routes whose responses depend on the user: never from or into the cache.\n")
	b.WriteString("map $uri $cdnadvise_per_user {\n    default 0;\n")
	for _, r := range rules {
		if r.PerUser {
			writeMapLine(&b, r)
		}
	}
	b.WriteString("}\n\n# Routes advised for a shared cache: the same for everyone.\n")
	b.WriteString("map $uri $cdnadvise_shared {\n    default 0;\n")
	for _, r := range rules {
		if r.Shared && !r.PerUser {
			writeMapLine(&b, r)
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
	b.WriteString("server {\n")
	fmt.Fprintf(&b, "    listen %s;\n", listen)
	if c.AccessLog != "" {
		fmt.Fprintf(&b, "    access_log %s cdnadvise;\n", c.AccessLog)
	}
	b.WriteString("    location / {\n")
	fmt.Fprintf(&b, "        proxy_pass http://%s:%s;\n", host, port)
	b.WriteString("        proxy_http_version 1.1;\n")
	b.WriteString("        proxy_set_header Host $host;\n")
	b.WriteString("        proxy_set_header Cookie $cdnadvise_cookie;\n")
	b.WriteString("        proxy_cache cdnadvise;\n")
	b.WriteString("        proxy_cache_key $scheme$host$request_uri;\n")
	b.WriteString("        proxy_cache_bypass $cdnadvise_per_user $cdnadvise_auth;\n")
	b.WriteString("        proxy_no_cache $cdnadvise_per_user $cdnadvise_auth;\n")
	b.WriteString("        # stale-while-revalidate / stale-if-error come from the header; errors too.\n")
	b.WriteString("        proxy_cache_use_stale error timeout http_500 http_502 http_503 http_504;\n")
	b.WriteString("        proxy_cache_background_update on;\n")
	b.WriteString("        add_header X-Cache-Status $upstream_cache_status always;\n")
	b.WriteString("    }\n}\n")
	return writeAll(w, b.String())
}

// writeMapLine adds a regex line to an nginx map: "~REGEX" 1; the regex
// is double-quoted, so quotes and backslashes are escaped.
func writeMapLine(b *strings.Builder, r Rule) {
	if r.Regex == "" || strings.ContainsAny(r.Regex, "\n\r") {
		fmt.Fprintf(b, "    # %s %s: no regex that nginx can take\n", r.Method, lineComment(r.Pattern))
		return
	}
	// In a double-quoted nginx string \\ and \" stand for \ and "; the keys of
	// a map are not interpolated, so "$" is the regex's end anchor.
	q := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(r.Regex)
	fmt.Fprintf(b, "    \"~%s\" 1;  # %s %s\n", q, r.Method, lineComment(r.Pattern))
}
