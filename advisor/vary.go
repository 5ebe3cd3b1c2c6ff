package advisor

import (
	"regexp"
	"sort"
	"strings"
)

var (
	varyOnHeadersRe = regexp.MustCompile(`vary_on_headers\(([^)]*)\)`)
	quotedRe        = regexp.MustCompile(`["']([^"']+)["']`)
)

// djangoVary reads which request headers a Django route's responses vary
// on: LocaleMiddleware adds Vary: Accept-Language except on URLs with an
// i18n_patterns language prefix, GZipMiddleware Vary: Accept-Encoding
// (django/middleware/locale.py, gzip.py), and a view's own
// @vary_on_headers(...) and @vary_on_cookie. (SessionMiddleware's Vary:
// Cookie comes with views that touch the session, which are per-user.)
func (rt *Routes) djangoVary() {
	var locale, gzip bool
	for _, m := range rt.proj.files {
		for _, v := range append(m.assigned("MIDDLEWARE"), m.assigned("MIDDLEWARE_CLASSES")...) {
			t := m.text(v)
			locale = locale || strings.Contains(t, "LocaleMiddleware")
			gzip = gzip || strings.Contains(t, "GZipMiddleware")
		}
	}
	for _, r := range rt.Routes {
		if r.Framework != "django" {
			continue
		}
		set := map[string]bool{}
		if locale && !strings.Contains(r.Pattern, "<lang>") {
			set["Accept-Language"] = true
		}
		if gzip {
			set["Accept-Encoding"] = true
		}
		if r.viewMod != nil && r.viewNode != nil {
			for _, d := range decorators(r.viewMod, r.viewNode) {
				if strings.HasPrefix(d, "vary_on_cookie") {
					set["Cookie"] = true
				}
				if m := varyOnHeadersRe.FindStringSubmatch(d); m != nil {
					for _, q := range quotedRe.FindAllStringSubmatch(m[1], -1) {
						set[canonicalHeader(q[1])] = true
					}
				}
			}
		}
		for h := range set {
			r.Vary = append(r.Vary, h)
		}
		sort.Strings(r.Vary)
	}
}

// canonicalHeader writes a header name as HTTP does (accept-language ->
// Accept-Language).
func canonicalHeader(h string) string {
	parts := strings.Split(strings.ToLower(strings.TrimSpace(h)), "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "-")
}

// splitsOn lists the Vary headers of a route that the edge keeps one copy
// per value of, and that the logs cannot tell: each client is then taken to
// send its own value (the worst case). Accept-Encoding is left out: caches
// normalize it or keep a few variants (gzip, br, identity).
func splitsOn(vary []string, varyOther, varyCookie string) []string {
	var out []string
	for _, h := range vary {
		switch h {
		case "Accept-Encoding":
		case "Cookie":
			if varyCookie == "split" {
				out = append(out, h)
			}
		default:
			if varyOther == "split" {
				out = append(out, h)
			}
		}
	}
	return out
}
